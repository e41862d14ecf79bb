import { createHash } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { tempName } from './snapshot-files.js';

/** A file being written under a temporary name in its final folder, hashed as it is written. */
export interface PendingFile {
  readonly tempPath: string;
  /** Bytes written out so far: all of them once finished. */
  readonly bytes: number;
  write(text: string): Promise<void>;
  /** Writes out what is buffered, fsyncs and closes the file; resolves with its hex SHA-256. */
  finish(): Promise<string>;
  /** Closes and deletes the temporary file; never rejects. */
  discard(): Promise<void>;
}

/** Text is gathered into writes of about this size: few system calls, little memory. */
const FLUSH_CHARS = 1 << 20;

/** Creates `dir/.<finalName>.<pid>-<random>.tmp`, failing if it exists. */
export async function createPendingFile(dir: string, finalName: string): Promise<PendingFile> {
  const tempPath = join(dir, tempName(finalName));
  const handle = await open(tempPath, 'wx', 0o644);
  const hash = createHash('sha256');
  let pending: string[] = [];
  let pendingChars = 0;
  let written = 0;
  let closed = false;
  // One chunk is written while the next is gathered, so the disk and the database work together.
  let writing: Promise<void> = Promise.resolve();

  async function writeOut(chunk: Buffer): Promise<void> {
    // write(2) may write less than asked (a nearly full disk): the rest goes in the next call,
    // which then reports ENOSPC.
    for (let offset = 0; offset < chunk.length; ) {
      offset += (await handle.write(chunk, offset, chunk.length - offset)).bytesWritten;
    }
    written += chunk.length;
  }

  /** Starts writing what is gathered; resolves once the chunk before it is written. */
  function flush(): Promise<void> {
    const previous = writing;
    if (pending.length === 0) return previous;
    const chunk = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    pendingChars = 0;
    hash.update(chunk);
    writing = previous.then(() => writeOut(chunk));
    // Marked as handled: its failure surfaces where it is awaited, never as an unhandled rejection.
    writing.catch(() => undefined);
    return previous;
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
    async write(text) {
      pending.push(text);
      pendingChars += text.length;
      if (pendingChars >= FLUSH_CHARS) await flush();
    },
    async finish() {
      await flush();
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
