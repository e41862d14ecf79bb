import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { createBackupRepository, type SnapshotReading } from '../../src/db/backup-repository.js';
import { dialectSql } from '../../src/db/dialect.js';
import { createMediciones } from '../../src/db/migrations/0001-create-mediciones.js';
import { createDatabaseIdentity } from '../../src/db/migrations/0002-database-identity.js';
import { createRollups } from '../../src/db/migrations/0003-create-rollups.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { deviceReadingKey, type NewReading } from '../../src/db/reading.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';
import { backfillRollups, rollupsComplete } from '../../src/db/rollup-backfill.js';
import { ROLLUP_LEVELS } from '../../src/db/rollup-levels.js';
import type { Schema } from '../../src/db/schema.js';
import { toSqlTimestamp } from '../../src/db/timestamps.js';
import { type ContractContext, reading } from './readings-repository.contract.js';

type Kysely = ContractContext['db']['kysely'];

/** A stored reading as the aggregates need it: epoch seconds, tenths of a degree. */
interface RawRow {
  readonly city: string;
  readonly at: number;
  readonly tenths: number;
  readonly temperature: number;
  readonly humidity: number;
}

/** One bucket as the rollup tables hold it, from either the table or the test's own aggregation. */
interface Aggregate {
  city: string;
  start: number;
  count: number;
  tenthsSum: number;
  temperatureMin: number;
  temperatureMax: number;
  humiditySum: number;
  humidityMin: number;
  humidityMax: number;
}

async function rawRows(kysely: Kysely): Promise<RawRow[]> {
  const rows = await kysely
    .selectFrom('mediciones')
    .select(['ciudad', 'fecha_registro', 'temperatura', 'humedad'])
    .execute();
  return rows.map((row) => ({
    city: row.ciudad,
    at: epoch(row.fecha_registro),
    tenths: Math.round(Number(row.temperatura) * 10),
    temperature: Number(row.temperatura),
    humidity: Number(row.humedad),
  }));
}

/** The aggregate per city and `seconds`-wide UTC bucket of `rows`, computed here, sorted. */
function aggregateOf(rows: readonly RawRow[], seconds: number): Aggregate[] {
  const buckets = new Map<string, Aggregate>();
  for (const row of rows) {
    const start = Math.floor(row.at / seconds) * seconds;
    const key = `${row.city}|${start}`;
    const bucket = buckets.get(key);
    if (bucket === undefined) {
      buckets.set(key, {
        city: row.city,
        start,
        count: 1,
        tenthsSum: row.tenths,
        temperatureMin: row.temperature,
        temperatureMax: row.temperature,
        humiditySum: row.humidity,
        humidityMin: row.humidity,
        humidityMax: row.humidity,
      });
    } else {
      bucket.count++;
      bucket.tenthsSum += row.tenths;
      bucket.temperatureMin = Math.min(bucket.temperatureMin, row.temperature);
      bucket.temperatureMax = Math.max(bucket.temperatureMax, row.temperature);
      bucket.humiditySum += row.humidity;
      bucket.humidityMin = Math.min(bucket.humidityMin, row.humidity);
      bucket.humidityMax = Math.max(bucket.humidityMax, row.humidity);
    }
  }
  return sorted([...buckets.values()]);
}

async function storedRollup(
  kysely: Kysely,
  table: keyof Schema & `mediciones_${string}`,
): Promise<Aggregate[]> {
  const rows = await kysely.selectFrom(table).selectAll().execute();
  return sorted(
    rows.map((row) => ({
      city: row.ciudad,
      start: epoch(row.bucket_start),
      count: Number(row.reading_count),
      tenthsSum: Number(row.temperature_tenths_sum),
      temperatureMin: Number(row.temperature_min),
      temperatureMax: Number(row.temperature_max),
      humiditySum: Number(row.humidity_sum),
      humidityMin: Number(row.humidity_min),
      humidityMax: Number(row.humidity_max),
    })),
  );
}

