import { z } from "zod";
import { EvidenceReader } from "../diagnosis/evidence";
import { sharedReaders } from "../diagnosis/shared-readers";
import { serviceReaders } from "../services/readers";
import { apache } from "./apache";
import { haproxy } from "./haproxy";
import { nginx } from "./nginx";
import { ProxyKind } from "./proxy-kind";

/**
 * The one place proxy kinds are registered. Adding a kind is a folder beside apache/ and one line
 * here: the inventory's `kind:`, the playbooks' `proxy:` and the `parse:` names follow from it.
 */
export const proxyKindNames = ["apache", "nginx", "haproxy"] as const;
export const ProxyKindName = z.enum(proxyKindNames);
export type ProxyKindName = z.infer<typeof ProxyKindName>;

/** A host or playbook that names no kind is Apache, as before kinds existed. */
export const DEFAULT_PROXY_KIND: ProxyKindName = "apache";

const byName: Readonly<Record<ProxyKindName, ProxyKind>> = { apache, nginx, haproxy };

export const proxyKindList: readonly ProxyKind[] = proxyKindNames.map((name) => byName[name]);

export function proxyKind(name: ProxyKindName): ProxyKind {
  return byName[name];
}

/**
 * Every reader by its `parse:` name: the shared probes, the upstream services' managers, then each
 * kind's own (kind-prefixed).
 */
const readers: Readonly<Record<string, EvidenceReader>> = Object.assign(
  {},
  sharedReaders,
  serviceReaders,
  ...proxyKindList.map((kind) => kind.readers),
);

export function readerFor(parser: string): EvidenceReader | undefined {
  return Object.hasOwn(readers, parser) ? readers[parser] : undefined;
}

/** Does a step parsed this way read client traffic (requests and their statuses)? */
export function readsAccessLog(parser: string | undefined): boolean {
  return proxyKindList.some((kind) => kind.accessLogParser === parser);
}

/** The kind whose package owns a `parse:` name; undefined for the shared probes. */
export function kindOfParser(parser: string): ProxyKindName | undefined {
  return proxyKindList.find((kind) => Object.hasOwn(kind.readers, parser))?.name as
    ProxyKindName | undefined;
}

const parserNames = Object.keys(readers) as [string, ...string[]];

/**
 * The parsers a playbook step may name in `parse:`. Each reads the output of one kind of command;
 * the expected command line for each is documented beside its parser.
 */
export const ParserName = z.enum(parserNames);
export type ParserName = z.infer<typeof ParserName>;
