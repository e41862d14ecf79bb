# shellcheck shell=bash
# clima: the account Galera's state transfer (mariadb-backup) uses on a donor node, created with
# the other accounts on node 1's first start (compose.galera.yaml). Sourced, like 02-users.sh, by
# the mariadb image's entrypoint, which provides file_env, mysql_error and docker_process_sql.
# Local only: mariadb-backup runs beside the donor's mariadbd, over its socket.

file_env CLIMA_SST_PASSWORD
if [ -z "${CLIMA_SST_PASSWORD:-}" ]; then
  mysql_error 'clima: set CLIMA_SST_PASSWORD_FILE (or CLIMA_SST_PASSWORD)'
fi

{
  printf "SET @sst_password = CONVERT(UNHEX('%s') USING utf8mb4);\n" \
    "$(printf '%s' "$CLIMA_SST_PASSWORD" | od -An -tx1 -v | tr -d ' \n')"
  cat <<'SQL'
SET @ddl = CONCAT('CREATE USER ''clima_sst''@''localhost'' IDENTIFIED BY ', QUOTE(@sst_password));
PREPARE create_user FROM @ddl;
EXECUTE create_user;
DEALLOCATE PREPARE create_user;
SET @ddl = NULL, @sst_password = NULL;
GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR ON *.* TO 'clima_sst'@'localhost';
SQL
} | docker_process_sql
