#!/bin/sh
# Prints nginx.conf for the cloud node's proxy: nginx.conf.template (beside this script, or
# $NGINX_TEMPLATE) with its double-braced NAMEs filled from the environment. The nginx-proxy container
# runs it before nginx starts; `npm run hybrid` runs it for its own nginx. Values are checked, so a
# typo stops here with a message instead of becoming an nginx directive.
#
#   PROXY_LISTEN            [address:]port to listen on                  default 33060
#   DATABASE_UPSTREAM       host:port of the database, or of each node   default db-master:3306
#                           of a cluster, comma-separated (one upstream
#                           group: round robin, passive health checks)
#   PROXY_MAX_FAILS         failed connects that take a node out          default 1
#   PROXY_FAIL_TIMEOUT      nginx time, how long a failed node stays out  default 10s
#   PROXY_ALLOW_FROM        client networks allowed, comma-separated     default: any (compose.yaml
#                           CIDRs or addresses (e.g. 203.0.113.0/24,     passes the private ranges)
#                           ::1), or all
#   PROXY_CONNECT_TIMEOUT   nginx time, to connect to the database       default 5s
#   PROXY_IDLE_TIMEOUT      nginx time, an idle session is closed after  default 10m
#   PROXY_RESOLVER          DNS server for DATABASE_UPSTREAM, or empty   default 127.0.0.11 (Docker's)
#   NGINX_PID_FILE, NGINX_ERROR_LOG, NGINX_ACCESS_LOG                    default /tmp/nginx.pid, /dev/stderr, /dev/stdout
#   NGINX_STREAM_MODULE     path of ngx_stream_module.so when nginx loads it dynamically (Debian)
set -eu

here=$(dirname "$0")
template=${NGINX_TEMPLATE:-$here/nginx.conf.template}
listen=${PROXY_LISTEN:-33060}
upstream=${DATABASE_UPSTREAM:-db-master:3306}
allow_from=${PROXY_ALLOW_FROM:-}
connect_timeout=${PROXY_CONNECT_TIMEOUT:-5s}
idle_timeout=${PROXY_IDLE_TIMEOUT:-10m}
max_fails=${PROXY_MAX_FAILS:-1}
fail_timeout=${PROXY_FAIL_TIMEOUT:-10s}
resolver=${PROXY_RESOLVER-127.0.0.11}
pid_file=${NGINX_PID_FILE:-/tmp/nginx.pid}
error_log=${NGINX_ERROR_LOG:-/dev/stderr}
access_log=${NGINX_ACCESS_LOG:-/dev/stdout}
stream_module=${NGINX_STREAM_MODULE:-}

fail() {
  echo "render-nginx-conf: $1" >&2
  exit 2
}
# Every value lands inside an nginx directive: nothing that could end one (; { } quotes, spaces).
check() {
  case $2 in
    *[!A-Za-z0-9._:/\[\]-]*) fail "$1 may only hold letters, digits and . _ : / [ ] - (got '$2')" ;;
  esac
}

check PROXY_LISTEN "$listen"
case ${listen##*:} in '' | *[!0-9]*) fail "PROXY_LISTEN must be a port or address:port (got '$listen')" ;; esac
servers=$(echo "$upstream" | tr ',' ' ')
[ -n "$servers" ] || fail "DATABASE_UPSTREAM must be host:port (got '$upstream')"
for server in $servers; do
  check DATABASE_UPSTREAM "$server"
  case $server in *:*) ;; *) fail "DATABASE_UPSTREAM must be host:port (got '$server')" ;; esac
  case ${server##*:} in '' | *[!0-9]*) fail "DATABASE_UPSTREAM must be host:port (got '$server')" ;; esac
done
case $max_fails in '' | *[!0-9]*) fail "PROXY_MAX_FAILS must be a number (got '$max_fails')" ;; esac
for t in "PROXY_CONNECT_TIMEOUT=$connect_timeout" "PROXY_IDLE_TIMEOUT=$idle_timeout" \
  "PROXY_FAIL_TIMEOUT=$fail_timeout"; do
  case ${t#*=} in
    '' | *[!0-9smh]*) fail "${t%%=*} must be an nginx time such as 5s or 10m (got '${t#*=}')" ;;
  esac
done
for path in "NGINX_PID_FILE=$pid_file" "NGINX_ERROR_LOG=$error_log" "NGINX_ACCESS_LOG=$access_log" \
  "NGINX_STREAM_MODULE=$stream_module"; do
  check "${path%%=*}" "${path#*=}"
done

allow=''
if [ -n "$allow_from" ]; then
  for network in $(echo "$allow_from" | tr ',' ' '); do
    check PROXY_ALLOW_FROM "$network"
    allow="$allow        allow $network;\n"
  done
  allow="$allow        deny all;"
fi
load=''
[ -z "$stream_module" ] || load="load_module $stream_module;"
resolver_line=''
if [ -n "$resolver" ]; then
  check PROXY_RESOLVER "$resolver"
  resolver_line="    resolver $resolver valid=10s ipv6=off;"
fi

# One database: proxied by name (looked up again, see the template). Several, the nodes of a
# cluster: one group, round robin; nginx open source checks passively, so a node that refuses or
# does not answer a connect is left out for PROXY_FAIL_TIMEOUT and the session tries the next one.
group=''
next=''
target=$upstream
if [ "$(echo "$servers" | wc -w)" -gt 1 ]; then
  group="    upstream clima_database {\n"
  for server in $servers; do
    group="$group        server $server max_fails=$max_fails fail_timeout=$fail_timeout;\n"
  done
  group="$group    }"
  next="        proxy_next_upstream on;\n        proxy_next_upstream_tries $(echo "$servers" | wc -w);"
  target=clima_database
fi

[ -r "$template" ] || fail "cannot read the template $template"
# Values were checked above to hold no '|', '&' or '\', the characters sed would read specially.
sed -e "s|{{LOAD_STREAM_MODULE}}|$load|" \
  -e "s|{{PID_FILE}}|$pid_file|" \
  -e "s|{{ERROR_LOG}}|$error_log|" \
  -e "s|{{ACCESS_LOG}}|$access_log|" \
  -e "s|{{RESOLVER}}|$resolver_line|" \
  -e "s|{{LISTEN}}|$listen|" \
  -e "s|{{ALLOW}}|$allow|" \
  -e "s|{{UPSTREAM_GROUP}}|$group|" \
  -e "s|{{UPSTREAM}}|$target|" \
  -e "s|{{NEXT_UPSTREAM}}|$next|" \
  -e "s|{{CONNECT_TIMEOUT}}|$connect_timeout|" \
  -e "s|{{IDLE_TIMEOUT}}|$idle_timeout|" \
  "$template"
