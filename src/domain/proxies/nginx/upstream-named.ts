import { parseNginxErrorLine } from "./error-log";

const hostNotFound = /^host not found in upstream "([^"\s]+)"/;
const notResolved = /^(\S+) could not be resolved \(/;

/**
 * The backend an nginx error line names: host:port of its `upstream:` field (the path after it is
 * the client's request), or the name nginx could not resolve, from nginx's own message.
 */
export function nginxUpstreamNamedIn(line: string): string | null {
  const entry = parseNginxErrorLine(line, null);
  if (!entry) return null;
  const unresolved = hostNotFound.exec(entry.message)?.[1] ?? notResolved.exec(entry.message)?.[1];
  if (unresolved) return unresolved;
  return entry.upstream ? entry.upstream.replace(/^[a-z0-9]+:\/\//, "") : null;
}
