// deploy/cloud/initdb/01-schema.sql must build what `clima migrate` builds, and record it so that
// services logging in with least-privilege accounts (which cannot CREATE) find nothing pending.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { createConnection } from 'mysql2/promise';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { mariadbSuite } from '../support/mariadb-server.js';

const SCHEMA_SQL = readFileSync(new URL('../../deploy/cloud/initdb/01-schema.sql', import.meta.url), 'utf8');
const TABLES = ['mediciones', 'kysely_migration', 'kysely_migration_lock'];

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
    const [stamp] = (await execute('clima', 'SELECT timestamp FROM kysely_migration')) as {
      timestamp: string;
    }[];
    assert.ok(
      !Number.isNaN(new Date(stamp?.timestamp ?? '').getTime()),
      `${stamp?.timestamp} parses as a date`,
    );
  });

  it('leaves nothing pending for the migrator', async () => {
    const db = openDb(parseDatabaseUrl(server().url));
    try {
      assert.deepEqual(await migrateToLatest(db), []);
    } finally {
      await db.close();
    }
  });
});
