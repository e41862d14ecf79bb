import { readFile, stat } from 'node:fs/promises';
import { fileErrorReason } from '../core/file-error.js';
import { type Manifest, parseManifest } from './manifest.js';
import { type ReadOptions, type ReadSummary, readBackup } from './read-backup.js';
import { dataPathOf, manifestPathOf } from './snapshot-files.js';

/** What checking a backup found. */
export interface Verification {
  /** The data file (a manifest's path given on the command line names its data file). */
  readonly dataPath: string;
  readonly manifestPath: string;
  /** Undefined when there is no manifest, or it could not be read. */
  readonly manifest: Manifest | undefined;
  /** Undefined when the data file could not be read at all. */
  readonly summary: ReadSummary | undefined;
  /** Everything wrong, each naming the problem; empty when the backup is good. */
  readonly problems: readonly string[];
  /** No manifest: the content is a well-formed paper array, but nothing proves it complete. */
  readonly unverified: boolean;
}

/**
 * Checks a backup: its manifest parses, and the data file has the manifest's size, SHA-256, row
 * count, id and date bounds, and is the paper's format row by row. A plain paper-format file
 * without a manifest has no problems when it parses, but is `unverified`.
 */
export async function verifyBackup(
  path: string,
  options: Omit<ReadOptions, 'onRows' | 'onRow' | 'afterRows'> = {},
): Promise<Verification> {
  const dataPath = dataPathOf(path);
  const manifestPath = manifestPathOf(dataPath);
  const problems: string[] = [];
  const result = (manifest: Manifest | undefined, summary: ReadSummary | undefined, unverified: boolean) => ({
    dataPath,
    manifestPath,
    manifest,
    summary,
    problems,
    unverified,
  });

  try {
    const info = await stat(dataPath);
    if (!info.isFile()) problems.push(`${dataPath} is not a file`);
  } catch (error) {
    problems.push(`cannot read ${dataPath}: ${fileErrorReason(error)}`);
  }
  if (problems.length > 0) return result(undefined, undefined, false);

  let manifest: Manifest | undefined;
  let unverified = false;
  try {
    manifest = parseManifest(await readFile(manifestPath, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') unverified = true;
    else problems.push(`the manifest ${manifestPath} is not valid: ${(error as Error).message}`);
  }

  const summary = await readBackup(dataPath, options);
  if (manifest !== undefined) problems.push(...againstManifest(summary, manifest));
  if (summary.problem !== undefined) problems.push(summary.problem);
  return result(manifest, summary, unverified);
}

/** Where the file disagrees with its manifest. */
function againstManifest(summary: ReadSummary, manifest: Manifest): string[] {
  const problems: string[] = [];
  if (summary.bytes !== manifest.bytes) {
    const hint = summary.bytes < manifest.bytes ? ': truncated' : '';
    problems.push(`the file has ${summary.bytes} bytes, the manifest says ${manifest.bytes}${hint}`);
  }
  if (summary.sha256 !== manifest.sha256) {
    problems.push(
      'its SHA-256 differs from the manifest: the file was changed or damaged after it was written',
    );
  }
  // Counts and bounds are only comparable when the whole content was read.
  if (summary.problem !== undefined) return problems;
  const compared = [
    ['rows', summary.rowCount, manifest.rowCount],
    ['smallest id', summary.minId, manifest.minId],
    ['largest id', summary.maxId, manifest.maxId],
    ['earliest fecha_registro', summary.minFechaRegistro, manifest.minFechaRegistro],
    ['latest fecha_registro', summary.maxFechaRegistro, manifest.maxFechaRegistro],
  ] as const;
  for (const [what, found, expected] of compared) {
    if (found !== expected) problems.push(`${what}: ${found} in the file, ${expected} in the manifest`);
  }
  if (manifest.sources !== null) {
    const runs = manifest.sources;
    const ascending = runs.every((run, i) => i === 0 || run.fromId > (runs[i - 1]?.fromId ?? 0));
    const starts = manifest.rowCount === 0 ? runs.length === 0 : runs[0]?.fromId === manifest.minId;
    if (!ascending || !starts)
      problems.push("the manifest's sources do not start at the smallest id and ascend");
  }
  return problems;
}
