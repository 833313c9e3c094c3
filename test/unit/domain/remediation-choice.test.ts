import { RemediationStep } from "../../../src/domain/playbook";
import { remediationsToOffer } from "../../../src/domain/remediation-choice";

const remediation = (id: string, offerFor?: string[]): RemediationStep =>
  RemediationStep.parse({
    id,
    kind: "remediation",
    title: id,
    run: "true",
    precheck: { run: "true" },
    verify: { run: "true" },
    ...(offerFor ? { offerFor } : {}),
  });

const reload = remediation("reload", ["upstream_refused", "dns_failure", "proxy_exhausted"]);
const restart = remediation("restart-service", ["upstream_refused"]);

describe("which remediation is offered for which cause", () => {
  it("offers a step only on hosts whose cause it lists", () => {
    const offers = remediationsToOffer(
      [reload],
      [
        { host: "p1", cause: "dns_failure" },
        { host: "p2", cause: "upstream_timeout" },
        { host: "p3", cause: "healthy" },
      ],
      new Set(),
    );
    expect(offers).toEqual([{ step: reload, hosts: ["p1"] }]);
  });

  it("a step without offerFor is offered on every host that is not healthy", () => {
    const any = remediation("any");
    const offers = remediationsToOffer(
      [any],
      [
        { host: "p1", cause: "upstream_timeout" },
        { host: "p2", cause: "healthy" },
      ],
      new Set(),
    );
    expect(offers).toEqual([{ step: any, hosts: ["p1"] }]);
  });

  it("a refused upstream whose service is offered a restart gets no proxy reload", () => {
    const hosts = [
      { host: "p1", cause: "upstream_refused" as const, upstreamService: "app" },
      { host: "p2", cause: "dns_failure" as const, upstreamService: "app" },
    ];
    expect(remediationsToOffer([reload], hosts, new Set(["app"]))).toEqual([
      { step: reload, hosts: ["p2"] },
    ]);
  });

  it("a refused upstream keeps the proxy reload when no restart of its service is offered", () => {
    const hosts = [{ host: "p1", cause: "upstream_refused" as const, upstreamService: "app" }];
    expect(remediationsToOffer([reload], hosts, new Set())).toEqual([
      { step: reload, hosts: ["p1"] },
    ]);
  });

  it("the service's restart is offered on its hosts when the service is down", () => {
    const offers = remediationsToOffer(
      [restart],
      [{ host: "app-1", cause: "upstream_refused" }],
      new Set(["app"]),
    );
    expect(offers).toEqual([{ step: restart, hosts: ["app-1"] }]);
  });

  it("the playbook format refuses healthy and unknown names in offerFor", () => {
    expect(() => remediation("r", ["healthy"])).toThrow();
    expect(() => remediation("r", ["upstream_gone"])).toThrow();
  });
});
