// deploy/cloud/initdb/01-schema.sql must build what `clima migrate` builds, and record it so that
// services logging in with least-privilege accounts (which cannot CREATE) find nothing pending;
// 02-users.sh must let those accounts read what they read at start-up (and a backup's origin).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { createConnection } from 'mysql2/promise';
import { createAlertsRepository } from '../../src/db/alerts-repository.js';
import { readDatabaseOrigin } from '../../src/db/database-identity.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { readingKey } from '../../src/db/reading.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';
import { mariadbSuite } from '../support/mariadb-server.js';

const SCHEMA_SQL = readFileSync(new URL('../../deploy/cloud/initdb/01-schema.sql', import.meta.url), 'utf8');
const USERS_SH = new URL('../../deploy/cloud/initdb/02-users.sh', import.meta.url).pathname;
const ROLLUPS = ['mediciones_1m', 'mediciones_15m', 'mediciones_1h', 'mediciones_1d'];
const TABLES = [
  'mediciones',
  'clima_database',
  ...ROLLUPS,
  'rollup_backfill',
  'kysely_migration',
  'kysely_migration_lock',
];
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PASSWORDS = { sensor: "s3nsor'; DROP", reader: 'r\\eader"$(x)' };
const run = promisify(execFile);

mariadbSuite("the cloud's init SQL", (server) => {
  /** Runs `statements` (several, `;`-separated) as root on the test server, in `database`. */
  async function execute(database: string, statements: string): Promise<unknown> {
    const connection = await createConnection({
      host: '127.0.0.1',
      port: server().port,
      user: 'root',
      database,
      multipleStatements: true,
      dateStrings: true,
    });
    try {
      const [rows] = await connection.query(statements);
      return rows;
    } finally {
      await connection.end();
    }
  }

  async function tableDefinitions(database: string): Promise<string[]> {
    const definitions: string[] = [];
    for (const table of TABLES) {
      const [row] = (await execute(database, `SHOW CREATE TABLE ${table}`)) as { 'Create Table': string }[];
      // The next auto-increment value is state, not schema.
      definitions.push((row?.['Create Table'] ?? '').replace(/ AUTO_INCREMENT=\d+/, ''));
    }
    return definitions;
  }

  it('creates the tables exactly as the migrations do, and records the migrations as applied', async () => {
    // The test server already has an empty `clima`: CREATE DATABASE IF NOT EXISTS leaves it be.
    await execute('clima', SCHEMA_SQL);
    const migratedUrl = await server().createDatabase('clima_migrated');
    const migrated = openDb(parseDatabaseUrl(migratedUrl));
    try {
      await migrateToLatest(migrated);
    } finally {
      await migrated.close();
    }
    assert.deepEqual(await tableDefinitions('clima'), await tableDefinitions('clima_migrated'));
    const names = 'SELECT name FROM kysely_migration ORDER BY name';
    assert.deepEqual(await execute('clima', names), await execute('clima_migrated', names));
    const locks = 'SELECT id, is_locked FROM kysely_migration_lock';
    assert.deepEqual(await execute('clima', locks), await execute('clima_migrated', locks));
    const backfill = 'SELECT id, last_id, done FROM rollup_backfill';
    assert.deepEqual(await execute('clima', backfill), await execute('clima_migrated', backfill));
    const stamps = (await execute('clima', 'SELECT timestamp FROM kysely_migration')) as {
      timestamp: string;
    }[];
    for (const { timestamp } of stamps) {
      assert.ok(!Number.isNaN(new Date(timestamp).getTime()), `${timestamp} parses as a date`);
    }
    // The migrator orders by timestamp, then name: one timestamp keeps 0001, 0002, 0003 in order.
    assert.equal(new Set(stamps.map((row) => row.timestamp)).size, 1, 'recorded under one timestamp');
  });

  it('draws one random id for the database, as the migration does for its own', async () => {
    const ids = async (database: string) =>
      ((await execute(database, 'SELECT id, created_at FROM clima_database')) as { id: string }[]).map(
        (row) => row.id,
      );
    const [initId, ...more] = await ids('clima');
    assert.match(initId ?? '', UUID_V4);
    assert.deepEqual(more, []);
    const [migratedId] = await ids('clima_migrated');
    assert.match(migratedId ?? '', UUID_V4);
    assert.notEqual(initId, migratedId);
  });

  it('leaves nothing pending for the migrator', async () => {
    const db = openDb(parseDatabaseUrl(server().url));
    try {
      assert.deepEqual(await migrateToLatest(db), []);
    } finally {
      await db.close();
    }
  });

  // Runs 02-users.sh last: it drops every root account but root@localhost, which the test puts back.
  it("lets both accounts find nothing pending and read the database's id, the sensor store readings and keep their rollups but delete nothing, the reader only read", async () => {
    const [{ id }] = (await execute('clima', 'SELECT id FROM clima_database')) as [{ id: string }];
    const [{ socket }] = (await execute('clima', 'SELECT @@socket AS socket')) as [{ socket: string }];
    const client = `mariadb --no-defaults --protocol=socket --socket=${JSON.stringify(socket)} -uroot`;
    const asRoot = (statements: string) => run('bash', ['-c', `${client} -e ${JSON.stringify(statements)}`]);
    const passwords = PASSWORDS;
    await run(
      'bash',
      [
        '-c',
        `set -eo pipefail
mysql_error() { echo "initdb: $*" >&2; exit 1; }
file_env() { :; }
docker_process_sql() { ${client} "$@"; }
. "$0"`,
        USERS_SH,
      ],
      {
        env: {
          PATH: process.env.PATH ?? '',
          CLIMA_SENSOR_PASSWORD: passwords.sensor,
          CLIMA_READER_PASSWORD: passwords.reader,
        },
      },
    );
    const url = (user: string, password: string) =>
      `mysql://${user}:${encodeURIComponent(password)}@127.0.0.1:${server().port}/clima`;
    const sensor = openDb(parseDatabaseUrl(url('clima_sensor', passwords.sensor)));
    const reader = openDb(parseDatabaseUrl(url('clima_reader', passwords.reader)));
    try {
      for (const [user, db] of [
        ['clima_sensor', sensor],
        ['clima_reader', reader],
      ] as const) {
        assert.deepEqual(await migrateToLatest(db), [], user);
        assert.deepEqual(await readDatabaseOrigin(db), {
          databaseId: id,
          dialect: 'mysql',
          location: `mysql://127.0.0.1:${server().port}/clima`,
        });
        await assert.rejects(
          db.kysely.updateTable('clima_database').set({ id: 'changed' }).execute(),
          /UPDATE command denied/,
          user,
        );
      }
      const at = new Date('2024-03-01T12:00:00Z');
      const readings = ['Bogota', 'Cali', 'Manizales'].map((city, i) => ({
        key: readingKey(city, at),
        city,
        temperature: 20 + i / 10,
        humidity: 50 + i,
        takenAt: at,
        observedAt: at,
        source: 'simulated' as const,
      }));
      assert.equal(await createReadingsRepository(sensor).insertBatch(readings), 3);
      const chart = await createReadingsRepository(reader).bucketedReadings({
        city: 'Cali',
        from: new Date('2024-02-01T00:00:00Z'),
        to: new Date('2024-03-02T00:00:00Z'),
        points: 500,
      });
      assert.equal(chart.bucketSeconds % 900, 0, 'answered from the rollups');
      assert.deepEqual(
        chart.buckets.map((b) => [b.count, b.temperatureAvg, b.humidityAvg]),
        [[1, 20.1, 51]],
      );
      const denied = (db: typeof sensor, statement: string, command: string) =>
        assert.rejects(sql.raw(statement).execute(db.kysely), new RegExp(`${command} command denied`));
      for (const rollup of ROLLUPS) {
        await denied(sensor, `DELETE FROM ${rollup}`, 'DELETE');
        await denied(sensor, `DROP TABLE ${rollup}`, 'DROP');
        await denied(reader, `UPDATE ${rollup} SET reading_count = 0`, 'UPDATE');
        await denied(reader, `DELETE FROM ${rollup}`, 'DELETE');
      }
      await denied(
        reader,
        "INSERT INTO mediciones_1d (ciudad, bucket_start, reading_count, temperature_tenths_sum, temperature_min, temperature_max, humidity_sum, humidity_min, humidity_max) VALUES ('X', '2024-01-01 00:00:00', 1, 1, 1, 1, 1, 1, 1)",
        'INSERT',
      );
      await denied(sensor, 'UPDATE mediciones SET temperatura = 0', 'UPDATE');
      await denied(sensor, 'UPDATE rollup_backfill SET done = 0', 'UPDATE');
      await denied(reader, 'UPDATE rollup_backfill SET done = 0', 'UPDATE');
      // The dashboard evaluates the alerts as clima_reader: it records transitions and delivers
      // notifications, and may delete neither.
      const alerts = createAlertsRepository(reader);
      const transition = {
        rule: 'heat',
        subject: 'Cali',
        seq: 1,
        state: 'firing' as const,
        value: 36,
        atMs: 1,
      };
      assert.equal(await alerts.recordTransition(transition, ['hook']), true);
      const [due] = await alerts.nextPerTarget();
      assert.ok(due && (await alerts.claim(due.id, 2, 60_002)));
      await alerts.delivered(due.id, 3);
      assert.equal((await alerts.deliveredTo('hook')).length, 1);
      await denied(reader, 'DELETE FROM alert_notification', 'DELETE');
      await denied(reader, 'DELETE FROM alert_transition', 'DELETE');
      await denied(sensor, 'DELETE FROM alert_transition', 'DELETE');
    } finally {
      await sensor.close();
      await reader.close();
      await asRoot(
        "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION",
      );
    }
  });
});
