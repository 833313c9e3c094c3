import { readFileSync } from "node:fs";
import { join } from "node:path";
import { diagnoseHost } from "../../../../src/domain/diagnosis";
import { parseDockerPs } from "../../../../src/domain/services/docker-ps";
import { parseKubectlPods } from "../../../../src/domain/services/kubectl-pods";
import { parseSystemdActive } from "../../../../src/domain/services/systemd-active";

const dir = join(__dirname, "../../../fixtures/services");

/** A capture as test/fixtures/services/capture.sh wrote it: the output and its exit status. */
function captured(name: string): { output: string; exitCode: number } {
  return {
    output: readFileSync(join(dir, `${name}.out`), "utf8"),
    exitCode: Number(readFileSync(join(dir, `${name}.exit`), "utf8").trim()),
  };
}

describe("service manager outputs captured on a machine whose managers cannot be asked", () => {
  it("systemctl without systemd as PID 1 cannot tell the unit's state", () => {
    const { output, exitCode } = captured("systemd-is-active--no-systemd");
    expect(parseSystemdActive(output, exitCode)).toEqual({
      verdict: "cannot-tell",
      line: "System has not been booted with systemd as init system (PID 1). Can't operate.",
    });
  });

  it("docker with no reachable daemon cannot tell the container's state", () => {
    const { output, exitCode } = captured("docker-ps--no-daemon");
    const state = parseDockerPs(output, exitCode);
    expect(state.verdict).toBe("cannot-tell");
    expect(state.line).toMatch(/^Cannot connect to the Docker daemon at unix:/);
  });

  it("kubectl with no API server cannot tell the pods' state", () => {
    const { output, exitCode } = captured("kubectl-pods--no-cluster");
    const state = parseKubectlPods(output, exitCode);
    expect(state.verdict).toBe("cannot-tell");
    expect(state.line).toMatch(/^The connection to the server localhost:8080 was refused/);
  });

  it("a service host whose manager cannot be asked is diagnosed unknown with the manager's words", () => {
    const { output, exitCode } = captured("systemd-is-active--no-systemd");
    const findings = diagnoseHost(
      [{ stepId: "service-active", parser: "systemd-active", status: "ok", exitCode, output }],
      { windowMinutes: 15, nowMs: Date.now() },
    );
    expect(findings[0]?.cause).toBe("unknown");
    expect(findings[0]?.evidence[0]).toMatch(/^System has not been booted with systemd/);
  });
});

// The states below are the words the tools' manuals give (systemctl(1) unit states, Docker's
// container states, kubectl's STATUS column); this machine has no systemd, daemon or cluster to
// print them, so they are not captures.
describe("service manager states as the tools' manuals name them", () => {
  it.each([
    ["active", 0, "running"],
    ["reloading", 0, "running"],
    ["inactive", 3, "down"],
    ["failed", 3, "down"],
    ["activating", 3, "cannot-tell"],
  ] as const)("systemctl is-active printing %s is %s", (word, exitCode, verdict) => {
    expect(parseSystemdActive(`${word}\n`, exitCode).verdict).toBe(verdict);
  });

  it("docker ps with no line for the name means no such container: down", () => {
    expect(parseDockerPs("", 0)).toEqual({ verdict: "down", line: "no container of that name" });
  });

  it.each([
    ["running", "running"],
    ["exited", "down"],
    ["restarting", "down"],
    ["dead", "down"],
  ] as const)("a container in state %s is %s", (state, verdict) => {
    expect(parseDockerPs(`app ${state}\n`, 0).verdict).toBe(verdict);
  });

  it("kubectl pods: a ready Running pod runs; CrashLoopBackOff alone is down", () => {
    expect(
      parseKubectlPods("web-1 1/1 Running 0 5m 10.1.0.4 node-a <none> <none>\n", 0).verdict,
    ).toBe("running");
    expect(
      parseKubectlPods(
        "web-1 0/1 CrashLoopBackOff 7 (2m ago) 5m 10.1.0.4 node-a <none> <none>\n",
        0,
      ),
    ).toEqual({
      verdict: "down",
      line: "web-1 0/1 CrashLoopBackOff 7 (2m ago) 5m 10.1.0.4 node-a <none> <none>",
    });
    expect(parseKubectlPods("web-1 0/1 Running 0 5m\n", 0).verdict).toBe("down");
  });

  it("a service down is an upstream nothing listens on: upstream_refused", () => {
    const findings = diagnoseHost(
      [
        {
          stepId: "service-active",
          parser: "systemd-active",
          status: "ok",
          exitCode: 3,
          output: "inactive\n",
        },
      ],
      { windowMinutes: 15, nowMs: Date.now() },
    );
    expect(findings[0]).toMatchObject({ cause: "upstream_refused", evidence: ["inactive"] });
  });

  it("a service that runs, on a host with no proxy steps, is healthy", () => {
    const findings = diagnoseHost(
      [
        {
          stepId: "service-active",
          parser: "systemd-active",
          status: "ok",
          exitCode: 0,
          output: "active\n",
        },
      ],
      { windowMinutes: 15, nowMs: Date.now() },
    );
    expect(findings[0]).toMatchObject({ cause: "healthy", evidence: ["active"] });
  });
});