/** Every bucket of every level equals the aggregate of its readings, and no other bucket exists. */
export async function assertRollupsExact(kysely: Kysely): Promise<void> {
  const rows = await rawRows(kysely);
  for (const level of ROLLUP_LEVELS) {
    assert.deepEqual(await storedRollup(kysely, level.table), aggregateOf(rows, level.seconds), level.table);
  }
}

function sorted(aggregates: Aggregate[]): Aggregate[] {
  return aggregates.sort((a, b) => (a.city === b.city ? a.start - b.start : a.city < b.city ? -1 : 1));
}

function epoch(stored: string): number {
  return Date.parse(`${stored.replace(' ', 'T')}Z`) / 1000;
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Readings written around the repository, as a database from before the rollups holds them. */
async function insertBehindRollups(kysely: Kysely, readings: readonly NewReading[]): Promise<void> {
  for (let start = 0; start < readings.length; start += 500) {
    await kysely
      .insertInto('mediciones')
      .values(
        readings.slice(start, start + 500).map((r) => ({
          ciudad: r.city,
          temperatura: r.temperature,
          humedad: r.humidity,
          fecha_registro: r.takenAt.toISOString().slice(0, 19).replace('T', ' '),
          reading_key: r.key,
          source: r.source,
          observed_at: r.observedAt.toISOString().slice(0, 19).replace('T', ' '),
        })),
      )
      .execute();
  }
}

/** The rollups of a database from before them: empty, and the backfill still to run. */
export async function forgetRollups(kysely: Kysely): Promise<void> {
  for (const level of ROLLUP_LEVELS) await kysely.deleteFrom(level.table).execute();
  await kysely.updateTable('rollup_backfill').set({ last_id: 0, done: 0 }).execute();
}

/** The rollups' contract: exact at every level, whatever the order and repetition of writes. */
export function maintainingRollups(context: () => ContractContext): void {
  it('keeps every bucket equal to its readings after random inserts, duplicates, late arrivals and a restore', async () => {
    const { db, repo } = context();
    const next = random(12);
    const cities = ['Bogota', 'Cali', 'Manizales'];
    const start = Date.parse('2024-02-27T22:50:00Z');
    const span = 4 * 86_400;
    const made: NewReading[] = [];
    const make = () => {
      const city = cities[Math.floor(next() * cities.length)] as string;
      const at = start + Math.floor(next() * span) * 1000;
      const temperature = Math.round((next() * 60 - 20) * 10) / 10;
      return reading(city, at, { temperature, humidity: Math.floor(next() * 101) });
    };
    // Batches land in random order, so most are late for some bucket already stored.
    for (let batch = 0; batch < 30; batch++) {
      const readings = Array.from({ length: 1 + Math.floor(next() * 40) }, make);
      // Some readings again, some with other values under the same key: stored once, first wins.
      const again = made.slice(0, 3).map((r, i) => (i === 0 ? { ...r, temperature: r.temperature + 1 } : r));
      await repo.insertBatch([...readings, ...again, ...readings.slice(0, 2)]);
      made.push(...readings);
      await assertRollupsExact(db.kysely);
    }
    // Late by days: a bucket of every level that already holds readings gains one.
    await repo.insertBatch([reading('Cali', start + 1000, { temperature: -19.9, humidity: 0 })]);
    await assertRollupsExact(db.kysely);

    const backups = createBackupRepository(db);
    const stored = await repo.pageById({ afterId: 0, limit: 10_000 });
    const highest = stored.at(-1)?.id ?? 0;
    const moved = stored[0];
    assert.ok(moved !== undefined);
    const restored = [
      // New rows under ids of their own, as a restore of another node's backup brings them.
      ...Array.from({ length: 50 }, (_, i) => ({ ...make(), id: highest + 1 + i })),
      // A row overwritten with another city and day: its old bucket loses it.
      {
        ...reading('Medellin', start + 2 * 86_400_000 + 17_000, { temperature: 30.5, humidity: 12 }),
        id: moved.id,
      },
    ];
    const unique = [...new Map(restored.map((r) => [r.key, r])).values()];
    const outcome = await backups.restoreBatch(unique.map(backedUp), {
      overwrite: true,
      dryRun: false,
      sourceKnown: true,
    });
    assert.equal(outcome.overwritten, 1);
    assert.ok(outcome.inserted > 40, `${outcome.inserted} inserted`);
    await assertRollupsExact(db.kysely);
    const rollupCities = await db.kysely.selectFrom('mediciones_1d').select('ciudad').distinct().execute();
    assert.ok(rollupCities.some((row) => row.ciudad === 'Medellin'));
  });

  it('charts long ranges from the rollups in at most `points` buckets, equal to the readings aggregated', async () => {
    const { db, repo } = context();
    const to = Date.parse('2025-03-01T12:34:56Z');
    const readings: NewReading[] = [];
    // Every 30 min for a year and a week, every minute for the last two days.
    for (
      let t = to - 372 * 86_400_000;
      t <= to + 3_600_000;
      t += t < to - 2 * 86_400_000 ? 1_800_000 : 60_000
    ) {
      const phase = (t / 86_400_000) * 2 * Math.PI;
      readings.push(
        reading('Pereira', t, {
          temperature: Math.round((18 + 8 * Math.sin(phase)) * 10) / 10,
          humidity: Math.round(60 + 30 * Math.cos(phase)),
        }),
      );
    }
    for (let i = 0; i < readings.length; i += 5_000) await repo.insertBatch(readings.slice(i, i + 5_000));
    const rows = (await rawRows(db.kysely)).filter((row) => row.city === 'Pereira');
    const cases = [
      { hours: 24, level: 60, bucketSeconds: 180 },
      { hours: 30 * 24, level: 900, bucketSeconds: 5_400 },
      { hours: 365 * 24, level: 3_600, bucketSeconds: 64_800 },
    ];
    for (const { hours, level, bucketSeconds } of cases) {
      const from = new Date(to - hours * 3_600_000);
      const answer = await repo.bucketedReadings({ city: 'Pereira', from, to: new Date(to), points: 500 });
      assert.equal(answer.bucketSeconds, bucketSeconds, `${hours} h`);
      assert.ok(
        answer.buckets.length <= 500 && answer.buckets.length > 250,
        `${hours} h: ${answer.buckets.length}`,
      );
      // The readings of the level's buckets that overlap the range, in buckets of bucketSeconds.
      const first = Math.floor(from.getTime() / 1000 / level) * level;
      const last = Math.floor(to / 1000 / level) * level + level - 1;
      const expected = aggregateOf(
        rows.filter((row) => row.at >= first && row.at <= last),
        bucketSeconds,
      ).map((b) => ({
        bucketStart: new Date(b.start * 1000).toISOString().replace('.000Z', 'Z'),
        count: b.count,
        temperatureAvg: Math.round((b.tenthsSum * 10) / b.count) / 100,
        temperatureMin: b.temperatureMin,
        temperatureMax: b.temperatureMax,
        humidityAvg: Math.round((b.humiditySum * 10) / b.count) / 10,
        humidityMin: b.humidityMin,
        humidityMax: b.humidityMax,
      }));
      assert.deepEqual(answer.buckets, expected, `${hours} h`);
    }
    // An hour has fewer minutes than points: the readings answer, in the smallest buckets.
    const hour = await repo.bucketedReadings({
      city: 'Pereira',
      from: new Date(to - 3_600_000),
      to: new Date(to),
      points: 500,
    });
    assert.equal(hour.bucketSeconds, 8);
    assert.equal(
      hour.buckets.reduce((sum, b) => sum + b.count, 0),
      rows.filter((row) => row.at >= to / 1000 - 3600 && row.at <= to / 1000).length,
    );
  });

  it('marks a new database complete at once and one with readings incomplete until they are added', async () => {
    const { db, dialect } = context();
    assert.equal(await rollupsComplete(db.kysely), true);
    const older = openDb(await dialect.freshTarget());
    try {
      const migrator = new Migrator({
        db: older.kysely,
        provider: {
          getMigrations: async () => ({
            '0001-create-mediciones': createMediciones(dialectSql(older.dialect)),
          }),
        },
      });
      const { error } = await migrator.migrateToLatest();
      assert.equal(error, undefined);
      await insertBehindRollups(older.kysely, [reading('Cali', '2024-03-01T12:00:00Z')]);
      await migrateToLatest(older);
      assert.equal(await rollupsComplete(older.kysely), false);
      assert.deepEqual(await backfillRollups(older, { batchRows: 10 }), { rows: 1, complete: true });
      assert.equal(await rollupsComplete(older.kysely), true);
      await assertRollupsExact(older.kysely);
    } finally {
      await older.close();
    }
  });

  it('charts from the readings until the backfill is complete, and fills the rollups resumably', async () => {
    const { db, repo } = context();
    const day = Array.from({ length: 24 * 60 }, (_, i) =>
      reading(i % 2 ? 'Cali' : 'Bogota', Date.parse('2024-03-01T00:00:00Z') + i * 60_000, {
        temperature: (i % 300) / 10,
        humidity: i % 101,
      }),
    );
    await insertBehindRollups(db.kysely, day);
    await forgetRollups(db.kysely);
    const query = {
      city: 'Cali',
      from: new Date('2024-03-01T00:00:00Z'),
      to: new Date('2024-03-02T00:00:00Z'),
      points: 100,
    };
    const fromReadings = await repo.bucketedReadings(query);
    assert.equal(fromReadings.bucketSeconds, 865, 'the raw query: the smallest width that fits');

    const controller = new AbortController();
    const seen: number[] = [];
    const first = await backfillRollups(db, {
      batchRows: 100,
      signal: controller.signal,
      onProgress: ({ done, total }) => {
        seen.push(done);
        assert.equal(total, day.length);
        if (done >= 300) controller.abort();
      },
    });
    assert.deepEqual(first, { rows: 300, complete: false });
    assert.deepEqual(seen, [0, 100, 200, 300]);
    assert.equal((await repo.bucketedReadings(query)).bucketSeconds, 865, 'still the raw query');
    const second = await backfillRollups(db, { batchRows: 500 });
    assert.deepEqual(second, { rows: day.length - 300, complete: true });
    await assertRollupsExact(db.kysely);
    const fromRollups = await repo.bucketedReadings(query);
    assert.equal(fromRollups.bucketSeconds, 900);
    assert.equal(
      fromRollups.buckets.reduce((sum, b) => sum + b.count, 0),
      fromReadings.buckets.reduce((sum, b) => sum + b.count, 0),
    );
    assert.deepEqual(await backfillRollups(db, { batchRows: 500 }), { rows: 0, complete: true });
  });

  it('adds a restored batch of new readings to buckets that already hold readings, exactly', async () => {
    const { db, repo } = context();
    const next = random(7);
    const start = Date.parse('2023-11-30T23:40:00Z');
    const at = (i: number) => start + Math.floor(next() * 2 * 3600) * 1000 + i;
    const value = () => ({
      temperature: Math.round((next() * 50 - 15) * 10) / 10,
      humidity: Math.floor(next() * 101),
    });
    const stored = Array.from({ length: 300 }, (_, i) => reading(i % 2 ? 'Cali' : 'Pereira', at(i), value()));
    await repo.insertBatch(stored);
    const highest = (await repo.pageById({ afterId: 0, limit: 10_000 })).at(-1)?.id ?? 0;
    // Keys of their own (other milliseconds are other seconds only by chance: keep them unique).
    const keys = new Set(stored.map((r) => r.key));
    const restored = Array.from({ length: 600 }, (_, i) => ({
      ...reading(['Cali', 'Pereira', 'Tunja'][i % 3] as string, at(i), value()),
      id: highest + 1 + i,
    })).filter((r) => !keys.has(r.key) && keys.add(r.key));
    const outcome = await createBackupRepository(db).restoreBatch(restored.map(backedUp), {
      overwrite: false,
      dryRun: false,
      sourceKnown: true,
    });
    assert.deepEqual(outcome, { inserted: restored.length, identical: 0, overwritten: 0, conflicts: [] });
    await assertRollupsExact(db.kysely);
  });

  it('restores cities holding quotes, backslashes, question marks and any character exactly as given, in their buckets', async () => {
    const { db } = context();
    const cities = [
      "O'Higgins",
      'San José "Centro"',
      'C:\\tmp\\x',
      'Quién?',
      "a\\'); drop table mediciones; --",
      'Ñuñoa 🌧',
    ];
    const restored = cities.map((city, i) =>
      backedUp({
        ...reading(city, '2024-03-01T12:00:00Z', { temperature: -0.5 + i, humidity: i }),
        id: 10 + i,
      }),
    );
    const outcome = await createBackupRepository(db).restoreBatch(restored, {
      overwrite: false,
      dryRun: false,
      sourceKnown: true,
    });
    assert.equal(outcome.inserted, cities.length);
    const stored = await db.kysely
      .selectFrom('mediciones')
      .select(['id', 'ciudad', 'reading_key', 'temperatura'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      stored.map((row) => [Number(row.id), row.ciudad, row.reading_key, Number(row.temperatura)]),
      cities.map((city, i) => [10 + i, city, `${city}@2024-03-01T12:00:00Z`, -0.5 + i]),
    );
    await assertRollupsExact(db.kysely);
  });

  it('lets a restore that moves a reading away delete the bucket it leaves empty', async () => {
    const { db, repo } = context();
    await repo.insertBatch([reading('Cali', '2024-03-01T12:00:00Z', { temperature: 21 })]);
    const [stored] = await repo.pageById({ afterId: 0, limit: 1 });
    assert.ok(stored !== undefined);
    await createBackupRepository(db).restoreBatch(
      [backedUp({ ...reading('Cali', '2024-03-03T08:00:00Z', { temperature: 22 }), id: stored.id })],
      { overwrite: true, dryRun: false, sourceKnown: true },
    );
    const days = await db.kysely
      .selectFrom('mediciones_1d')
      .select(['bucket_start', 'reading_count'])
      .execute();
    assert.deepEqual(
      days.map((d) => [d.bucket_start, Number(d.reading_count)]),
      [['2024-03-03 00:00:00', 1]],
    );
    await assertRollupsExact(db.kysely);
    const count = await sql<{ n: number }>`select count(*) as n from mediciones_1m`.execute(db.kysely);
    assert.equal(Number(count.rows[0]?.n), 1);
  });

  // Stations are devices in a city: their readings are readings of that city, so the city's
  // charts and rollups include them. A station's own history is read from its readings.
  it("counts a station's readings in its city's buckets, once each however often they are redelivered", async () => {
    const { db, repo } = context();
    const at = Date.parse('2024-04-01T10:00:00Z');
    const device = (station: string, i: number, temperature: number): NewReading => ({
      ...reading('Manizales', at + i * 20_000, { temperature, humidity: 40 + i }),
      key: deviceReadingKey(station, new Date(at + i * 20_000)),
      source: 'device',
      station,
    });
    const sent = [
      reading('Manizales', at, { temperature: 17 }),
      ...Array.from({ length: 6 }, (_, i) => device('finca-1', i, 15 + i / 10)),
      ...Array.from({ length: 6 }, (_, i) => device('finca-2', i, 18 - i / 10)),
    ];
    assert.equal(
      await repo.insertBatch(sent),
      13,
      'the sensor and two stations at the same second: three readings',
    );
    assert.equal(await repo.insertBatch(sent.slice(1, 8)), 0, 'redelivered: stored already');
    await assertRollupsExact(db.kysely);
    const [minute] = await db.kysely
      .selectFrom('mediciones_1m')
      .select(['ciudad', 'reading_count'])
      .where('bucket_start', '=', '2024-04-01 10:00:00')
      .execute();
    assert.deepEqual(
      { ...minute, reading_count: Number(minute?.reading_count) },
      {
        ciudad: 'Manizales',
        reading_count: 7,
      },
    );
    const stored = await repo.pageById({ afterId: 0, limit: 100 });
    assert.deepEqual(
      stored.filter((r) => r.station === 'finca-2').map((r) => [r.source, r.city, r.temperature]),
      Array.from({ length: 6 }, (_, i) => ['device', 'Manizales', Math.round((18 - i / 10) * 10) / 10]),
    );
    assert.equal(stored.find((r) => r.source === 'simulated')?.station, undefined);
  });

  it('adds stations to a database with readings, keeping every row, id, the id counter and the rollups', async () => {
    const { dialect } = context();
    const older = openDb(await dialect.freshTarget());
    try {
      const sqlOf = dialectSql(older.dialect);
      const migrator = new Migrator({
        db: older.kysely,
        provider: {
          getMigrations: async () => ({
            '0001-create-mediciones': createMediciones(sqlOf),
            '0002-database-identity': createDatabaseIdentity(sqlOf),
            '0003-create-rollups': createRollups(sqlOf),
          }),
        },
      });
      assert.equal((await migrator.migrateToLatest()).error, undefined);
      // Written as the release before stations wrote them: no station column yet.
      await insertBehindRollups(older.kysely, [
        reading('Cali', '2024-03-01T12:00:00Z', { temperature: 25.5 }),
        reading('Cali', '2024-03-01T12:00:30Z', { temperature: 26.5 }),
        reading('Bogota', '2024-03-01T12:00:00Z', { temperature: 12 }),
      ]);
      // The highest id is deleted: SQLite's AUTOINCREMENT (and InnoDB) must not hand it out again.
      const rows = await older.kysely.selectFrom('mediciones').selectAll().orderBy('id').execute();
      const top = rows.at(-1)?.id ?? 0;
      await older.kysely.deleteFrom('mediciones').where('id', '=', top).execute();
      const kept = rows.slice(0, -1);
      await forgetRollups(older.kysely);
      await backfillRollups(older, { batchRows: 10 });

      assert.deepEqual(await migrateToLatest(older), ['0004-add-station', '0005-create-alerts']);
      const after = await older.kysely.selectFrom('mediciones').selectAll().orderBy('id').execute();
      assert.deepEqual(
        after,
        kept.map((row) => ({ ...row, station: null })),
      );
      const repo = createReadingsRepository(older);
      const at = new Date('2024-03-01T12:00:00Z');
      await repo.insertBatch([
        {
          ...reading('Cali', at),
          key: deviceReadingKey('finca-1', at),
          source: 'device',
          station: 'finca-1',
        },
      ]);
      const [newest] = await repo.latestReadings(1);
      assert.ok((newest?.id ?? 0) > top, `new id ${newest?.id} after ${top}`);
      assert.equal(newest?.station, 'finca-1');
      await assertRollupsExact(older.kysely);
      await assert.rejects(
        sql`insert into mediciones (ciudad, temperatura, humedad, fecha_registro, reading_key, source, observed_at)
          values ('Cali', 1, 1, '2024-01-01 00:00:00', 'k', 'radio', '2024-01-01 00:00:00')`.execute(
          older.kysely,
        ),
        'an unknown source is still refused',
      );
    } finally {
      await older.close();
    }
  });
}

/** A reading as a backup holds it, under `id`. */
function backedUp({
  id,
  city,
  temperature,
  humidity,
  takenAt,
  source,
}: NewReading & { id: number }): SnapshotReading {
  return { id, city, temperature, humidity, takenAt: toSqlTimestamp(takenAt), source };
}
