import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { alertPayload } from '../../src/alerts/alert-message.js';
import { createEmailSender } from '../../src/alerts/email-sender.js';
import type { EmailTarget } from '../../src/config/alerts-file.js';
import { selfSignedCert } from '../support/self-signed-cert.js';

interface Received {
  readonly user: string | undefined;
  readonly secure: boolean;
  readonly to: string[];
  readonly text: string;
}

describe('e-mail notifications', () => {
  const { key, cert } = selfSignedCert();
  const received: Received[] = [];
  let server: SMTPServer;
  let port: number;
  before(async () => {
    server = new SMTPServer({
      key,
      cert,
      // Port 587 style: plain first, then STARTTLS; authentication only once encrypted.
      secure: false,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth(auth, _session, callback) {
        if (auth.username === 'clima' && auth.password === 'mail-pass')
          return callback(null, { user: 'clima' });
        return callback(new Error('bad credentials'));
      },
      onData(stream, session, callback) {
        let text = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk) => {
          text += chunk;
        });
        stream.on('end', () => {
          received.push({
            user: session.user as string | undefined,
            secure: session.secure,
            to: session.envelope.rcptTo.map((r) => r.address),
            text,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const target = (overrides: Partial<EmailTarget>): EmailTarget => ({
    type: 'email',
    name: 'ops',
    to: ['ops@example.org'],
    from: 'clima@example.org',
    host: '127.0.0.1',
    port,
    auth: { user: 'clima', pass: 'mail-pass' },
    ca: cert,
    language: 'es',
    ...overrides,
  });
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

  it('sends over STARTTLS, authenticated, in the configured language', async () => {
    for (const language of ['es', 'en'] as const) {
      const sender = createEmailSender(target({ port, language }));
      try {
        await sender.send(payload);
      } finally {
        sender.close();
      }
    }
    assert.equal(received.length, 2);
    const [es, en] = received;
    assert.equal(es?.secure, true, 'upgraded with STARTTLS');
    assert.equal(es?.user, 'clima');
    assert.deepEqual(es?.to, ['ops@example.org']);
    assert.match(es?.text ?? '', /frost \(Manizales\): ACTIVA, valor 1\.5/);
    assert.match(es?.text ?? '', /Panel: http:\/\/clima\.test\//);
    assert.match(en?.text ?? '', /frost \(Manizales\): FIRING, value 1\.5/);
  });

  it('refuses a server whose certificate it cannot verify, and says why', async () => {
    const sender = createEmailSender(target({ port, ca: undefined }));
    try {
      await assert.rejects(sender.send(payload), /certificate/i);
    } finally {
      sender.close();
    }
  });
});
