import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { metricsAuth } from '../core/metrics-auth.js';
import type { OutboxStatus } from '../outbox/edge-outbox.js';
import { outboxStatusToJson } from '../outbox/outbox-status-json.js';

/**
 * `clima sensor`'s own small HTTP server, for when it runs apart from the dashboard: `/healthz`,
 * `/readyz`, `/metrics` (the process's registry, outbox included) for Prometheus, and `/status`, the outbox as
 * JSON, which `clima dashboard` polls (SENSOR_STATUS_URL). Read-only; node:http is enough for three
 * routes, and keeps Fastify out of the sensor process.
 */
export function createSensorStatusServer(deps: {
  host: string;
  port: number;
  outbox: () => OutboxStatus;
  /** Why the process cannot do its work yet (`/readyz` answers 503 with it); undefined: ready. */
  notReady?: () => string | undefined;
  metrics: Metrics;
  /** METRICS_TOKEN: when set, `/metrics` answers only a request bearing it. */
  metricsToken?: string;
  logger: Logger;
}) {
  const { metrics, logger } = deps;
  const refuseMetrics = metricsAuth(deps.metricsToken);

  function send(response: ServerResponse, status: number, type: string, body: string): void {
    response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  }
  const json = (response: ServerResponse, status: number, value: unknown) =>
    send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return json(response, 405, { error: { code: 'method_not_allowed', message: 'only GET' } });
    }
    if (path === '/healthz') return json(response, 200, { status: 'alive' });
    if (path === '/readyz') {
      const reason = deps.notReady?.();
      return reason === undefined
        ? json(response, 200, { status: 'ready' })
        : json(response, 503, { status: 'not-ready', reason });
    }
    if (path === '/status') return json(response, 200, outboxStatusToJson(deps.outbox()));
    if (path === '/metrics') {
      const refusal = refuseMetrics(request.headers.authorization);
      if (refusal) {
        response.setHeader('www-authenticate', refusal.headers['www-authenticate']);
        return json(response, refusal.status, refusal.body);
      }
      return send(response, 200, metrics.registry.contentType, await metrics.registry.metrics());
    }
    json(response, 404, { error: { code: 'not_found', message: `no route for GET ${path}` } });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // Details go to the log only, never into the body.
      logger.error({ err: error }, 'status request failed');
      if (!response.headersSent)
        json(response, 500, { error: { code: 'internal', message: 'internal error' } });
      else response.destroy();
    });
  });
  // Slow or stuck clients must not hold sockets forever.
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 65_000;

  return {
    name: 'sensor status',
    async start(): Promise<void> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(deps.port, deps.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      logger.info(`sensor status on http://${deps.host}:${(server.address() as AddressInfo).port}`);
    },
    /** The port it listens on (the one asked for, or the one the system chose for 0). */
    port: (): number => (server.address() as AddressInfo | null)?.port ?? deps.port,
    async stop(): Promise<void> {
      if (!server.listening) return;
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeIdleConnections();
      await closed;
    },
  };
}

export type SensorStatusServer = ReturnType<typeof createSensorStatusServer>;
