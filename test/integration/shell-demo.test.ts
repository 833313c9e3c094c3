import { existsSync } from "node:fs";
import { join } from "node:path";
import { LineDriver } from "./shell-driver";

/**
 * `npm run demo` as a newcomer runs it, but with a script piped in instead of a person: it must
 * reach the diagnosis on the lab, end on /quit, and leave nothing running (lab down, Redis
 * stopped). Needs root and the Debian packages of scripts/install-system-deps.sh, like the lab.
 */
const LONG = 300_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

describe("npm run demo", () => {
  it(
    "starts Redis, the lab and the shell, diagnoses proxy-2, and stops everything on /quit",
    async () => {
      const demo = LineDriver.start("bash", ["scripts/demo.sh"], {
        // Shorter than a newcomer's clock would be is fine; the script waits on lines, not time.
        PHASE_MINUTE_MS: "5000",
      });
      try {
        await demo.waitFor(/^bot> ready: you are alice in #ops/, LONG);
        const redis = /private Redis on redis:\/\/127\.0\.0\.1:(\d+) \(pid (\d+)\)/.exec(
          demo.errors.join("\n"),
        );
        const labDir = /npm run lab -- fix proxy-2 --dir (\S+)/.exec(demo.errors.join("\n"));
        expect(redis).not.toBeNull();
        expect(labDir).not.toBeNull();
        const redisPid = Number(redis?.[2]);
        expect(isAlive(redisPid)).toBe(true);
        expect(existsSync(join(labDir?.[1] ?? "", "lab-state.json"))).toBe(true);

        demo.type("/incident declare API 502s sev2 hosts:lab");
        await demo.waitFor(/Diagnosis: upstream_refused on proxy-2/, LONG);
        await demo.waitFor(/\[a\]pprove \/ \[d\]eny apr-\S+graceful-reload/, LONG);
        demo.type("/quit");
        await demo.waitFor(/^bot> bye/);
        expect(await demo.stop()).toBe(0);

        expect(demo.errors).toContain("demo> nothing left running");
        expect(isAlive(redisPid)).toBe(false);
        expect(existsSync(labDir?.[1] ?? "")).toBe(false);
      } finally {
        await demo.stop();
      }
    },
    LONG * 2,
  );

  it(
    "leaves nothing running after Ctrl-C",
    async () => {
      const demo = LineDriver.start("bash", ["scripts/demo.sh"], {}, { detached: true });
      try {
        await demo.waitFor(/^bot> ready: you are alice in #ops/, LONG);
        const said = demo.errors.join("\n");
        const redisPid = Number(/\(pid (\d+)\)/.exec(said)?.[1]);
        const labDir = /--dir (\S+)/.exec(said)?.[1] ?? "";
        expect(isAlive(redisPid)).toBe(true);

        demo.interruptGroup();
        await demo.exited;

        expect(demo.errors).toContain("demo> nothing left running");
        expect(isAlive(redisPid)).toBe(false);
        expect(existsSync(labDir)).toBe(false);
      } finally {
        await demo.stop();
      }
    },
    LONG * 2,
  );
});
