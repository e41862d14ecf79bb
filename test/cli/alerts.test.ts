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

  let second = Math.floor(Date.now() / 1000);

  /** Stores a reading for Cali, a second after the last one, in the SQLite file at `path`. */
  async function storeCali(path: string, temperature: number): Promise<void> {
    const db = openDb({ dialect: 'sqlite', path });
    try {
      await migrateToLatest(db);
      // Each newer than the last: the rules judge a city's newest reading.
      const takenAt = new Date(++second * 1000);
      await createReadingsRepository(db).insertBatch([
        {
          key: readingKey('Cali', takenAt),
          city: 'Cali',
          temperature,
          humidity: 50,
          takenAt,
          observedAt: takenAt,
          source: 'simulated',
        },
      ]);
    } finally {
      await db.close();
    }
  }

  /** A heat rule for Cali notifying the receiver, the built-in rules off, a round every 0.2 s. */
  function writeAlertsFile(): string {
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
    return alertsFile;
  }

  async function alertsOf(base: string) {
    const response = await fetch(`${base}/api/alerts`).catch(() => undefined);
    return response?.ok
      ? ((await response.json()) as { active: { rule: string; state: string }[]; evaluatedAt: string | null })
      : undefined;
  }

  /** Waits until the dashboard at `base` has completed `count` more evaluation rounds. */
  async function rounds(base: string, count: number): Promise<void> {
    let seen = 0;
    let last: string | null | undefined;
    await waitFor(
      async () => {
        const at = (await alertsOf(base))?.evaluatedAt;
        if (at && at !== last) {
          if (last !== undefined) seen++;
          last = at;
        }
        return seen >= count ? true : undefined;
      },
      20_000,
      `${count} evaluation rounds at ${base}`,
    );
  }

  async function dashboardEnv(path: string): Promise<Record<string, string>> {
    const port = await freePort();
    return {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dir,
      DATABASE_URL: `sqlite:${path}`,
      ALERTS_FILE: writeAlertsFile(),
      OPEN_METEO_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'warn',
    };
  }

  it('notifies a firing alert once, even when killed -9 and restarted while it fires', async () => {
    receiver.received.length = 0;
    const path = join(dir, 'clima.db');
    await storeCali(path, 40);
    const env = await dashboardEnv(path);
    const base = `http://127.0.0.1:${env.PORT}`;
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
          const status = await alertsOf(base);
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
      await rounds(base, 3);
      assert.equal(receiver.received.length, 1, 'no repeated notification');
    } finally {
      await second.stop();
    }
  });

  it('with two dashboards on one database, notifies each transition once', async () => {
    receiver.received.length = 0;
    const path = join(dir, 'two.db');
    await storeCali(path, 40);
    const envs = [await dashboardEnv(path), await dashboardEnv(path)];
    const dashboards = envs.map((env) => startClima(['dashboard'], { env }));
    try {
      await waitFor(
        () => (receiver.received.length > 0 ? true : undefined),
        20_000,
        'the firing notification',
      );
      await storeCali(path, 20);
      await waitFor(
        () => (receiver.received.length > 1 ? true : undefined),
        20_000,
        'the resolved notification',
      );
      // Both keep evaluating; a second copy of either would arrive within a few rounds.
      await storeCali(path, 41);
      await waitFor(() => (receiver.received.length > 2 ? true : undefined), 20_000, 'the second firing');
      await Promise.all(envs.map((env) => rounds(`http://127.0.0.1:${env.PORT}`, 3)));
      assert.deepEqual(
        receiver.received.map((hook) => hook.json.state),
        ['firing', 'resolved', 'firing'],
      );
    } finally {
      await Promise.all(dashboards.map((d) => d.stop()));
    }
  });
});
