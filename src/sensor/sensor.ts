import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { createStateChangeLog } from '../core/state-change-log.js';
import type { City } from '../weather/city.js';
import type { WeatherSource } from '../weather/observation.js';
import type { ReadingStore } from './reading-store.js';
import { takeReadings } from './take-readings.js';

export interface SensorDeps {
  readonly source: WeatherSource;
  readonly store: ReadingStore;
  readonly cities: readonly City[];
  readonly intervalS: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface TickResult {
  readonly takenAt: Date;
  /** Readings produced this tick (one per city the source answered for). */
  readonly readings: number;
  /** Readings newly stored. */
  readonly stored: number;
}

/** How long `stop()` waits for a tick in flight before giving up on it. */
const STOP_GRACE_MS = 4_000;

/**
 * The sensor: every `intervalS` seconds, one reading per city. Ticks fall on multiples of the
 * interval (readings of several sensors line up) and never overlap; a tick that ran late (a
 * stalled event loop, a slow store) is followed at once by the boundaries it made the sensor miss,
 * up to `MAX_CATCH_UP` of them, so a stall of a few intervals leaves no gap. No error ever stops
 * the loop.
 */
/** The most interval boundaries a late sensor takes afterwards; a longer stall leaves a gap. */
export const MAX_CATCH_UP = 3;

export function createSensor(deps: SensorDeps) {
  const { source, store, cities, clock, logger } = deps;
  const intervalMs = deps.intervalS * 1000;
  const weatherLog = createStateChangeLog(logger, 'weather source');
  const storeLog = createStateChangeLog(logger, 'reading store');
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> | undefined;
  let abort = new AbortController();
  let running = false;

  /**
   * Takes and stores one round of readings; resolves with what happened, never rejects.
   * `dueAt` is the interval boundary the tick was scheduled for, and its readings' time: a timer
   * may fire a millisecond early (the previous second would repeat that tick's keys) or, on a
   * loaded machine, a second late (the boundary would be missed).
   */
  async function tick(dueAt?: number): Promise<TickResult> {
    const takenAt = new Date(Math.floor((dueAt ?? clock.now()) / 1000) * 1000);
    let readings: Awaited<ReturnType<typeof takeReadings>>;
    try {
      readings = await takeReadings(source, cities, takenAt, abort.signal);
      weatherLog.succeeded();
    } catch (error) {
      // Cancelled by stop(): the source did not fail, and saying so would be the last line logged.
      if (!abort.signal.aborted) weatherLog.failed(error);
      return { takenAt, readings: 0, stored: 0 };
    }
    if (readings.length === 0) return { takenAt, readings: 0, stored: 0 };
    try {
      const stored = await store.insertBatch(readings);
      storeLog.succeeded();
      logger.debug({ takenAt, readings: readings.length, stored }, 'readings stored');
      return { takenAt, readings: readings.length, stored };
    } catch (error) {
      storeLog.failed(error);
      return { takenAt, readings: readings.length, stored: 0 };
    }
  }

  function scheduleNext(previousDueAt: number | undefined): void {
    if (!running) return;
    const now = clock.now();
    const nextBoundary = (Math.floor(now / intervalMs) + 1) * intervalMs;
    // The boundary after the previous tick's: now or soon, unless too far behind to catch up.
    const following = previousDueAt === undefined ? nextBoundary : previousDueAt + intervalMs;
    const dueAt = nextBoundary - following > MAX_CATCH_UP * intervalMs ? nextBoundary : following;
    timer = setTimeout(() => runTick(dueAt), Math.max(0, dueAt - now));
  }

  function runTick(dueAt?: number): void {
    inFlight = tick(dueAt).finally(() => {
      inFlight = undefined;
      scheduleNext(dueAt);
    });
  }

  return {
    tick,
    /** Takes a first round at once, then one on every interval boundary. */
    start(): void {
      if (running) return;
      running = true;
      abort = new AbortController();
      logger.info({ cities: cities.length, intervalS: deps.intervalS }, 'sensor started');
      runTick();
    },
    /** Stops the loop; a tick in flight is cancelled and awaited for a few seconds at most. */
    async stop(): Promise<void> {
      running = false;
      clearTimeout(timer);
      abort.abort();
      if (inFlight) {
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([
          inFlight,
          new Promise((resolve) => (grace = setTimeout(resolve, STOP_GRACE_MS))),
        ]);
        clearTimeout(grace);
      }
      logger.info('sensor stopped');
    },
  };
}

export type Sensor = ReturnType<typeof createSensor>;
