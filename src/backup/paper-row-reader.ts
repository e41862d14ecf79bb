import { PAPER_KEYS } from './paper-format.js';

/** `read` found the bytes end before the row does. */
export const INCOMPLETE = -1;

/** The values of one row, by key; any key besides the paper's is only named, the first one. */
export interface RowFields {
  values: Record<(typeof PAPER_KEYS)[number], unknown>;
  unknownKey: string | undefined;
}

const KEY_BYTES = PAPER_KEYS.map((key) => Buffer.from(key, 'latin1'));
const CIUDAD = PAPER_KEYS.indexOf('ciudad');
const FECHA_REGISTRO = PAPER_KEYS.indexOf('fecha_registro');
/** Longer than any `fecha_registro` (19 characters): longer ones are not worth keeping. */
const MAX_KEPT_FECHA_BYTES = 32;
const UNKNOWN = -1;
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);
/** Up to 15 significant digits and no exponent: the value is the digits divided by a power of ten. */
const MAX_EXACT_DIGITS = 15;
/** City names repeat on every row: the text of this many is kept, so that a row makes no new one. */
const MAX_CACHED_CITIES = 64;
const LITERALS = [
  ['true', true],
  ['false', false],
  ['null', null],
] as const;

/**
 * Reads one JSON object of flat values straight from UTF-8 bytes, without making a string of the
 * row: a restore reads millions of rows twice (verifying, then restoring), and decoding each
 * row's text to hand it to `JSON.parse` took more time than everything else the reading does.
 * Strictly JSON: what `JSON.parse` refuses is refused, and numbers are the same doubles.
 * `fail` receives what follows the row's name in the message: `" is not valid JSON (...)"`.
 */
