import { Cause } from "../cause";
import { EvidenceReader, HostEvidence } from "../diagnosis/evidence";

/**
 * One proxy kind's knowledge, in one folder under src/domain/proxies/: the readers of its logs
 * and tools (by `parse:` name, each prefixed with the kind), how its log lines name a backend,
 * and what to do next in its operators' words. The playbooks that use them live in playbooks/
 * (`proxy: KIND`), its lab host in test/lab/. Fleet diagnosis stays shared: every reader turns
 * output into the same signals and causes.
 */
export interface ProxyKind {
  /** The inventory's `kind:` and a playbook's `proxy:`. */
  readonly name: string;
  /** How people write it in a sentence: Apache, nginx, HAProxy. */
  readonly title: string;
  /** The playbook an incident runs on hosts of this kind unless the declare names another. */
  readonly defaultPlaybook: string;
  readonly readers: Readonly<Record<string, EvidenceReader>>;
  /** The `parse:` name of its reader of client traffic (the access log; HAProxy's one log). */
  readonly accessLogParser: string;
  /** The backend one of this proxy's own log lines names, from the fields the proxy writes. */
  upstreamNamedIn(line: string): string | null;
  /** What to check or do next for a cause seen on `where`, about `upstream`. */
  recommendation(cause: Cause, where: string, upstream: string): string;
  /** Causes this kind words more exactly than the shared phrase (its config test, its limits). */
  readonly causePhrases: Readonly<Partial<Record<Cause, string>>>;
  /**
   * Rules that need several steps at once, run after every reader of a host whose steps used
   * this kind's parsers (HAProxy's SC means refused, or TLS to a plain port: its config tells).
   */
  refine?(evidence: HostEvidence): void;
}
