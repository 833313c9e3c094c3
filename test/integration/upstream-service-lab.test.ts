import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { decideApproval } from "../../src/app/decide-approval";
import { declareIncident } from "../../src/app/declare-incident";
import { loadConfig } from "../../src/config/env";
import type { TimelineEvent } from "../../src/domain/timeline";
import { startRuntime, type Runtime } from "../../src/main";
import { PlaybookRunReport } from "../../src/domain/step-result";
import { FakeChat } from "../fakes/fake-chat";
import { LAB_UPSTREAM_UNIT } from "../lab/systemctl-stand-in";
import { up, type Lab } from "../lab/lab";
import { testRedisUrl, uniquePrefix } from "../support/redis";
import { waitFor } from "./lifecycle/runtime";

const REPO = join(__dirname, "../..");
const LONG = 180_000;
const APPROVER = "U-APPROVER";

const ofType = <T extends TimelineEvent["type"]>(events: TimelineEvent[], type: T) =>
  events.filter((e): e is Extract<TimelineEvent, { type: T }> => e.type === type);

/**
 * The lab's inventory plus what an operator adds to name proxy-1's upstream service: the unit on
 * proxy-1 itself (the lab runs each host's upstream beside its Apache), asked through the lab's
 * systemctl stand-in (test/lab/README.md: the lab has no systemd).
 */
function inventoryWithService(lab: Lab, dir: string): string {
  const inventory = parse(readFileSync(lab.inventoryPath, "utf8")) as {
    hosts: Record<string, { vars: Record<string, string>; upstreamService?: string }>;
    services?: unknown;
  };
  const host = inventory.hosts["proxy-1"];
  if (!host) throw new Error("the lab has no proxy-1");
  host.upstreamService = "checkout";
  host.vars.systemctl = lab.host("proxy-1").systemctl;
  inventory.services = {
    checkout: { hosts: ["proxy-1"], manager: "systemd", unit: LAB_UPSTREAM_UNIT },
  };
  const path = join(dir, "inventory.yml");
  writeFileSync(path, stringify(inventory));
  return path;
}

describe("a lab proxy whose upstream service is stopped, with the service named in the inventory", () => {
  let lab: Lab;
  let runtime: Runtime;
  let dir: string;
  let inventory: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "incident-bot-upstream-service-"));
    lab = await up(1);
    await lab.break("proxy-1", "upstream-stopped");
    await lab.hit("proxy-1", 3);
    inventory = inventoryWithService(lab, dir);
    const loaded = loadConfig({
      REDIS_URL: testRedisUrl(),
      INVENTORY: inventory,
      PLAYBOOKS_DIR: join(REPO, "playbooks"),
      INCIDENT_APPROVERS: APPROVER,
    });
    if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
    runtime = await startRuntime({
      config: loaded.config,
      chat: new FakeChat(),
      keyPrefix: uniquePrefix("upstream-service"),
      log: () => undefined,
    });
  }, LONG);

  afterAll(async () => {
    await runtime?.close();
    await lab?.down();
    rmSync(dir, { recursive: true, force: true });
  }, LONG);

  it("incident-bot run upstream-systemd takes the unit from the inventory and finds it inactive", () => {
    const ran = spawnSync(
      process.execPath,
      [
        join(REPO, "bin", "incident-bot.js"),
        "run",
        "upstream-systemd",
        "--hosts",
        "proxy-1",
        "--json",
        "--inventory",
        inventory,
        "--playbooks",
        join(REPO, "playbooks"),
      ],
      { cwd: REPO, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: dir } },
    );
    expect(ran.stderr).toBe("");
    expect(ran.status).toBe(0);
    const report = PlaybookRunReport.parse(JSON.parse(ran.stdout));
    const [host] = report.hosts;
    expect(host?.steps.find((s) => s.id === "service-active")).toMatchObject({
      status: "ok",
      exitCode: 3,
      output: "inactive\n",
    });
    expect(host?.steps.find((s) => s.id === "restart-service")?.status).toBe("awaiting-approval");
    expect(host?.findings[0]).toMatchObject({ cause: "upstream_refused", evidence: ["inactive"] });
  });

  it(
    "offers the restart of the unit, not a reload of Apache, and once approved the upstream runs again",
    async () => {
      const declared = await declareIncident(runtime.deps, {
        title: "Checkout answers 502",
        hosts: ["proxy-1"],
        declaredBy: "U-DECL",
      });
      if (!declared.ok) throw new Error(declared.message);
      const id = declared.value.incident.id;
      const timeline = () => runtime.deps.timeline.read(id);

      const diagnosis = await waitFor(
        "the diagnosis",
        async () => ofType(await timeline(), "diagnosis").find((e) => e.details.stage === "final"),
        LONG,
      );
      expect(diagnosis.details.diagnosis.cause).toBe("upstream_refused");
      const started = ofType(await timeline(), "playbook-started");
      expect(started.map((e) => e.details.playbook)).toEqual(["apache-502", "upstream-systemd"]);

      const restart = await waitFor(
        "the restart's approval request",
        async () =>
          ofType(await timeline(), "approval-requested").find(
            (e) => e.details.stepId === "restart-service",
          ),
        LONG,
      );
      expect(restart.details.hosts).toEqual(["proxy-1"]);
      expect(restart.details.commands).toEqual([
        `'${lab.host("proxy-1").systemctl}' restart '${LAB_UPSTREAM_UNIT}' 2>&1`,
      ]);
      // Both runs are concluded once the restart is asked for: nothing else was offered.
      const offered = ofType(await timeline(), "approval-requested").map((e) => e.details.stepId);
      expect(offered).toEqual(["restart-service"]);

      const decided = await decideApproval(runtime.deps, {
        approvalId: restart.details.approvalId,
        decision: "approved",
        by: APPROVER,
      });
      expect(decided.ok).toBe(true);
      const finished = await waitFor(
        "the restart's outcome",
        async () => ofType(await timeline(), "remediation-finished")[0],
        LONG,
      );
      expect(finished.details).toMatchObject({
        stepId: "restart-service",
        precheck: "ok",
        action: "ok",
        verification: "ok",
      });

      const active = await lab.exec("proxy-1", [
        lab.host("proxy-1").systemctl,
        "is-active",
        LAB_UPSTREAM_UNIT,
      ]);
      expect(active.stdout.trim()).toBe("active");
      const answer = await lab.exec("proxy-1", [
        "curl",
        "-sS",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        lab.host("proxy-1").upstreamUrl,
      ]);
      expect(answer.stdout).toBe("200");
    },
    LONG,
  );
});
