import { parseConfigTest, configTestSignals } from "./configtest";
import { Signal } from "../../diagnosis/signal";

/**
 * `apache2ctl -S` (expected command: `APACHECTL -S`, stderr included): the virtual hosts Apache
 * would serve, e.g.
 *
 *   VirtualHost configuration:
 *   *:80                   proxy.example.com (/etc/apache2/sites-enabled/proxy.conf:1)
 *   ServerRoot: "/etc/apache2"
 *
 * A broken configuration makes it fail exactly like configtest (`AH00526: Syntax error on …`).
 */
export interface VirtualHostsReport {
  vhosts: { address: string; name: string; source: string }[];
  configOk: boolean | null;
  errors: string[];
}

const vhostLine =
  /^\s*(\S+:\d+|\*:\d+)\s+(?:is a NameVirtualHost\s*)?(?:default server |port \d+ namevhost )?(\S+) \(([^)]+)\)/;

export function parseVirtualHosts(output: string, exitCode: number | null): VirtualHostsReport {
  const vhosts = output
    .split("\n")
    .map((line) => vhostLine.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ address: m[1] ?? "", name: m[2] ?? "", source: m[3] ?? "" }));
  const test = parseConfigTest(output, exitCode);
  const listed = output.includes("VirtualHost configuration:");
  return {
    vhosts,
    configOk: test.ok === false ? false : listed ? true : test.ok,
    errors: test.errors,
  };
}

export function virtualHostsSignals(report: VirtualHostsReport, stepId: string): Signal[] {
  return configTestSignals({ ok: report.configOk, errors: report.errors }, stepId);
}
