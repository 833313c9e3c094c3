/**
 * Established TCP connections (iproute2). Expected command, either the lines or their count:
 *
 *   ss -Htan state established | wc -l
 *   ss -Htan state established '( sport = :80 or sport = :443 )'
 *
 * With `-H` there is no header, so one line is one connection.
 */
export interface ConnectionsReport {
  established: number | null;
}

export function parseConnections(output: string): ConnectionsReport {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("clock: ") && !/^\[output truncated/i.test(l));
  if (lines.length === 0) return { established: 0 };
  const first = lines[0] ?? "";
  if (lines.length === 1 && /^\d+$/.test(first)) return { established: Number(first) };
  const sockets = lines.filter((l) => /\d+\.\d+\.\d+\.\d+:\d+|\]:\d+/.test(l));
  return { established: sockets.length || null };
}
