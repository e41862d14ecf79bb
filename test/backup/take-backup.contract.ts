import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { formatManifest, parseManifest } from '../../src/backup/manifest.js';
import { restoreBackup } from '../../src/backup/restore-backup.js';
import { takeBackup } from '../../src/backup/take-backup.js';
import { ManualClock } from '../../src/core/clock.js';
import { readDatabaseOrigin } from '../../src/db/database-identity.js';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import { openMigrated, seedReadings } from './backup-fixtures.js';

/** What the tests need from one dialect. */
export interface BackupDialect {
  /** A target naming a new, empty database (no schema). */
  freshTarget(): Promise<DatabaseTarget>;
}

const T0 = Date.parse('2026-03-01T12:00:00Z');

/**
 * Backups of several databases into one folder, registered into the caller's `describe` so both
 * dialects run the same tests.
 */
export function sharedBackupFolder(dialect: BackupDialect): void {
  let dir: string;
  const open: Database[] = [];
  const migrated = async (rows: number) => {
    const db = await openMigrated(await dialect.freshTarget());
    open.push(db);
    await seedReadings(db, rows);
    return db;
  };
  /** The database id each manifest in `folder` names, by data file, oldest first. */
  const origins = (folder: string) =>
    readdirSync(folder)
      .filter((name) => name.endsWith('.manifest.json'))
      .sort()
      .map((name) => parseManifest(readFileSync(join(folder, name), 'utf8')).origin?.databaseId);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'clima-shared-folder-'));
  });
  after(async () => {
    for (const db of open) await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lets two databases back up into one folder without ever deleting each other's snapshots", async () => {
    const [a, b] = [await migrated(10), await migrated(20)];
    const [idA, idB] = [(await readDatabaseOrigin(a)).databaseId, (await readDatabaseOrigin(b)).databaseId];
    const folder = join(dir, 'two');
    const clock = new ManualClock(T0);
    const deleted: string[][] = [];
    for (let round = 0; round < 4; round++) {
      for (const db of [a, b]) {
        clock.advance(1_000);
        const run = await takeBackup({ db, dir: folder, keep: 2, clock });
        assert.equal(run.retentionError, undefined);
        assert.equal(run.snapshot.manifest.origin.databaseId, db === a ? idA : idB);
        deleted.push([...run.deleted]);
      }
    }
    // Each database had its two newest when it backed up: a, b, a, b, then one deletion each.
    assert.deepEqual(
      deleted.map((names) => names.length),
      [0, 0, 0, 0, 1, 1, 1, 1],
    );
    assert.deepEqual(origins(folder), [idA, idB, idA, idB]);
  });

  it("records the origin of each snapshot, and a restore keeps the target's own id", async () => {
    const source = await migrated(30);
    const folder = join(dir, 'restored');
    const clock = new ManualClock(T0);
    const { snapshot } = await takeBackup({ db: source, dir: folder, keep: 1, clock });
    assert.deepEqual(snapshot.manifest.origin, await readDatabaseOrigin(source));
    assert.equal(snapshot.manifest.origin.dialect, source.dialect);
    assert.equal(snapshot.manifest.origin.location, source.location);

    const target = openDb(await dialect.freshTarget());
    open.push(target);
    const report = await restoreBackup(target, snapshot.dataPath, { dryRun: false, overwrite: false }, clock);
    assert.equal(report.inserted, 30);
    const restoredId = (await readDatabaseOrigin(target)).databaseId;
    assert.notEqual(restoredId, snapshot.manifest.origin.databaseId);
    clock.advance(1_000);
    const next = await takeBackup({ db: target, dir: folder, keep: 1, clock });
    assert.equal(next.snapshot.manifest.origin.databaseId, restoredId);
    assert.deepEqual(next.deleted, [], 'the snapshot it was restored from is not its own');
    assert.deepEqual(origins(folder), [snapshot.manifest.origin.databaseId, restoredId]);
  });

  it('never deletes a snapshot whose manifest was written before origins were recorded', async () => {
    const db = await migrated(5);
    const folder = join(dir, 'old');
    const clock = new ManualClock(T0);
    const { snapshot } = await takeBackup({ db, dir: folder, keep: 1, clock });
    // As clima wrote it before origins: format version 1, no origin.
    writeFileSync(
      snapshot.manifestPath,
      formatManifest({ ...snapshot.manifest, formatVersion: 1, origin: null }),
    );
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000);
      await takeBackup({ db, dir: folder, keep: 1, clock });
    }
    assert.deepEqual(origins(folder), [undefined, (await readDatabaseOrigin(db)).databaseId]);
  });
}
