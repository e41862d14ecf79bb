import { createHash } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { tempName } from './snapshot-files.js';

/** A file being written under a temporary name in its final folder, hashed as it is written. */
export interface PendingFile {
  readonly tempPath: string;
  /** Bytes written out so far: all of them once finished. */
  readonly bytes: number;
  /**
   * Hashes `data` and queues it to be written; resolves once the chunk before it is written, so
   * at most two chunks wait in memory. `written` is called once the file holds `data` (written,
   * not yet synced; never after a failure): the caller may then reuse its memory.
   */
  write(data: Buffer | string, written?: () => void): Promise<void>;
  /** Waits for the queued writes, fsyncs and closes the file; resolves with its hex SHA-256. */
  finish(): Promise<string>;
  /** Closes and deletes the temporary file; never rejects. */
  discard(): Promise<void>;
}

/** Creates `dir/.<finalName>.<pid>-<random>.tmp`, failing if it exists. */
export async function createPendingFile(dir: string, finalName: string): Promise<PendingFile> {
  const tempPath = join(dir, tempName(finalName));
  const handle = await open(tempPath, 'wx', 0o644);
  const hash = createHash('sha256');
  let written = 0;
  let closed = false;
  // One chunk is written while the next is encoded, so the disk and the database work together.
  let writing: Promise<void> = Promise.resolve();

  async function writeOut(chunk: Buffer): Promise<void> {
    // write(2) may write less than asked (a nearly full disk): the rest goes in the next call,
    // which then reports ENOSPC.
    for (let offset = 0; offset < chunk.length; ) {
      offset += (await handle.write(chunk, offset, chunk.length - offset)).bytesWritten;
    }
    written += chunk.length;
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await handle.close();
  }

  return {
    tempPath,
    get bytes() {
      return written;
    },
    async write(data, written) {
      const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      if (chunk.length === 0) {
        written?.();
        return;
      }
      hash.update(chunk);
      const previous = writing;
      writing = previous.then(() => writeOut(chunk)).then(written);
      // Marked as handled: its failure surfaces where it is awaited, never as an unhandled rejection.
      writing.catch(() => undefined);
      await previous;
    },
    async finish() {
      await writing;
      await handle.sync();
      await close();
      return hash.digest('hex');
    },
    async discard() {
      await writing.catch(() => undefined);
      await close().catch(() => undefined);
      await unlink(tempPath).catch(() => undefined);
    },
  };
}

/**
 * Gives a finished file its final name and makes the rename durable: after this resolves, a
 * crash leaves the file under its final name, complete.
 */
export async function publish(tempPath: string, finalPath: string, dir: string): Promise<void> {
  await rename(tempPath, finalPath);
  await syncDirectory(dir);
}

/** fsync of a folder: makes the names created, renamed or deleted in it durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems (and platforms) cannot fsync a folder; the data itself is synced.
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
  } finally {
    await handle.close();
  }
}
