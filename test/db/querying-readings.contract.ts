import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type ContractContext, reading, series } from './readings-repository.contract.js';

/** The dashboard's and backup's queries: part of the readings repository contract. */
export function queryingReadings(context: () => ContractContext): void {
  it('returns the newest reading of each city asked for, by time taken then id, in the order asked', async () => {
    const { repo } = context();
    await repo.insertBatch([
      reading('Bogota', '2024-03-01T12:00:30Z', { temperature: 2 }),
      reading('Bogota', '2024-03-01T12:00:00Z', { temperature: 1 }),
      reading('Cali', '2024-03-01T11:00:00Z', { temperature: 25 }),
      // Same second as the newest Bogota reading but stored later (a higher id): it wins the tie.
      reading('Bogota', '2024-03-01T12:00:30Z', { key: 'Bogota@2024-03-01T12:00:30Z#2', temperature: 3 }),
      reading('Bogota', '2024-03-01T11:59:59Z', { temperature: 0 }),
    ]);
    const latest = await repo.latestPerCity(['Cali', 'Nowhere', 'Bogota', 'Cali']);
    assert.deepEqual(
      latest.map((r) => [r.city, r.temperature, r.takenAt]),
      [
        ['Cali', 25, '2024-03-01T11:00:00Z'],
        ['Bogota', 3, '2024-03-01T12:00:30Z'],
      ],
    );
    assert.deepEqual(await repo.latestPerCity([]), []);
  });

  it('returns the latest readings newest first by id, as the paper lists its last 15', async () => {
    const { repo } = context();
    await repo.insertBatch(series('Medellin', '2024-03-01T00:00:00Z', 20, 60));
    const latest = await repo.latestReadings(15);
    assert.equal(latest.length, 15);
    assert.equal(latest[0]?.takenAt, '2024-03-01T00:19:00Z');
    assert.deepEqual(
      latest.map((r) => r.id),
      [...latest.map((r) => r.id)].sort((a, b) => b - a),
    );
    await assert.rejects(repo.latestReadings(0), RangeError);
  });

  it("returns a city's range newest first with both bounds inclusive and the limit respected", async () => {
    const { repo } = context();
    await repo.insertBatch([
      ...series('Cartagena', '2024-03-01T12:00:00Z', 10, 60),
      reading('Cali', '2024-03-01T12:05:00Z'),
    ]);
    const from = new Date('2024-03-01T12:02:00Z');
    const to = new Date('2024-03-01T12:06:00Z');
    const all = await repo.readingsInRange({ city: 'Cartagena', from, to, limit: 100 });
    assert.deepEqual(
      all.map((r) => r.takenAt),
      ['12:06', '12:05', '12:04', '12:03', '12:02'].map((hm) => `2024-03-01T${hm}:00Z`),
    );
    const limited = await repo.readingsInRange({ city: 'Cartagena', from, to, limit: 2 });
    assert.deepEqual(
      limited.map((r) => r.takenAt),
      ['2024-03-01T12:06:00Z', '2024-03-01T12:05:00Z'],
    );
    // A lower bound inside a second excludes that second: its reading came before the bound.
    const fromMidSecond = new Date('2024-03-01T12:02:00.500Z');
    const later = await repo.readingsInRange({ city: 'Cartagena', from: fromMidSecond, to, limit: 100 });
    assert.equal(later.at(-1)?.takenAt, '2024-03-01T12:03:00Z');
    await assert.rejects(
      repo.readingsInRange({ city: 'Cartagena', from: to, to: from, limit: 1 }),
      RangeError,
    );
  });

  it("walks a city's range page by page after a cursor, each reading once, ties on the second by id", async () => {
    const { repo } = context();
    const at = (s: number) => new Date(Date.parse('2024-03-01T12:00:00Z') + s * 1000).toISOString();
    await repo.insertBatch([
      ...[0, 10, 20, 30, 40].map((s) => reading('Cartagena', at(s))),
      // Readings of one city in one second under other keys, as a hand-written row could be.
      ...['a', 'b', 'c'].map((key) => reading('Cartagena', at(20), { key: `extra-${key}` })),
      reading('Cali', at(20)),
    ]);
    const query = { city: 'Cartagena', from: new Date(at(0)), to: new Date(at(40)), limit: 2 };
    const whole = await repo.readingsInRange({ ...query, limit: 100 });
    assert.equal(whole.length, 8);
    const walked: number[] = [];
    let page = await repo.readingsInRange(query);
    // Bounded, so a cursor that is ignored fails the test instead of looping.
    for (let pages = 0; page.length > 0 && pages < 10; pages++) {
      walked.push(...page.map((r) => r.id));
      page = await repo.readingsInRange({ ...query, olderThan: page.at(-1) });
    }
    assert.deepEqual(
      walked,
      whole.map((r) => r.id),
    );
  });

  it('buckets a range into at most `points` buckets aligned to `from`, with avg/min/max of each', async () => {
    const { repo } = context();
    const start = Date.parse('2024-03-01T00:00:00Z');
    const at = (s: number) => new Date(start + s * 1000).toISOString();
    await repo.insertBatch([
      reading('Bogota', at(-1), { temperature: 50, humidity: 100 }),
      ...Array.from({ length: 12 }, (_, i) =>
        reading('Bogota', at(i * 5), { temperature: 10 + i / 10, humidity: 40 + i }),
      ),
      reading('Bogota', at(60), { temperature: 50, humidity: 100 }),
      reading('Cali', at(10), { temperature: 50, humidity: 100 }),
    ]);
    const { bucketSeconds, buckets } = await repo.bucketedReadings({
      city: 'Bogota',
      from: new Date(start),
      to: new Date(at(59)),
      points: 6,
    });
    assert.equal(bucketSeconds, 10);
    assert.deepEqual(
      buckets.map((b) => b.bucketStart),
      [0, 10, 20, 30, 40, 50].map((s) => at(s).replace('.000Z', 'Z')),
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
  });

  it('never makes more buckets than points, even when the upper bound starts a new bucket', async () => {
    const { repo } = context();
    const from = new Date('2024-03-01T00:00:00Z');
    const to = new Date('2024-03-01T01:00:00Z');
    await repo.insertBatch([reading('Cali', from.toISOString()), reading('Cali', to.toISOString())]);
    for (const points of [1, 7, 60, 3600, 3601, 10_000]) {
      const { bucketSeconds, buckets } = await repo.bucketedReadings({ city: 'Cali', from, to, points });
      assert.ok(
        Math.floor(3600 / bucketSeconds) + 1 <= points,
        `points ${points}: bucket of ${bucketSeconds}s`,
      );
      // Fewer minutes than points: the readings answer, in the smallest buckets that fit.
      if (points > 61) assert.ok(Math.floor(3600 / (bucketSeconds - 1)) + 1 > points, 'smallest size');
      assert.equal(buckets.length, points === 1 ? 1 : 2);
      assert.equal(buckets[0]?.bucketStart, '2024-03-01T00:00:00Z');
    }
    await assert.rejects(repo.bucketedReadings({ city: 'Cali', from, to, points: 0 }), RangeError);
  });

  it('counts the stored readings', async () => {
    const { repo } = context();
    assert.equal(await repo.count(), 0);
    await repo.insertBatch(series('Cali', '2024-03-01T00:00:00Z', 42, 15));
    assert.equal(await repo.count(), 42);
  });

  it('walks every row exactly once in id order with keyset pages', async () => {
    const { repo } = context();
    await repo.insertBatch(series('Bucaramanga', '2024-03-01T00:00:00Z', 25, 15));
    const seen: number[] = [];
    let page = await repo.pageById({ afterId: 0, limit: 10 });
    const sizes: number[] = [];
    // Bounded, so a cursor that is ignored fails the test instead of looping.
    for (let pages = 0; page.length > 0 && pages < 10; pages++) {
      sizes.push(page.length);
      seen.push(...page.map((r) => r.id));
      page = await repo.pageById({ afterId: page.at(-1)?.id ?? 0, limit: 10 });
    }
    assert.deepEqual(sizes, [10, 10, 5]);
    assert.deepEqual(
      seen,
      [...new Set(seen)].sort((a, b) => a - b),
    );
    assert.equal(seen.length, 25);
  });
}
