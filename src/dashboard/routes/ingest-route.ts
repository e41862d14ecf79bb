import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { deviceReadings, type Rejection } from '../../ingest/device-readings.js';
import type { RejectionLog } from '../../ingest/rejection-log.js';
import type { Station } from '../../ingest/station.js';
import { createStationRate } from '../../ingest/station-rate.js';
import { stationTokens } from '../../ingest/station-tokens.js';
import type { ReadingStore } from '../../sensor/reading-store.js';

/** 1,000 readings of about 80 bytes each, with room for spacing. */
export const INGEST_BODY_LIMIT = 256 * 1024;

/** What `POST /api/ingest` needs: the stations, where readings are committed, and the rate. */
export interface IngestDeps {
  readonly stations: readonly Station[];
  /** The edge outbox: a reading is committed there before the answer says so. */
  readonly store: ReadingStore;
  readonly rejections: RejectionLog;
  readonly ratePerMinute: number;
  readonly clock: Clock;
}

/**
 * `POST /api/ingest`: a station's readings, `Authorization: Bearer <its token>`, one reading or an
 * array of at most 1,000. 202 once committed to the outbox; 401 for a token no station has; 400
 * naming the bad field; 413 past 256 KiB; 429 with Retry-After past the station's rate.
 */
export function ingestRoute(app: FastifyInstance, deps: IngestDeps): void {
  const stationOf = stationTokens(deps.stations);
  const rate = createStationRate(deps.ratePerMinute, deps.clock);
  const refuse = (station: Station | undefined, rejection: Rejection) => {
    deps.rejections.rejected('http', station?.name, rejection);
    return { error: { code: rejection.reason, message: rejection.detail, field: rejection.field } };
  };
  // The body is read as text: JSON that does not parse is the station's error to count and answer.
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: INGEST_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    scope.post('/api/ingest', { bodyLimit: INGEST_BODY_LIMIT }, async (request, reply) => {
      const header = request.headers.authorization ?? '';
      const token = /^Bearer (\S+)$/.exec(header)?.[1];
      const station = token === undefined ? undefined : stationOf(token);
      if (station === undefined) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send(
            refuse(undefined, {
              reason: 'unknown-station',
              detail: 'a station token is required: Authorization: Bearer TOKEN',
            }),
          );
      }
      let body: unknown;
      try {
        body = JSON.parse(String(request.body ?? ''));
      } catch (error) {
        return reply
          .code(400)
          .send(refuse(station, { reason: 'bad-json', detail: (error as Error).message }));
      }
      const result = deviceReadings(body, station, new Date(deps.clock.now()));
      if ('rejection' in result) return reply.code(400).send(refuse(station, result.rejection));
      const wait = rate.take(station.name, result.readings.length);
      if (wait !== undefined) {
        return reply
          .code(429)
          .header('retry-after', String(wait))
          .send({
            error: {
              code: 'rate_limited',
              message: `station ${station.name} sends more than ${deps.ratePerMinute} readings a minute`,
            },
          });
      }
      try {
        await deps.store.insertBatch(result.readings);
      } catch (error) {
        request.log.error({ err: error, station: station.name }, 'cannot commit readings to the outbox');
        return reply
          .code(503)
          .header('retry-after', '5')
          .send({
            error: {
              code: 'outbox_unavailable',
              message: 'the readings cannot be kept now: send them again',
            },
          });
      }
      deps.rejections.accepted('http', result.readings.length);
      return reply.code(202).send({ accepted: result.readings.length });
    });
  });
}
