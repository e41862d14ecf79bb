import { Counter } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { REJECTION_REASONS, type Rejection } from './device-readings.js';

/** A station sending garbage every second must not flood the log: one line a minute at most. */
const LOG_EVERY_MS = 60_000;
/** Topic levels of stations not in STATIONS are kept apart from the stations' own entries. */
const UNKNOWN = '\u0000unknown';

export type Transport = 'mqtt' | 'http';

/**
 * Counts refused messages and requests by transport and reason (`clima_ingest_rejected_total`),
 * and logs them at most once per station per minute, with how many were refused since the last
 * line. One per process: MQTT and HTTP ingestion share it.
 */
export function createRejectionLog(deps: { metrics: Metrics; clock: Clock; logger: Logger }) {
  const counter = new Counter({
    name: 'clima_ingest_rejected_total',
    help: "Stations' messages (MQTT) and requests (HTTP) refused, never stored, by transport and reason.",
    labelNames: ['transport', 'reason'] as const,
    registers: [deps.metrics.registry],
  });
  const accepted = new Counter({
    name: 'clima_ingest_readings_total',
    help: "Stations' readings committed to the outbox, by transport (a redelivered one counts again).",
    labelNames: ['transport'] as const,
    registers: [deps.metrics.registry],
  });
  for (const transport of ['mqtt', 'http'] as const) {
    accepted.inc({ transport }, 0);
    for (const reason of REJECTION_REASONS) counter.inc({ transport, reason }, 0);
  }
  const lastLogged = new Map<string, { at: number; since: number }>();

  return {
    accepted(transport: Transport, readings: number): void {
      accepted.inc({ transport }, readings);
    },
    /** `station` as the sender named itself: a topic level or a token's station; undefined when none. */
    rejected(transport: Transport, station: string | undefined, rejection: Rejection): void {
      counter.inc({ transport, reason: rejection.reason });
      const key = station ?? UNKNOWN;
      const now = deps.clock.now();
      const entry = lastLogged.get(key);
      if (entry !== undefined && now - entry.at < LOG_EVERY_MS) {
        entry.since++;
        return;
      }
      lastLogged.set(key, { at: now, since: 0 });
      deps.logger.warn(
        { transport, station, ...rejection, refusedSinceLastLog: entry?.since ?? 0 },
        `refused a reading from ${station === undefined ? 'an unknown sender' : `station ${station}`}: ${rejection.reason}${rejection.field ? ` (${rejection.field})` : ''}: ${rejection.detail}`,
      );
    },
  };
}

export type RejectionLog = ReturnType<typeof createRejectionLog>;
