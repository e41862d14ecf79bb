import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type DatabaseTarget, parseDatabaseUrl } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';
import { captureLogger } from '../support/capture-logger.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { reading } from './readings-repository.contract.js';
import { streamingConnectionContract } from './streaming-connection.contract.js';

/** `promise`, or a rejection saying it hung: a hang must fail the test, not stall the run. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

/** A rejection caused by the server being unreachable, not by the statement. */
function connectionFailure(error: NodeJS.ErrnoException): boolean {
  assert.match(String(error.code), /ECONNREFUSED|ECONNRESET|EPIPE|PROTOCOL_CONNECTION_LOST/, String(error));
  return true;
}

const BATCH = ['Bogota', 'Cali', 'Manizales'].map((city) => reading(city, '2024-03-01T12:00:00Z'));

mariadbSuite('a MySQL database whose server fails', (server) => {
  let databases = 0;
  async function freshTarget(): Promise<DatabaseTarget> {
    return parseDatabaseUrl(await server().createDatabase(`faults_${++databases}`));
  }

  it('opens while the server is down; queries fail until it is up, then work on the same object', async () => {
    const target = await freshTarget();
    await server().kill();
    const db = openDb(target);
    try {
      const repo = createReadingsRepository(db);
      await assert.rejects(within(10_000, repo.count()), connectionFailure);
      await assert.rejects(within(10_000, migrateToLatest(db)), /database migration failed/);
      await server().restart();
      assert.deepEqual(await migrateToLatest(db), [
        '0001-create-mediciones',
        '0002-database-identity',
        '0003-create-rollups',
        '0004-add-station',
        '0005-create-alerts',
      ]);
      assert.equal(await repo.insertBatch(BATCH), 3);
    } finally {
      await server().restart();
      await db.close();
    }
  });

  it('rejects queries when the server is killed, without crashing, and recovers after a restart', async () => {
    const { logger, messages } = captureLogger('warn');
    const db = openDb(await freshTarget(), { logger });
    try {
      const repo = createReadingsRepository(db);
      await migrateToLatest(db);
      assert.equal(await repo.insertBatch(BATCH), 3);
      // Several pooled connections sit idle when the server dies: each one's loss must be absorbed.
      await Promise.all([repo.count(), repo.latestPerCity(['Bogota', 'Cali', 'Manizales']), repo.count()]);
      await server().kill();
      await assert.rejects(within(10_000, repo.count()), connectionFailure);
      await assert.rejects(within(10_000, repo.insertBatch([reading('Pereira', '2024-03-01T12:00:00Z')])));
      assert.ok(messages().includes('database connection lost'), messages().join('\n'));

      await server().restart();
      assert.equal(await repo.count(), 3, 'history survives the crash');
      assert.equal(await repo.insertBatch([...BATCH, reading('Pereira', '2024-03-01T12:00:00Z')]), 1);
    } finally {
      await server().restart();
      await db.close();
    }
  });

  it('fails a query to a hung server within the query timeout, then works once it answers', async () => {
    const db = openDb(await freshTarget(), { queryTimeoutMs: 500 });
    try {
      const repo = createReadingsRepository(db);
      await migrateToLatest(db);
      await repo.insertBatch(BATCH);
      await server().pause();
      try {
        const started = Date.now();
        await assert.rejects(within(5_000, repo.count()), /database query timed out after 500 ms/);
        assert.ok(Date.now() - started < 2_000);
      } finally {
        server().resume();
      }
      assert.equal(await repo.count(), 3);
    } finally {
      await db.close();
    }
  });

  it('fails a stream from a hung server within the query timeout, then works once it answers', async () => {
    const db = openDb(await freshTarget(), { queryTimeoutMs: 500 });
    try {
      await migrateToLatest(db);
      await createReadingsRepository(db).insertBatch(BATCH);
      const rows = db.kysely.selectFrom('mediciones').selectAll().compile();
      await server().pause();
      try {
        const started = Date.now();
        const stream = db.withStreamingConnection((connection) => connection.stream(rows, 10, () => {}));
        await assert.rejects(within(5_000, stream), /database query timed out after 500 ms without a row/);
        assert.ok(Date.now() - started < 2_000);
      } finally {
        server().resume();
      }
      let streamed = 0;
      await db.withStreamingConnection((connection) =>
        connection.stream(rows, 10, (chunk) => {
          streamed += chunk.length;
        }),
      );
      assert.equal(streamed, 3);
    } finally {
      await db.close();
    }
  });

  it('closes promptly while the server is down', async () => {
    const db = openDb(await freshTarget());
    try {
      await migrateToLatest(db);
      await server().kill();
      await within(5_000, db.close());
    } finally {
      await server().restart();
    }
  });
});

mariadbSuite('a MySQL database streaming a result', (server) => {
  let databases = 0;
  streamingConnectionContract(async () =>
    parseDatabaseUrl(await server().createDatabase(`stream_${++databases}`)),
  );
});
