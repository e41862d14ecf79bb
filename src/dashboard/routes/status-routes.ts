import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/app-error.js';
import type { StoreProblem } from '../../db/connection-error.js';
import { outboxStatusToJson } from '../../outbox/outbox-status-json.js';
import type { StoreFailure } from '../../outbox/store-health.js';
import type { DashboardContext } from '../dashboard-context.js';
import { currentOutbox, type OutboxReport } from '../outbox-report.js';
import type { LatestReading } from '../page/page-model.js';
import { problemText, storeFailureText } from '../page/store-problem-text.js';
import { noParameters } from '../query-params.js';

export function statusRoutes(app: FastifyInstance, ctx: DashboardContext): void {
  app.get('/healthz', async () => ({ status: 'alive' }));

  /**
   * Ready while the database answers and every store keeps readings. Otherwise 503 with a stable
   * `reason` code, the store and since when; never the driver's text, which may name an account
   * or an address (it is in the log).
   */
  app.get('/readyz', async (_request, reply) => {
    const databaseUp = await ctx.guard.probe();
    const db = ctx.guard.state();
    const failure: StoreFailure | undefined = databaseUp
      ? currentOutbox(ctx.outbox?.())?.failures[0]
      : { store: 'database', problem: db.problem ?? 'failed', since: db.since };
    if (failure === undefined) return { status: 'ready' };
    return reply
      .code(503)
      .header('retry-after', '5')
      .send({
        status: 'not ready',
        reason: failure.problem,
        store: failure.store,
        since: failure.since.toISOString(),
        message: databaseUp ? failureText(ctx, failure) : problemText(failure.problem, 'en'),
      });
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
        ...problemJson(db.problem),
      },
      openMeteo: {
        status: weather.status,
        since: weather.since.toISOString(),
        lastError: weather.lastError ?? null,
        lastSuccessAt: weather.lastSuccessAt?.toISOString() ?? null,
        coolingDownUntil: weather.coolingDownUntil?.toISOString() ?? null,
        callsToday: weather.callsToday,
      },
      outbox: outbox ? outboxJson(ctx, outbox) : null,
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
  lostTotal: null,
  lastFlushAt: null,
  lastFlushError: null,
  failures: null,
  embedded: null,
};

/** A problem as a stable code and a sentence; the driver's own words stay in the log. */
function problemJson(problem: StoreProblem | undefined) {
  return { problem: problem ?? null, message: problem ? problemText(problem, 'en') : null };
}

function failureText(ctx: DashboardContext, failure: StoreFailure): string {
  return storeFailureText(failure, 'en', { timeZone: ctx.timeZone, now: new Date(ctx.clock.now()) });
}

/**
 * The outbox's numbers with when they were read: `reachable` false (and why) when the sensor
 * does not answer, so last-known numbers are never taken for current ones. Each failing store
 * is named, with since when and what it means for the readings.
 */
function outboxJson(ctx: DashboardContext, report: OutboxReport) {
  const now = ctx.clock.now();
  const status = report.status ? outboxStatusToJson(report.status) : UNKNOWN_OUTBOX;
  return {
    ...status,
    failures:
      report.status?.failures.map((failure) => ({
        store: failure.store,
        problem: failure.problem,
        since: failure.since.toISOString(),
        message: failureText(ctx, failure),
      })) ?? null,
    reachable: report.unreachable === undefined,
    reportedAt: report.reportedAt?.toISOString() ?? null,
    ageSeconds: report.reportedAt
      ? Math.max(0, Math.round((now - report.reportedAt.getTime()) / 1000))
      : null,
    unreachableSince: report.unreachable?.since.toISOString() ?? null,
    unreachableProblem: report.unreachable?.problem ?? null,
  };
}
