import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { alertPayload } from '../../src/alerts/alert-message.js';
import { SIGNATURE_HEADER, sendWebhook, signBody } from '../../src/alerts/webhook-sender.js';
import type { WebhookTarget } from '../../src/config/alerts-file.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const payload = alertPayload(
  {
    rule: 'frost',
    subject: 'Manizales',
    seq: 2,
    state: 'firing',
    value: 1.5,
    atMs: Date.parse('2026-07-01T06:10:00Z'),
  },
  'http://clima.test/',
);

describe('webhook notifications', () => {
  let receiver: WebhookReceiver;
  before(async () => {
    receiver = await startWebhookReceiver();
  });
  after(() => receiver.close());
  const target = (overrides: Partial<WebhookTarget> = {}): WebhookTarget => ({
    type: 'webhook',
    name: 'hook',
    url: receiver.url(),
    secret: 'k3y',
    format: 'json',
    ...overrides,
  });

  it('signs the exact body with HMAC-SHA256 of the secret', async () => {
    receiver.received.length = 0;
    await sendWebhook(target(), payload);
    const [hook] = receiver.received;
    assert.equal(hook?.headers['content-type'], 'application/json');
    assert.equal(hook?.headers[SIGNATURE_HEADER], signBody(hook?.body ?? '', 'k3y'));
    assert.notEqual(hook?.headers[SIGNATURE_HEADER], signBody(hook?.body ?? '', 'other'));
    assert.deepEqual(hook?.json, payload);
  });

  it('sends a Slack-compatible body when asked, unsigned without a secret', async () => {
    receiver.received.length = 0;
    await sendWebhook(target({ format: 'slack', secret: undefined }), payload);
    const [hook] = receiver.received;
    assert.equal(hook?.headers[SIGNATURE_HEADER], undefined);
    assert.deepEqual(hook?.json, {
      text: '[clima] frost (Manizales): FIRING, value 1.5, since 2026-07-01T06:10:00.000Z http://clima.test/',
    });
  });

  it('fails unless the receiver answers 2xx, saying what it answered', async () => {
    const failing = createServer((_request, response) => response.writeHead(503).end());
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = failing.address() as AddressInfo;
      await assert.rejects(
        sendWebhook(target({ url: `http://127.0.0.1:${port}/` }), payload),
        /hook: answered 503/,
      );
    } finally {
      failing.closeAllConnections();
      await new Promise((resolve) => failing.close(resolve));
    }
  });
});
