import type { FastifyInstance } from 'fastify';
import { noParameters } from '../query-params.js';
import type { ReadingFeed } from '../reading-feed.js';

/** A client this far behind (bytes queued in the socket) is dropped; EventSource reconnects it. */
const MAX_BUFFERED_BYTES = 1 << 20;

function parseLastEventId(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

/**
 * `GET /api/stream`: Server-Sent Events. `reading` events (the API's reading JSON, `id:` = the
 * reading's id) as readings are stored; `status` events when the database, Open-Meteo or the
 * outbox change; comment heartbeats.
 */
export function streamRoute(app: FastifyInstance, feed: ReadingFeed): void {
  app.get('/api/stream', (request, reply) => {
    noParameters(request.query);
    const lastEventId = parseLastEventId(request.headers['last-event-id']);
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // nginx (the hybrid topology's proxy) would otherwise buffer the stream.
      'x-accel-buffering': 'no',
      // The socket serves this stream only; once it ends, closing it lets the server stop at once.
      connection: 'close',
    });
    const unsubscribe = feed.subscribe(
      {
        write(frame) {
          if (response.destroyed) return;
          if (!response.write(frame) && response.writableLength > MAX_BUFFERED_BYTES) response.destroy();
        },
        end() {
          response.end();
        },
      },
      lastEventId,
    );
    response.on('close', unsubscribe);
  });
}
