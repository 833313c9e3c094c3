import type {
  HostErrorRate,
  IncidentView,
  TimelineEntryView,
} from "../../../app/build-incident-view";
import type { Phase } from "../../../domain/phase";
import { html, type SafeHtml } from "./html";
import { utcClock } from "./page-time";

/**
 * Pictures drawn on the server as inline SVG: no script, no image request, and only presentation
 * attributes (no style attributes), so the page's Content-Security-Policy allows them as they are.
 * Every label is text through `html`, escaped like the rest of the page.
 */
const WIDTH = 900;
const LEFT = 110;
const RIGHT = 20;
const PLOT = WIDTH - LEFT - RIGHT;

const PHASE_FILL: Record<Phase, string> = {
  immediate: "#f6c9c4",
  "short-term": "#f8e2b0",
  "long-term": "#cfe3f5",
};

/** Rows of the event strip: what a reader scans for, each on its own line. */
const ROWS: { label: string; types: readonly TimelineEntryView["type"][]; colour: string }[] = [
  { label: "steps", types: ["step-started", "step-finished"], colour: "#6b7280" },
  { label: "diagnosis", types: ["diagnosis"], colour: "#b91c1c" },
  {
    label: "approvals",
    types: [
      "approval-requested",
      "approval-granted",
      "approval-denied",
      "approval-expired",
      "remediation-finished",
      "remediation-refused",
    ],
    colour: "#1d4ed8",
  },
  {
    label: "people",
    types: ["note", "status-update", "commander-set", "severity-changed", "state-changed"],
    colour: "#047857",
  },
  { label: "alerts", types: ["alert", "declared", "resolved"], colour: "#7c3aed" },
];

interface Axis {
  start: number;
  end: number;
  x(at: number): number;
}

function axisOf(start: number, end: number): Axis {
  const span = Math.max(1, end - start);
  return {
    start,
    end,
    x: (at) => LEFT + ((Math.min(end, Math.max(start, at)) - start) / span) * PLOT,
  };
}

