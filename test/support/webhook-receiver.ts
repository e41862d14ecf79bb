import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  readonly body: string;
  readonly json: Record<string, unknown>;
  readonly headers: Record<string, string | string[] | undefined>;
}

/**
 * A real HTTP server standing in for a webhook receiver: keeps what it is POSTed. `down()` closes
 * it (connections refused), `up()` listens again on the same port.
 */
export async function startWebhookReceiver() {
  const received: ReceivedHook[] = [];
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      const listening = createServer((request, response) => {
        let body = '';
        request.setEncoding('utf8');
        request.on('data', (chunk) => {
          body += chunk;
        });
        request.on('end', () => {
          received.push({ body, json: JSON.parse(body), headers: request.headers });
          response.writeHead(204, { connection: 'close' }).end();
        });
      });
      server = listening;
      listening.listen(port, '127.0.0.1', () => {
        port = (listening.address() as AddressInfo).port;
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
      server = undefined;
    });
  await listen();
  return {
    url: () => `http://127.0.0.1:${port}/hook`,
    received,
    down: close,
    up: listen,
    close,
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
