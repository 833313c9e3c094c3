import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Playbook } from "../../src/domain/playbook";

/** Lines the lab's real Apache wrote when proxy-1's upstream was stopped. */
export const REFUSED_LINES = readFileSync(
  join(__dirname, "../fixtures/apache/upstream-stopped.error.log"),
  "utf8",
)
  .split("\n")
  .slice(0, 4)
  .join("\n");

/**
 * Two triage steps (error log, upstream probe) listed after two deeper ones (server-status, a
 * check), and a remediation: the engine must run the triage steps first whatever the order here.
 * The commands are words the fake executors answer by.
 */
export function triagePlaybook(): Playbook {
  return Playbook.parse({
    id: "triage-test",
    title: "Triage test playbook",
    description: "Triage steps after deeper ones, so the engine has to reorder them.",
    phases: {
      immediate: [
        {
          id: "workers",
          title: "Workers",
          kind: "diagnostic",
          run: "echo status",
          parse: "server-status",
        },
        {
          id: "front",
          title: "Front",
          kind: "check",
          run: "echo front",
          expect: { matches: "ok" },
        },
        {
          id: "errors",
          title: "Errors",
          kind: "diagnostic",
          run: "echo errors",
          parse: "apache-error-log",
          triage: true,
        },
        {
          id: "probe",
          title: "Probe",
          kind: "diagnostic",
          run: "echo probe",
          parse: "http-probe",
          triage: true,
        },
        {
          id: "reload",
          title: "Reload",
          kind: "remediation",
          run: "echo reload",
          precheck: { run: "true" },
          verify: { run: "true", attempts: 1, interval: "1s" },
        },
      ],
    },
  });
}
