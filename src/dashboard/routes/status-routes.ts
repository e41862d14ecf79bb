import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/app-error.js';
import type { DashboardContext } from '../dashboard-context.js';
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

  app.get('/metrics', async (_request, reply) => {
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
        status: weather.up ? 'up' : 'down',
        since: weather.since.toISOString(),
        lastError: weather.lastError ?? null,
        lastSuccessAt: weather.lastSuccessAt?.toISOString() ?? null,
        coolingDownUntil: weather.coolingDownUntil?.toISOString() ?? null,
        callsToday: weather.callsToday,
      },
      outbox: outbox
        ? {
            depth: outbox.depth,
            oldestTakenAt: outbox.oldestTakenAt?.toISOString() ?? null,
            sentTotal: outbox.sentTotal,
            droppedTotal: outbox.droppedTotal,
            lastFlushAt: outbox.lastFlushAt?.toISOString() ?? null,
            lastFlushError: outbox.lastFlushError ?? null,
          }
        : null,
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
