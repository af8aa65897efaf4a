#!/bin/sh
# news-forum-discovery: registers one news-forum node in etcd while it answers,
# for hosts whose nodes run without ETCD_URL (the seed's Listing 6, on etcd v3:
# lease grant, put --lease, keep-alive). The key is
#   /services/news-forum/upstream/$INSTANCE_NAME = $ADVERTISE_ADDR
# on a lease of $ETCD_TTL seconds, renewed every TTL/3 while the node's
# /readyz answers 2xx (or fails only its Redis check: see serving), withdrawn
# at once when it stops answering, and
# registered again on a new lease when etcd lost the old one (a restart),
# and written again on its lease when the key alone went.
# SIGTERM revokes the lease, then waits $DEREGISTER_DELAY before exiting:
# systemd stops this unit before the node's and the node only once this one
# has exited, so the balancer has that long to drop the node before the node
# stops accepting (as a node that registers itself waits after deleting its key).
#
# Environment: ETCD_URL (comma list of endpoints; credentials written in it,
# http://user:password@host:2379 with %-escapes as in the node's ETCD_URL,
# sign in as that etcd user), ETCD_CA_FILE, ETCD_CERT_FILE and ETCD_KEY_FILE
# (for https endpoints, as the node takes them), INSTANCE_NAME, ADVERTISE_ADDR
# (host:port), ETCD_TTL (default 10), HEALTH_URL (default
# http://$ADVERTISE_ADDR/readyz), DEREGISTER_DELAY (default 2s; as the node
# takes it: 0, 2, 2s, 500ms, up to 120s).
# Needs etcdctl (v3, 3.4 or later), curl and timeout (coreutils).
set -u
: "${ETCD_URL:?ETCD_URL is required}" "${INSTANCE_NAME:?INSTANCE_NAME is required}" "${ADVERTISE_ADDR:?ADVERTISE_ADDR is required}"

# The credentials go to etcdctl in its environment, where other accounts
# cannot read them as they can its command line; the endpoints without them.
credentials=$(printf '%s\n' "$ETCD_URL" | tr ',' '\n' | sed -n 's#^[[:space:]]*[a-z]*://\([^/@]*\)@.*#\1#p' | head -n 1)
ETCD_URL=$(printf '%s' "$ETCD_URL" | sed 's#://[^/@,]*@#://#g')
if [ -n "$credentials" ]; then
  # %-escapes decoded byte by byte.
  decode() { printf '%s' "$1" | LC_ALL=C awk '{
    out = ""
    for (i = 1; i <= length($0); i++) {
      c = substr($0, i, 1)
      if (c == "%") { out = out sprintf("%c", (index("0123456789abcdef", tolower(substr($0, i + 1, 1))) - 1) * 16 + index("0123456789abcdef", tolower(substr($0, i + 2, 1))) - 1); i += 2 }
      else out = out c
    }
    printf "%s", out
  }'; }
  ETCDCTL_USER=$(decode "${credentials%%:*}")
  ETCDCTL_PASSWORD=$(decode "${credentials#*:}")
  export ETCDCTL_USER ETCDCTL_PASSWORD
fi
[ -z "${ETCD_CA_FILE:-}" ] || export ETCDCTL_CACERT="$ETCD_CA_FILE"
[ -z "${ETCD_CERT_FILE:-}" ] || export ETCDCTL_CERT="$ETCD_CERT_FILE"
[ -z "${ETCD_KEY_FILE:-}" ] || export ETCDCTL_KEY="$ETCD_KEY_FILE"
TTL=${ETCD_TTL:-10}
KEY="/services/news-forum/upstream/$INSTANCE_NAME"
HEALTH_URL=${HEALTH_URL:-http://$ADVERTISE_ADDR/readyz}
# DEREGISTER_DELAY in seconds for sleep, checked as the node checks it.
delay=${DEREGISTER_DELAY:-2s}
case "$delay" in
  *ms) DELAY=$(printf '%s' "${delay%ms}" | awk '/^[0-9]+(\.[0-9]+)?$/ && $1 <= 120000 { print $1 / 1000 }') ;;
  *s) DELAY=$(printf '%s' "${delay%s}" | awk '/^[0-9]+(\.[0-9]+)?$/ && $1 <= 120 { print $1 }') ;;
  *) DELAY=$(printf '%s' "$delay" | awk '/^[0-9]+(\.[0-9]+)?$/ && $1 <= 120 { print $1 }') ;;
