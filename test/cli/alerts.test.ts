import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signBody } from '../../src/alerts/webhook-sender.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { readingKey } from '../../src/db/reading.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';
import { freePort } from '../support/free-port.js';
import { runClima, startClima, waitFor } from '../support/run-clima.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

describe('alerts in clima dashboard', () => {
  let dir: string;
  let receiver: WebhookReceiver;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clima-cli-alerts-'));
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops with exit 2 naming the bad entry of ALERTS_FILE', async () => {
    const file = join(dir, 'bad-alerts.json');
    writeFileSync(
      file,
      JSON.stringify({ rules: [{ name: 'frost', city: 'Manizales', metric: 'frost', below: 2 }] }),
    );
    const { code, stdout, stderr } = await runClima(['dashboard'], {
      env: { DATA_DIR: join(dir, 'bad'), ALERTS_FILE: file, HOST: '127.0.0.1' },
    });
    assert.equal(code, 2, stdout + stderr);
    assert.match(stderr, /ALERTS/);
    assert.match(stderr, /rules\[0\]\.metric \("frost"\)/);
  });

  it('notifies a firing alert once, even when killed -9 and restarted while it fires', async () => {
    const path = join(dir, 'clima.db');
    const db = openDb({ dialect: 'sqlite', path });
    await migrateToLatest(db);
    const takenAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    await createReadingsRepository(db).insertBatch([
      {
        key: readingKey('Cali', takenAt),
        city: 'Cali',
        temperature: 40,
        humidity: 50,
        takenAt,
        observedAt: takenAt,
        source: 'simulated',
      },
    ]);
    await db.close();
    writeFileSync(join(dir, 'hook-secret'), 's3cret\n');
    const alertsFile = join(dir, 'alerts.json');
    writeFileSync(
      alertsFile,
      JSON.stringify({
        rules: [{ name: 'heat', city: 'Cali', metric: 'temperature', above: 35 }],
        notify: [{ type: 'webhook', url: receiver.url(), secretFile: join(dir, 'hook-secret') }],
        system: {
          cloudUnreachableSeconds: false,
          outboxOldestSeconds: false,
          storageFailingSeconds: false,
          backupAgeSeconds: false,
        },
        evaluateEverySeconds: 0.2,
      }),
    );
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dir,
      DATABASE_URL: `sqlite:${path}`,
      ALERTS_FILE: alertsFile,
      OPEN_METEO_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'warn',
    };
    const alerts = async () => {
      const response = await fetch(`${base}/api/alerts`).catch(() => undefined);
      return response?.ok
        ? ((await response.json()) as {
            active: { rule: string; state: string }[];
            evaluatedAt: string | null;
          })
        : undefined;
    };

    const first = startClima(['dashboard'], { env });
    try {
      await waitFor(
        () => (receiver.received.length > 0 ? true : undefined),
        20_000,
        'the firing notification',
      );
      const [hook] = receiver.received;
      assert.equal(hook?.json.state, 'firing');
      assert.equal(hook?.json.city, 'Cali');
      assert.equal(hook?.headers['x-clima-signature'], signBody(hook?.body ?? '', 's3cret'));
      const listed = await waitFor(
        async () => {
          const status = await alerts();
          return status?.active.length ? status : undefined;
        },
        10_000,
        '/api/alerts to list it',
      );
      assert.deepEqual(
        listed.active.map((a) => [a.rule, a.state]),
        [['heat', 'firing']],
      );
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /clima_alert_transitions_total\{rule="heat",state="firing"\} 1/);
    } finally {
      first.child.kill('SIGKILL');
      await first.exited;
    }

    const second = startClima(['dashboard'], { env });
    try {
      // Three rounds after the restart, each of which would have sent a repeat.
      let rounds = 0;
      let last: string | null = null;
      await waitFor(
        async () => {
          const status = await alerts();
          if (status?.evaluatedAt && status.evaluatedAt !== last) {
            last = status.evaluatedAt;
            rounds++;
          }
          return rounds >= 3 ? true : undefined;
        },
        20_000,
        'three evaluation rounds after the restart',
      );
      assert.equal(receiver.received.length, 1, 'no repeated notification');
    } finally {
      await second.stop();
    }
  });
});
