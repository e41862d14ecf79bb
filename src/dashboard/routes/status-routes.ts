import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/app-error.js';
import { outboxStatusToJson } from '../../outbox/outbox-status-json.js';
import type { DashboardContext } from '../dashboard-context.js';
import type { OutboxReport } from '../outbox-report.js';
import type { LatestReading } from '../page/page-model.js';
import { noParameters } from '../query-params.js';

export function statusRoutes(app: FastifyInstance, ctx: DashboardContext): void {
  app.get('/healthz', async () => ({ status: 'alive' }));

  app.get('/readyz', async (_request, reply) => {
    if (await ctx.guard.probe()) return { status: 'ready' };
    const { since, lastError } = ctx.guard.state();
    return reply
      .code(503)
      .header('retry-after', '5')
      .send({ status: 'not ready', reason: `database unavailable since ${since.toISOString()}`, lastError });
  });

  app.get('/metrics', async (request, reply) => {
    const refusal = ctx.refuseMetrics(request.headers.authorization);
    if (refusal) return reply.code(refusal.status).headers(refusal.headers).send(refusal.body);
    const body = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(body);
  });

  app.get('/api/status', async (request) => {
    noParameters(request.query);
    let latest: readonly LatestReading[];
    let freshnessFrom: 'database' | 'last-known' = 'database';
    try {
      latest = await ctx.readings.latest();
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      latest = ctx.readings.lastKnown()?.latest ?? [];
      freshnessFrom = 'last-known';
    }
    const db = ctx.guard.state();
    const weather = ctx.weatherStats();
    const outbox = ctx.outbox?.();
    return {
      database: {
        status: db.up ? 'up' : 'down',
        since: db.since.toISOString(),
        lastError: db.lastError ?? null,
      },
      openMeteo: {
        status: weather.status,
        since: weather.since.toISOString(),
        lastError: weather.lastError ?? null,
        lastSuccessAt: weather.lastSuccessAt?.toISOString() ?? null,
        coolingDownUntil: weather.coolingDownUntil?.toISOString() ?? null,
        callsToday: weather.callsToday,
      },
      outbox: outbox ? outboxJson(outbox, ctx.clock.now()) : null,
      freshness: {
        from: freshnessFrom,
        staleAfterSeconds: ctx.readings.staleAfterSeconds,
        cities: ctx.cities.map((city) => {
          const reading = latest.find((r) => r.city === city.name);
          return {
            city: city.name,
            latestAt: reading?.takenAt ?? null,
            ageSeconds: reading?.ageSeconds ?? null,
            stale: reading ? reading.stale : true,
            source: reading?.source ?? null,
          };
        }),
      },
    };
  });
}

const UNKNOWN_OUTBOX = {
  depth: null,
  oldestTakenAt: null,
  sentTotal: null,
  droppedTotal: null,
  lastFlushAt: null,
  lastFlushError: null,
};

/**
 * The outbox's numbers with when they were read: `reachable` false (and why) when the sensor
 * does not answer, so last-known numbers are never taken for current ones.
 */
function outboxJson(report: OutboxReport, now: number) {
  return {
    ...(report.status ? outboxStatusToJson(report.status) : UNKNOWN_OUTBOX),
    reachable: report.unreachable === undefined,
    reportedAt: report.reportedAt?.toISOString() ?? null,
    ageSeconds: report.reportedAt
      ? Math.max(0, Math.round((now - report.reportedAt.getTime()) / 1000))
      : null,
    unreachableSince: report.unreachable?.since.toISOString() ?? null,
    unreachableError: report.unreachable?.error ?? null,
  };
}
