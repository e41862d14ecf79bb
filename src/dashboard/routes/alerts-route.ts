import type { FastifyInstance } from 'fastify';
import type { AlertsStatus } from '../../alerts/alerts-service.js';
import { noParameters } from '../query-params.js';

/**
 * `GET /api/alerts`: the alerts firing or pending (firing first) and the notifications given up
 * on in the last day, as of the evaluator's last round: read from memory, never from the database.
 */
export function alertsRoute(app: FastifyInstance, alerts: () => AlertsStatus): void {
  app.get('/api/alerts', async (request, reply) => {
    noParameters(request.query);
    reply.header('cache-control', 'no-store');
    return alerts();
  });
}
