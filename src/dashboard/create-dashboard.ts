import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { AlertsStatus } from '../alerts/alerts-service.js';
import { AppError } from '../core/app-error.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { type Metrics, watchUpstream } from '../core/metrics.js';
import { metricsAuth } from '../core/metrics-auth.js';
import type { Database } from '../db/open-db.js';
import { createReadingsRepository } from '../db/readings-repository.js';
import type { City } from '../weather/city.js';
import type { OpenMeteoSource } from '../weather/open-meteo-source.js';
import type { DashboardContext } from './dashboard-context.js';
import { createDatabaseGuard } from './database-guard.js';
import { createLiveWeather } from './live-weather.js';
import { currentOutbox, type OutboxReport } from './outbox-report.js';
import { problemNotice, storageNotice } from './page/store-problem-text.js';
import { createReadingFeed } from './reading-feed.js';
import { createReadingsService } from './readings-service.js';
import { alertsRoute } from './routes/alerts-route.js';
import { browserPage, sendErrorPage } from './routes/error-page.js';
import { type IngestDeps, ingestRoute } from './routes/ingest-route.js';
import { pageRoute } from './routes/page-route.js';
import { readingsRoutes } from './routes/readings-routes.js';
import { type StationInfo, stationsRoutes } from './routes/stations-routes.js';
import { statusRoutes } from './routes/status-routes.js';
import { streamRoute } from './routes/stream-route.js';
import { weatherRoute } from './routes/weather-route.js';

export interface DashboardDeps {
  /** The sensor's outbox: in this process (`clima start`), or polled from the sensor's status server. */
  readonly outbox?: () => OutboxReport;
  readonly db: Database;
  readonly weather: OpenMeteoSource;
  readonly cities: readonly City[];
  readonly intervalS: number;
  readonly timeZone: string;
  readonly host: string;
  readonly port: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** METRICS_TOKEN: when set, `/metrics` answers only a request bearing it. */
  readonly metricsToken?: string;
  /** The alerts evaluated in this process, for `/api/alerts`; none without. */
  readonly alerts?: () => AlertsStatus;
  /** The configured stations, shown beside the cities (`/api/stations`). */
  readonly stations?: readonly StationInfo[];
  /** Stations' readings over HTTP (`POST /api/ingest`), when this process has an outbox to commit them to. */
  readonly ingest?: IngestDeps;
}

/**
 * Every request is logged at debug, not at Fastify's info: at info a dashboard polled by a page
 * and a health check every few seconds would log nothing but its own traffic. Failed requests
 * stay errors.
 */
class DebugRequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) super.requestCompleted(error, request, reply);
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

const NO_ALERTS: AlertsStatus = { active: [], undeliverable: [], evaluatedAt: null };

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The dashboard: the page, the JSON API, health and metrics. `app` serves `inject` in tests. */
export function createDashboard(deps: DashboardDeps) {
  const { db, clock, metrics } = deps;
  const guard = createDatabaseGuard({ db, clock, metrics, logger: deps.logger });
  const repository = createReadingsRepository(db);
  const ctx: DashboardContext = {
    cities: deps.cities,
    intervalS: deps.intervalS,
    timeZone: deps.timeZone,
    repository,
    guard,
    readings: createReadingsService({
      repository,
      guard,
      cities: deps.cities,
      intervalS: deps.intervalS,
      clock,
    }),
    liveWeather: createLiveWeather({ source: deps.weather, clock }),
    weatherStats: () => deps.weather.stats(),
    outbox: deps.outbox,
    clock,
    metrics,
    refuseMetrics: metricsAuth(deps.metricsToken),
    alerts: deps.alerts ?? (() => NO_ALERTS),
  };
  watchUpstream(metrics, 'open-meteo', () => deps.weather.stats());
  const feed = createReadingFeed({
    repository,
    guard,
    intervalS: deps.intervalS,
    logger: deps.logger,
    status: () => liveStatus(ctx),
  });

  const app: FastifyInstance = Fastify({
    // pino's Logger is Fastify's logger; only the generic parameters differ.
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new DebugRequestLog(),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Slow or stuck clients must not hold sockets forever.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
  });

  let closing = false;
  // A keep-alive connection busy when the server closes would otherwise stay open until its
  // idle time-out: tell the client this response is the connection's last.
  // Callback-style hooks: an async hook costs a promise per request on the hottest path.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(SECURITY_HEADERS).header('x-request-id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500)
        request.log.warn({ err: error.cause ?? error, code: error.code }, error.message);
      if (error.retryAfterS !== undefined) reply.header('retry-after', String(error.retryAfterS));
      return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
    }
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ error: { code: 'invalid_parameter', message: error.message } });
    }
    // Details (stack, SQL) go to the log only, never into the body.
    request.log.error({ err: error }, 'request failed');
    if (browserPage(request)) return sendErrorPage(reply.code(500), 'internal', request);
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
  });
  app.setNotFoundHandler((request, reply) => {
    if (browserPage(request)) return sendErrorPage(reply.code(404), 'not-found', request);
    return reply.code(404).send({
      error: { code: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` },
    });
  });

  readingsRoutes(app, ctx);
  weatherRoute(app, ctx);
  statusRoutes(app, ctx);
  pageRoute(app, ctx, deps.stations ?? []);
  streamRoute(app, feed);
  alertsRoute(app, ctx.alerts);
  stationsRoutes(app, ctx, deps.stations ?? []);
  if (deps.ingest !== undefined) ingestRoute(app, deps.ingest);
  // Open streams never finish on their own: end them first, or closing the server would wait forever.
  app.addHook('preClose', async () => feed.close());

  return {
    app,
    guard,
    feed,
    async start(): Promise<void> {
      await app.listen({ host: deps.host, port: deps.port });
    },
    /** Stops accepting connections and waits for requests in flight. */
    async stop(): Promise<void> {
      closing = true;
      await app.close();
    },
  };
}

export type Dashboard = ReturnType<typeof createDashboard>;

/** The `status` event of `/api/stream`: what the page's status strip shows, all from memory. */
function liveStatus(ctx: DashboardContext) {
  const db = ctx.guard.state();
  const weather = ctx.weatherStats();
  const outbox = ctx.outbox?.();
  const alerts = ctx.alerts();
  return {
    database: {
      status: db.up ? 'up' : 'down',
      since: db.since.toISOString(),
      problem: problemNotice(db.up ? undefined : db.problem),
    },
    openMeteo: { status: weather.status, callsToday: weather.callsToday },
    outbox: outbox
      ? {
          depth: outbox.status?.depth ?? null,
          oldestTakenAt: outbox.status?.oldestTakenAt?.toISOString() ?? null,
          reachable: outbox.unreachable === undefined,
        }
      : null,
    storage: storageNotice(currentOutbox(outbox)?.failures ?? [], {
      timeZone: ctx.timeZone,
      now: new Date(ctx.clock.now()),
    }),
    alerts: { active: alerts.active, undeliverable: alerts.undeliverable.length },
  };
}
