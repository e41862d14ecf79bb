import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { restoreBackup } from '../../src/backup/restore-backup.js';
import { type Snapshot, writeSnapshot } from '../../src/backup/write-snapshot.js';
import { systemClock } from '../../src/core/clock.js';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';
import { allRows, backedUpPart, generatedReading, openMigrated, seedReadings } from './backup-fixtures.js';

/** What the drill needs from one dialect. */
export interface DrillDialect {
  /** A target naming a new, empty database (no schema). */
  freshTarget(): Promise<DatabaseTarget>;
}

const DRILL_ROWS = 50_000;
const restoreOptions = { dryRun: false, overwrite: false };

/**
 * The restore drill, registered into the caller's `describe` so both dialects run the same tests:
 * back up a known history, restore it into an empty database, compare every row.
 */
export function restoreDrill(dialect: DrillDialect): void {
  let dir: string;
  let source: Database;
  let drill: Snapshot;
  const open: Database[] = [];
  const fresh = async (migrated = true) => {
    const target = await dialect.freshTarget();
    const db = migrated ? await openMigrated(target) : openDb(target);
    open.push(db);
    return db;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clima-drill-'));
    source = await fresh();
    await seedReadings(source, DRILL_ROWS);
    drill = await writeSnapshot({ db: source, dir: join(dir, 'drill'), clock: systemClock });
  });
  after(async () => {
    for (const db of open) await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`restores ${DRILL_ROWS.toLocaleString('en')} readings into an empty database, every row as backed up`, async () => {
    const target = await fresh(false);
    const report = await restoreBackup(target, drill.dataPath, restoreOptions, systemClock);
    assert.equal(report.refused, false);
    assert.deepEqual(
      {
        rows: report.rows,
        inserted: report.inserted,
        conflicts: report.conflicts,
        sourcesKnown: report.sourcesKnown,
      },
      { rows: DRILL_ROWS, inserted: DRILL_ROWS, conflicts: 0, sourcesKnown: true },
    );
    const [original, restored] = [await allRows(source), await allRows(target)];
    assert.equal(restored.length, DRILL_ROWS);
    // Every column the backup holds or derives (key, source) is equal; observed_at is not in the
    // paper's format and comes back as fecha_registro.
    assert.deepEqual(restored.map(backedUpPart), original.map(backedUpPart));
    assert.ok(restored.every((row) => row.observed_at === row.fecha_registro));
    assert.ok(
      original.some((row) => row.observed_at !== row.fecha_registro),
      'the drill shows the difference',
    );

    const again = await restoreBackup(target, drill.dataPath, restoreOptions, systemClock);
    assert.deepEqual([again.inserted, again.identical, again.conflicts], [0, DRILL_ROWS, 0]);

    const second = await writeSnapshot({ db: target, dir: join(dir, 'restored'), clock: systemClock });
    assert.equal(readFileSync(second.dataPath, 'utf8'), readFileSync(drill.dataPath, 'utf8'));
    assert.deepEqual(second.manifest.sources, drill.manifest.sources);
  });

  it('reports rows that differ and leaves them alone; --overwrite replaces them; a dry run writes nothing', async () => {
    const small = await fresh();
    await seedReadings(small, 500);
    const backup = await writeSnapshot({ db: small, dir: join(dir, 'small'), clock: systemClock });
    const target = await fresh();
    await restoreBackup(target, backup.dataPath, restoreOptions, systemClock);
    await target.kysely
      .updateTable('mediciones')
      .set({ temperatura: 99.9 })
      .where('id', 'in', [10, 20])
      .execute();
    await target.kysely.deleteFrom('mediciones').where('id', '=', 30).execute();
    const before = await allRows(target);

    const dry = await restoreBackup(target, backup.dataPath, { dryRun: true, overwrite: true }, systemClock);
    assert.deepEqual([dry.inserted, dry.identical, dry.overwritten, dry.conflicts], [1, 497, 2, 0]);
    assert.deepEqual(await allRows(target), before, 'a dry run writes nothing');

    const kept = await restoreBackup(target, backup.dataPath, restoreOptions, systemClock);
    assert.deepEqual([kept.inserted, kept.identical, kept.overwritten, kept.conflicts], [1, 497, 0, 2]);
    assert.match(
      kept.conflictSamples[0]?.detail ?? '',
      /^temperatura -?[\d.]+ in the backup, 99.9 in the database$/,
    );
    assert.deepEqual(
      kept.conflictSamples.map((conflict) => conflict.id),
      [10, 20],
    );
    assert.equal((await allRows(target)).filter((row) => row.temperatura === 99.9).length, 2);

    const replaced = await restoreBackup(
      target,
      backup.dataPath,
      { dryRun: false, overwrite: true },
      systemClock,
    );
    assert.deepEqual([replaced.inserted, replaced.overwritten, replaced.conflicts], [0, 2, 0]);
    assert.deepEqual((await allRows(target)).map(backedUpPart), (await allRows(small)).map(backedUpPart));
  });

  it('leaves alone a row whose reading is stored under another id', async () => {
    const small = await fresh();
    await seedReadings(small, 20);
    const backup = await writeSnapshot({ db: small, dir: join(dir, 'moved'), clock: systemClock });
    const target = await fresh();
    // The same reading, stored by the sensor before the restore, got id 1 there.
    await createReadingsRepository(target).insertBatch([generatedReading(4)]);
    const report = await restoreBackup(target, backup.dataPath, restoreOptions, systemClock);
    assert.deepEqual([report.inserted, report.conflicts], [18, 2]);
    const details = report.conflictSamples.map((c) => `${c.id}: ${c.detail}`).join('\n');
    assert.match(details, /^1: ciudad Bogota in the backup, Manizales in the database, /m);
    assert.match(details, /^5: the same reading \(Manizales at 2025-12-08 00:00:00\) is stored under id 1$/m);

    const replaced = await restoreBackup(
      target,
      backup.dataPath,
      { dryRun: false, overwrite: true },
      systemClock,
    );
    assert.deepEqual([replaced.inserted, replaced.overwritten, replaced.conflicts], [1, 1, 0]);
    assert.deepEqual((await allRows(target)).map(backedUpPart), (await allRows(small)).map(backedUpPart));
  });

  it('holds exactly the rows committed before its read began while a writer inserts as fast as it can', async () => {
    const target = await dialect.freshTarget();
    const writer = await openMigrated(target);
    const reader = openDb(target);
    open.push(writer, reader);
    const initial = 20_000;
    await seedReadings(writer, initial);
    const repository = createReadingsRepository(writer);
    let committed = initial;
    let writing = true;
    const writes = (async () => {
      while (writing) {
        // Fresh keys only: ids then have no gaps, so a gap in the snapshot would be a torn read.
        await repository.insertBatch([generatedReading(committed)]);
        committed++;
        // Lets the event loop run: in-process SQLite would otherwise never yield to the backup.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    while (committed < initial + 20) await new Promise((resolve) => setTimeout(resolve, 5));

    const before = committed;
    const snapshot = await writeSnapshot({
      db: reader,
      dir: join(dir, 'busy'),
      clock: systemClock,
      pageSize: 500,
    });
    const afterSnapshot = committed;
    writing = false;
    await writes;

    const rows = JSON.parse(readFileSync(snapshot.dataPath, 'utf8')) as { id: number }[];
    const { rowCount, maxId } = snapshot.manifest;
    assert.equal(rows.length, rowCount);
    assert.equal(maxId, rowCount, 'max id and count agree');
    assert.ok(
      rows.every((row, i) => row.id === i + 1),
      'no gaps below the max id',
    );
    assert.ok(
      before <= rowCount && rowCount <= afterSnapshot,
      `${before} <= ${rowCount} <= ${afterSnapshot}`,
    );
    assert.ok(afterSnapshot > rowCount, 'the writer committed rows while the snapshot was read');
    const stored = (await allRows(writer)).slice(0, rowCount);
    assert.deepEqual(
      rows,
      stored.map((row) => ({
        id: row.id,
        ciudad: row.ciudad,
        temperatura: row.temperatura,
        humedad: row.humedad,
        fecha_registro: row.fecha_registro,
      })),
    );
  });
}
