import { access, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { makeDirectory } from '../core/make-directory.js';
import { createBackupRepository, type SnapshotReading } from '../db/backup-repository.js';
import { type DatabaseOrigin, readDatabaseOrigin } from '../db/database-identity.js';
import type { Database } from '../db/open-db.js';
import { createPendingFile, type PendingFile, publish } from './durable-file.js';
import { appVersion, formatManifest, MANIFEST_VERSION, type Manifest, type SourceRun } from './manifest.js';
import { createPaperEncoder } from './paper-format.js';
import { manifestPathOf, snapshotName } from './snapshot-files.js';

/** What taking a snapshot needs. */
export interface SnapshotDeps {
  /** On SQLite, a database of its own: the snapshot's read transaction holds its connection. */
  readonly db: Database;
  readonly dir: string;
  readonly clock: Clock;
  /** Rows per page read from the database (default 5,000). */
  readonly pageSize?: number;
  /** Aborting stops the snapshot between two pages; nothing is left behind. */
  readonly signal?: AbortSignal;
  /** Called after each page with the rows written so far. */
  readonly onProgress?: (rows: number) => void;
}

/** A finished snapshot. */
export interface Snapshot {
  readonly dataPath: string;
  readonly manifestPath: string;
  /** A new manifest always knows its origin. */
  readonly manifest: Manifest & { readonly origin: DatabaseOrigin };
  readonly durationMs: number;
}

/** Why a snapshot failed, in one line an operator can act on; the original error is the cause. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

const DEFAULT_PAGE_SIZE = 5_000;
/** Beyond this many changes of source the manifest stops recording them (memory stays bounded). */
const MAX_SOURCE_RUNS = 100_000;

/**
 * Writes one consistent snapshot of `mediciones` into `dir` in the paper's format, with its
 * manifest (which also names the database it came from). Both are written under temporary names,
 * fsynced, then renamed (data first, manifest last, the folder fsynced after each): a file under a
 * final name is always complete, and a manifest under a final name always has its data beside it.
 * On any failure the temporary files are deleted and a `SnapshotError` names what went wrong.
 */
export async function writeSnapshot(deps: SnapshotDeps): Promise<Snapshot> {
  const { db, dir, clock, signal } = deps;
  const startedMs = clock.now();
  const createdAt = new Date(startedMs);
  const repository = createBackupRepository(db);
  const files: PendingFile[] = [];
  const published: string[] = [];
  const stats = createStats();
  try {
    makeDirectory(dir);
    const data = await createPendingFile(dir, snapshotName(createdAt));
    files.push(data);
    const encoder = createPaperEncoder();
    const writeOut = async (chunks: Buffer[]) => {
      for (const chunk of chunks) await data.write(chunk, () => encoder.recycle(chunk));
    };
    await repository.readSnapshot({ pageSize: deps.pageSize ?? DEFAULT_PAGE_SIZE, signal }, async (page) => {
      for (const reading of page) {
        encoder.add(reading);
        stats.add(reading);
      }
      await writeOut(encoder.take());
      deps.onProgress?.(stats.rowCount);
    });
    await writeOut(encoder.finish());
    const sha256 = await data.finish();
    // After the walk, so a database without the schema says so about its readings first.
    const origin = await readDatabaseOrigin(db);
    // Chosen now rather than at the start, so a snapshot finished meanwhile keeps its name.
    const dataPath = join(dir, await freeName(dir, createdAt));
    const manifestPath = manifestPathOf(dataPath);
    const manifest: Snapshot['manifest'] = {
      format: 'clima-backup-manifest',
      formatVersion: MANIFEST_VERSION,
      createdAt: createdAt.toISOString(),
      dataFile: basename(dataPath),
      bytes: data.bytes,
      sha256,
      rowCount: stats.rowCount,
      minId: stats.minId,
      maxId: stats.maxId,
      minFechaRegistro: stats.minFecha,
      maxFechaRegistro: stats.maxFecha,
      sourceDialect: db.dialect,
      appVersion: appVersion(),
      origin,
      sources: stats.sources,
    };
    const manifestFile = await createPendingFile(dir, basename(manifestPath));
    files.push(manifestFile);
    await manifestFile.write(formatManifest(manifest));
    await manifestFile.finish();
    await publish(data.tempPath, dataPath, dir);
    published.push(dataPath);
    await publish(manifestFile.tempPath, manifestPath, dir);
    return { dataPath, manifestPath, manifest, durationMs: clock.now() - startedMs };
  } catch (error) {
    await Promise.all(files.map((file) => file.discard()));
    // A snapshot whose manifest could not be published is not one: its data goes too.
    await Promise.all(published.map((path) => unlink(path).catch(() => undefined)));
    if (signal?.aborted) throw signal.reason;
    const message = (error as Error).message;
    const what = isFileError(error) ? `cannot write the snapshot in ${dir}` : 'cannot read the database';
    throw new SnapshotError(`${what}: ${message}`, { cause: error });
  }
}

/** The snapshot's name for `createdAt`, or the same with the next free sequence number. */
async function freeName(dir: string, createdAt: Date): Promise<string> {
  for (let sequence = 0; ; sequence++) {
    const name = snapshotName(createdAt, sequence);
    const taken = await Promise.all(
      [name, basename(manifestPathOf(name))].map((file) =>
        access(join(dir, file)).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (!taken.includes(true)) return name;
  }
}

/** Errors of the file system carry the system call that failed; the database's do not use these. */
function isFileError(error: unknown): boolean {
  const { syscall } = error as { syscall?: unknown };
  return ['open', 'write', 'fsync', 'close', 'rename', 'mkdir', 'access'].includes(String(syscall));
}

/** Counts and bounds of the rows written, and where their source changes. */
function createStats() {
  const runs: SourceRun[] = [];
  let lastSource: string | undefined;
  let overflow = false;
  const stats = {
    rowCount: 0,
    minId: null as number | null,
    maxId: null as number | null,
    minFecha: null as string | null,
    maxFecha: null as string | null,
    get sources(): SourceRun[] | null {
      return overflow ? null : runs;
    },
    add(reading: SnapshotReading): void {
      stats.rowCount++;
      stats.minId ??= reading.id;
      stats.maxId = reading.id;
      if (stats.minFecha === null || reading.takenAt < stats.minFecha) stats.minFecha = reading.takenAt;
      if (stats.maxFecha === null || reading.takenAt > stats.maxFecha) stats.maxFecha = reading.takenAt;
      if (reading.source === lastSource) return;
      lastSource = reading.source;
      if (overflow) return;
      if (runs.length === MAX_SOURCE_RUNS) {
        overflow = true;
        runs.length = 0;
      } else {
        runs.push({ fromId: reading.id, source: reading.source });
      }
    },
  };
  return stats;
}
