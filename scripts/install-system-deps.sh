#!/usr/bin/env bash
# Installs the Debian packages the tests, the lab and the demo need, only when one is missing.
set -euo pipefail

# command -> Debian package that provides it
declare -A needs=(
  [redis-server]=redis-server
  [apache2]=apache2
  [nginx]=nginx
  [haproxy]=haproxy
  [sshd]=openssh-server
  [ssh]=openssh-client
  [ssh-keygen]=openssh-client
  [curl]=curl
  [nc]=netcat-openbsd
  [dig]=dnsutils
  [ss]=iproute2
  [unshare]=util-linux
  [ps]=procps
  [pgrep]=procps
  [perl]=perl-base
  # the browser test loads the incident page in headless Chromium
  [chromium]=chromium
)

missing=()
for command in "${!needs[@]}"; do
  if ! command -v "$command" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$command" ]; then
    missing+=("${needs[$command]}")
  fi
done
# mod_ssl ships with apache2-bin; the TLS-to-backend lab mode needs it.
if [ -d /etc/apache2 ] && [ ! -e /etc/apache2/mods-available/ssl.load ]; then missing+=(apache2); fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Install them as root: apt-get install ${missing[*]}" >&2
  exit 1
fi

mapfile -t unique < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "Installing Debian packages: ${unique[*]}"
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d stops the packages from starting their own system-wide apache2/nginx/haproxy/sshd
# services (each would listen on every address at port 80 or 22, where the lab's hosts bind theirs).
policy=/usr/sbin/policy-rc.d
created_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  created_policy=true
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${unique[@]}"
if [ "$created_policy" = true ]; then rm -f "$policy"; fi
# The lab starts its own nginx/HAProxy per host; a system-wide one would hold 0.0.0.0:80.
for service in nginx haproxy; do
  if [ -x "/etc/init.d/$service" ] && [ -s "/run/$service.pid" ]; then
    echo "stopping the system-wide $service the package started"
    "/etc/init.d/$service" stop || true
  fi
done
