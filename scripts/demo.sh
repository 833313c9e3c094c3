#!/usr/bin/env bash
# npm run demo: the whole incident flow on this machine, in a terminal, with the same code as Slack.
#
# Installs missing Debian packages (as root), builds if needed, starts a PRIVATE redis-server on a
# free loopback port (the machine's Redis on 6379 is never touched), brings up a 3-host lab of real
# Apache proxies with proxy-2's upstream stopped, and runs `incident-bot shell` against them with a
# fast incident clock. Ctrl-C, Ctrl-D or /quit stops everything it started, by pid.
#
# Environment: DEMO_USER (who you are, default alice), DEMO_APPROVER (who may approve, default bob),
# PHASE_MINUTE_MS (default 5000: one incident minute every 5 s, so the immediate phase ends after
# 75 s and an approval request, open 10 incident minutes, stays 50 s), DEMO_HOSTS (default 3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

user="${DEMO_USER:-alice}"
approver="${DEMO_APPROVER:-bob}"
hosts="${DEMO_HOSTS:-3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/incident-bot-demo.XXXXXX")"
lab_dir="$work/lab"
redis_pid=""
lab_started=false

say() { printf 'demo> %s\n' "$*" >&2; }

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ "$lab_started" = true ]; then
    say "stopping the lab"
    node dist/test/lab/cli.js down --dir "$lab_dir" >/dev/null 2>&1 || say "lab down failed; see $lab_dir"
  fi
  if [ -n "$redis_pid" ] && kill -0 "$redis_pid" 2>/dev/null; then
    say "stopping the private Redis (pid $redis_pid)"
    kill "$redis_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$redis_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$redis_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  say "nothing left running"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$(id -u)" -ne 0 ]; then
  say "the demo's lab runs real Apache and sshd in mount namespaces: run it as root"
  exit 1
fi

bash scripts/install-system-deps.sh

if [ ! -d node_modules ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi
if [ ! -f dist/src/cli.js ] || [ ! -f dist/test/lab/cli.js ] ||
  [ -n "$(find src test/lab -name '*.ts' -newer dist/src/cli.js -print -quit)" ]; then
  say "building (npm run build)"
  npm run --silent build
fi

port="$(node -e '
  const server = require("node:net").createServer();
  server.listen(0, "127.0.0.1", () => { console.log(server.address().port); server.close(); });
')"
mkdir -p "$work/redis"
# setsid: Ctrl-C at the prompt must reach the shell, not kill Redis under its feet.
setsid redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work/redis" \
  >"$work/redis.log" 2>&1 </dev/null &
redis_pid=$!
for _ in $(seq 1 100); do
  if redis-cli -p "$port" ping >/dev/null 2>&1; then break; fi
  kill -0 "$redis_pid" 2>/dev/null || { say "redis-server failed: $(tail -n 3 "$work/redis.log")"; exit 1; }
  sleep 0.1
done
say "private Redis on redis://127.0.0.1:$port (pid $redis_pid)"

say "starting a $hosts-host lab (real Apache + sshd on loopback)"
lab_started=true
if ! node dist/test/lab/cli.js up "$hosts" --dir "$lab_dir" >"$work/lab-up.log" 2>&1; then
  say "the lab did not start:"
  sed 's/^/  /' "$work/lab-up.log" >&2
  exit 1
fi
inventory="$(sed -n 's/^inventory: *//p' "$work/lab-up.log")"
inventory="${inventory:-$lab_dir/inventory.yml}"
node dist/test/lab/cli.js break proxy-2 upstream-stopped --dir "$lab_dir" >/dev/null
say "proxy-2's upstream is stopped: its clients get errors now"

cat >&2 <<HELP

  You are '$user' in #ops; '$approver' may approve remediation. One incident minute lasts
  ${PHASE_MINUTE_MS:-5000} ms here. Type:
    /incident declare API 502s sev2 hosts:lab   the bot opens a channel, checks 3 hosts over SSH
                                                and diagnoses proxy-2 (upstream_refused)
    a                                           approve the graceful reload: refused, '$user'
                                                is not an approver
    /user $approver
    a                                           now '$approver' approves: configtest, reload, verify
    /incident timeline
    /incident resolve upstream restarted        the postmortem draft follows
  To really bring proxy-2's upstream back (so the reload's verification passes there), in a
  second terminal before approving:   npm run lab -- fix proxy-2 --dir $lab_dir
  /help lists the shell's own commands; Ctrl-C, Ctrl-D or /quit ends the demo and stops everything.

HELP

REDIS_URL="redis://127.0.0.1:$port" \
  INVENTORY="$inventory" \
  PLAYBOOKS_DIR="${PLAYBOOKS_DIR:-$root/playbooks}" \
  PHASE_MINUTE_MS="${PHASE_MINUTE_MS:-5000}" \
  INCIDENT_APPROVERS="${INCIDENT_APPROVERS:-$approver}" \
  INCIDENT_RESPONDERS="${INCIDENT_RESPONDERS:-$user}" \
  node bin/incident-bot.js shell --user "$user" --channel ops
