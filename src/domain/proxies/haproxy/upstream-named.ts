import { parseHaproxyLogLine } from "./log";

const serverDown = /^Server (\S+) is (?:DOWN|going DOWN)/;
const noServer = /^backend (\S+) has no server available!/;
const statRow = /^show stat: (\S+) /;

/**
 * The backend a HAProxy line names, from the fields HAProxy writes from its configuration:
 * `backend/server` of a request (the backend alone for `<NOSRV>`), or the server or backend of a
 * health-check event. The quoted request at the end of a request line is the client's and is
 * never read for a name.
 */
export function haproxyUpstreamNamedIn(line: string): string | null {
  const stat = statRow.exec(line)?.[1];
  if (stat) return stat;
  const entry = parseHaproxyLogLine(line, null);
  if (!entry) return null;
  if (entry.kind === "request") {
    return entry.server === "<NOSRV>" ? entry.backend : `${entry.backend}/${entry.server}`;
  }
  return serverDown.exec(entry.message)?.[1] ?? noServer.exec(entry.message)?.[1] ?? null;
}
