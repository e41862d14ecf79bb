import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBackupService } from '../../src/backup/backup-service.js';
import { verifyBackup } from '../../src/backup/verify-backup.js';
import { systemClock } from '../../src/core/clock.js';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import { captureLogger } from '../support/capture-logger.js';
import { waitFor } from '../support/run-clima.js';
import { mountTinyFilesystem, type TinyFilesystem } from '../support/tiny-filesystem.js';
import { openMigrated, seedReadings } from './backup-fixtures.js';

/** A snapshot row is about 160 bytes: 1,000 rows fit in 512 KiB next to nothing else; 4,000 do not. */
const FILESYSTEM_BYTES = 512 * 1024;

describe('backing up onto a full disk', () => {
  const mounted = mountTinyFilesystem(FILESYSTEM_BYTES);
  const skip = 'skip' in mounted ? mounted.skip : false;
  let dir: string;
  let target: DatabaseTarget;
  let db: Database;
  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'clima-disk-full-'));
    target = { dialect: 'sqlite', path: join(dir, 'clima.db') };
    db = await openMigrated(target);
    await seedReadings(db, 1_000);
  });
  after(async () => {
    await db?.close();
    if (!('skip' in mounted)) mounted.unmount();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('logs a clear error, leaves no partial file, keeps the earlier snapshot, and carries on', {
    skip,
  }, async () => {
    const out = (mounted as TinyFilesystem).dir;
    const files = () => readdirSync(out).sort();
    const { logger, lines } = captureLogger('info');
    const service = createBackupService({
      openReader: () => openDb(target),
      dir: out,
      intervalS: 1,
      keep: 10,
      clock: systemClock,
      logger,
    });
    service.start();
    try {
      const [first] = await waitFor(
        () => (files().length === 2 ? files() : undefined),
        5_000,
        'a first snapshot',
      );
      await seedReadings(db, 3_000, 1_000);

      const failure = await waitFor(
        () => lines.find((line) => line.msg.startsWith('backup failed')),
        5_000,
        'a backup that fills the disk',
      );
      assert.match(
        failure.msg,
        new RegExp(
          `^backup failed: cannot write the snapshot in ${out}: ENOSPC: no space left on device, write; next attempt in 1 s$`,
        ),
      );
      assert.equal(failure.level, 50, 'logged as an error');
      assert.equal(files().length, 2, `only the earlier snapshot: ${files()}`);
      const earlier = await verifyBackup(join(out, first ?? ''));
      assert.deepEqual(earlier.problems, []);
      assert.equal(earlier.manifest?.rowCount, 1_000);

      // Space comes back (here: fewer rows to back up); the service has kept trying.
      await db.kysely.deleteFrom('mediciones').where('id', '>', 1_200).execute();
      const after = await waitFor(
        () => (files().length === 4 ? files() : undefined),
        5_000,
        'a backup after the failure',
      );
      const latest = await verifyBackup(
        join(out, after.filter((name) => !name.includes('manifest')).at(-1) ?? ''),
      );
      assert.deepEqual(latest.problems, []);
      assert.equal(latest.manifest?.rowCount, 1_200);
    } finally {
      await service.stop();
    }
  });
});
