import { gzipSync } from "node:zlib";
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { renderIncidentPage } from "../../src/adapters/http/page/render-incident-page";
import { buildIncidentView } from "../../src/app/build-incident-view";
import { RUNBOOK_TARGETS } from "../../src/domain/key-figures";
import { renderPostmortem } from "../../src/domain/postmortem";
import { fmt, median, percentile } from "../lifecycle/stats";
import { sampleEvents, sampleIncident } from "./sample-incident";

/**
 * The incident page of a long incident (`--events`, default 2,000 timeline events): the time to
 * build the view and render the HTML, per render, and the page's size. Each run renders
 * `--renders` times after a warm-up and reports its median and p99; the table gives the median
 * of those over `--runs` runs with their range. Baseline, in the same run on the same events:
 * the Markdown postmortem, the other rendering of the whole timeline.
 */
const settings = { phaseMinuteMs: 60_000, targets: RUNBOOK_TARGETS };
const MiB = 1024 * 1024;

interface RunFigures {
  median: number;
  p99: number;
  /** This process's CPU time per render (user + system), less sensitive to a busy machine. */
  cpu: number;
}

function timeRenders(render: () => string, renders: number): RunFigures {
  const times: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < renders; i++) {
    const start = performance.now();
    render();
    times.push(performance.now() - start);
  }
  const cpu = process.cpuUsage(cpuBefore);
  times.sort((a, b) => a - b);
  return {
    median: percentile(times, 50),
    p99: percentile(times, 99),
    cpu: (cpu.user + cpu.system) / 1000 / renders,
  };
}

export async function runPageBench(args: Map<string, string> = new Map()): Promise<string> {
  const count = Number(args.get("events") ?? 2000);
  const runs = Number(args.get("runs") ?? 7);
  const renders = Number(args.get("renders") ?? 200);
  const loadBefore = loadavg()[0] ?? 0;
  const events = sampleEvents(count);
  const now = events[events.length - 1]?.at ?? Date.now();
  const page = () =>
    renderIncidentPage(buildIncidentView(sampleIncident, events, now, settings), {
      nonce: "bench-nonce-0123456789==",
      zone: null,
      query: "?key=bench",
    });
  const postmortem = () =>
    renderPostmortem(sampleIncident, events, now, settings.phaseMinuteMs, settings.targets);
  for (let i = 0; i < 20; i++) {
    page();
    postmortem();
  }
  const pageRuns: RunFigures[] = [];
  const baseRuns: RunFigures[] = [];
  for (let run = 0; run < runs; run++) {
    pageRuns.push(timeRenders(page, renders));
    baseRuns.push(timeRenders(postmortem, renders));
  }
  const html = page();
  const bytes = Buffer.byteLength(html);
  const outputChars = events.reduce(
    (sum, e) => sum + (e.type === "step-finished" ? e.details.output.length : 0),
    0,
  );
  const row = (name: string, figures: RunFigures[], size: number) => {
    const p99s = figures.map((f) => f.p99);
    const medians = figures.map((f) => f.median);
    const cpu = median(figures.map((f) => f.cpu));
    return `| ${name} | ${fmt(median(medians))} ms | ${fmt(median(p99s))} ms | ${fmt(Math.min(...p99s))}–${fmt(Math.max(...p99s))} ms | ${fmt(cpu)} ms | ${(size / 1024).toFixed(0)} KiB |`;
  };
  const ratio = median(pageRuns.map((f) => f.p99)) / median(baseRuns.map((f) => f.p99));
  return [
    `### Incident page: ${count} timeline events, ${runs} runs × ${renders} renders, ${availableParallelism()} cores, Node ${process.version}, 1-minute load ${loadBefore.toFixed(1)} before and ${(loadavg()[0] ?? 0).toFixed(1)} after`,
    "",
    "| rendering | median | p99 (median of runs) | p99 min–max | CPU per render | size |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    row("incident page (view + HTML)", pageRuns, bytes),
    row("baseline: Markdown postmortem", baseRuns, Buffer.byteLength(postmortem())),
    "",
    `Page p99 ÷ postmortem p99: ${ratio.toFixed(2)}×. Page ${(bytes / MiB).toFixed(2)} MiB (target < 1 MiB; gzip ${(gzipSync(html).length / 1024).toFixed(0)} KiB) from ${(outputChars / MiB).toFixed(1)} MiB of step output in the timeline. Target p99 < 50 ms: ${median(pageRuns.map((f) => f.p99)) < 50 ? "met" : "not met"}.`,
  ].join("\n");
}
