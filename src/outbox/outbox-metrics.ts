import type { Clock } from '../core/clock.js';
import { type Metrics, scrapedMetric } from '../core/metrics.js';
import type { OutboxStatus } from './edge-outbox.js';

/** The outbox's depth, age and totals as metrics, read at scrape time. */
export function watchOutbox(metrics: Metrics, status: () => OutboxStatus, clock: Clock): void {
  scrapedMetric(
    metrics,
    'gauge',
    'clima_outbox_depth',
    'Readings waiting in the edge outbox to reach the database.',
    () => status().depth,
  );
  scrapedMetric(
    metrics,
    'gauge',
    'clima_outbox_oldest_age_seconds',
    'Age of the oldest reading waiting in the outbox (0 when empty).',
    () => {
      const oldest = status().oldestTakenAt;
      return oldest ? Math.max(0, (clock.now() - oldest.getTime()) / 1000) : 0;
    },
  );
  scrapedMetric(
    metrics,
    'counter',
    'clima_outbox_sent_total',
    'Readings the database acknowledged from the outbox.',
    () => status().sentTotal,
  );
  scrapedMetric(
    metrics,
    'counter',
    'clima_outbox_dropped_total',
    'Readings dropped because the outbox was full.',
    () => status().droppedTotal,
  );
  scrapedMetric(
    metrics,
    'counter',
    'clima_readings_lost_total',
    'Readings that could not be kept anywhere: the outbox could not write them (disk full or failing).',
    () => status().lostTotal,
  );
  scrapedMetric(
    metrics,
    'gauge',
    'clima_stores_failing',
    'Stores (the outbox, the database) that cannot keep readings now; 0 when both can.',
    () => status().failures.length,
  );
}
