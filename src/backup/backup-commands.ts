import { stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Clock } from '../core/clock.js';
import { readDatabaseOrigin } from '../db/database-identity.js';
import type { Database } from '../db/open-db.js';
import { describeOrigin, type Manifest } from './manifest.js';
import { createProgressBar, type MaybeTty } from './progress-bar.js';
import { type RestoreReport, restoreBackup, UNKNOWN_SOURCE } from './restore-backup.js';
import { dataPathOf } from './snapshot-files.js';
import { takeBackup } from './take-backup.js';
import { verifyBackup } from './verify-backup.js';
import { SnapshotError } from './write-snapshot.js';

/** Where a one-shot command reports: the summary on stdout; problems and progress on stderr. */
export interface CommandIo {
  readonly stdout: Writable;
  readonly stderr: MaybeTty;
}

/** `clima backup --once`: one snapshot and retention. Exit 0 when written, 1 when not. */
export async function backupOnceCommand(
  deps: { readonly db: Database; readonly dir: string; readonly keep: number; readonly clock: Clock },
  io: CommandIo,
): Promise<number> {
  try {
    const run = await takeBackup(deps);
    const { manifest, dataPath, durationMs } = run.snapshot;
    const ids = manifest.minId === null ? 'no readings' : `ids ${manifest.minId}..${manifest.maxId}`;
    io.stdout.write(
      `${dataPath}: ${count(manifest.rowCount)} rows (${ids}), ${count(manifest.bytes)} bytes, in ${seconds(durationMs)}\n`,
    );
    if (run.deleted.length > 0)
      io.stdout.write(`deleted ${run.deleted.length} older snapshot(s): ${run.deleted.join(', ')}\n`);
    if (run.retentionError === undefined) return 0;
    io.stderr.write(
      `clima: the snapshot is written, but deleting older ones failed: ${run.retentionError.message}\n`,
    );
    return 1;
  } catch (error) {
    if (!(error instanceof SnapshotError)) throw error;
    io.stderr.write(`clima: backup failed, no snapshot written: ${error.message}\n`);
    return 1;
  }
}

/** `clima backup verify FILE`. Exit 0 when the snapshot is good, 1 with every problem found. */
export async function verifyCommand(file: string, io: CommandIo): Promise<number> {
  const bar = createProgressBar(io.stderr);
  const size = await stat(dataPathOf(file)).then(
    (info) => info.size,
    () => 0,
  );
  const verification = await verifyBackup(file, {
    onBytes: (done) => bar.update('verifying', done, size, 'bytes'),
  });
  bar.clear();
  const { dataPath, manifest, summary, problems } = verification;
  if (problems.length > 0) {
    io.stderr.write(
      `clima: ${dataPath} is not a good backup:\n${problems.map((p) => `  - ${p}\n`).join('')}`,
    );
    return 1;
  }
  if (manifest === undefined || summary === undefined) {
    io.stderr.write(
      `clima: ${dataPath} has no manifest (${verification.manifestPath}): it is a well-formed paper-format array of ${count(summary?.rowCount ?? 0)} rows, but nothing proves it complete\n`,
    );
    return 1;
  }
  const span =
    manifest.minId === null
      ? 'no readings'
      : `ids ${manifest.minId}..${manifest.maxId}, fecha_registro ${manifest.minFechaRegistro} to ${manifest.maxFechaRegistro}`;
  io.stdout.write(
    `${dataPath}: good: ${count(manifest.rowCount)} rows (${span}), ${count(manifest.bytes)} bytes, SHA-256 as in its manifest (taken ${manifest.createdAt} from ${manifest.sourceDialect} by clima ${manifest.appVersion})\n`,
  );
  io.stdout.write(`  from: ${describeOrigin(manifest.origin)}\n`);
  return 0;
}

/** `clima restore FILE`. Exit 0 when every row is restored (or already there), 1 otherwise. */
export async function restoreCommand(
  db: Database,
  file: string,
  options: { readonly dryRun: boolean; readonly overwrite: boolean },
  io: CommandIo,
  clock: Clock,
): Promise<number> {
  const bar = createProgressBar(io.stderr);
  let report: RestoreReport;
  try {
    report = await restoreBackup(
      db,
      file,
      {
        ...options,
        onProgress: ({ phase, done, total }) =>
          bar.update(phase, done, total, phase === 'verifying' ? 'bytes' : 'rows'),
      },
      clock,
    );
  } catch (error) {
    bar.clear();
    io.stderr.write(
      `clima: restore failed: ${(error as Error).message}\n(rows restored before the failure stay; running the restore again skips them)\n`,
    );
    return 1;
  } finally {
    bar.clear();
  }
  const { verification } = report;
  if (report.refused) {
    const problems = verification.problems.map((problem) => `  - ${problem}\n`).join('');
    io.stderr.write(`clima: refusing to restore ${verification.dataPath}, nothing was written:\n${problems}`);
    return 1;
  }
  if (verification.unverified) {
    io.stderr.write(
      `clima: warning: ${verification.dataPath} has no manifest, so it cannot be verified: it parses as the paper's format, but nothing proves it complete\n`,
    );
  }
  if (!report.sourcesKnown) {
    io.stderr.write(
      `clima: warning: the backup does not record sources: its new rows are stored as ${UNKNOWN_SOURCE}\n`,
    );
  }
  io.stdout.write(summary(report));
  io.stdout.write(await originLines(verification.manifest, db));
  for (const problem of report.problems) io.stderr.write(`clima: ${problem}\n`);
  if (report.conflicts > 0) {
    io.stderr.write(
      `clima: ${count(report.conflicts)} row(s) of the backup differ from the database and were left alone${options.overwrite ? '' : ' (--overwrite replaces rows with the same id)'}\n`,
    );
  }
  return report.problems.length > 0 || report.conflicts > 0 ? 1 : 0;
}

function summary(report: RestoreReport): string {
  const { dryRun } = report;
  const rate = report.durationMs > 0 ? Math.round((report.rows * 1000) / report.durationMs) : report.rows;
  const lines = [
    `${dryRun ? 'dry run, nothing written: ' : ''}${report.verification.dataPath}: ${count(report.rows)} rows in ${seconds(report.durationMs)} (${count(rate)} rows/s)`,
    `  ${dryRun ? 'would insert' : 'inserted'}: ${count(report.inserted)}`,
    `  already there, identical: ${count(report.identical)}`,
    `  ${dryRun ? 'would overwrite' : 'overwritten'}: ${count(report.overwritten)}`,
    `  conflicts, left alone: ${count(report.conflicts)}`,
    ...report.conflictSamples.map((conflict) => `    id ${conflict.id}: ${conflict.detail}`),
  ];
  const unlisted = report.conflicts - report.conflictSamples.length;
  if (unlisted > 0) lines.push(`    and ${count(unlisted)} more`);
  return `${lines.join('\n')}\n`;
}

/**
 * Where the snapshot came from and where it went. Restoring into another database is what a
 * restore is for, so a different id is only said, not refused.
 */
async function originLines(manifest: Manifest | undefined, db: Database): Promise<string> {
  const from = manifest === undefined ? 'unknown (no manifest)' : describeOrigin(manifest.origin);
  let into: string;
  try {
    const target = await readDatabaseOrigin(db);
    const same = target.databaseId === manifest?.origin?.databaseId;
    into = `${describeOrigin(target)}${same ? ', the same database' : ''}`;
  } catch (error) {
    into = `${db.dialect}, ${db.location} (its id cannot be read: ${(error as Error).message})`;
  }
  return `  from: ${from}\n  into: ${into}\n`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
