-- clima: the cloud database's schema, created on the first start of an empty volume (the mysql
-- image runs /docker-entrypoint-initdb.d/* in name order; `npm run hybrid` runs the same files).
--
-- These are the migrations (src/db/migrations/) as they run on MySQL, recorded in
-- Kysely's own bookkeeping tables: the services connect with least-privilege accounts that cannot
-- CREATE, so when they check for pending migrations at start-up they must find none. A later
-- migration is applied with an administrator's DATABASE_URL (`clima migrate`) before the new
-- release's services start. test/system/cloud-init.test.ts checks that this file and the
-- migrations build the same tables.

CREATE DATABASE IF NOT EXISTS clima CHARACTER SET utf8mb4;
USE clima;

CREATE TABLE mediciones (
  id integer PRIMARY KEY AUTO_INCREMENT,
  ciudad varchar(100) NOT NULL,
  temperatura double precision NOT NULL,
  humedad integer NOT NULL,
  fecha_registro datetime NOT NULL,
  reading_key varchar(150) NOT NULL,
  source varchar(16) NOT NULL,
  observed_at datetime NOT NULL,
  station varchar(64) NULL,
  CONSTRAINT mediciones_reading_key_unique UNIQUE (reading_key),
  CONSTRAINT mediciones_humedad_range CHECK (humedad BETWEEN 0 AND 100),
  CONSTRAINT mediciones_temperatura_range CHECK (temperatura BETWEEN -100 AND 100),
  CONSTRAINT mediciones_source_known CHECK (source IN ('open-meteo', 'simulated', 'device'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE INDEX mediciones_ciudad_fecha_registro_idx ON mediciones (ciudad, fecha_registro);
-- Migration 0004-add-station: a station's readings (source 'device'), by station and time.
CREATE INDEX mediciones_station_fecha_registro_idx ON mediciones (station, fecha_registro);

-- Migration 0002-database-identity: this database's id, recorded by backups as their origin. A
-- random (version 4) UUID drawn once, as the migration draws it, from the server's RANDOM_BYTES.
CREATE TABLE clima_database (
  id varchar(36) PRIMARY KEY,
  created_at datetime NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

SET @clima_hex = LOWER(HEX(RANDOM_BYTES(16)));
INSERT INTO clima_database (id, created_at) VALUES (
  CONCAT_WS('-',
    SUBSTR(@clima_hex, 1, 8),
    SUBSTR(@clima_hex, 9, 4),
    CONCAT('4', SUBSTR(@clima_hex, 14, 3)),
    CONCAT(SUBSTR('89ab', 1 + (CONV(SUBSTR(@clima_hex, 17, 1), 16, 10) & 3), 1), SUBSTR(@clima_hex, 18, 3)),
    SUBSTR(@clima_hex, 21, 12)),
  UTC_TIMESTAMP());
SET @clima_hex = NULL;

-- Migration 0003-create-rollups: the rollups, and their backfill, done at once on an empty table.
CREATE TABLE mediciones_1m (
  ciudad varchar(100) NOT NULL,
  bucket_start datetime NOT NULL,
  reading_count integer NOT NULL,
  temperature_tenths_sum bigint NOT NULL,
  temperature_min double precision NOT NULL,
  temperature_max double precision NOT NULL,
  humidity_sum bigint NOT NULL,
  humidity_min integer NOT NULL,
  humidity_max integer NOT NULL,
  CONSTRAINT mediciones_1m_pk PRIMARY KEY (ciudad, bucket_start)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE mediciones_15m (
  ciudad varchar(100) NOT NULL,
  bucket_start datetime NOT NULL,
  reading_count integer NOT NULL,
  temperature_tenths_sum bigint NOT NULL,
  temperature_min double precision NOT NULL,
  temperature_max double precision NOT NULL,
  humidity_sum bigint NOT NULL,
  humidity_min integer NOT NULL,
  humidity_max integer NOT NULL,
  CONSTRAINT mediciones_15m_pk PRIMARY KEY (ciudad, bucket_start)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE mediciones_1h (
  ciudad varchar(100) NOT NULL,
  bucket_start datetime NOT NULL,
  reading_count integer NOT NULL,
  temperature_tenths_sum bigint NOT NULL,
  temperature_min double precision NOT NULL,
  temperature_max double precision NOT NULL,
  humidity_sum bigint NOT NULL,
  humidity_min integer NOT NULL,
  humidity_max integer NOT NULL,
  CONSTRAINT mediciones_1h_pk PRIMARY KEY (ciudad, bucket_start)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE mediciones_1d (
  ciudad varchar(100) NOT NULL,
  bucket_start datetime NOT NULL,
  reading_count integer NOT NULL,
  temperature_tenths_sum bigint NOT NULL,
  temperature_min double precision NOT NULL,
  temperature_max double precision NOT NULL,
  humidity_sum bigint NOT NULL,
  humidity_min integer NOT NULL,
  humidity_max integer NOT NULL,
  CONSTRAINT mediciones_1d_pk PRIMARY KEY (ciudad, bucket_start)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE rollup_backfill (
  id integer PRIMARY KEY,
  last_id integer NOT NULL,
  done integer NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

INSERT INTO rollup_backfill (id, last_id, done) VALUES (1, 0, 1);

-- Migration 0005-create-alerts: alert transitions (unique per rule, subject and sequence, so two
-- evaluators record each once) and the notifications still to deliver.
CREATE TABLE alert_transition (
  id integer PRIMARY KEY AUTO_INCREMENT,
  rule varchar(64) NOT NULL,
  subject varchar(100) NOT NULL,
  seq integer NOT NULL,
  state varchar(16) NOT NULL,
  value double precision,
  at_ms bigint NOT NULL,
  CONSTRAINT alert_transition_rule_subject_seq_unique UNIQUE (rule, subject, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE alert_notification (
  id integer PRIMARY KEY AUTO_INCREMENT,
  transition_id integer NOT NULL,
  target varchar(64) NOT NULL,
  created_ms bigint NOT NULL,
  attempts integer NOT NULL,
  next_attempt_ms bigint NOT NULL,
  claimed_until_ms bigint NOT NULL,
  delivered_ms bigint,
  given_up_ms bigint,
  last_error varchar(500),
  CONSTRAINT alert_notification_transition_target_unique UNIQUE (transition_id, target)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE INDEX alert_notification_target_delivered_idx
  ON alert_notification (target, delivered_ms, given_up_ms, id);

-- Kysely's Migrator creates these two tables itself when they are missing; same definitions.
CREATE TABLE kysely_migration (
  name varchar(255) NOT NULL PRIMARY KEY,
  timestamp varchar(255) NOT NULL
);

CREATE TABLE kysely_migration_lock (
  id varchar(255) NOT NULL PRIMARY KEY,
  is_locked integer NOT NULL DEFAULT 0
);

-- The migrator orders what ran by this ISO-8601 text, as new Date(...) parses it, then by name.
-- Applied together, so under one timestamp: a later one for 0002 or later would sort it out of order.
INSERT INTO kysely_migration (name, timestamp)
VALUES ('0001-create-mediciones', DATE_FORMAT(UTC_TIMESTAMP(3), '%Y-%m-%dT%H:%i:%s.%fZ'));
INSERT INTO kysely_migration (name, timestamp)
SELECT later.name, first.timestamp
FROM kysely_migration AS first
CROSS JOIN (
  SELECT '0002-database-identity' AS name
  UNION ALL SELECT '0003-create-rollups'
  UNION ALL SELECT '0004-add-station'
  UNION ALL SELECT '0005-create-alerts'
) AS later
WHERE first.name = '0001-create-mediciones';

INSERT INTO kysely_migration_lock (id, is_locked) VALUES ('migration_lock', 0);