function ticks(axis: Axis, y: number): SafeHtml[] {
  // Seconds only where minutes would repeat on a short axis.
  const label = (at: number) =>
    axis.end - axis.start < 10 * 60_000 ? utcClock(at) : utcClock(at).slice(0, 5);
  const out: SafeHtml[] = [];
  for (let i = 0; i <= 6; i++) {
    const at = axis.start + ((axis.end - axis.start) * i) / 6;
    const x = round(axis.x(at));
    out.push(
      html`<line x1="${x}" x2="${x}" y1="${y - 4}" y2="${y}" stroke="#9ca3af" /><text
          x="${x}"
          y="${y + 12}"
          font-size="10"
          text-anchor="middle"
          fill="#374151"
          >${label(at)}</text
        >`,
    );
  }
  return out;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** The phases as they happened, the runbook's phase boundaries, and every event on one axis. */
export function phaseChart(view: IncidentView): SafeHtml {
  const declared = view.incident.declaredAt;
  const last = view.timeline.reduce((max, e) => Math.max(max, e.at), declared);
  const axis = axisOf(declared, Math.max(last, view.incident.resolvedAt ?? view.now));
  const rowTop = 34;
  const rowHeight = 16;
  const height = rowTop + ROWS.length * rowHeight + 24;
  const bands = view.phases.map((span) => {
    const x1 = axis.x(span.startAt);
    const x2 = axis.x(span.endAt ?? axis.end);
    return html`<rect
        x="${round(x1)}"
        y="8"
        width="${round(Math.max(1, x2 - x1))}"
        height="${height - 32}"
        fill="${PHASE_FILL[span.phase]}"
      /><text x="${round(x1 + 3)}" y="20" font-size="11" fill="#111827">${span.phase}</text>`;
  });
  const planned = view.phases
    .map((span) => span.plannedEndAt)
    .filter((at) => at > axis.start && at < axis.end)
    .map((at) => {
      const x = round(axis.x(at));
      return html`<line
        x1="${x}"
        x2="${x}"
        y1="8"
        y2="${height - 24}"
        stroke="#111827"
        stroke-dasharray="4 3"
      />`;
    });
  const rows = ROWS.map((row, i) => {
    const y = rowTop + i * rowHeight;
    return html`<text x="${LEFT - 8}" y="${y + 10}" font-size="11" text-anchor="end" fill="#111827"
        >${row.label}</text
      >${eventMarks(view, axis, row, y)}`;
  });
  return html`<svg
    class="chart"
    role="img"
    aria-labelledby="phase-chart-title"
    viewBox="0 0 ${WIDTH} ${height}"
    width="100%"
    xmlns="http://www.w3.org/2000/svg"
  >
    <title id="phase-chart-title">
      Phases and events of the incident over time (UTC); dashed lines: the runbook's phase ends
    </title>
    ${bands}${planned}${rows}${ticks(axis, height - 20)}
  </svg>`;
}

/** One mark per pixel column and row: two thousand steps draw as a band, not as 2,000 nodes. */
function eventMarks(
  view: IncidentView,
  axis: Axis,
  row: (typeof ROWS)[number],
  y: number,
): SafeHtml[] {
  const columns = new Set<number>();
  for (const e of view.timeline) {
    if (row.types.includes(e.type)) columns.add(Math.round(axis.x(e.at)));
  }
  return [...columns].map(
    (x) => html`<rect x="${x - 1}" y="${y}" width="3" height="12" fill="${row.colour}" />`,
  );
}

const HOST_COLOURS = ["#b91c1c", "#1d4ed8", "#047857", "#a16207", "#7c3aed", "#be185d", "#0f766e"];

/** The share of 5xx answers per host over time, from the access-log lines the steps read. */
export function errorRateChart(rates: readonly HostErrorRate[]): SafeHtml | null {
  const points = rates.flatMap((r) => r.points);
  if (points.length === 0) return null;
  const start = points.reduce((min, p) => Math.min(min, p.at), Infinity);
  const end = points.reduce((max, p) => Math.max(max, p.at), -Infinity) + (rates[0]?.bucketMs ?? 0);
  const axis = axisOf(start, end);
  const top = 10;
  const plotHeight = 140;
  const height = top + plotHeight + 30 + rates.length * 14;
  const y = (share: number) => round(top + plotHeight - share * plotHeight);
  const grid = [0, 0.5, 1].map(
    (share) =>
      html`<line
          x1="${LEFT}"
          x2="${WIDTH - RIGHT}"
          y1="${y(share)}"
          y2="${y(share)}"
          stroke="#e5e7eb"
        /><text x="${LEFT - 8}" y="${y(share) + 4}" font-size="10" text-anchor="end" fill="#374151"
          >${Math.round(share * 100)}%</text
        >`,
  );
  const lines = rates.map((rate, i) => {
    const colour = HOST_COLOURS[i % HOST_COLOURS.length] ?? "#111827";
    const coords = rate.points
      .map(
        (p) =>
          `${round(axis.x(p.at + rate.bucketMs / 2))},${y(p.errors / Math.max(1, p.requests))}`,
      )
      .join(" ");
    const legendY = top + plotHeight + 30 + i * 14;
    const errors = rate.points.reduce((sum, p) => sum + p.errors, 0);
    const requests = rate.points.reduce((sum, p) => sum + p.requests, 0);
    return html`<polyline
        points="${coords}"
        fill="none"
        stroke="${colour}"
        stroke-width="2"
      />${rate.points.map((p) => html`<circle cx="${round(axis.x(p.at + rate.bucketMs / 2))}" cy="${y(p.errors / Math.max(1, p.requests))}" r="2.5" fill="${colour}" />`)}<rect
        x="${LEFT}"
        y="${legendY - 9}"
        width="10"
        height="10"
        fill="${colour}"
      /><text x="${LEFT + 16}" y="${legendY}" font-size="11" fill="#111827"
        >${rate.host}: ${errors} of ${requests} requests answered 5xx</text
      >`;
  });
  return html`<svg
    class="chart"
    role="img"
    aria-labelledby="rate-chart-title"
    viewBox="0 0 ${WIDTH} ${height}"
    width="100%"
    xmlns="http://www.w3.org/2000/svg"
  >
    <title id="rate-chart-title">
      Share of requests answered 5xx per host (UTC), from the access logs the steps read
    </title>
    ${grid}${lines}${ticks(axis, top + plotHeight + 4)}
  </svg>`;
}
