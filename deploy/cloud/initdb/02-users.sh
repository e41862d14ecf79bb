# shellcheck shell=bash
# clima: the least-privilege accounts, created on the first start of an empty volume.
#
# Sourced (not executed: keep this file non-executable) by the mysql image's entrypoint after
# 01-schema.sql, which provides file_env, mysql_error and docker_process_sql (root, over the
# local socket); `npm run hybrid` sources it with the same three functions. Passwords come from
# CLIMA_SENSOR_PASSWORD / CLIMA_READER_PASSWORD or, better, their *_FILE variants (Docker secrets).
#
#   clima_sensor  INSERT and SELECT on mediciones (the sensor); SELECT, INSERT and UPDATE on the
#                 rollups (mediciones_1m, _15m, _1h, _1d), which it keeps up to date as it stores
#   clima_reader  SELECT on mediciones, the rollups and rollup_backfill (the dashboard and the backup)
#                 and SELECT, INSERT and UPDATE on alert_transition and alert_notification: the
#                 dashboard evaluates the alert rules and delivers their notifications
#
# Both may also read Kysely's migration bookkeeping, which every service checks at start-up, and
# the database's id (clima_database), which backups record as their origin.
# Neither can UPDATE a reading, DELETE, DROP or create anything; root exists only at localhost
# (the socket inside the database's own host or container), never over the network.

file_env CLIMA_SENSOR_PASSWORD
file_env CLIMA_READER_PASSWORD
if [ -z "${CLIMA_SENSOR_PASSWORD:-}" ] || [ -z "${CLIMA_READER_PASSWORD:-}" ]; then
  mysql_error 'clima: set CLIMA_SENSOR_PASSWORD_FILE and CLIMA_READER_PASSWORD_FILE (or the plain variables)'
fi

# Passwords travel as hex so that no character in them can break or inject into the SQL.
clima_hex() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }

{
  printf "SET @sensor_password = CONVERT(UNHEX('%s') USING utf8mb4);\n" "$(clima_hex "$CLIMA_SENSOR_PASSWORD")"
  printf "SET @reader_password = CONVERT(UNHEX('%s') USING utf8mb4);\n" "$(clima_hex "$CLIMA_READER_PASSWORD")"
  cat <<'SQL'
SET @ddl = CONCAT('CREATE USER ''clima_sensor''@''%'' IDENTIFIED BY ', QUOTE(@sensor_password));
PREPARE create_user FROM @ddl;
EXECUTE create_user;
SET @ddl = CONCAT('CREATE USER ''clima_reader''@''%'' IDENTIFIED BY ', QUOTE(@reader_password));
PREPARE create_user FROM @ddl;
EXECUTE create_user;
DEALLOCATE PREPARE create_user;
SET @ddl = NULL, @sensor_password = NULL, @reader_password = NULL;

GRANT SELECT, INSERT ON clima.mediciones TO 'clima_sensor'@'%';
GRANT SELECT ON clima.kysely_migration TO 'clima_sensor'@'%';
GRANT SELECT ON clima.kysely_migration_lock TO 'clima_sensor'@'%';
GRANT SELECT, INSERT, UPDATE ON clima.mediciones_1m TO 'clima_sensor'@'%';
GRANT SELECT, INSERT, UPDATE ON clima.mediciones_15m TO 'clima_sensor'@'%';
GRANT SELECT, INSERT, UPDATE ON clima.mediciones_1h TO 'clima_sensor'@'%';
GRANT SELECT, INSERT, UPDATE ON clima.mediciones_1d TO 'clima_sensor'@'%';

GRANT SELECT ON clima.mediciones TO 'clima_reader'@'%';
GRANT SELECT ON clima.kysely_migration TO 'clima_reader'@'%';
GRANT SELECT ON clima.kysely_migration_lock TO 'clima_reader'@'%';
GRANT SELECT ON clima.mediciones_1m TO 'clima_reader'@'%';
GRANT SELECT ON clima.mediciones_15m TO 'clima_reader'@'%';
GRANT SELECT ON clima.mediciones_1h TO 'clima_reader'@'%';
GRANT SELECT ON clima.mediciones_1d TO 'clima_reader'@'%';
GRANT SELECT ON clima.rollup_backfill TO 'clima_reader'@'%';
GRANT SELECT, INSERT, UPDATE ON clima.alert_transition TO 'clima_reader'@'%';
GRANT SELECT, INSERT, UPDATE ON clima.alert_notification TO 'clima_reader'@'%';

GRANT SELECT ON clima.clima_database TO 'clima_sensor'@'%';
GRANT SELECT ON clima.clima_database TO 'clima_reader'@'%';

-- The image creates root@'%' unless MYSQL_ROOT_HOST says otherwise, and some installers add
-- root@127.0.0.1 or anonymous accounts: whatever exists, root stays local-only.
SELECT GROUP_CONCAT(CONCAT(QUOTE(user), '@', QUOTE(host))) INTO @network_accounts
FROM mysql.user WHERE user = '' OR (user = 'root' AND host <> 'localhost');
SET @ddl = IF(@network_accounts IS NULL, 'DO 0', CONCAT('DROP USER ', @network_accounts));
PREPARE drop_users FROM @ddl;
EXECUTE drop_users;
DEALLOCATE PREPARE drop_users;
SQL
} | docker_process_sql
unset -f clima_hex
