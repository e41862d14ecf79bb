import { access, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory } from './durable-file.js';
import { parseManifest } from './manifest.js';
import {
  dataPathOf,
  isManifestName,
  isSnapshotName,
  isTempName,
  listSnapshots,
  manifestPathOf,
  type SnapshotFile,
} from './snapshot-files.js';

/** A temporary file nobody has written to for this long was left by a process that died. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Keeps the newest `keep` snapshots of database `databaseId` in `dir` and deletes its older ones,
 * data file first so a crash halfway leaves a manifest without data (ignored, and deleted next
 * time) rather than a snapshot that cannot be verified. Snapshots whose manifest names another
 * database are that database's to prune; those whose origin is unknown (no manifest, one that
 * does not parse, or a version 1 manifest written before origins were recorded) are never
 * deleted: nothing proves they are this database's, and they may be the only copy of another's.
 * Also deletes what crashed writers left: manifests without data, and temporary files untouched
 * for an hour. Call it only after a new snapshot is complete. Resolves with the names of the
 * snapshots deleted.
 */
export async function applyRetention(
  dir: string,
  keep: number,
  nowMs: number,
  databaseId: string,
): Promise<string[]> {
  const own: SnapshotFile[] = [];
  for (const snapshot of await listSnapshots(dir)) {
    if ((await originIdOf(join(dir, snapshot.name))) === databaseId) own.push(snapshot);
  }
  const deleted: string[] = [];
  for (const { name } of own.slice(keep)) {
    await removeIfPresent(join(dir, name));
    await removeIfPresent(manifestPathOf(join(dir, name)));
    deleted.push(name);
  }
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const data = dataPathOf(name);
    if (isManifestName(name) && isSnapshotName(data)) {
      // A manifest is published after its data file, so one without data is a leftover.
      if (!(await exists(join(dir, data)))) await removeIfPresent(path);
    } else if (isTempName(name)) {
      const modified = await stat(path).then(
        (info) => info.mtimeMs,
        () => nowMs,
      );
      if (nowMs - modified > STALE_TEMP_MS) await removeIfPresent(path);
    }
  }
  if (deleted.length > 0) await syncDirectory(dir);
  return deleted;
}

/** The database id the snapshot's manifest names; undefined when it names none or cannot be read. */
async function originIdOf(dataPath: string): Promise<string | undefined> {
  try {
    return parseManifest(await readFile(manifestPathOf(dataPath), 'utf8')).origin?.databaseId;
  } catch {
    return undefined;
  }
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
