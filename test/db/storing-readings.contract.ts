import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { type ContractContext, reading, series } from './readings-repository.contract.js';

/** Migrations, inserts, idempotency and what is refused: part of the readings repository contract. */
export function storingReadings(context: () => ContractContext): void {
  it('applies the migrations once and finds nothing to apply the second time', async () => {
    const { db, applied } = context();
    assert.deepEqual(applied, [
      '0001-create-mediciones',
      '0002-database-identity',
      '0003-create-rollups',
      '0004-add-station',
      '0005-create-alerts',
    ]);
    assert.deepEqual(await migrateToLatest(db), []);
  });

  it('names the migration that failed and why', async () => {
    const { dialect } = context();
    const other = openDb(await dialect.freshTarget());
    try {
      await sql`create table mediciones (id integer)`.execute(other.kysely);
      await assert.rejects(
        migrateToLatest(other),
        /^Error: database migration failed: migration 0001-create-mediciones: .*mediciones.* already exists/i,
      );
    } finally {
      await other.close();
    }
  });

  it('stores a batch and returns how many readings were new', async () => {
    const { repo } = context();
    const batch = ['Bogota', 'Cali', 'Manizales'].map((city) => reading(city, '2024-03-01T12:00:00Z'));
    assert.equal(await repo.insertBatch(batch), 3);
    assert.equal(await repo.count(), 3);
    assert.equal(await repo.insertBatch([]), 0);
  });

  it('stores a key once, whether repeated in one batch or sent again later', async () => {
    const { repo } = context();
    const first = reading('Bogota', '2024-03-01T12:00:00Z', { temperature: 14 });
    const again = { ...first, temperature: 99 };
    assert.equal(await repo.insertBatch([first, again, first]), 1);
    assert.equal(await repo.insertBatch([again, reading('Cali', '2024-03-01T12:00:00Z')]), 1);
    assert.equal(await repo.count(), 2);
    const [stored] = await repo.latestPerCity(['Bogota']);
    assert.equal(stored?.temperature, 14);
  });

  it('stores batches larger than one statement, counting only the new ones', async () => {
    const { repo } = context();
    const readings = series('Pereira', '2024-03-01T00:00:00Z', 1_200, 15);
    assert.equal(await repo.insertBatch(readings.slice(0, 700)), 700);
    assert.equal(await repo.insertBatch(readings), 500);
    assert.equal(await repo.count(), 1_200);
  });

  it('returns instants as ISO 8601 UTC with Z, to the second, exactly as taken', async () => {
    const { repo } = context();
    const taken = reading('Bogota', '2024-02-29T23:59:59Z', {
      observedAt: new Date('2024-02-29T23:45:00Z'),
      source: 'open-meteo',
      temperature: -3.25,
      humidity: 0,
    });
    await repo.insertBatch([taken]);
    const [stored] = await repo.latestReadings(1);
    assert.deepEqual(stored, {
      id: stored?.id,
      key: 'Bogota@2024-02-29T23:59:59Z',
      city: 'Bogota',
      temperature: -3.2,
      humidity: 0,
      takenAt: '2024-02-29T23:59:59Z',
      observedAt: '2024-02-29T23:45:00Z',
      source: 'open-meteo',
    });
  });

  it('rounds temperatures to one decimal on the way in', async () => {
    const { repo } = context();
    await repo.insertBatch([
      reading('Cali', '2024-03-01T12:00:00Z', { temperature: 24.349 }),
      reading('Cali', '2024-03-01T12:00:15Z', { temperature: 24.35 }),
      reading('Cali', '2024-03-01T12:00:30Z', { temperature: -0.04 }),
    ]);
    const stored = await repo.latestReadings(3);
    assert.deepEqual(
      stored.map((r) => r.temperature),
      [0, 24.4, 24.3],
    );
    assert.ok(!Object.is(stored[0]?.temperature, -0));
  });

  it('keeps city names exactly as written: case and accents make different cities on every dialect', async () => {
    const { repo } = context();
    const at = '2024-03-01T12:00:00Z';
    assert.equal(
      await repo.insertBatch([
        reading('Bogota', at),
        reading('bogota', at),
        reading('Bogotá', at, { temperature: 9 }),
      ]),
      3,
    );
    const latest = await repo.latestPerCity(['Bogotá', 'bogota']);
    assert.deepEqual(
      latest.map((r) => [r.city, r.temperature]),
      [
        ['Bogotá', 9],
        ['bogota', 20],
      ],
    );
  });

  for (const [field, shown, bad] of [
    ['humidity', '101', { humidity: 101 }],
    ['humidity', '-1', { humidity: -1 }],
    ['humidity', '55.5', { humidity: 55.5 }],
    ['humidity', 'null', { humidity: null as unknown as number }],
    ['temperature', 'NaN', { temperature: Number.NaN }],
    ['temperature', '150', { temperature: 150 }],
    ['city', 'empty', { city: '' }],
    ['city', '101 characters long', { city: 'x'.repeat(101) }],
    ['city', 'with a trailing space', { city: 'Cali ' }],
    ['source', 'guess', { source: 'guess' as 'simulated' }],
    ['takenAt', 'Invalid Date', { takenAt: new Date(Number.NaN) }],
  ] as const) {
    it(`rejects a whole batch when one reading has a bad ${field} (${shown})`, async () => {
      const { repo } = context();
      const good = reading('Cali', '2024-03-01T12:00:00Z');
      const broken = { ...reading('Bogota', '2024-03-01T12:00:00Z'), ...bad };
      await assert.rejects(repo.insertBatch([good, broken]), (error: Error) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, new RegExp(`reading "Bogota@2024-03-01T12:00:00Z": ${field} must be`));
        return true;
      });
      assert.equal(await repo.count(), 0);
    });
  }

  it('has the table itself refuse rows that bypass the repository with missing or impossible values', async () => {
    const { db, repo } = context();
    const row = {
      ciudad: 'Bogota',
      temperatura: 14,
      humedad: 80,
      fecha_registro: '2024-03-01 12:00:00',
      reading_key: 'k',
      source: 'simulated' as const,
      observed_at: '2024-03-01 12:00:00',
    };
    for (const bad of [
      { humedad: 101 },
      { humedad: null },
      { temperatura: 150 },
      { temperatura: 'abc' },
      { source: 'guess' },
    ]) {
      await assert.rejects(
        db.kysely
          .insertInto('mediciones')
          .values({ ...row, ...bad } as typeof row)
          .execute(),
        Error,
        JSON.stringify(bad),
      );
    }
    await db.kysely.insertInto('mediciones').values(row).execute();
    await assert.rejects(db.kysely.insertInto('mediciones').values(row).execute(), /unique|duplicate/i);
    assert.equal(await repo.count(), 1);
  });

  it("shows the paper's query with readable dates in the dialect's own command-line client", async () => {
    const { repo, target, dialect } = context();
    await repo.insertBatch([
      reading('Manizales', '2024-03-01T12:00:00Z', { temperature: 17.5, humidity: 81 }),
      reading('Bogota', '2024-03-01T12:00:15Z', { temperature: 14.1, humidity: 70 }),
    ]);
    const rows = dialect.paperQuery(target);
    assert.deepEqual(
      rows.map((columns) => columns.slice(1, 5)),
      [
        ['Bogota', '14.1', '70', '2024-03-01 12:00:15'],
        ['Manizales', '17.5', '81', '2024-03-01 12:00:00'],
      ],
    );
  });
}