export function createPaperRowReader(fail: (message: string) => never) {
  const fields: RowFields = { values: emptyValues(), unknownKey: undefined };
  const cities: { bytes: Buffer; text: string }[] = [];
  // The last row's `fecha_registro`: rows taken at the same second (every city of one reading of
  // the sensor) follow each other, and share its text.
  const lastFecha = { bytes: Buffer.alloc(MAX_KEPT_FECHA_BYTES), length: -1, text: '' };
  // What `readValue` and `stringEnd` found besides where they end: no object made to return them.
  let value: unknown;
  let escaped = false;
  let ascii = true;

  function invalid(bytes: Buffer, rowStart: number, at: number): never {
    const c = bytes[at] as number;
    const what = c < 0x80 ? JSON.stringify(String.fromCharCode(c)) : 'a non-ASCII character';
    return fail(` is not valid JSON (unexpected ${what} at byte ${at - rowStart + 1} of the row)`);
  }

  function skipSpace(bytes: Buffer, at: number): number {
    let i = at;
    for (; i < bytes.length; i++) {
      const c = bytes[i];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    }
    return i;
  }

  /**
   * The index of the closing quote of the string opening at `at`, or INCOMPLETE; sets `escaped`
   * and `ascii` for it.
   */
  function stringEnd(bytes: Buffer, rowStart: number, at: number): number {
    escaped = false;
    ascii = true;
    for (let i = at + 1; i < bytes.length; i++) {
      const c = bytes[i] as number;
      if (c === 0x22) return i;
      if (c === 0x5c) {
        escaped = true;
        i++;
      } else if (c < 0x20) {
        invalid(bytes, rowStart, i);
      } else if (c >= 0x80) {
        ascii = false;
      }
    }
    return INCOMPLETE;
  }

  function decodeEscaped(bytes: Buffer, from: number, to: number): string {
    try {
      return JSON.parse(bytes.toString('utf8', from, to)) as string;
    } catch (error) {
      return fail(` is not valid JSON (${(error as Error).message})`);
    }
  }

  function keyIndex(bytes: Buffer, from: number, to: number): number {
    for (let k = 0; k < KEY_BYTES.length; k++) {
      const key = KEY_BYTES[k] as Buffer;
      if (key.length !== to - from) continue;
      let same = true;
      for (let i = 0; i < key.length && same; i++) same = key[i] === bytes[from + i];
      if (same) return k;
    }
    return UNKNOWN;
  }

  function city(bytes: Buffer, from: number, to: number): string {
    for (const cached of cities) {
      if (cached.bytes.length !== to - from) continue;
      let same = true;
      for (let i = 0; i < cached.bytes.length && same; i++) same = cached.bytes[i] === bytes[from + i];
      if (same) return cached.text;
    }
    const text = bytes.toString('utf8', from, to);
    if (cities.length < MAX_CACHED_CITIES)
      cities.push({ bytes: Buffer.from(bytes.subarray(from, to)), text });
    return text;
  }

  function fecha(bytes: Buffer, from: number, to: number): string {
    const length = to - from;
    let same = length === lastFecha.length;
    for (let i = 0; i < length && same; i++) same = lastFecha.bytes[i] === bytes[from + i];
    if (same) return lastFecha.text;
    const text = bytes.toString('latin1', from, to);
    if (length <= MAX_KEPT_FECHA_BYTES) {
      bytes.copy(lastFecha.bytes, 0, from, to);
      lastFecha.length = length;
      lastFecha.text = text;
    }
    return text;
  }

  /** Reads the value at `at` into `value`; returns where it ends, or INCOMPLETE. */
  function readValue(bytes: Buffer, rowStart: number, at: number, key: number): number {
    const c = bytes[at] as number;
    if (c === 0x22) {
      const end = stringEnd(bytes, rowStart, at);
      if (end === INCOMPLETE) return INCOMPLETE;
      if (escaped) value = decodeEscaped(bytes, at, end + 1);
      else if (key === CIUDAD) value = city(bytes, at + 1, end);
      else if (key === FECHA_REGISTRO && ascii) value = fecha(bytes, at + 1, end);
      else value = bytes.toString(ascii ? 'latin1' : 'utf8', at + 1, end);
      return end + 1;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return readNumber(bytes, rowStart, at);
    if (c === 0x7b || c === 0x5b) {
      fail(": a value is an object or an array; the paper's values are numbers and strings");
    }
    for (const [text, literal] of LITERALS) {
      if (c !== text.charCodeAt(0)) continue;
      for (let i = 1; i < text.length; i++) {
        if (at + i >= bytes.length) return INCOMPLETE;
        if (bytes[at + i] !== text.charCodeAt(i)) invalid(bytes, rowStart, at + i);
      }
      value = literal;
      return at + text.length;
    }
    return invalid(bytes, rowStart, at);
  }

  /** JSON's number grammar, exactly: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`. */
  function readNumber(bytes: Buffer, rowStart: number, at: number): number {
    const n = bytes.length;
    const isDigit = (i: number) => i < n && (bytes[i] as number) >= 0x30 && (bytes[i] as number) <= 0x39;
    let i = at;
    const negative = bytes[i] === 0x2d;
    if (negative) i++;
    if (i >= n) return INCOMPLETE;
    let mantissa = 0;
    let digits = 0;
    let decimals = 0;
    if (bytes[i] === 0x30) i++;
    else if (isDigit(i)) {
      for (; isDigit(i); i++, digits++) mantissa = mantissa * 10 + ((bytes[i] as number) - 0x30);
    } else return invalid(bytes, rowStart, i);
    if (i < n && bytes[i] === 0x2e) {
      i++;
      if (!isDigit(i)) return i >= n ? INCOMPLETE : invalid(bytes, rowStart, i);
      for (; isDigit(i); i++, digits++, decimals++) mantissa = mantissa * 10 + ((bytes[i] as number) - 0x30);
    }
    let exponent = false;
    if (i < n && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
      exponent = true;
      i++;
      if (i < n && (bytes[i] === 0x2b || bytes[i] === 0x2d)) i++;
      if (!isDigit(i)) return i >= n ? INCOMPLETE : invalid(bytes, rowStart, i);
      while (isDigit(i)) i++;
    }
    // The number may go on in the next chunk.
    if (i >= n) return INCOMPLETE;
    // Both operands exact and the division correctly rounded: the double that parsing the text gives.
    value =
      !exponent && digits <= MAX_EXACT_DIGITS
        ? (negative ? -mantissa : mantissa) / (POWERS_OF_TEN[decimals] as number)
        : Number(bytes.toString('latin1', at, i));
    return i;
  }

  return {
    /**
     * Reads the object whose `{` is at `start`: returns the index just past its `}`, with its
     * fields in `fields()`, or INCOMPLETE when `bytes` end first. Fails on anything not JSON.
     */
    read(bytes: Buffer, start: number): number {
      // The same object for every row: a restore reads millions, and keeps none of them.
      const { values } = fields;
      values.id = undefined;
      values.ciudad = undefined;
      values.temperatura = undefined;
      values.humedad = undefined;
      values.fecha_registro = undefined;
      fields.unknownKey = undefined;
      let i = skipSpace(bytes, start + 1);
      if (i >= bytes.length) return INCOMPLETE;
      if (bytes[i] === 0x7d) return i + 1;
      for (;;) {
        if (bytes[i] !== 0x22) return invalid(bytes, start, i);
        const nameEnd = stringEnd(bytes, start, i);
        if (nameEnd === INCOMPLETE) return INCOMPLETE;
        let key = escaped ? UNKNOWN : keyIndex(bytes, i + 1, nameEnd);
        let unknown: string | undefined;
        if (key === UNKNOWN) {
          unknown = escaped ? decodeEscaped(bytes, i, nameEnd + 1) : bytes.toString('utf8', i + 1, nameEnd);
          key = (PAPER_KEYS as readonly string[]).indexOf(unknown);
        }
        i = skipSpace(bytes, nameEnd + 1);
        if (i >= bytes.length) return INCOMPLETE;
        if (bytes[i] !== 0x3a) return invalid(bytes, start, i);
        i = skipSpace(bytes, i + 1);
        if (i >= bytes.length) return INCOMPLETE;
        i = readValue(bytes, start, i, key);
        if (i === INCOMPLETE) return INCOMPLETE;
        // As `JSON.parse`: a key given twice has its last value.
        if (key !== UNKNOWN) setValue(fields.values, key, value);
        else fields.unknownKey ??= unknown;
        i = skipSpace(bytes, i);
        if (i >= bytes.length) return INCOMPLETE;
        if (bytes[i] === 0x7d) return i + 1;
        if (bytes[i] !== 0x2c) return invalid(bytes, start, i);
        i = skipSpace(bytes, i + 1);
        if (i >= bytes.length) return INCOMPLETE;
      }
    },
    /** The fields of the row `read` last read; the same object, refilled by the next `read`. */
    fields(): RowFields {
      return fields;
    },
  };
}

/**
 * Stores the value of `PAPER_KEYS[key]`, each property named: a store through a key held in a
 * variable is slow, and this runs five times a row.
 */
function setValue(values: RowFields['values'], key: number, value: unknown): void {
  switch (PAPER_KEYS[key]) {
    case 'id':
      values.id = value;
      break;
    case 'ciudad':
      values.ciudad = value;
      break;
    case 'temperatura':
      values.temperatura = value;
      break;
    case 'humedad':
      values.humedad = value;
      break;
    case 'fecha_registro':
      values.fecha_registro = value;
      break;
  }
}

/** Every key present, so that rows share one shape; `undefined` is a key the row did not have. */
function emptyValues(): RowFields['values'] {
  return {
    id: undefined,
    ciudad: undefined,
    temperatura: undefined,
    humedad: undefined,
    fecha_registro: undefined,
  };
}
