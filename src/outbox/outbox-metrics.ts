import { Counter, Gauge } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { Metrics } from '../core/metrics.js';
import type { OutboxStatus } from './edge-outbox.js';

/** The outbox's depth, age and totals as metrics, read at scrape time. */
export function watchOutbox(metrics: Metrics, status: () => OutboxStatus, clock: Clock): void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'clima_outbox_depth',
    help: 'Readings waiting in the edge outbox to reach the database.',
    registers,
    collect() {
      this.set(status().depth);
    },
  });
  new Gauge({
    name: 'clima_outbox_oldest_age_seconds',
    help: 'Age of the oldest reading waiting in the outbox (0 when empty).',
    registers,
    collect() {
      const oldest = status().oldestTakenAt;
      this.set(oldest ? Math.max(0, (clock.now() - oldest.getTime()) / 1000) : 0);
    },
  });
  const totals: [string, string, (s: OutboxStatus) => number][] = [
    ['clima_outbox_sent_total', 'Readings the database acknowledged from the outbox.', (s) => s.sentTotal],
    ['clima_outbox_dropped_total', 'Readings dropped because the outbox was full.', (s) => s.droppedTotal],
  ];
  for (const [name, help, value] of totals) {
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(value(status()));
      },
    });
  }
}
