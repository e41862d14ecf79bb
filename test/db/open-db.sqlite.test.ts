import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDb, openDbOnFirstUse } from '../../src/db/open-db.js';
import { freshSqliteTargets } from '../support/sqlite-targets.js';
import { streamingConnectionContract } from './streaming-connection.contract.js';

const FIXTURE = new URL('./fixtures/migrate-when-told.ts', import.meta.url).pathname;

describe('a SQLite database', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'clima-sqlite-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the directory of a new file and opens it in WAL mode with a busy timeout', async () => {
    const path = join(dir, 'nested', 'deeper', 'clima.db');
    const db = openDb({ dialect: 'sqlite', path });
    try {
      assert.ok(existsSync(path));
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(db.kysely)).rows[0] as object)[0];
      assert.equal(await pragma('journal_mode'), 'wal');
      assert.equal(await pragma('busy_timeout'), 5000);
      assert.equal(await pragma('synchronous'), 1);
    } finally {
      await db.close();
    }
  });

  it('fails at once, naming the path, when the directory cannot be created', () => {
    assert.throws(() => openDb({ dialect: 'sqlite', path: '/proc/clima-cannot-be-here/clima.db' }), {
      code: 'ENOENT',
      message: /\/proc\/clima-cannot-be-here/,
    });
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    assert.throws(() => openDb({ dialect: 'sqlite', path: join(file, 'sub', 'clima.db') }), {
      code: 'ENOTDIR',
    });
  });

  it('opens on first use only, and closes cleanly when never used', async () => {
    const unused = join(dir, 'lazy', 'unused.db');
    await openDbOnFirstUse({ dialect: 'sqlite', path: unused }).close();
    assert.equal(existsSync(join(dir, 'lazy')), false);
    const path = join(dir, 'lazy', 'used.db');
    const db = openDbOnFirstUse({ dialect: 'sqlite', path });
    try {
      assert.equal(db.dialect, 'sqlite');
      assert.equal(existsSync(path), false);
      await sql`SELECT 1`.execute(db.kysely);
      assert.ok(existsSync(path));
    } finally {
      await db.close();
    }
  });

  it('closes cleanly twice, even when it was never queried', async () => {
    const db = openDb({ dialect: 'sqlite', path: join(dir, 'unused.db') });
    await db.close();
    await db.close();
  });

  it('applies the migrations once when several processes migrate the same file at the same instant', async () => {
    const path = join(dir, 'shared.db');
    const children = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--import', 'tsx', FIXTURE, path], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    const outputs = children.map((child) => {
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      return () => text;
    });
    await Promise.all(
      children.map(async (child, i) => {
        while (!outputs[i]?.().includes('ready')) await once(child.stdout, 'data');
      }),
    );
    for (const child of children) child.stdin.write('go\n');
    const codes = await Promise.all(children.map(async (child) => (await once(child, 'exit'))[0]));
    const results = outputs.map((output) => output().replace('ready\n', '').trim());
    assert.deepEqual(codes, [0, 0, 0, 0], results.join('\n'));
    // All pending migrations commit as one transaction: one process applies them all.
    assert.deepEqual(results.sort(), [
      '["0001-create-mediciones","0002-database-identity","0003-create-rollups","0004-add-station","0005-create-alerts"]',
      '[]',
      '[]',
      '[]',
    ]);
    const db = openDb({ dialect: 'sqlite', path });
    try {
      const ids = await db.kysely.selectFrom('clima_database').select('id').execute();
      assert.equal(ids.length, 1, 'one id, drawn once');
    } finally {
      await db.close();
    }
  });
});

describe('a SQLite database streaming a result', () => {
  streamingConnectionContract(freshSqliteTargets('clima-sqlite-stream-'));
});
