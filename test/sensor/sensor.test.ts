import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import type { NewReading } from '../../src/db/reading.js';
import { createReadingsRepository, type ReadingsRepository } from '../../src/db/readings-repository.js';
import type { ReadingStore } from '../../src/sensor/reading-store.js';
import { createSensor, type SensorDeps } from '../../src/sensor/sensor.js';
import { DEFAULT_CITIES } from '../../src/weather/city.js';
import type { Observation, WeatherSource } from '../../src/weather/observation.js';
import { createOpenMeteoSource } from '../../src/weather/open-meteo-source.js';
import { createSimulatedSource } from '../../src/weather/simulated-source.js';
import { abortedError } from '../../src/weather/weather-error.js';
import { captureLogger } from '../support/capture-logger.js';
import { startFakeOpenMeteo } from '../support/fake-open-meteo.js';
import { waitFor } from '../support/run-clima.js';

const START = Date.parse('2026-08-20T14:03:07.250Z');

describe('sensor', () => {
  let dir: string;
  let db: Database;
  let repository: ReadingsRepository;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clima-sensor-'));
    db = openDb({ dialect: 'sqlite', path: join(dir, 'clima.db') });
    await migrateToLatest(db);
    repository = createReadingsRepository(db);
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A sensor over the test database and the seven default cities, every 15 s unless told otherwise. */
  function sensorWith(deps: Partial<SensorDeps> & Pick<SensorDeps, 'clock' | 'logger'>) {
    return createSensor({
      source: createSimulatedSource({ seed: 7, clock: deps.clock }),
      store: repository,
      cities: DEFAULT_CITIES,
      intervalS: 15,
      ...deps,
    });
  }

  it('stores one reading per city per tick, stamped with the whole second it was taken', async () => {
    const clock = new ManualClock(START);
    const { logger } = captureLogger();
    const sensor = sensorWith({ clock, logger });
    const before = await repository.count();
    const first = await sensor.tick();
    clock.advance(15_000);
    const second = await sensor.tick();
    assert.equal(first.readings, 7);
    assert.equal(first.stored, 7);
    assert.equal(second.stored, 7);
    assert.equal(first.takenAt.toISOString(), '2026-08-20T14:03:07.000Z');
    assert.equal((await repository.count()) - before, 14);
    const latest = await repository.latestPerCity(DEFAULT_CITIES.map((city) => city.name));
    assert.equal(latest.length, 7);
    for (const reading of latest) {
      assert.equal(reading.takenAt, '2026-08-20T14:03:22Z');
      assert.equal(reading.source, 'simulated');
    }
  });

  it('stores a tick once even when it is stored twice', async () => {
    const clock = new ManualClock(START + 3_600_000);
    const { logger } = captureLogger();
    const sensor = sensorWith({ clock, logger });
    assert.equal((await sensor.tick()).stored, 7);
    assert.equal((await sensor.tick()).stored, 0);
  });

  it('keeps going through store failures, logging the failure once and the recovery once', async () => {
    const clock = new ManualClock(START + 7_200_000);
    const { logger, lines } = captureLogger();
    let down = true;
    const flaky: ReadingStore = {
      insertBatch: (readings: readonly NewReading[]) =>
        down ? Promise.reject(new Error('database is down')) : repository.insertBatch([...readings]),
    };
    const sensor = sensorWith({ store: flaky, clock, logger });
    for (let i = 0; i < 5; i++) {
      assert.equal((await sensor.tick()).stored, 0);
      clock.advance(15_000);
    }
    down = false;
    assert.equal((await sensor.tick()).stored, 7);
    const failures = lines.filter((line) => line.msg.includes('database is down'));
    assert.equal(failures.length, 1);
    assert.equal(lines.filter((line) => line.msg === 'reading store recovered').length, 1);
  });

  it('keeps going when the weather source fails, storing nothing from it', async () => {
    const clock = new ManualClock(START);
    const { logger, lines } = captureLogger();
    const broken: WeatherSource = { observe: () => Promise.reject(new Error('no weather today')) };
    const sensor = sensorWith({ source: broken, clock, logger });
    const before = await repository.count();
    for (let i = 0; i < 3; i++) assert.deepEqual((await sensor.tick()).stored, 0);
    assert.equal(await repository.count(), before);
    assert.equal(lines.filter((line) => line.msg.includes('no weather today')).length, 1);
  });

  it('never runs two ticks at once and stops within 5 s while a tick hangs', async () => {
    const { logger } = captureLogger();
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    const slow: WeatherSource = {
      observe: (_cities, signal) =>
        new Promise<Observation[]>((resolve) => {
          calls++;
          active++;
          maxActive = Math.max(maxActive, active);
          // Never answers on its own: only the sensor's stop (abort) ends it.
          signal?.addEventListener('abort', () => {
            active--;
            resolve([]);
          });
        }),
    };
    const sensor = sensorWith({ source: slow, intervalS: 1, clock: systemClock, logger });
    sensor.start();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const started = Date.now();
    await sensor.stop();
    assert.ok(Date.now() - started < 5_000);
    assert.equal(calls, 1, 'the hanging tick held back every later one');
    assert.equal(maxActive, 1);
  });

  it('logs no weather failure for the request its own stop cancels', async () => {
    const { logger, lines } = captureLogger();
    let asked: () => void = () => {};
    const wasAsked = new Promise<void>((resolve) => (asked = resolve));
    const cancelled: WeatherSource = {
      observe: (_cities, signal) =>
        new Promise<Observation[]>((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(abortedError(signal)));
          asked();
        }),
    };
    const sensor = sensorWith({ source: cancelled, clock: systemClock, logger });
    sensor.start();
    await wasAsked;
    await sensor.stop();
    assert.deepEqual(
      lines.filter((line) => line.level >= 40).map((line) => line.msg),
      [],
      'nothing at warn or above',
    );
    assert.equal(lines.at(-1)?.msg, 'sensor stopped');
  });

  it('stamps every tick with a second of its own, even when its timer fires early', async () => {
    const { logger } = captureLogger();
    const takenAt: number[] = [];
    const recording: ReadingStore = {
      insertBatch: async (readings: readonly NewReading[]) => {
        takenAt.push(readings[0]?.takenAt.getTime() ?? 0);
        return readings.length;
      },
    };
    // Timers keep their own clock: the wall clock can read a few ms short of the boundary a
    // timer was set for. Every tick (odd calls) sees such a clock; scheduling (even calls) does not.
    let calls = 0;
    const early = { now: () => Date.now() - (++calls % 2 === 1 ? 3 : 0) };
    const fixed: WeatherSource = {
      observe: async () => [
        { city: 'Bogota', temperature: 14, humidity: 70, observedAt: new Date(0), source: 'simulated' },
      ],
    };
    const sensor = sensorWith({ source: fixed, store: recording, intervalS: 1, clock: early, logger });
    sensor.start();
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    await sensor.stop();
    assert.ok(takenAt.length >= 3, `${takenAt.length} ticks`);
    assert.equal(new Set(takenAt).size, takenAt.length, 'no second stamped twice');
  });

  it('takes the boundaries a stall made it miss right after it, so a stall of a few intervals leaves no gap', async () => {
    const { logger } = captureLogger();
    const takenAt: number[] = [];
    let stalled = false;
    const stalling: ReadingStore = {
      insertBatch: async (readings: readonly NewReading[]) => {
        takenAt.push(readings[0]?.takenAt.getTime() ?? 0);
        // The second tick's store hangs for over two intervals, as a loaded disk or machine would.
        if (takenAt.length === 2 && !stalled) {
          stalled = true;
          await new Promise((resolve) => setTimeout(resolve, 2_300));
        }
        return readings.length;
      },
    };
    const fixed: WeatherSource = {
      observe: async () => [
        { city: 'Bogota', temperature: 14, humidity: 70, observedAt: new Date(0), source: 'simulated' },
      ],
    };
    const sensor = sensorWith({ source: fixed, store: stalling, intervalS: 1, clock: systemClock, logger });
    sensor.start();
    await waitFor(() => (takenAt.length >= 7 ? true : undefined), 20_000, 'seven ticks');
    await sensor.stop();
    const steps = takenAt.slice(1).map((at, i) => at - (takenAt[i] as number));
    assert.deepEqual(
      new Set(steps.slice(0, 5)),
      new Set([1_000]),
      `seconds taken: ${takenAt.map((at) => new Date(at).toISOString()).join(', ')}`,
    );
  });

  it('asks Open-Meteo at most 5 times over one simulated hour of 15 s ticks', async () => {
    const clock = new ManualClock(START + 86_400_000);
    const fake = await startFakeOpenMeteo({ clock });
    try {
      const { logger } = captureLogger();
      const source = createOpenMeteoSource({ baseUrl: fake.url, clock, logger });
      const sensor = sensorWith({ source, clock, logger });
      let stored = 0;
      for (let tick = 0; tick < 240; tick++) {
        const result = await sensor.tick();
        assert.equal(result.readings, 7, `tick ${tick} read every city`);
        stored += result.stored;
        clock.advance(15_000);
      }
      assert.equal(stored, 240 * 7);
      assert.ok(fake.requests.length <= 5, `${fake.requests.length} requests`);
      const latest = await repository.latestPerCity(['Bogota']);
      assert.equal(latest[0]?.source, 'open-meteo');
    } finally {
      await fake.close();
    }
  });
});
