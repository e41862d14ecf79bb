# shellcheck shell=bash
# clima on Kubernetes: the administrator's account the migrate Job logs in with, created on the
# first start of an empty volume after 01-schema.sql and 02-users.sh (and 03-sst-account.sh in a
# cluster). Sourced, like them, by the mariadb image's entrypoint, which provides file_env,
# mysql_error and docker_process_sql. Password: CLIMA_ADMIN_PASSWORD_FILE (the clima-database
# Secret's clima_admin_password).
#
#   clima_admin   every privilege on the clima schema and nothing outside it: it applies
#                 migrations and restores snapshots; the services never use it.

file_env CLIMA_ADMIN_PASSWORD
if [ -z "${CLIMA_ADMIN_PASSWORD:-}" ]; then
  mysql_error 'clima: set CLIMA_ADMIN_PASSWORD_FILE (or CLIMA_ADMIN_PASSWORD)'
fi

{
  # As hex, like 02-users.sh: no character of the password can break or inject into the SQL.
  printf "SET @admin_password = CONVERT(UNHEX('%s') USING utf8mb4);\n" \
    "$(printf '%s' "$CLIMA_ADMIN_PASSWORD" | od -An -tx1 -v | tr -d ' \n')"
  cat <<'SQL'
SET @ddl = CONCAT('CREATE USER ''clima_admin''@''%'' IDENTIFIED BY ', QUOTE(@admin_password));
PREPARE create_user FROM @ddl;
EXECUTE create_user;
DEALLOCATE PREPARE create_user;
SET @ddl = NULL, @admin_password = NULL;
GRANT ALL PRIVILEGES ON clima.* TO 'clima_admin'@'%';
SQL
} | docker_process_sql
