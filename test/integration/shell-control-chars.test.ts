import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { testRedisUrl, uniquePrefix } from "../support/redis";
import { up, type Lab } from "../lab/lab";
import { LineDriver, REPO } from "./shell-driver";

/**
 * What a host prints and what a person types reach the operator's terminal without a control
 * character a terminal would obey: ESC sequences that retitle the window, clear the screen or
 * recolour, in an error log line of the host and in a title and a note typed at the prompt. Needs
 * `npm run build` (npm test builds first) and root for the lab.
 */
const CLI = join(REPO, "bin/incident-bot.js");
const LONG = 180_000;
const ESCAPES = "\u001b]0;pwned\u0007\u001b[2J\u001b[31m";

/** An error log line as Apache writes it, dated now (the lab's hosts keep UTC). */
function errorLogLine(message: string): string {
  const now = new Date();
  const [day, month, date, year, time] = now.toUTCString().replace(",", "").split(" ");
  const weekday = day ?? "Mon";
  const stamp = `${weekday} ${month} ${date} ${time}.${String(now.getUTCMilliseconds()).padStart(3, "0")}000 ${year}`;
  return `[${stamp}] [proxy:error] [pid 4242:tid 4243] (111)Connection refused: AH00957: ${message}\n`;
}

/** C0 but tab and newline, DEL, C1: what a terminal could obey. */
function hasControlCharacter(line: string): boolean {
  return [...line].some((c) => {
    const code = c.charCodeAt(0);
    return (code < 0x20 && code !== 0x09 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f);
  });
}

describe("incident-bot shell against a host whose log carries terminal escape sequences", () => {
  let lab: Lab;
  let shell: LineDriver | undefined;

  beforeAll(async () => {
    lab = await up(1);
    await lab.break("proxy-1", "upstream-stopped");
    appendFileSync(
      lab.host("proxy-1").errorLog,
      errorLogLine(`http: attempt to connect to 127.0.0.1:9 (up${ESCAPES}stream:9) failed`),
    );
  }, LONG);

  afterAll(async () => {
    await shell?.stop();
    await lab?.down();
  }, LONG);

  it(
    "prints host output, the diagnosis, a title and a note with their control characters dropped",
    async () => {
      shell = LineDriver.start("node", [CLI, "shell", "--user", "alice", "--channel", "ops"], {
        REDIS_URL: testRedisUrl(),
        REDIS_PREFIX: uniquePrefix("shell-escapes"),
        INVENTORY: lab.inventoryPath,
        PLAYBOOKS_DIR: join(REPO, "playbooks"),
        INCIDENT_APPROVERS: "bob",
        PHASE_MINUTE_MS: "60000",
      });
      await shell.waitFor(/^bot> ready: you are alice in #ops/);

      shell.type(`/incident declare red${ESCAPES}alert sev2 hosts:lab`);
      await shell.waitFor(/^shell> you are in #inc-/);
      await shell.waitFor(/diagnosis: upstream_refused on proxy-1\b/i, LONG);
      // The host's line, as the diagnosis and the step output show it.
      await shell.waitFor(/up\]0;pwned\[2J\[31mstream:9/, LONG);

      shell.type(`/incident note look${ESCAPES}here`);
      await shell.waitFor(/Note: look\]0;pwned\[2J\[31mhere/, LONG);

      shell.type("/quit");
      await shell.waitFor(/^bot> bye/);
      expect(await shell.stop()).toBe(0);
      const controls = shell.lines.filter(hasControlCharacter);
      expect(controls).toEqual([]);
      expect(shell.lines.some((line) => line.includes("red]0;pwned[2J[31malert"))).toBe(true);
    },
    LONG * 2,
  );
});
