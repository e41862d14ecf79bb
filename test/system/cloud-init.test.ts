// deploy/cloud/initdb/01-schema.sql must build what `clima migrate` builds, and record it so that
// services logging in with least-privilege accounts (which cannot CREATE) find nothing pending;
// 02-users.sh must let those accounts read what they read at start-up (and a backup's origin).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { readDatabaseOrigin } from '../../src/db/database-identity.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { mariadbSuite } from '../support/mariadb-server.js';

const SCHEMA_SQL = readFileSync(new URL('../../deploy/cloud/initdb/01-schema.sql', import.meta.url), 'utf8');
const USERS_SH = new URL('../../deploy/cloud/initdb/02-users.sh', import.meta.url).pathname;
const TABLES = ['mediciones', 'clima_database', 'kysely_migration', 'kysely_migration_lock'];
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PASSWORDS = { sensor: "s3nsor'; DROP", reader: 'r\\eader"$(x)' };

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
    const stamps = (await execute('clima', 'SELECT timestamp FROM kysely_migration')) as {
      timestamp: string;
    }[];
    for (const { timestamp } of stamps) {
      assert.ok(!Number.isNaN(new Date(timestamp).getTime()), `${timestamp} parses as a date`);
    }
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

  // Last: 02-users.sh removes root's network accounts, which this file's connections use.
  it("lets the least-privilege accounts find nothing pending and read the database's id", async () => {
    const [{ id }] = (await execute('clima', 'SELECT id FROM clima_database')) as [{ id: string }];
    await sourceUsersScript();
    for (const [user, password] of [
      ['clima_sensor', PASSWORDS.sensor],
      ['clima_reader', PASSWORDS.reader],
    ] as const) {
      const url = `mysql://${user}:${encodeURIComponent(password)}@127.0.0.1:${server().port}/clima`;
      const db = openDb(parseDatabaseUrl(url));
      try {
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
      } finally {
        await db.close();
      }
    }
  });

  /**
   * Sources 02-users.sh as the mysql image's entrypoint does, with its three functions; the
   * statements go to this server over TCP as root.
   */
  async function sourceUsersScript(): Promise<void> {
    const entrypoint = `
set -eo pipefail
mysql_error() { echo "initdb: $*" >&2; exit 1; }
file_env() { export "$1"="\${!1:-}"; }
docker_process_sql() { mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$CLIMA_PORT" -uroot --comments "$@"; }
. "$1"`;
    await promisify(execFile)('bash', ['-c', entrypoint, 'initdb', USERS_SH], {
      env: {
        PATH: process.env.PATH ?? '',
        CLIMA_PORT: String(server().port),
        CLIMA_SENSOR_PASSWORD: PASSWORDS.sensor,
        CLIMA_READER_PASSWORD: PASSWORDS.reader,
      },
    });
  }
});
