import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics. One registry per process (not prom-client's global one), so
 * tests can build several apps side by side.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'clima_http_request_duration_seconds',
      help: 'HTTP requests served, by route and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    dbQueryDuration: new Histogram({
      name: 'clima_db_query_duration_seconds',
      help: 'Database queries, by query and outcome (ok, error, timeout).',
      labelNames: ['query', 'outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers: [registry],
    }),
    readingsStored: new Counter({
      name: 'clima_readings_stored_total',
      help: 'Readings newly stored in the database, by city and source.',
      labelNames: ['city', 'source'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** What an upstream (Open-Meteo) has done, read when Prometheus scrapes. */
export interface UpstreamCounts {
  readonly requests: number;
  readonly failures: number;
  readonly callsToday: number;
  readonly up: boolean;
}

/**
 * A metric whose value is read from its owner when Prometheus scrapes, rather than copied there on
 * every change. A counter reads its owner's running total, which only grows.
 */
export function scrapedMetric(
  metrics: Metrics,
  type: 'counter' | 'gauge',
  name: string,
  help: string,
  read: () => number,
  labels: Record<string, string> = {},
): void {
  const options = { name, help, labelNames: Object.keys(labels), registers: [metrics.registry] };
  if (type === 'counter') {
    new Counter({
      ...options,
      collect() {
        this.reset();
        this.inc(labels, read());
      },
    });
  } else {
    new Gauge({
      ...options,
      collect() {
        this.set(labels, read());
      },
    });
  }
}

/** Exposes an upstream's own counts as metrics, read at scrape time rather than copied on every call. */
export function watchUpstream(metrics: Metrics, upstream: string, read: () => UpstreamCounts): void {
  const labels = { upstream };
  scrapedMetric(
    metrics,
    'counter',
    'clima_upstream_requests_total',
    'HTTP requests sent to an upstream API, retries included.',
    () => read().requests,
    labels,
  );
  scrapedMetric(
    metrics,
    'counter',
    'clima_upstream_failures_total',
    'Upstream fetches that failed after their retries.',
    () => read().failures,
    labels,
  );
  scrapedMetric(
    metrics,
    'gauge',
    'clima_upstream_calls_today',
    'Calls counted against the upstream daily budget since 00:00 UTC (Open-Meteo counts each location).',
    () => read().callsToday,
    labels,
  );
  scrapedMetric(
    metrics,
    'gauge',
    'clima_upstream_up',
    '1 while the upstream answers, 0 after a failed fetch.',
    () => (read().up ? 1 : 0),
    labels,
  );
}
