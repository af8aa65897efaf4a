#!/bin/sh
# news-forum-etcd-users: turns on etcd's authentication for news-forum, once,
# on a fresh etcd, with one user per job that may touch only its prefix:
#   cluster  the cluster's etcd: user news-forum reads and writes
#            /services/news-forum/upstream/ (nodes, sidekicks register; the
#            load balancer reads)
#   public   the public proxy's etcd: user news-forum reads and writes
#            /subdomains/ (the load balancer and the demo register), user
#            news-forum-proxy only reads it (the public proxy)
# and root, which etcd needs before `auth enable`. Passwords come from the
# environment and reach etcdctl on its standard input, never on a command
# line: ETCD_ROOT_PASSWORD, NEWS_FORUM_ETCD_PASSWORD and, for public,
# PROXY_ETCD_PASSWORD. Which etcd: etcdctl's own ETCDCTL_ENDPOINTS.
# Needs etcdctl (v3, 3.4 or later).
set -eu
usage='usage: news-forum-etcd-users.sh cluster|public'
mode=${1:?$usage}
: "${ETCD_ROOT_PASSWORD:?ETCD_ROOT_PASSWORD is required}" "${NEWS_FORUM_ETCD_PASSWORD:?NEWS_FORUM_ETCD_PASSWORD is required}"
export ETCDCTL_API=3

user() { printf '%s\n' "$2" | etcdctl user add "$1" --interactive=false >/dev/null; }
role() { etcdctl role add "$1" >/dev/null && etcdctl role grant-permission "$1" --prefix=true "$2" "$3" >/dev/null; }

case "$mode" in
  cluster)
    role news-forum-upstream readwrite /services/news-forum/upstream/
    user news-forum "$NEWS_FORUM_ETCD_PASSWORD"
    etcdctl user grant-role news-forum news-forum-upstream >/dev/null
    ;;
  public)
    : "${PROXY_ETCD_PASSWORD:?PROXY_ETCD_PASSWORD is required}"
    role news-forum-subdomains readwrite /subdomains/
    role news-forum-proxy read /subdomains/
    user news-forum "$NEWS_FORUM_ETCD_PASSWORD"
    etcdctl user grant-role news-forum news-forum-subdomains >/dev/null
    user news-forum-proxy "$PROXY_ETCD_PASSWORD"
    etcdctl user grant-role news-forum-proxy news-forum-proxy >/dev/null
    ;;
  *)
    echo "$usage" >&2
    exit 2
    ;;
esac
user root "$ETCD_ROOT_PASSWORD"
etcdctl user grant-role root root >/dev/null
etcdctl auth enable >/dev/null
echo "news-forum-etcd-users: $mode etcd: authentication on"
