import assert from 'node:assert/strict';
import { isAbsolute } from 'node:path';
import { it } from 'node:test';
import { readDatabaseOrigin } from '../../src/db/database-identity.js';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../src/db/open-db.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The database identity's tests, registered into the caller's `describe` for one dialect. */
export function databaseIdentityContract(freshTarget: () => Promise<DatabaseTarget>): void {
  /** Runs `work` on `target` opened anew, closing it after. */
  async function withDb<T>(target: DatabaseTarget, work: (db: Database) => Promise<T>): Promise<T> {
    const db = openDb(target);
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  }

  it('draws a random id once: the same after reopening the database and migrating it again', async () => {
    const target = await freshTarget();
    const first = await withDb(target, async (db) => {
      assert.ok((await migrateToLatest(db)).includes('0002-database-identity'));
      return readDatabaseOrigin(db);
    });
    assert.match(first.databaseId, UUID_V4);
    const again = await withDb(target, async (db) => {
      assert.deepEqual(await migrateToLatest(db), []);
      return readDatabaseOrigin(db);
    });
    assert.deepEqual(again, first);
    const [row] = await withDb(target, (db) => db.kysely.selectFrom('clima_database').selectAll().execute());
    assert.match(row?.created_at ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('gives two databases two ids', async () => {
    const ids = [];
    for (const target of [await freshTarget(), await freshTarget()]) {
      ids.push(
        await withDb(target, async (db) => {
          await migrateToLatest(db);
          return (await readDatabaseOrigin(db)).databaseId;
        }),
      );
    }
    assert.notEqual(ids[0], ids[1]);
  });

  it('names the dialect and where the database is, without user or password', async () => {
    const target = await freshTarget();
    const origin = await withDb(target, async (db) => {
      await migrateToLatest(db);
      return readDatabaseOrigin(db);
    });
    assert.equal(origin.dialect, target.dialect);
    if (target.dialect === 'sqlite') {
      assert.ok(isAbsolute(origin.location), origin.location);
      assert.ok(origin.location.endsWith(target.path.replace(/^\.\//, '')));
    } else {
      assert.equal(origin.location, `mysql://${target.host}:${target.port}/${target.database}`);
    }
  });

  it('says to apply the migrations when the database has none yet', async () => {
    await withDb(await freshTarget(), async (db) => {
      await assert.rejects(readDatabaseOrigin(db), {
        message: 'the database has no identity yet (no table clima_database): apply the migrations',
      });
    });
  });

  it('refuses a table holding more than the one row', async () => {
    await withDb(await freshTarget(), async (db) => {
      await migrateToLatest(db);
      await db.kysely
        .insertInto('clima_database')
        .values({ id: 'another', created_at: '2026-01-01 00:00:00' })
        .execute();
      await assert.rejects(readDatabaseOrigin(db), {
        message: 'clima_database must hold exactly one row, it holds 2',
      });
    });
  });
}
