import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Manifest } from './manifest.js';
import type { PaperRow } from './paper-format.js';
import { createPaperParser, PaperFormatError } from './paper-parser.js';

/** What reading a backup's data file found: the facts a manifest records, up to the first problem. */
export type ReadSummary = Pick<
  Manifest,
  'bytes' | 'sha256' | 'rowCount' | 'minId' | 'maxId' | 'minFechaRegistro' | 'maxFechaRegistro'
> & {
  /** The first thing wrong with the content; undefined for a well-formed paper-format array. */
  readonly problem: string | undefined;
};

export interface ReadOptions {
  /** Receives the rows in file order, a chunk's worth at a time; reading waits for it. */
  readonly onRows?: (rows: PaperRow[]) => void | Promise<void>;
  /**
   * Receives each row in file order as it is read: the same object every time, refilled, so that
   * a million rows make no object each. Copy what must outlive the call.
   */
  readonly onRow?: (row: PaperRow) => void;
  /** Called once a chunk's rows have been handed to `onRow`; reading waits for it. */
  readonly afterRows?: () => void | Promise<void>;
  /** Bytes read so far, after each chunk. */
  readonly onBytes?: (bytes: number) => void;
  readonly signal?: AbortSignal;
}

// A chunk's rows are parsed (and, restoring, written into statements) in one go, a few ms of work:
// a database that answers meanwhile waits that long for its next statement.
const CHUNK_BYTES = 1 << 16;

/**
 * Reads a backup's data file in chunks, hashing every byte and parsing it as the paper's format.
 * After the first problem the rest is only hashed: `onRows` and `onRow` get no row past it. Rejects only
 * when the file cannot be read.
 */
export async function readBackup(path: string, options: ReadOptions = {}): Promise<ReadSummary> {
  const hash = createHash('sha256');
  const decoder = createUtf8Decoder();
  const parser = createPaperParser();
  let bytes = 0;
  let problem: string | undefined;
  let rowCount = 0;
  let minId: number | null = null;
  let maxId: number | null = null;
  let minFecha: string | null = null;
  let maxFecha: string | null = null;

  const parse = async (bytes: () => Buffer, end: boolean): Promise<void> => {
    if (problem !== undefined) return;
    try {
      const rows: PaperRow[] | undefined = options.onRows && [];
      parser.each(bytes(), (row) => {
        rowCount++;
        minId ??= row.id;
        maxId = row.id;
        if (minFecha === null || row.fecha_registro < minFecha) minFecha = row.fecha_registro;
        if (maxFecha === null || row.fecha_registro > maxFecha) maxFecha = row.fecha_registro;
        options.onRow?.(row);
        rows?.push({ ...row });
      });
      if (end) parser.finish();
      if (rows !== undefined && rows.length > 0) await options.onRows?.(rows);
      await options.afterRows?.();
    } catch (error) {
      if (!(error instanceof PaperFormatError)) throw error;
      problem = error.message;
    }
  };

  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES, signal: options.signal })) {
    const buffer = chunk as Buffer;
    bytes += buffer.length;
    hash.update(buffer);
    await parse(() => decoder.decode(buffer, bytes), false);
    options.onBytes?.(bytes);
  }
  await parse(() => decoder.end(bytes), true);
  return {
    bytes,
    sha256: hash.digest('hex'),
    rowCount,
    minId,
    maxId,
    minFechaRegistro: minFecha,
    maxFechaRegistro: maxFecha,
    problem,
  };
}

/**
 * Checks that chunks are UTF-8, refusing invalid bytes, and hands them on cut at whole characters.
 * The parser reads the bytes: decoding the file to text took longer than parsing it.
 */
function createUtf8Decoder() {
  let carry = Buffer.alloc(0);
  const invalid = (bytes: number) =>
    new PaperFormatError(`not UTF-8 text: invalid bytes within the first ${bytes} bytes`);
  return {
    /** `chunk` up to its last whole character; the rest waits for the next chunk. */
    decode(chunk: Buffer, bytesSoFar: number): Buffer {
      const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
      const end = bytes.length - incompleteTail(bytes);
      const whole = bytes.subarray(0, end);
      if (!isUtf8(whole)) throw invalid(bytesSoFar);
      carry = Buffer.from(bytes.subarray(end));
      return whole;
    },
    end(bytesSoFar: number): Buffer {
      if (carry.length > 0) throw invalid(bytesSoFar);
      return Buffer.alloc(0);
    },
  };
}

/** How many bytes at the end of `bytes` begin a character that continues past it (0 to 3). */
function incompleteTail(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}
