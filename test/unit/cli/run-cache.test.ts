import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { dispatch } from "../../../src/cli/dispatch";
import { botVersion } from "../../../src/cli/file-cache";

const root = resolve(__dirname, "../../..");
let scratch: string;
let inventory: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "incident-bot-run-cache-"));
  inventory = join(scratch, "inventory.yml");
  writeFileSync(
    inventory,
    "hosts:\n  proxy-1: { address: 127.0.0.11, vars: { upstream_url: 'http://10.0.1.5:8080/' } }\n",
  );
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** `incident-bot run apache-502 --dry-run --json` in this process, with this environment. */
async function dryRun(env: Record<string, string>): Promise<{ code: number; out: string }> {
  let out = "";
  const io = { out: (text: string) => (out += text), err: () => undefined, env };
  const args = ["run", "apache-502", "--hosts", "proxy-1", "--dry-run", "--json"];
  const paths = ["--playbooks", join(root, "playbooks"), "--inventory", inventory];
  return { code: await dispatch([...args, ...paths], io), out };
}

describe("incident-bot run through the cache of validated files", () => {
  it("plans the same commands on a miss, on a hit and with the cache off", async () => {
    const cacheDir = join(scratch, "cache");
    const off = await dryRun({ INCIDENT_BOT_CACHE: "off", INCIDENT_BOT_CACHE_DIR: cacheDir });
    expect(off.code).toBe(0);
    expect(existsSync(cacheDir)).toBe(false);
    const miss = await dryRun({ INCIDENT_BOT_CACHE_DIR: cacheDir });
    expect(readdirSync(cacheDir)).toHaveLength(2);
    const hit = await dryRun({ INCIDENT_BOT_CACHE_DIR: cacheDir });
    expect(miss).toEqual(off);
    expect(hit).toEqual(off);
  });

  it("keeps the cache under XDG_CACHE_HOME, else HOME's .cache", async () => {
    await dryRun({ XDG_CACHE_HOME: join(scratch, "xdg"), HOME: join(scratch, "home") });
    expect(readdirSync(join(scratch, "xdg", "incident-bot"))).toHaveLength(2);
    await dryRun({ HOME: join(scratch, "home") });
    expect(readdirSync(join(scratch, "home", ".cache", "incident-bot"))).toHaveLength(2);
  });

  it("keys entries by the version in the bot's package.json", () => {
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(botVersion()).toBe(manifest.version);
    expect(botVersion(tmpdir())).toBeUndefined();
  });
});
