import type { SnapshotReading } from '../db/backup-repository.js';

/**
 * The paper's backup format (its Fig. 2): a JSON array of objects with exactly these keys, in
 * this order, laid out as Python's `json.dump(rows, indent=4)` lays it out. Any JSON tool reads
 * it; the paper's own files restore.
 */
export const PAPER_KEYS = ['id', 'ciudad', 'temperatura', 'humedad', 'fecha_registro'] as const;

/** One row of the paper's format, as parsed. */
export interface PaperRow {
  readonly id: number;
  readonly ciudad: string;
  readonly temperatura: number;
  readonly humedad: number;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  readonly fecha_registro: string;
}

/** Encodes readings as the paper's JSON array, in UTF-8 chunks ready to be written out. */
export interface PaperEncoder {
  /** Appends one element. */
  add(reading: SnapshotReading): void;
  /** The bytes encoded since the last call, in order; each is the caller's until it is recycled. */
  take(): Buffer[];
  /** Closes the array (or writes `[]` when nothing was added) and takes the rest. */
  finish(): Buffer[];
  /**
   * The caller is done with a chunk from `take` (it is written out): its memory may hold later
   * rows. A chunk never recycled is left to the garbage collector.
   */
  recycle(chunk: Buffer): void;
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const OPEN_FIRST = utf8('[\n    {\n        "id": ');
// Each element after the first begins by closing the one before it: one copy instead of two.
const OPEN_NEXT = utf8('"\n    },\n    {\n        "id": ');
const HUMEDAD = utf8(',\n        "humedad": ');
const FECHA_REGISTRO = utf8(',\n        "fecha_registro": "');
/** The text from the temperature to the date for each humidity a reading can have: one copy a row. */
const HUMIDITY_TO_DATE = Array.from({ length: 101 }, (_, humidity) =>
  utf8(`,\n        "humedad": ${humidity},\n        "fecha_registro": "`),
);
const CLOSE_LAST = utf8('"\n    }\n]\n');
const EMPTY_ARRAY = utf8('[]\n');
/** Beyond the city: the fixed text, an id, a humidity, a date and a temperature printed in full. */
const ROW_BYTES_BESIDES_CITY = 256;
const CHUNK_BYTES = 1 << 20;
/** Recycled buffers kept for reuse: one being filled while one or two are written out. */
const MAX_SPARE_BUFFERS = 2;
/** City names repeat on every row; their encoded text is kept, for this many cities at most. */
const MAX_CACHED_CITIES = 10_000;

/**
 * Encodes straight into bytes, the layout written out by hand rather than by `JSON.stringify`:
 * a backup of millions of rows builds no string per row, and the layout is the paper's whatever
 * the engine. The text between the id and the temperature depends only on the city, so it is
 * encoded once per city. Its few buffers are reused once written out: a fresh buffer for every
 * megabyte of a large backup would be freed only when the collector gets to it, and the memory
 * allocator would hold on to the pages meanwhile.
 */
export function createPaperEncoder(): PaperEncoder {
  let buffer: Buffer = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  let taken = 0;
  let end = 0;
  let rows = 0;
  const done: Buffer[] = [];
  const cities = new Map<string, Buffer>();
  /** Each buffer the caller still holds chunks of, with how many. */
  const lent = new Map<ArrayBufferLike, { whole: Buffer; out: number }>();
  const spare: Buffer[] = [];

  function keep(whole: Buffer): void {
    if (whole.length === CHUNK_BYTES && spare.length < MAX_SPARE_BUFFERS) spare.push(whole);
  }

  function lend(from: number, to: number): void {
    done.push(buffer.subarray(from, to));
    const loan = lent.get(buffer.buffer);
    if (loan) loan.out++;
    else lent.set(buffer.buffer, { whole: buffer, out: 1 });
  }

  function reserve(bytes: number): void {
    if (end + bytes <= buffer.length) return;
    if (end > taken) lend(taken, end);
    const retired = buffer;
    buffer =
      (bytes <= CHUNK_BYTES ? spare.pop() : undefined) ??
      Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, bytes));
    if (!lent.has(retired.buffer)) keep(retired);
    taken = 0;
    end = 0;
  }

  function copy(bytes: Buffer): void {
    buffer.set(bytes, end);
    end += bytes.length;
  }

  /** An integer in decimal digits, written from its last digit backwards. */
  function digits(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      end += buffer.write(String(value), end, 'latin1');
      return;
    }
    let length = 1;
    for (let bound = 10; value >= bound && length < 16; bound *= 10) length++;
    let at = end + length;
    for (let rest = value; at > end; rest = Math.floor(rest / 10)) buffer[--at] = 48 + (rest % 10);
    end += length;
  }

  function cityText(city: string): Buffer {
    let text = cities.get(city);
    if (text === undefined) {
      text = utf8(`,\n        "ciudad": ${JSON.stringify(city)},\n        "temperatura": `);
      if (cities.size < MAX_CACHED_CITIES) cities.set(city, text);
    }
    return text;
  }

  function temperature(celsius: number): void {
    const tenths = Math.round(celsius * 10);
    // The fast path of paperTemperature, in bytes; anything else is printed by it.
    if (tenths / 10 !== celsius || !Number.isSafeInteger(tenths)) {
      end += buffer.write(paperTemperature(celsius), end, 'latin1');
      return;
    }
    if (tenths < 0) buffer[end++] = 45; // '-'
    const magnitude = Math.abs(tenths);
    digits(Math.floor(magnitude / 10));
    buffer[end++] = 46; // '.'
    buffer[end++] = 48 + (magnitude % 10);
  }

  function take(): Buffer[] {
    if (end > taken) lend(taken, end);
    taken = end;
    return done.splice(0);
  }

  return {
    add(reading) {
      const city = cityText(reading.city);
      reserve(ROW_BYTES_BESIDES_CITY + city.length);
      copy(rows++ === 0 ? OPEN_FIRST : OPEN_NEXT);
      digits(reading.id);
      copy(city);
      temperature(reading.temperature);
      const toDate = HUMIDITY_TO_DATE[reading.humidity];
      if (toDate !== undefined) copy(toDate);
      else {
        copy(HUMEDAD);
        digits(reading.humidity);
        copy(FECHA_REGISTRO);
      }
      // 'YYYY-MM-DD HH:MM:SS' is ASCII: a byte a character.
      const { takenAt } = reading;
      for (let i = 0; i < takenAt.length; i++) buffer[end++] = takenAt.charCodeAt(i);
    },
    take,
    finish() {
      const close = rows === 0 ? EMPTY_ARRAY : CLOSE_LAST;
      reserve(close.length);
      copy(close);
      return take();
    },
    recycle(chunk) {
      const loan = lent.get(chunk.buffer);
      if (loan === undefined || --loan.out > 0) return;
      lent.delete(chunk.buffer);
      // The buffer being filled is kept by the encoder until it is full.
      if (loan.whole !== buffer) keep(loan.whole);
    },
  };
}

/**
 * Temperatures are stored to one decimal and printed with it, `26.0` included, as in the paper's
 * figure (Python prints floats that way; `JSON.stringify` would print `26`). Either form is the
 * same JSON number. A stored value with more decimals (written by hand, not by clima) is printed
 * in full, so a backup never changes a value.
 */
export function paperTemperature(celsius: number): string {
  const tenths = Math.round(celsius * 10);
  // Division is correctly rounded, so this holds exactly when `celsius` is what "x.y" parses to.
  if (tenths / 10 !== celsius) return String(celsius);
  const magnitude = Math.abs(tenths);
  return `${tenths < 0 ? '-' : ''}${Math.floor(magnitude / 10)}.${magnitude % 10}`;
}