esac
if [ -z "$DELAY" ]; then
  printf 'news-forum-discovery: DEREGISTER_DELAY must be a delay from 0 to 120s such as 2, 2s or 500ms (got "%s")\n' "$delay" >&2
  exit 2
fi
PERIOD=$((TTL / 3))
[ "$PERIOD" -ge 1 ] || PERIOD=1
export ETCDCTL_API=3

# Bounded from outside too: `lease keep-alive --once` was seen waiting an hour on an etcd that had gone, past
# --command-timeout and deaf to SIGTERM, and a sidekick stuck there renews nothing: its node leaves the balancer
# while it serves. Killed 2 s after the term if need be.
ctl() { timeout -k 2 6 etcdctl --endpoints="$ETCD_URL" --dial-timeout=2s --command-timeout=3s "$@"; }
say() { printf '{"program":"news-forum-discovery","instance":"%s","message":"%s"}\n' "$INSTANCE_NAME" "$1"; }

lease=
withdraw() {
  if [ -n "$lease" ]; then ctl lease revoke "$lease" >/dev/null 2>&1 || ctl del "$KEY" >/dev/null 2>&1; fi
  lease=
}
# Registered, the node keeps serving DEREGISTER_DELAY longer: the balancer re-renders without it meanwhile.
stop() {
  if [ -n "$lease" ]; then
    withdraw
    say "deregistered; exiting in $DELAY s, once the balancer has dropped the node"
    sleep "$DELAY"
  fi
  exit 0
}
trap stop TERM INT

# Whether the node serves. A 503 whose only failed check is Redis counts as
# serving: every node shares that Redis, so withdrawing for it would withdraw
# every node at once, while each still serves reads, writes and live streams
# (its limits then count per node, as its /readyz says).
serving() {
  answer=$(curl -sS --max-time 2 -w ' %{http_code}' "$HEALTH_URL" 2>/dev/null) || return 1
  code=${answer##* }
  body=${answer% *}
  case "$code" in
    2??) return 0 ;;
    503) ;;
    *) return 1 ;;
  esac
  case "$body" in *'"redis":"fail"'*) ;; *) return 1 ;; esac
  ! printf '%s' "$body" | sed -e 's/"redis":"fail"//' -e 's/"status":"fail"//' | grep -q '"fail"'
}

while :; do
  if serving; then
    if [ -z "$lease" ] || ! ctl lease keep-alive --once "$lease" >/dev/null 2>&1; then
      lease=$(ctl lease grant "$TTL" 2>/dev/null | awk '/granted/ { print $2 }')
      if [ -n "$lease" ] && ctl put --lease="$lease" "$KEY" "$ADVERTISE_ADDR" >/dev/null 2>&1; then
        say "registered $ADVERTISE_ADDR"
      else
        lease=
      fi
    elif [ "$(ctl get --print-value-only "$KEY" 2>/dev/null)" != "$ADVERTISE_ADDR" ]; then
      # A live lease does not keep the key (etcdctl del, another writer of
      # this name): write it again on the lease.
      ctl put --lease="$lease" "$KEY" "$ADVERTISE_ADDR" >/dev/null 2>&1 && say "registered again $ADVERTISE_ADDR"
    fi
  elif [ -n "$lease" ]; then
    # The node stopped answering: withdraw it now, not when the lease expires.
    withdraw
    say "withdrawn: $HEALTH_URL does not answer"
  fi
  # In the background, so that SIGTERM is handled at once.
  sleep "$PERIOD" &
  wait $!
done
