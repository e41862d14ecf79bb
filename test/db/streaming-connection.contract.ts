import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';
import { series } from './readings-repository.contract.js';

const ROWS = 2_500;

/** What `Database.withStreamingConnection` promises, on any dialect. */
export function streamingConnectionContract(freshTarget: () => Promise<DatabaseTarget>): void {
  async function seeded(): Promise<Database> {
    const db = openDb(await freshTarget());
    await migrateToLatest(db);
    await createReadingsRepository(db).insertBatch(series('Cali', '2025-01-01T00:00:00Z', ROWS, 15));
    return db;
  }
  const ids = (db: Database) => db.kysely.selectFrom('mediciones').select('id').orderBy('id').compile();

  it('streams every row in order, in chunks of the size asked, the last one smaller', async () => {
    const db = await seeded();
    try {
      const sizes: number[] = [];
      const seen: number[] = [];
      await db.withStreamingConnection((connection) =>
        connection.stream(ids(db), 1_000, (rows) => {
          sizes.push(rows.length);
          seen.push(...rows.map((row) => row.id));
        }),
      );
      assert.deepEqual(sizes, [1_000, 1_000, 500]);
      assert.deepEqual(
        seen,
        Array.from({ length: ROWS }, (_, i) => i + 1),
      );
    } finally {
      await db.close();
    }
  });

  it('hands over no chunk before the previous one is taken, and none when there is no row', async () => {
    const db = await seeded();
    try {
      let taking = false;
      let chunks = 0;
      await db.withStreamingConnection(async (connection) => {
        await connection.stream(ids(db), 300, async () => {
          assert.equal(taking, false, 'a chunk arrived while the previous one was being taken');
          taking = true;
          chunks++;
          await new Promise((resolve) => setTimeout(resolve, 5));
          taking = false;
        });
        const none = db.kysely.selectFrom('mediciones').select('id').where('id', '<', 0).compile();
        await connection.stream(none, 300, () => assert.fail('a chunk of nothing'));
      });
      assert.equal(chunks, Math.ceil(ROWS / 300));
    } finally {
      await db.close();
    }
  });

  it('rejects with the error of a chunk that fails, and the database works on', async () => {
    const db = await seeded();
    try {
      const refused = new Error('the disk is full');
      await assert.rejects(
        db.withStreamingConnection((connection) =>
          connection.stream(ids(db), 100, (rows) => {
            if ((rows[0]?.id ?? 0) > 200) throw refused;
          }),
        ),
        (error) => error === refused,
      );
      const count = db.kysely.selectFrom('mediciones').select((eb) => eb.fn.countAll<number>().as('n'));
      const [streamed] = await db.withStreamingConnection((connection) =>
        connection.execute(count.compile()),
      );
      assert.equal(Number(streamed?.n), ROWS);
      assert.equal(Number((await count.executeTakeFirstOrThrow()).n), ROWS);
    } finally {
      await db.close();
    }
  });
}
