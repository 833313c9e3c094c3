import type {
  ApprovalView,
  DiagnosisView,
  FigureView,
  HostStepsView,
  IncidentView,
  PhaseSpan,
  StepView,
} from "../../../app/build-incident-view";
import type { Incident } from "../../../domain/incident";
import { isLinkable, type TextPart } from "../../../domain/message-text";
import { html, raw, type SafeHtml } from "./html";
import { PAGE_SCRIPT, PAGE_STYLE } from "./page-assets";
import { duration, isoTime, utcClock, utcTime, zoneClockFormat } from "./page-time";
import { errorRateChart, phaseChart } from "./svg-charts";

export interface PageOptions {
  /** The response's CSP nonce: only the page's own style and script carry it. */
  nonce: string;
  /** A zone the viewer named (`?tz=`); without one the script fills in the browser's. */
  zone: string | null;
  /** The page's own query (its key, the zone): reloading must keep the credential. */
  query: string;
}

/**
 * The incident page: everything a reader needs without the channel, server-rendered. It works
 * without JavaScript; the one small script writes times in the viewer's zone and reloads the page
 * while the incident is open. Every value comes through `html`, so a title, a note, a log line or
 * an output is shown as written and never becomes markup.
 */
export function renderIncidentPage(view: IncidentView, options: PageOptions): string {
  const { incident } = view;
  const open = incident.state !== "resolved";
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex" />
        <title>${incident.severity.toUpperCase()} · ${incident.title} · incident-bot</title>
        <style nonce="${options.nonce}">
          ${raw(PAGE_STYLE)}
        </style>
      </head>
      <body data-open="${open ? "yes" : "no"}">
        ${header(view)}
        <main>
          ${figuresSection(view.figures)}
          <section id="picture">
            <h2>Phases and events</h2>
            ${phaseChart(view)}${phaseTable(view.phases, view.now)}
          </section>
          ${diagnosisSection(view.diagnoses)} ${rateSection(view)} ${stepsSection(view.hosts)}
          ${approvalsSection(view.approvals)} ${timelineSection(view, options.zone)}
        </main>
        <footer>
          Rendered
          ${utcTime(view.now)}${open ? " · refreshes every 30 s while open (with JavaScript)" : ""}
          · <a href="${options.query || "?"}">reload</a>
        </footer>
        <script nonce="${options.nonce}">
          ${raw(PAGE_SCRIPT)};
        </script>
      </body>
    </html> `.value;
}

function header(view: IncidentView): SafeHtml {
  const i = view.incident;
  const current = view.phases[view.phases.length - 1];
  const window = current
    ? ` (runbook: ${duration(current.plannedStartAt - i.declaredAt)}–${duration(current.plannedEndAt - i.declaredAt)})`
    : "";
  return html`<header>
    <h1><span class="sev sev-${i.severity}">${i.severity.toUpperCase()}</span> ${i.title}</h1>
    <dl class="facts">
      <div>
        <dt>State</dt>
        <dd class="state state-${i.state}">${i.state}</dd>
      </div>
      <div>
        <dt>Phase</dt>
        <dd>${i.phase}${window}</dd>
      </div>
      <div>
        <dt>Elapsed</dt>
        <dd>${duration(view.elapsedMs)}</dd>
      </div>
      <div>
        <dt>Commander</dt>
        <dd>${i.commander ? `@${i.commander}` : "unassigned"}</dd>
      </div>
      <div>
        <dt>Declared</dt>
        <dd>${utcTime(i.declaredAt)} by ${declarer(i)}</dd>
      </div>
      <div>
        <dt>Hosts</dt>
        <dd>${i.hosts.join(", ") || "none given"}</dd>
      </div>
      <div>
        <dt>Incident</dt>
        <dd><code>${i.id}</code></dd>
      </div>
    </dl>
    ${i.summary ? html`<p class="summary"><strong>Summary:</strong> ${i.summary}</p>` : ""}
  </header>`;
}

function declarer(i: Incident): string {
  return i.source?.kind === "integration"
    ? `the ${i.source.integration} alert “${i.source.alert}”`
    : `@${i.declaredBy}`;
}

function figuresSection(figures: readonly FigureView[]): SafeHtml {
  const rows = figures.map((f) => {
    const verdict = f.met === null ? "—" : f.met ? "met" : "missed";
    return html`<tr>
      <td>${f.label}</td>
      <td>${duration(f.actualMs)}</td>
      <td>${f.targetMs === null ? "—" : `within ${duration(f.targetMs)}`}</td>
      <td class="verdict verdict-${verdict}">${verdict}</td>
    </tr>`;
  });
  return html`<section id="figures">
    <h2>Key figures</h2>
    <table>
      <thead>
        <tr>
          <th>figure</th>
          <th>so far</th>
          <th>target</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </section>`;
}

function phaseTable(phases: readonly PhaseSpan[], now: number): SafeHtml {
  const rows = phases.map(
    (p) =>
      html`<tr>
        <td>${p.phase}</td>
        <td>${utcTime(p.startAt)}</td>
        <td>${p.endAt === null ? "now" : utcTime(p.endAt)}</td>
        <td>${duration((p.endAt ?? now) - p.startAt)}</td>
        <td>${utcClock(p.plannedStartAt)}–${utcClock(p.plannedEndAt)}</td>
      </tr>`,
  );
  return html`<table class="phases">
    <thead>
      <tr>
        <th>phase</th>
        <th>from</th>
        <th>to</th>
        <th>lasted</th>
        <th>runbook window (UTC)</th>
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

function diagnosisSection(diagnoses: readonly DiagnosisView[]): SafeHtml {
  if (diagnoses.length === 0) {
    return html`<section id="diagnosis">
      <h2>Diagnosis</h2>
      <p class="none">No diagnosis yet.</p>
    </section>`;
  }
  const items = [...diagnoses].reverse().map((d, i) => {
    const { diagnosis } = d;
    const others = (diagnosis.others ?? []).map(
      (o) => html`<li>also <code>${o.cause}</code> on ${o.hosts.join(", ")}</li>`,
    );
    const evidence = d.evidence.map(
      (e) =>
        html`<div class="evidence">
          <h4>Evidence on ${e.host}</h4>
          <pre>${e.lines.join("\n")}</pre>
        </div>`,
    );
    return html`<article class="diagnosis${i === 0 ? " latest" : ""}">
      <h3>
        <code>${diagnosis.cause}</code> on ${diagnosis.hosts.join(", ") || "no host"}
        <small>${utcTime(d.at)} · run ${d.runId}</small>
      </h3>
      <p>${diagnosis.summary}</p>
      <p><strong>Recommendation:</strong> ${diagnosis.recommendation}</p>
      ${
        others.length > 0
          ? html`<ul>
              ${others}
            </ul>`
          : ""
      }${evidence}
    </article>`;
  });
  return html`<section id="diagnosis">
    <h2>Diagnosis</h2>
    ${items}
  </section>`;
}

function rateSection(view: IncidentView): SafeHtml {
  const chart = errorRateChart(view.errorRates);
  return html`<section id="error-rate">
    <h2>5xx rate per host</h2>
    ${chart ?? html`<p class="none">No access-log lines were read yet.</p>`}
  </section>`;
}

function stepsSection(hosts: readonly HostStepsView[]): SafeHtml {
  if (hosts.length === 0) {
    return html`<section id="steps">
      <h2>Steps per host</h2>
      <p class="none">No step has finished yet.</p>
    </section>`;
  }
  const perHost = hosts.map(
    (h) =>
      html`<article class="host">
        <h3>${h.host}</h3>
        <table>
          <thead>
            <tr>
              <th>time (UTC)</th>
              <th>step</th>
              <th>status</th>
              <th>exit</th>
              <th>took</th>
              <th>output</th>
            </tr>
          </thead>
          <tbody>
            ${h.steps.map(stepRow)}
          </tbody>
        </table>
      </article>`,
  );
  return html`<section id="steps">
    <h2>Steps per host</h2>
    ${perHost}
  </section>`;
}

function stepRow(s: StepView): SafeHtml {
  const lines = s.output.text === "" ? 0 : s.output.text.split("\n").length;
  const cut =
    s.output.cutChars > 0
      ? html`<p class="cut">${s.output.cutChars} earlier characters not shown</p>`
      : "";
  const output =
    s.output.text === ""
      ? html`<span class="none">none</span>`
      : html`<details>
          <summary>${lines} line${lines === 1 ? "" : "s"}</summary>
          ${cut}
          <pre>${s.output.text}</pre>
        </details>`;
  return html`<tr class="step status-${s.status}">
    <td>${utcClock(s.at)}</td>
    <td><code>${s.stepId}</code> ${s.title}<br /><small>${s.runId}</small></td>
    <td class="status">${s.status}${s.reason ? html`<br /><small>${s.reason}</small>` : ""}</td>
    <td>${s.exitCode ?? "—"}</td>
    <td>${duration(s.durationMs)}</td>
    <td>${output}</td>
  </tr>`;
}

function approvalsSection(approvals: readonly ApprovalView[]): SafeHtml {
  if (approvals.length === 0) {
    return html`<section id="approvals">
      <h2>Approvals</h2>
      <p class="none">No approval was requested.</p>
    </section>`;
  }
  return html`<section id="approvals">
    <h2>Approvals</h2>
    ${approvals.map(approvalItem)}
  </section>`;
}

function approvalItem(a: ApprovalView): SafeHtml {
  const decisions = a.decisions.map(
    (d) => html`<li>${d.decision} by @${d.by} at ${utcTime(d.at)}</li>`,
  );
  const outcomes = a.outcomes.map(
    (o) =>
      html`<li>
        ${o.host} at ${utcTime(o.at)}: precheck ${o.precheck}, action ${o.action}, verification
        ${o.verification}
      </li>`,
  );
  const refusals = a.refusals.map(
    (r) => html`<li>refused on ${r.host} at ${utcTime(r.at)}: ${r.reason}</li>`,
  );
  return html`<article class="approval state-${a.state}">
    <h3>${a.title} on ${a.hosts.join(", ")} <small>${a.state}</small></h3>
    <p>
      Requested by ${a.requestedBy === "bot" ? "the bot" : `@${a.requestedBy}`} at
      ${utcTime(a.requestedAt)}; needs ${a.required} approval${a.required === 1 ? "" : "s"}; expires
      ${utcTime(a.expiresAt)}${a.closedBecause ? html`; closed: ${a.closedBecause}` : ""}
    </p>
    ${
      a.precheck
        ? html`<h4>Precheck</h4>
            <pre>${a.precheck}</pre>`
        : ""
    }
    <h4>What runs once approved</h4>
    <pre>${a.commands.join("\n")}</pre>
    ${
      decisions.length > 0
        ? html`<h4>Decisions</h4>
            <ul>
              ${decisions}
            </ul>`
        : ""
    }${
      outcomes.length > 0
        ? html`<h4>What ran</h4>
            <ul>
              ${outcomes}
            </ul>`
        : ""
    }${
      refusals.length > 0
        ? html`<ul>
            ${refusals}
          </ul>`
        : ""
    }
  </article>`;
}

function timelineSection(view: IncidentView, zone: string | null): SafeHtml {
  const local = zone ? zoneClockFormat(zone) : null;
  const rows = view.timeline.map((e) => {
    const iso = isoTime(e.at);
    return html`<tr class="ev-${e.type}">
      <td><time datetime="${iso}">${iso.slice(11, 19)}</time></td>
      <td class="local" data-at="${e.at}">${local ? local(e.at) : ""}</td>
      <td>${parts([e.actor])}</td>
      <td>${parts(e.text)}</td>
    </tr>`;
  });
  return html`<section id="timeline">
    <h2>Timeline <small>(${view.timeline.length} events)</small></h2>
    <table>
      <thead>
        <tr>
          <th>UTC</th>
          <th id="zone">${zone ?? "your time"}</th>
          <th>who</th>
          <th>what</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </section>`;
}

/** The lifecycle's message parts: people as names, emphasis in bold, only checked http(s) links. */
function parts(text: readonly TextPart[]): SafeHtml[] {
  return text.map((part) => {
    if (typeof part === "string") return html`${part}`;
    if ("person" in part) return html`<span class="person">@${part.person}</span>`;
    if ("link" in part) {
      return isLinkable(part.link)
        ? html`<a href="${part.link}" rel="noopener noreferrer nofollow">${part.label}</a>`
        : html`${part.label}`;
    }
    return html`<strong>${part.strong}</strong>`;
  });
}
