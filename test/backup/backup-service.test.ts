import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBackupService } from '../../src/backup/backup-service.js';
import { systemClock } from '../../src/core/clock.js';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import { captureLogger } from '../support/capture-logger.js';
import { waitFor } from '../support/run-clima.js';
import { openMigrated, seedReadings } from './backup-fixtures.js';

/** `db` with every streamed page handed over `delayMs` late, to hold a snapshot open on a fast machine. */
function slowed(db: Database, delayMs: number): Database {
  if (delayMs === 0) return db;
  return {
    ...db,
    withStreamingConnection: (work) =>
      db.withStreamingConnection((connection) =>
        work({
          ...connection,
          stream: (query, chunkRows, onChunk) =>
            connection.stream(query, chunkRows, async (rows) => {
              await new Promise((resolve) => setTimeout(resolve, delayMs));
              await onChunk(rows);
            }),
        }),
      ),
  };
}

describe('the backup service', () => {
  let root: string;
  let databases = 0;
  const target = (): DatabaseTarget => ({ dialect: 'sqlite', path: join(root, `clima-${++databases}.db`) });
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'clima-backup-service-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  function service(
    database: DatabaseTarget,
    dir: string,
    extra: { keep?: number; pageSize?: number; pageDelayMs?: number } = {},
  ) {
    const log = captureLogger('info');
    const backup = createBackupService({
      openReader: () => slowed(openDb(database), extra.pageDelayMs ?? 0),
      dir,
      intervalS: 1,
      keep: extra.keep ?? 10,
      pageSize: extra.pageSize,
      clock: systemClock,
      logger: log.logger,
    });
    const written = () => log.lines.filter((line) => line.msg === 'backup written').length;
    return { backup, log, written };
  }

  it('backs up at start, then every interval, keeping the newest BACKUP_KEEP', async () => {
    const database = target();
    const db = await openMigrated(database);
    await seedReadings(db, 100);
    await db.close();
    const dir = join(root, 'every');
    const { backup, written, log } = service(database, dir, { keep: 2 });
    backup.start();
    try {
      await waitFor(() => (written() >= 1 ? true : undefined), 2_000, 'the backup at start');
      assert.equal(readdirSync(dir).length, 2);
      await waitFor(() => (written() >= 3 ? true : undefined), 4_000, 'two more backups');
    } finally {
      await backup.stop();
    }
    assert.equal(readdirSync(dir).length, 4, 'two snapshots with their manifests');
    assert.ok(log.messages().includes('backup stopped'));
    const count = readdirSync(dir).length;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    assert.equal(readdirSync(dir).length, count, 'nothing after stop');
  });

  it('logs a failed backup as an error and tries again at the next interval', async () => {
    const database = target();
    const dir = join(root, 'retry');
    const { backup, log, written } = service(database, dir);
    backup.start();
    try {
      const failure = await waitFor(() => log.lines.find((line) => line.level === 50), 2_000, 'a failure');
      assert.equal(
        failure.msg,
        'backup failed: cannot read the database: no such table: mediciones; next attempt in 1 s',
      );
      const db = openDb(database);
      await migrateToLatest(db);
      await db.close();
      await waitFor(() => (written() >= 1 ? true : undefined), 3_000, 'a backup once the table exists');
    } finally {
      await backup.stop();
    }
  });

  it('abandons a backup in flight when stopped, leaving nothing behind', async () => {
    const database = target();
    const db = await openMigrated(database);
    await seedReadings(db, 30_000);
    await db.close();
    const dir = join(root, 'stop');
    // Each page answers 5 ms late, so the snapshot is surely still streaming when stopped.
    const { backup, log } = service(database, dir, { pageSize: 50, pageDelayMs: 5 });
    backup.start();
    await waitFor(
      () => (readdirSync(dir).some((name) => name.endsWith('.tmp')) ? true : undefined),
      2_000,
      'a snapshot being written',
    );
    const stopping = Date.now();
    await backup.stop();
    assert.ok(Date.now() - stopping < 1_000, 'stops promptly');
    assert.deepEqual(readdirSync(dir), []);
    assert.ok(log.messages().includes('backup cancelled: shutting down'));
  });
});
