import { Counter } from 'prom-client';
import type { Metrics } from '../core/metrics.js';

/** The alerts' counters, on the process's registry. */
export function createAlertMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  return {
    transitions: new Counter({
      name: 'clima_alert_transitions_total',
      help: 'Alert state changes this process recorded, by rule and new state.',
      labelNames: ['rule', 'state'] as const,
      registers,
    }),
    deliveries: new Counter({
      name: 'clima_alert_notifications_delivered_total',
      help: 'Notifications delivered, by target.',
      labelNames: ['target'] as const,
      registers,
    }),
    failedAttempts: new Counter({
      name: 'clima_alert_delivery_failures_total',
      help: 'Delivery attempts that failed (retried later), by target.',
      labelNames: ['target'] as const,
      registers,
    }),
    undeliverable: new Counter({
      name: 'clima_alert_notifications_undeliverable_total',
      help: 'Notifications given up on after retrying for the whole give-up period, by target.',
      labelNames: ['target'] as const,
      registers,
    }),
  };
}

export type AlertMetrics = ReturnType<typeof createAlertMetrics>;
