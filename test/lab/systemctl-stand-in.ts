import { shellQuote } from "../../src/domain/template";

/** The one unit the stand-in knows: the host's Node upstream. */
export const LAB_UPSTREAM_UNIT = "lab-upstream.service";

export interface StandInInput {
  /** This machine's node, which runs the upstream. */
  nodePath: string;
  upstreamScript: string;
  address: string;
  port: number;
  behaviourFile: string;
  hostName: string;
  upstreamLog: string;
  pidFile: string;
}

/**
 * THE LAB'S STAND-IN FOR systemctl, not systemd. The lab's hosts are mount namespaces on a machine
 * whose PID 1 is not systemd, where the real systemctl only says "System has not been booted with
 * systemd as init system (PID 1). Can't operate." So each host gets this small supervisor of its
 * Node upstream, under its own name (`lab-systemctl`, never installed as systemctl), which answers
 * the upstream-systemd playbook's commands in systemctl's own words for one unit: `is-active`
 * (active / inactive, exit 0 / 3), `status --no-pager`, `show -p LoadState --value` (loaded /
 * not-found) and `start` / `stop` / `restart`. The lab's inventory points the playbook's
 * `systemctl` variable at it; test/lab/README.md says so too.
 */
export function systemctlStandIn(input: StandInInput): string {
  const q = shellQuote;
  return `#!/bin/sh
# THE INCIDENT LAB'S STAND-IN FOR systemctl (see test/lab/systemctl-stand-in.ts): supervises the
# host's Node upstream as the unit ${LAB_UPSTREAM_UNIT}; it is not systemd.
unit=${q(LAB_UPSTREAM_UNIT)}
pidfile=${q(input.pidFile)}
running() { pid=; read -r pid < "$pidfile" 2>/dev/null; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
start() {
  running && return 0
  setsid ${q(input.nodePath)} ${q(input.upstreamScript)} ${q(input.address)} ${q(String(input.port))} ${q(input.behaviourFile)} ${q(input.hostName)} >> ${q(input.upstreamLog)} 2>&1 < /dev/null &
  echo $! > "$pidfile"
  i=0; while [ $i -lt 50 ]; do nc -z ${q(input.address)} ${q(String(input.port))} 2>/dev/null && return 0; i=$((i + 1)); sleep 0.1; done
  echo "Job for $unit failed." >&2; return 1
}
stop() { running && kill "$pid"; i=0; while running && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done; }
verb=; case "$1" in --no-pager) shift ;; esac; verb=$1; shift
while [ $# -gt 0 ]; do case "$1" in --no-pager|-p|--value|LoadState) shift ;; *) break ;; esac; done
name=$1
if [ "$name" != "$unit" ] && [ "$name" != "\${unit%.service}" ]; then
  case "$verb" in
    is-active) echo inactive; exit 3 ;;
    show) echo not-found; exit 0 ;;
    *) echo "Unit $name.service could not be found." >&2; exit 5 ;;
  esac
fi
case "$verb" in
  is-active) if running; then echo active; exit 0; else echo inactive; exit 3; fi ;;
  show) echo loaded ;;
  status)
    if running; then echo "* $unit - incident lab upstream (stand-in)"; echo "     Active: active (running)"; echo "   Main PID: $pid"; exit 0
    else echo "* $unit - incident lab upstream (stand-in)"; echo "     Active: inactive (dead)"; exit 3; fi ;;
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  *) echo "lab-systemctl: $verb is not supported by the lab's stand-in" >&2; exit 1 ;;
esac
`;
}
