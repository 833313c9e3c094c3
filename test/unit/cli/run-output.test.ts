import { renderPlan, renderReport } from "../../../src/cli/run-output";

const ESCAPES = "\u001b]0;pwned\u0007\u001b[2J\r";

describe("the human view of incident-bot run", () => {
  it("prints a host's output and evidence without the control characters in them", () => {
    const text = renderReport({
      playbook: "apache-502",
      phase: "immediate",
      hosts: [
        {
          host: "proxy-1",
          steps: [
            { id: "error-log", status: "ok", exitCode: 0, durationMs: 5, output: `a${ESCAPES}b\n` },
          ],
          findings: [{ cause: "upstream_refused", evidence: [`e${ESCAPES}f`], confidence: 0.9 }],
        },
      ],
      diagnosis: {
        cause: "upstream_refused",
        hosts: ["proxy-1"],
        summary: `up${ESCAPES}stream`,
        recommendation: "start it",
      },
    });
    expect(text).toContain("│ a]0;pwned[2Jb");
    expect(text).toContain("e]0;pwned[2Jf");
    for (const control of ["\u001b", "\u0007", "\r"]) expect(text).not.toContain(control);
  });

  it("prints the dry run's commands the same way", () => {
    const text = renderPlan({
      playbook: "apache-502",
      phase: "immediate",
      hosts: [
        {
          host: "proxy-1",
          target: {
            name: "proxy-1",
            address: "127.0.0.1",
            port: 22,
            user: "root",
            privateKeyPath: "key",
            knownHostsPath: "known_hosts",
          },
          steps: [{ stepId: "probe", kind: "check", commands: [`curl '${ESCAPES}'`] }],
        },
      ],
    });
    expect(text).toContain("$ curl ']0;pwned[2J'");
    for (const control of ["\u001b", "\u0007", "\r"]) expect(text).not.toContain(control);
  });
});
