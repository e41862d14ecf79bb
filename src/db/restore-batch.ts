import type { RawBuilder } from 'kysely';
import type { ReadingSource } from '../weather/observation.js';
import type { SnapshotReading } from './backup-repository.js';
import type { DialectSql } from './dialect.js';
import { restoredDeviceKey, storedReadingKey } from './reading.js';
import { checkedStoredReading } from './reading-row.js';
import { RollupAdditions } from './rollups.js';
import { TextWriter } from './text-writer.js';

/** A restored reading as a row of `mediciones`, for the batches that are compared row by row. */
export interface RestoredRow {
  readonly id: number;
  readonly ciudad: string;
  readonly temperatura: number;
  readonly humedad: number;
  readonly fecha_registro: string;
  readonly reading_key: string;
  readonly source: ReadingSource;
  readonly observed_at: string;
}

/** The columns of a restored row, in the order of its values in the statements. */
export const RESTORED_COLUMNS = [
  'id',
  'ciudad',
  'temperatura',
  'humedad',
  'fecha_registro',
  'reading_key',
  'source',
  'observed_at',
] as const;

/** In the order `SOURCE_CODES` numbers them. */
const SOURCES: readonly ReadingSource[] = ['open-meteo', 'simulated', 'device'];
const SOURCE_CODES = new Map(SOURCES.map((source, code) => [source, code]));
const STORED_TIMESTAMP_LENGTH = 'YYYY-MM-DD HH:MM:SS'.length;
const DEVICE_KEY_PREFIX = 'restored-device:';
const INITIAL_ROWS = 1024;

/** A city's text in the statements, escaped once rather than per row. */
interface CityText {
  /** The name as a quoted value. */
  readonly literal: Buffer;
  /** The opening quote and the name of its readings' keys, up to and with `@`. */
  readonly keyPrefix: Buffer;
}

/**
 * Restored readings ready for `restoreBatch`, from `RestoreBatchBuilder.take`: the statements that
 * store them into a place nobody holds yet, and the readings themselves, kept as columns of
 * numbers and bytes (a few objects, not several a row) for a batch that must be compared instead.
 */
export class PreparedBatch {
  /** @internal */
  constructor(
    readonly size: number,
    readonly statements: readonly RawBuilder<unknown>[],
    private readonly columns: Columns,
  ) {}

  /** The readings as rows, made only for a batch compared row by row. */
  rows(): RestoredRow[] {
    const { ids, cities, temperatures, humidities, sources, times } = this.columns;
    return Array.from({ length: this.size }, (_, i): RestoredRow => {
      const id = ids[i] as number;
      const fecha = times.toString('latin1', i * STORED_TIMESTAMP_LENGTH, (i + 1) * STORED_TIMESTAMP_LENGTH);
      const source = SOURCES[sources[i] as number] as ReadingSource;
      const city = cities[i] as string;
      return {
        id,
        ciudad: city,
        temperatura: temperatures[i] as number,
        humedad: humidities[i] as number,
        fecha_registro: fecha,
        reading_key: keyOf({ id, city, takenAt: fecha, source }),
        source,
        observed_at: fecha,
      };
    });
  }
}

interface Columns {
  readonly ids: Float64Array;
  readonly cities: string[];
  readonly temperatures: Float64Array;
  readonly humidities: Uint8Array;
  readonly sources: Uint8Array;
  /** Each `fecha_registro`, `STORED_TIMESTAMP_LENGTH` ASCII bytes. */
  readonly times: Buffer;
}

/**
 * Takes restored readings one at a time, checked as every stored reading is, and writes them
 * straight into the text of the statements that insert them and into their rollup buckets: a
 * million readings make no object each, only text. `add` keeps nothing of the object it is given,
 * so a reader may hand over the same object, refilled, for every reading.
 */
export class RestoreBatchBuilder {
  private readonly rowsPerStatement: number;
  private readonly quote: number;
  private readonly writer = new TextWriter();
  private readonly cityTexts = new Map<string, CityText>();
  private texts: string[] = [];
  private rollups = new RollupAdditions();
  private columns = emptyColumns(INITIAL_ROWS);
  private count = 0;
  private inStatement = 0;
  // The last reading's `takenAt`, found good: readings of the same second often follow each other.
  private goodTakenAt: string | undefined;

  constructor(private readonly dialect: DialectSql) {
    this.rowsPerStatement = Math.floor(dialect.maxRowValues / RESTORED_COLUMNS.length);
    this.quote = dialect.rowsText.quote.charCodeAt(0);
  }

