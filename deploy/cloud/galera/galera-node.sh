#!/bin/sh
# clima: starts one node of the cloud's Galera cluster (compose.galera.yaml), then hands over to
# the mariadb image's own entrypoint. Run as the container's entrypoint: as root, before it drops
# to the mysql user (compose.galera.yaml), or as the mysql user itself (deploy/k8s/overlays/ha).
#
#   GALERA_NODE        this node's number: 1 starts a new cluster on its very first start (an
#                      empty volume) and runs initdb; 2, 3 join by state transfer
#   GALERA_BOOTSTRAP   the number of the node to start a new primary component from its data,
#                      after a full stop (README, "Recovery after a full stop"); else empty
#   CLIMA_SST_PASSWORD_FILE  the state-transfer account's password (03-sst-account.sh)
set -eu

node=${GALERA_NODE:?GALERA_NODE must name this node: 1, 2 or 3}
datadir=/var/lib/mysql
new_cluster=''

# The state-transfer account's password in an option file only mariadbd reads, not on a command
# line that `docker inspect` or ps would show.
sst_password=$(cat "${CLIMA_SST_PASSWORD_FILE:?CLIMA_SST_PASSWORD_FILE must be set}")
umask 077
printf '[mariadbd]\nwsrep_sst_auth=clima_sst:%s\n' "$sst_password" >/etc/mysql/conf.d/zz-clima-sst.cnf
# As root (compose) the files go to mysql; run as mysql itself (deploy/k8s) they are its own already.
as_root=''
[ "$(id -u)" != 0 ] || as_root=yes
[ -z "$as_root" ] || chown mysql:mysql /etc/mysql/conf.d/zz-clima-sst.cnf

if [ "${GALERA_BOOTSTRAP:-}" = "$node" ]; then
  new_cluster=--wsrep-new-cluster
elif [ ! -d "$datadir/mysql" ]; then
  if [ "$node" = 1 ]; then
    # The very first start: node 1 is the cluster, the entrypoint initialises it (initdb/).
    new_cluster=--wsrep-new-cluster
  else
    # A joiner's empty volume: marked as initialised so that the entrypoint leaves it to the
    # state transfer, which copies node 1's data, accounts included, over it.
    mkdir -p "$datadir/mysql"
    [ -z "$as_root" ] || chown -R mysql:mysql "$datadir"
  fi
fi

# shellcheck disable=SC2086 # new_cluster is one flag or nothing
exec docker-entrypoint.sh mariadbd $new_cluster "$@"
