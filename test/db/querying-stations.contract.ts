import assert from 'node:assert/strict';
import { it } from 'node:test';
import { deviceReadingKey, type NewReading } from '../../src/db/reading.js';
import { type ContractContext, reading } from './readings-repository.contract.js';

/** A reading of `station`, in `city`, keyed as ingestion keys it. */
function stationReading(
  station: string,
  city: string,
  takenAt: string,
  values: Partial<NewReading> = {},
): NewReading {
  const at = new Date(takenAt);
  return reading(city, at, { key: deviceReadingKey(station, at), station, source: 'device', ...values });
}

/** The dashboard's queries on a station's readings: part of the readings repository contract. */
export function queryingStations(context: () => ContractContext): void {
  it('returns the newest reading of each station asked for, in the order asked', async () => {
    const { repo } = context();
    await repo.insertBatch([
      stationReading('finca-1', 'Manizales', '2024-03-01T12:00:00Z', { temperature: 1 }),
      stationReading('finca-1', 'Manizales', '2024-03-01T12:01:00Z', { temperature: 2 }),
      stationReading('finca-2', 'Manizales', '2024-03-01T11:00:00Z', { temperature: 3 }),
      // The city's own sensor is newer, and no station's.
      reading('Manizales', '2024-03-01T12:05:00Z', { temperature: 9 }),
    ]);
    const latest = await repo.latestPerStation(['finca-2', 'nobody', 'finca-1']);
    assert.deepEqual(
      latest.map((r) => [r.station, r.temperature]),
      [
        ['finca-2', 3],
        ['finca-1', 2],
      ],
    );
  });

  it("buckets a station's readings alone, aligned to `from`, with avg/min/max of each", async () => {
    const { repo } = context();
    const start = Date.parse('2024-03-01T00:00:00Z');
    const at = (s: number) => new Date(start + s * 1000).toISOString();
    await repo.insertBatch([
      stationReading('finca-1', 'Manizales', at(-1), { temperature: 50, humidity: 100 }),
      ...Array.from({ length: 12 }, (_, i) =>
        stationReading('finca-1', 'Manizales', at(i * 5), { temperature: 10 + i / 10, humidity: 40 + i }),
      ),
      stationReading('finca-1', 'Manizales', at(60), { temperature: 50, humidity: 100 }),
      // The same city's sensor and another station of it, at the same seconds: not this station's.
      reading('Manizales', at(10), { temperature: 50, humidity: 100 }),
      stationReading('finca-2', 'Manizales', at(10), { temperature: 50, humidity: 100 }),
    ]);
    const { bucketSeconds, buckets } = await repo.stationBucketedReadings({
      station: 'finca-1',
      from: new Date(start),
      to: new Date(at(59)),
      points: 6,
    });
    assert.equal(bucketSeconds, 10);
    assert.deepEqual(
      buckets.map((b) => [b.bucketStart, b.count]),
      [0, 10, 20, 30, 40, 50].map((s) => [at(s).replace('.000Z', 'Z'), 2]),
    );
    assert.deepEqual(buckets[1], {
      bucketStart: '2024-03-01T00:00:10Z',
      count: 2,
      temperatureAvg: 10.25,
      temperatureMin: 10.2,
      temperatureMax: 10.3,
      humidityAvg: 42.5,
      humidityMin: 42,
      humidityMax: 43,
    });
    // The city's buckets hold every reading of the city, its stations' included.
    const city = await repo.bucketedReadings({
      city: 'Manizales',
      from: new Date(start),
      to: new Date(at(59)),
      points: 6,
    });
    assert.equal(city.buckets[1]?.count, 4);
  });

  it('answers a station without readings, or a range without a whole second, with no buckets', async () => {
    const { repo } = context();
    await repo.insertBatch([stationReading('finca-1', 'Manizales', '2024-03-01T00:00:00Z')]);
    const from = new Date('2024-03-01T00:00:00Z');
    const to = new Date('2024-03-01T23:59:59Z');
    assert.deepEqual(await repo.stationBucketedReadings({ station: 'finca-2', from, to, points: 24 }), {
      bucketSeconds: 3600,
      buckets: [],
    });
    const within = new Date('2024-03-01T00:00:00.250Z');
    const { buckets } = await repo.stationBucketedReadings({
      station: 'finca-1',
      from: within,
      to: new Date('2024-03-01T00:00:00.750Z'),
      points: 10,
    });
    assert.deepEqual(buckets, []);
    await assert.rejects(
      repo.stationBucketedReadings({ station: 'finca-1', from, to, points: 0 }),
      RangeError,
    );
  });
}
