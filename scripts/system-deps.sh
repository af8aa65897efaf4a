#!/usr/bin/env bash
# Installs the programs the test suite starts for real: PostgreSQL, Redis,
# nginx, etcd, curl (the discovery sidekick), openssl (certificates for the
# TLS tests), systemd-analyze and Chromium.
# As root it uses apt-get; otherwise it names what is missing and the
# command that installs it.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v etcd >/dev/null 2>&1 || need+=(etcd-server etcd-client)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v runuser >/dev/null 2>&1 || need+=(util-linux)

if [ ${#need[@]} -eq 0 ]; then
  echo "system deps: all present"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "Missing: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi

echo "system deps: installing ${need[*]}"
# Keep package scripts from starting the services: the tests start their own on free ports.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1
fi
trap '[ "$made_policy" = 1 ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "system deps: installed"
