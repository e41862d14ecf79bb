import { tooLong } from '../core/too-long.js';
import { isStoredTimestamp } from '../db/timestamps.js';
import { PAPER_KEYS, type PaperRow } from './paper-format.js';
import { createPaperRowReader, INCOMPLETE, type RowFields } from './paper-row-reader.js';

/** The content is not a well-formed paper-format array; the message names the row and the problem. */
export class PaperFormatError extends Error {
  override readonly name = 'PaperFormatError';
}

/** No row of the paper's format comes near this; a longer one is refused before it fills memory. */
const MAX_ROW_BYTES = 64 * 1024;
const MAX_CITY_LENGTH = 100;

type State = 'start' | 'first' | 'after-row' | 'next' | 'end';

/**
 * An incremental parser of a JSON array of flat objects, fed UTF-8 bytes in chunks of any size:
 * memory holds one row at a time. Any JSON layout is read (not only the one clima writes); each
 * row must have exactly the paper's five keys with values of the right type, and ids must ascend.
 * `feed` and `finish` throw a `PaperFormatError` on the first problem. The bytes must be valid
 * UTF-8 (`readBackup` checks them).
 */
export function createPaperParser() {
  let state: State = 'start';
  // The bytes of a row that a chunk ended inside of, from its `{`: read again with the next chunk.
  let unfinished: Buffer | undefined;
  let rows = 0;
  let previousId = 0;
  // The last `fecha_registro` found good: the rows of one second follow each other.
  let checkedFecha: string | undefined;
  const fail = (message: string): never => {
    throw new PaperFormatError(message);
  };
  const rowReader = createPaperRowReader((message) => fail(`row ${rows + 1}${message}`));

  function each(chunk: Buffer, onRow: (row: PaperRow) => void): void {
    const bytes = unfinished === undefined ? chunk : Buffer.concat([unfinished, chunk]);
    unfinished = undefined;
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i] as number;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if ((state === 'first' || state === 'next') && c === 0x7b) {
        const end = rowReader.read(bytes, i);
        if (end === INCOMPLETE) {
          if (bytes.length - i > MAX_ROW_BYTES) fail(`row ${rows + 1} is longer than ${MAX_ROW_BYTES} bytes`);
          unfinished = Buffer.from(bytes.subarray(i));
          break;
        }
        rows++;
        const row = checkRow(rowReader.fields(), rows, fail, checkedFecha);
        checkedFecha = row.fecha_registro;
        if (row.id <= previousId) {
          fail(
            `row ${rows}: id ${row.id} does not follow id ${previousId} (ids must be unique and ascending)`,
          );
        }
        previousId = row.id;
        onRow(row);
        state = 'after-row';
        i = end - 1;
        continue;
      }
      const char = String.fromCharCode(c);
      if (state === 'start') {
        if (c !== 0x5b) fail(notAnArray(char));
        state = 'first';
      } else if (state === 'first' && c === 0x5d) {
        state = 'end';
      } else if (state === 'after-row' && c === 0x2c) {
        state = 'next';
      } else if (state === 'after-row' && c === 0x5d) {
        state = 'end';
      } else if (state === 'end') {
        fail(`unexpected ${JSON.stringify(char)} after the array's closing ]`);
      } else {
        fail(
          `row ${rows + 1}: expected ${state === 'after-row' ? '"," or "]"' : 'an object'}, found ${JSON.stringify(char)}`,
        );
      }
    }
  }

  return {
    /** Parses the next piece of the file; returns the rows it completed. */
    feed(chunk: Buffer): PaperRow[] {
      const done: PaperRow[] = [];
      each(chunk, (row) => done.push({ ...row }));
      return done;
    },
    /**
     * Parses the next piece of the file, handing each row it completes to `onRow`: the same
     * object every time, refilled, so that reading a million rows makes no object per row. Copy
     * what must outlive the call.
     */
    each,
    /** The input has ended: throws unless it was one whole array. Resolves with the row count. */
    finish(): number {
      if (state === 'end') return rows;
      if (unfinished !== undefined) fail(`the file ends inside row ${rows + 1}: truncated`);
      if (state === 'start') fail('the file is empty: not a JSON array');
      return fail(`the file ends after row ${rows} without the array's closing ]: truncated`);
    },
  };
}

function notAnArray(char: string | undefined): string {
  return char === '{'
    ? 'not a JSON array: the file holds one object; a backup is an array of rows'
    : `not JSON: the file starts with ${JSON.stringify(char)} where a JSON array starts with "["`;
}

/** The row if `fields` are one of the paper's rows; else fails naming the key and what it must be. */
function checkRow(
  fields: RowFields,
  row: number,
  fail: (message: string) => never,
  goodFecha: string | undefined,
): PaperRow {
  const object = fields.values;
  const problem = problemOf(fields, goodFecha);
  // The message is built only for a bad row: a restore checks millions of rows that are fine.
  if (problem !== undefined)
    fail(`row ${row}${typeof object.id === 'number' ? ` (id ${object.id})` : ''}: ${problem}`);
  // The reader's own object, holding the five keys and no other.
  return object as unknown as PaperRow;
}

/** What is wrong with a row, or undefined; `goodFecha` is known to be a good `fecha_registro`. */
function problemOf(fields: RowFields, goodFecha: string | undefined): string | undefined {
  const object = fields.values;
  if (fields.unknownKey !== undefined) {
    return `unexpected key "${fields.unknownKey}" (the paper's keys are ${PAPER_KEYS.join(', ')})`;
  }
  const { id, ciudad, temperatura, humedad, fecha_registro } = object;
  // Named one by one: a lookup by a key held in a variable is slow, and this runs for every row.
  if (
    id === undefined ||
    ciudad === undefined ||
    temperatura === undefined ||
    humedad === undefined ||
    fecha_registro === undefined
  ) {
    return `missing key "${PAPER_KEYS.find((key) => object[key] === undefined)}"`;
  }
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1)
    return bad('id', 'a whole number >= 1', id);
  if (
    typeof ciudad !== 'string' ||
    ciudad === '' ||
    ciudad !== ciudad.trim() ||
    tooLong(ciudad, MAX_CITY_LENGTH)
  ) {
    return bad('ciudad', `a trimmed name of 1 to ${MAX_CITY_LENGTH} characters`, ciudad);
  }
  if (typeof temperatura !== 'number' || !(temperatura >= -100 && temperatura <= 100)) {
    return bad('temperatura', 'a number of degrees Celsius from -100 to 100', temperatura);
  }
  if (typeof humedad !== 'number' || !Number.isInteger(humedad) || humedad < 0 || humedad > 100) {
    return bad('humedad', 'a whole number from 0 to 100', humedad);
  }
  if (
    fecha_registro !== goodFecha &&
    (typeof fecha_registro !== 'string' || !isStoredTimestamp(fecha_registro))
  ) {
    return bad('fecha_registro', 'a UTC time "YYYY-MM-DD HH:MM:SS"', fecha_registro);
  }
  return undefined;
}

function bad(key: string, expected: string, got: unknown): string {
  return `"${key}" must be ${expected}, got ${JSON.stringify(got)}`;
}
