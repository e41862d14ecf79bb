import { tooLong } from '../core/too-long.js';
import { isStoredTimestamp } from '../db/timestamps.js';
import { PAPER_KEYS, type PaperRow } from './paper-format.js';

/** The content is not a well-formed paper-format array; the message names the row and the problem. */
export class PaperFormatError extends Error {
  override readonly name = 'PaperFormatError';
}

/** No row of the paper's format comes near this; a longer one is refused before it fills memory. */
const MAX_ROW_CHARS = 64 * 1024;
const MAX_CITY_LENGTH = 100;

type State = 'start' | 'first' | 'row' | 'after-row' | 'next' | 'end';

/**
 * An incremental parser of a JSON array of flat objects, fed text in chunks of any size: memory
 * holds one row at a time. Any JSON layout is read (not only the one clima writes); each row must
 * have exactly the paper's five keys with values of the right type, and ids must ascend.
 * `feed` and `finish` throw a `PaperFormatError` on the first problem.
 */
export function createPaperParser() {
  let state: State = 'start';
  let rowText = '';
  let inString = false;
  let escaped = false;
  let rows = 0;
  let previousId = 0;

  const fail = (message: string): never => {
    throw new PaperFormatError(message);
  };

  function endRow(text: string): PaperRow {
    rows++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return fail(`row ${rows} is not valid JSON (${(error as Error).message})`);
    }
    const row = checkRow(value, rows, fail);
    if (row.id <= previousId) {
      fail(`row ${rows}: id ${row.id} does not follow id ${previousId} (ids must be unique and ascending)`);
    }
    previousId = row.id;
    return row;
  }

  return {
    /** Parses the next piece of text; returns the rows it completed. */
    feed(text: string): PaperRow[] {
      const done: PaperRow[] = [];
      let rowStart = state === 'row' ? 0 : -1;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (state === 'row') {
          if (inString) {
            if (escaped) escaped = false;
            else if (c === 0x5c) escaped = true;
            else if (c === 0x22) inString = false;
          } else if (c === 0x22) {
            inString = true;
          } else if (c === 0x7d) {
            done.push(endRow(rowText + text.slice(rowStart, i + 1)));
            rowText = '';
            state = 'after-row';
          } else if (c === 0x7b || c === 0x5b) {
            fail(
              `row ${rows + 1}: a value is an object or an array; the paper's values are numbers and strings`,
            );
          }
          continue;
        }
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
        const char = text[i];
        if (state === 'start') {
          if (c !== 0x5b) fail(notAnArray(char));
          state = 'first';
        } else if ((state === 'first' || state === 'next') && c === 0x7b) {
          state = 'row';
          rowStart = i;
          inString = false;
          escaped = false;
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
      if (state === 'row') {
        rowText += text.slice(rowStart);
        if (rowText.length > MAX_ROW_CHARS)
          fail(`row ${rows + 1} is longer than ${MAX_ROW_CHARS} characters`);
      }
      return done;
    },
    /** The input has ended: throws unless it was one whole array. Resolves with the row count. */
    finish(): number {
      if (state === 'end') return rows;
      if (state === 'start') fail('the file is empty: not a JSON array');
      if (state === 'row') fail(`the file ends inside row ${rows + 1}: truncated`);
      return fail(`the file ends after row ${rows} without the array's closing ]: truncated`);
    },
  };
}

function notAnArray(char: string | undefined): string {
  return char === '{'
    ? 'not a JSON array: the file holds one object; a backup is an array of rows'
    : `not JSON: the file starts with ${JSON.stringify(char)} where a JSON array starts with "["`;
}

/** The row if `value` is one of the paper's rows; else fails naming the key and what it must be. */
function checkRow(value: unknown, row: number, fail: (message: string) => never): PaperRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`row ${row} is not an object`);
  const object = value as Record<string, unknown>;
  // Built only for a message: a restore checks millions of rows that are fine.
  const where = () => `row ${row}${typeof object.id === 'number' ? ` (id ${object.id})` : ''}`;
  for (const key of Object.keys(object)) {
    if (!(PAPER_KEYS as readonly string[]).includes(key)) {
      fail(`${where()}: unexpected key "${key}" (the paper's keys are ${PAPER_KEYS.join(', ')})`);
    }
  }
  for (const key of PAPER_KEYS) if (!(key in object)) fail(`${where()}: missing key "${key}"`);
  const { id, ciudad, temperatura, humedad, fecha_registro } = object;
  const bad = (key: string, expected: string, got: unknown): never =>
    fail(`${where()}: "${key}" must be ${expected}, got ${JSON.stringify(got)}`);
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) bad('id', 'a whole number >= 1', id);
  if (
    typeof ciudad !== 'string' ||
    ciudad === '' ||
    ciudad !== ciudad.trim() ||
    tooLong(ciudad, MAX_CITY_LENGTH)
  ) {
    bad('ciudad', `a trimmed name of 1 to ${MAX_CITY_LENGTH} characters`, ciudad);
  }
  if (typeof temperatura !== 'number' || !(temperatura >= -100 && temperatura <= 100)) {
    bad('temperatura', 'a number of degrees Celsius from -100 to 100', temperatura);
  }
  if (typeof humedad !== 'number' || !Number.isInteger(humedad) || humedad < 0 || humedad > 100) {
    bad('humedad', 'a whole number from 0 to 100', humedad);
  }
  if (typeof fecha_registro !== 'string' || !isStoredTimestamp(fecha_registro)) {
    bad('fecha_registro', 'a UTC time "YYYY-MM-DD HH:MM:SS"', fecha_registro);
  }
  return object as unknown as PaperRow;
}