  /** Readings added since the last `take`. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds a reading; throws a `RangeError` naming it when it cannot be stored. The key of each
   * reading must be unique within the batch.
   */
  add(reading: SnapshotReading): void {
    const { id, city, humidity, takenAt, source } = reading;
    if (!Number.isSafeInteger(id) || id < 1)
      throw new RangeError(`a restored reading's id must be a whole number >= 1, got ${id}`);
    const temperature = checkedStoredReading(reading, keyOf, this.goodTakenAt);
    this.goodTakenAt = takenAt;
    const cityText = this.cityTextOf(city);
    const tenths = Math.round(temperature * 10);

    if (this.inStatement === this.rowsPerStatement) this.endStatement();
    const { writer } = this;
    const format = this.dialect.rowsText;
    const { quote } = this;
    if (this.inStatement > 0) writer.ascii(format.rowSeparator);
    writer.ascii(format.rowOpen);
    writer.integer(id);
    writer.ascii(format.valueSeparator);
    writer.encoded(cityText.literal);
    writer.ascii(format.valueSeparator);
    writer.tenths(tenths);
    writer.ascii(format.valueSeparator);
    writer.integer(humidity);
    writer.ascii(format.valueSeparator);
    this.quoted(takenAt);
    writer.ascii(format.valueSeparator);
    // The key as `storedReadingKey` or `restoredDeviceKey` makes it.
    if (source === 'device') {
      writer.char(quote);
      writer.ascii(DEVICE_KEY_PREFIX);
      writer.integer(id);
      writer.char(0x40);
    } else writer.encoded(cityText.keyPrefix);
    writer.asciiSlice(takenAt, 0, 10);
    writer.char(0x54);
    writer.asciiSlice(takenAt, 11, STORED_TIMESTAMP_LENGTH);
    writer.char(0x5a);
    writer.char(quote);
    writer.ascii(format.valueSeparator);
    this.quoted(source);
    writer.ascii(format.valueSeparator);
    this.quoted(takenAt);
    writer.ascii(format.rowClose);
    this.inStatement++;

    this.rollups.add(city, takenAt, temperature, humidity);
    this.keep(id, city, temperature, humidity, takenAt, source);
  }

  /** The readings added since the last `take`, prepared; the builder starts again, empty. */
  take(): PreparedBatch {
    if (this.inStatement > 0) this.endStatement();
    const statements = this.texts.map((text) =>
      this.dialect.insertRowsText('mediciones', RESTORED_COLUMNS, text),
    );
    statements.push(...this.rollups.statements(this.dialect, this.writer));
    const batch = new PreparedBatch(this.count, statements, this.columns);
    this.texts = [];
    this.rollups = new RollupAdditions();
    this.columns = emptyColumns(Math.max(INITIAL_ROWS, this.count));
    this.count = 0;
    return batch;
  }

  private endStatement(): void {
    this.texts.push(this.writer.take());
    this.inStatement = 0;
  }

  /** A string that needs no escaping (a stored timestamp, a source), quoted. */
  private quoted(text: string): void {
    this.writer.char(this.quote);
    this.writer.ascii(text);
    this.writer.char(this.quote);
  }

  private cityTextOf(city: string): CityText {
    let text = this.cityTexts.get(city);
    if (text === undefined) {
      const { literal } = this.dialect.rowsText;
      const keyLiteral = literal(`${city}@`);
      text = {
        literal: Buffer.from(literal(city), 'utf8'),
        // Without its closing quote: the time follows.
        keyPrefix: Buffer.from(keyLiteral.slice(0, -1), 'utf8'),
      };
      this.cityTexts.set(city, text);
    }
    return text;
  }

  private keep(
    id: number,
    city: string,
    temperature: number,
    humidity: number,
    takenAt: string,
    source: ReadingSource,
  ): void {
    let { columns } = this;
    const i = this.count;
    if (i === columns.ids.length) {
      columns = grown(columns);
      this.columns = columns;
    }
    columns.ids[i] = id;
    columns.cities[i] = city;
    columns.temperatures[i] = temperature;
    columns.humidities[i] = humidity;
    columns.sources[i] = SOURCE_CODES.get(source) as number;
    const at = i * STORED_TIMESTAMP_LENGTH;
    for (let c = 0; c < STORED_TIMESTAMP_LENGTH; c++) columns.times[at + c] = takenAt.charCodeAt(c);
    this.count = i + 1;
  }
}

/** The key a restored reading is stored under. */
function keyOf(reading: Pick<SnapshotReading, 'id' | 'city' | 'takenAt' | 'source'>): string {
  return reading.source === 'device'
    ? restoredDeviceKey(reading.id, reading.takenAt)
    : storedReadingKey(reading.city, reading.takenAt);
}

function emptyColumns(rows: number, cities: string[] = []): Columns {
  return {
    ids: new Float64Array(rows),
    cities,
    temperatures: new Float64Array(rows),
    humidities: new Uint8Array(rows),
    sources: new Uint8Array(rows),
    times: Buffer.alloc(rows * STORED_TIMESTAMP_LENGTH),
  };
}

function grown(columns: Columns): Columns {
  // The cities are an array already, which grows by itself.
  const bigger = emptyColumns(columns.ids.length * 2, columns.cities);
  bigger.ids.set(columns.ids);
  bigger.temperatures.set(columns.temperatures);
  bigger.humidities.set(columns.humidities);
  bigger.sources.set(columns.sources);
  columns.times.copy(bigger.times);
  return bigger;
}
