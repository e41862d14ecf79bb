import { readdir } from 'node:fs/promises';

/** `mediciones-20251208T104116Z.json`, or `...Z-2.json` for a later snapshot taken in the same second. */
const SNAPSHOT_NAME = /^mediciones-(\d{8}T\d{6}Z)(?:-(\d+))?\.json$/;
const MANIFEST_SUFFIX = '.manifest.json';

/** A snapshot's data file in a backup folder. */
export interface SnapshotFile {
  readonly name: string;
  readonly stamp: string;
  readonly sequence: number;
}

/** The data file name of a snapshot taken at `instant` (UTC, to the second); `sequence` > 0 tells apart snapshots of one second. */
export function snapshotName(instant: Date, sequence = 0): string {
  const stamp = instant
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `mediciones-${stamp}${sequence > 0 ? `-${sequence}` : ''}.json`;
}

/** The manifest beside a data file: `X.json` -> `X.manifest.json`. */
export function manifestPathOf(dataPath: string): string {
  return `${dataPath.replace(/\.json$/, '')}${MANIFEST_SUFFIX}`;
}

/** The data file a path names: itself, or the data file of a manifest. */
export function dataPathOf(path: string): string {
  return path.endsWith(MANIFEST_SUFFIX) ? `${path.slice(0, -MANIFEST_SUFFIX.length)}.json` : path;
}

/**
 * A temporary name in the same folder (a rename never crosses file systems): hidden, and never
 * matching a snapshot's name, so nothing mistakes a file being written for a finished one.
 */
export function tempName(finalName: string): string {
  return `.${finalName}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`;
}

export function isSnapshotName(name: string): boolean {
  return SNAPSHOT_NAME.test(name);
}

export function isTempName(name: string): boolean {
  return name.startsWith('.mediciones-') && name.endsWith('.tmp');
}

export function isManifestName(name: string): boolean {
  return name.startsWith('mediciones-') && name.endsWith(MANIFEST_SUFFIX);
}

/** The snapshots in `dir`, newest first (by the time in their names). */
export async function listSnapshots(dir: string): Promise<SnapshotFile[]> {
  const names = await readdir(dir);
  return names
    .flatMap((name): SnapshotFile[] => {
      const match = SNAPSHOT_NAME.exec(name);
      return match ? [{ name, stamp: match[1] ?? '', sequence: Number(match[2] ?? 0) }] : [];
    })
    .sort((a, b) => (a.stamp === b.stamp ? b.sequence - a.sequence : a.stamp < b.stamp ? 1 : -1));
}
