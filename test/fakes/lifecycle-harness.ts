import { createHash } from "node:crypto";
import { enginePlaybookRunner } from "../../src/engine/playbook-runner";
import {
  DEFAULT_SETTINGS,
  type LifecycleDeps,
  type LifecycleSettings,
} from "../../src/app/lifecycle-deps";
import { Playbook } from "../../src/domain/playbook";
import type { RunnerHost } from "../../src/ports/playbook-runner";
import type { UpstreamService } from "../../src/domain/inventory";
import type { RemoteExecutor } from "../../src/ports/remote-executor";
import { FakeChat } from "./fake-chat";
import {
  InMemoryApprovalStore,
  InMemoryDeliveryLog,
  InMemoryIncidentStore,
  InMemoryRunStore,
  InMemoryTimelineStore,
  RecordingJobQueue,
} from "./in-memory-ports";

/**
 * A small playbook for lifecycle tests: two read-only steps, a remediation that appends a line to
 * a file (so tests can count how often it ran), a short-term step and long-term manual items.
 * `{{ marker }}` is the file; `{{ delay }}` slows the first step down (seconds).
 */
export function lifecyclePlaybook(): Playbook {
  return Playbook.parse({
    id: "lifecycle-test",
    title: "Lifecycle test playbook",
    description: "Steps that are cheap, observable and safe to run on the test machine.",
    vars: {
      marker: { type: "path", default: "/tmp/incident-bot-marker" },
      delay: { type: "integer", default: 0, min: 0, max: 60 },
    },
    phases: {
      immediate: [
        {
          id: "slow-look",
          title: "Look slowly",
          kind: "diagnostic",
          run: "sleep {{ delay }}; echo looked",
        },
        {
          id: "check-echo",
          title: "Echo works",
          kind: "check",
          run: "echo ok",
          expect: { matches: "ok" },
        },
        {
          id: "append-marker",
          title: "Append a line to the marker file",
          kind: "remediation",
          // Appends first, then lingers: a test can kill the worker after the host changed.
          run: "echo ran >> {{ marker }}; sleep {{ delay }}",
          precheck: { run: "true" },
          verify: { run: "test -s {{ marker }}", attempts: 1, interval: "1s" },
        },
      ],
      "short-term": [
        { id: "short-look", title: "Look again", kind: "diagnostic", run: "echo again" },
      ],
      "long-term": [
        { id: "write-postmortem", title: "Write the postmortem", kind: "manual" },
        { id: "add-alerting", title: "Alert on 502 rate", kind: "manual" },
      ],
    },
  });
}

export function testHosts(
  names: string[],
  vars: Record<string, string | number> = {},
): RunnerHost[] {
  return names.map((name) => ({
    name,
    kind: "apache",
    target: {
      name,
      address: "127.0.0.1",
      port: 22,
      user: "root",
      privateKeyPath: "/nonexistent",
      knownHostsPath: "/nonexistent",
    },
    vars,
  }));
}

export interface Harness {
  deps: LifecycleDeps;
  chat: FakeChat;
  queue: RecordingJobQueue;
  incidents: InMemoryIncidentStore;
  timeline: InMemoryTimelineStore;
  runs: InMemoryRunStore;
  approvals: InMemoryApprovalStore;
  deliveries: InMemoryDeliveryLog;
  clock: { now(): number; set(ms: number): void; advance(ms: number): void };
}

export function lifecycleHarness(options: {
  executor: RemoteExecutor;
  hosts: RunnerHost[];
  playbooks?: Playbook[];
  settings?: Partial<LifecycleSettings>;
  /** The inventory's upstream services (services:), by name. */
  services?: Record<string, UpstreamService>;
}): Harness {
  let now = Date.UTC(2026, 0, 15, 10, 0, 0);
  const clock = {
    now: () => now,
    set: (ms: number) => {
      now = ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
  const playbooks = options.playbooks ?? [lifecyclePlaybook()];
  const chat = new FakeChat();
  const queue = new RecordingJobQueue();
  const stores = {
    incidents: new InMemoryIncidentStore(),
    timeline: new InMemoryTimelineStore(),
    runs: new InMemoryRunStore(),
    approvals: new InMemoryApprovalStore(),
    deliveries: new InMemoryDeliveryLog(),
  };
  let n = 0;
  const deps: LifecycleDeps = {
    ...stores,
    queue,
    clock,
    chat,
    runner: enginePlaybookRunner({
      executor: options.executor,
      catalog: {
        get: async (id) => playbooks.find((p) => p.id === id) ?? null,
        list: async () => playbooks,
      },
      resolveHosts: (names) => {
        const unknown = names.filter((x) => !options.hosts.some((h) => h.name === x));
        if (unknown.length > 0) throw new Error(`unknown host ${unknown.join(", ")}`);
        return options.hosts.filter((h) => names.includes(h.name));
      },
      getService: (name) => options.services?.[name] ?? null,
    }),
    settings: {
      ...DEFAULT_SETTINGS,
      defaultPlaybooks: { apache: "lifecycle-test" },
      // Host jobs run one after the other here: a host waiting for its group's triage would
      // only stall until the wait's end.
      deeperStepsWaitMs: 0,
      ...options.settings,
    },
    randomSuffix: () => `s${++n}`,
    digest: (text) => createHash("sha256").update(text).digest("hex"),
  };
  return { deps, chat, queue, clock, ...stores };
}
