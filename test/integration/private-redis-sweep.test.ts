import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { isAlive, sweepOrphanedRedis } from "../support/redis-server";

const compiled = resolve(__dirname, "../../dist/test/support/redis-server.js");

describe("the private test Redis", () => {
  it("is stopped by the next run's set-up when the run that started it was killed", async () => {
    // A short-lived owner starts a server and exits without teardown, as a killed jest would.
    const script = `require(${JSON.stringify(compiled)}).startPrivateRedis().then((r) => {
      process.stdout.write(String(r.pid)); process.exit(0); })`;
    const pid = Number(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }));
    expect(isAlive(pid)).toBe(true);
    const dir = execFileSync("readlink", [join("/proc", String(pid), "cwd")], { encoding: "utf8" });

    const stopped = await sweepOrphanedRedis();

    expect(stopped).toContain(pid);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(dir.trim())).toBe(false);
    // This run's own server belongs to a live owner and is left alone.
    expect(isAlive(Number(process.env.TEST_REDIS_PID))).toBe(true);
  });
});
