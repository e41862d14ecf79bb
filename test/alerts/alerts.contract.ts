import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';
import { createAlertEvaluator } from '../../src/alerts/alert-evaluator.js';
import type { AlertInputs, LatestReading, SystemInputs } from '../../src/alerts/alert-inputs.js';
import { createAlertMetrics } from '../../src/alerts/alert-metrics.js';
import { createAlertNotifier } from '../../src/alerts/alert-notifier.js';
import { alertRules } from '../../src/alerts/alert-rule.js';
import { signBody } from '../../src/alerts/webhook-sender.js';
import { type AlertsConfig, parseAlertsFile, resolveAlerts } from '../../src/config/alerts-file.js';
import { ManualClock } from '../../src/core/clock.js';
import { createMetrics } from '../../src/core/metrics.js';
import { createAlertsRepository } from '../../src/db/alerts-repository.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import type { Database } from '../../src/db/open-db.js';
import { captureLogger } from '../support/capture-logger.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'hook-secret';
const START = Date.parse('2026-07-01T06:00:00Z');

function alertsConfig(hookUrl: string, file: object): AlertsConfig {
  const parsed = parseAlertsFile(
    JSON.stringify({
      notify: [{ type: 'webhook', name: 'hook', url: hookUrl, secretFile: '/secret' }],
      ...file,
    }),
  );
  if ('error' in parsed) throw new Error(parsed.error);
  return resolveAlerts(parsed, { pageUrl: 'http://clima.test/', backupIntervalS: 600 }, () => `${SECRET}\n`);
}

/** One evaluator and its notifier over `db`, as a dashboard process builds them. */
function evaluatorOn(db: Database, config: AlertsConfig, clock: ManualClock, inputs: () => AlertInputs) {
  const repository = createAlertsRepository(db);
  const metrics = createMetrics();
  const alertMetrics = createAlertMetrics(metrics);
  const { logger, lines } = captureLogger('info');
  const deps = { repository, clock, logger, metrics: alertMetrics };
  return {
    repository,
    metrics,
    lines,
    evaluator: createAlertEvaluator({
      ...deps,
      rules: alertRules(config),
      targets: config.targets.map((t) => t.name),
      readInputs: async () => inputs(),
    }),
    notifier: createAlertNotifier({
      ...deps,
      targets: config.targets,
      retry: config.retry,
      pageUrl: config.pageUrl,
    }),
  };
}

async function metricValue(metrics: ReturnType<typeof createMetrics>, name: string): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  const { values } = (await metric?.get()) ?? { values: [] };
  return values.reduce((sum, v) => sum + v.value, 0);
}

/** A fresh empty database, and a function opening a second connection to it (another evaluator). */
export interface FreshDatabase {
  readonly db: Database;
  openAnother(): Database;
}

/**
 * The alerts' promises on one dialect. `concurrent`: two connections may run transactions at
 * once; not so for two better-sqlite3 connections in one process, whose synchronous busy wait
 * would block the very event loop the other needs to commit.
 */
export function alertsContract(fresh: () => Promise<FreshDatabase>, options: { concurrent: boolean }): void {
  let db: Database;
  let openAnother: () => Database;
  let receiver: WebhookReceiver;
  let clock: ManualClock;
  let latest: LatestReading[];
  let system: SystemInputs;
  const cities = ['Manizales', 'Cali'];
  let subjects: string[];
  const inputs = (): AlertInputs => ({ subjects, latest, system });
  const reading = (subject: string, temperature: number, humidity = 60, ageS = 0): LatestReading => ({
    subject,
    temperature,
    humidity,
    takenAt: new Date(clock.now() - ageS * 1000),
  });

  before(async () => {
    receiver = await startWebhookReceiver();
  });
  beforeEach(async () => {
    await db?.close();
    ({ db, openAnother } = await fresh());
    await migrateToLatest(db);
    clock = new ManualClock(START);
    receiver.received.length = 0;
    latest = [reading('Manizales', 10), reading('Cali', 25)];
    subjects = cities;
    system = {};
  });
  after(async () => {
    await db?.close();
    await receiver.close();
  });

  it('keeps a frost alert pending without notifying, fires after forSeconds, resolves past the hysteresis', async () => {
    const config = alertsConfig(receiver.url(), {
      rules: [
        {
          name: 'frost',
          city: 'Manizales',
          metric: 'temperature',
          below: 2,
          forSeconds: 600,
          hysteresis: 0.5,
        },
      ],
    });
    const { evaluator, notifier, metrics } = evaluatorOn(db, config, clock, inputs);
    latest = [reading('Manizales', 1.5)];
    assert.deepEqual(
      (await evaluator.evaluateOnce()).map((t) => t.state),
      ['pending'],
    );
    assert.equal(await notifier.deliverDue(), 0);
    clock.advance(599_000);
    assert.deepEqual(await evaluator.evaluateOnce(), []);
    clock.advance(1_000);
    assert.deepEqual(
      (await evaluator.evaluateOnce()).map((t) => t.state),
      ['firing'],
    );
    assert.equal(await notifier.deliverDue(), 1);
    // 2.3 is above the threshold but within the hysteresis: still firing, nothing sent.
    latest = [reading('Manizales', 2.3)];
    clock.advance(60_000);
    assert.deepEqual(await evaluator.evaluateOnce(), []);
    latest = [reading('Manizales', 2.6)];
    clock.advance(60_000);
    assert.deepEqual(
      (await evaluator.evaluateOnce()).map((t) => t.state),
      ['resolved'],
    );
    assert.equal(await notifier.deliverDue(), 1);

    assert.deepEqual(
      receiver.received.map((hook) => hook.json),
      [
        {
          id: 'frost/Manizales/2',
          rule: 'frost',
          city: 'Manizales',
          state: 'firing',
          value: 1.5,
          since: new Date(START + 600_000).toISOString(),
          url: 'http://clima.test/',
        },
        {
          id: 'frost/Manizales/3',
          rule: 'frost',
          city: 'Manizales',
          state: 'resolved',
          value: 2.6,
          since: new Date(START + 720_000).toISOString(),
          url: 'http://clima.test/',
        },
      ],
    );
    for (const hook of receiver.received) {
      assert.equal(hook.headers['x-clima-signature'], signBody(hook.body, SECRET));
    }
    assert.equal(await metricValue(metrics, 'clima_alert_transitions_total'), 3);
  });

  it('does not notify a pending alert that clears before forSeconds', async () => {
    const config = alertsConfig(receiver.url(), {
      rules: [{ name: 'frost', city: '*', metric: 'temperature', below: 2, forSeconds: 600 }],
    });
    const { evaluator, notifier } = evaluatorOn(db, config, clock, inputs);
    latest = [reading('Manizales', 1)];
    assert.deepEqual(
      (await evaluator.evaluateOnce()).map((t) => t.state),
      ['pending'],
    );
    clock.advance(300_000);
    latest = [reading('Manizales', 5)];
    assert.deepEqual(
      (await evaluator.evaluateOnce()).map((t) => t.state),
      ['resolved'],
    );
    assert.equal(await notifier.deliverDue(), 0);
    assert.deepEqual(receiver.received, []);
  });

  const kinds: {
    name: string;
    rule?: object;
    system?: object;
    fire: () => void;
    calm: () => void;
    subject: string | null;
  }[] = [
    {
      name: 'humidity above',
      rule: { name: 'damp', city: 'Cali', metric: 'humidity', above: 90 },
      fire: () => (latest = [reading('Cali', 25, 95)]),
      calm: () => (latest = [reading('Cali', 25, 70)]),
      subject: 'Cali',
    },
    {
      name: 'staleness',
      rule: { name: 'silent', city: '*', metric: 'staleness', above: 120 },
      fire: () => (latest = [reading('Manizales', 10, 60, 0), reading('Cali', 25, 60, 300)]),
      calm: () => (latest = [reading('Manizales', 10), reading('Cali', 25)]),
      subject: 'Cali',
    },
    {
      name: 'staleness naming a station',
      rule: { name: 'finca-silent', city: 'finca-1', metric: 'staleness', above: 120 },
      fire: () => {
        subjects = [...cities, 'finca-1'];
        latest = [reading('Cali', 25, 60, 300), reading('finca-1', 20, 60, 300)];
      },
      calm: () => {
        subjects = [...cities, 'finca-1'];
        latest = [reading('Cali', 25, 60, 300), reading('finca-1', 20)];
      },
      subject: 'finca-1',
    },
    {
      name: 'temperature for every city and station',
      rule: { name: 'heat', city: '*', metric: 'temperature', above: 35 },
      fire: () => (latest = [reading('Cali', 25), reading('finca-1', 38)]),
      calm: () => (latest = [reading('Cali', 25), reading('finca-1', 30)]),
      subject: 'finca-1',
    },
    {
      name: 'cloud unreachable',
      fire: () => (system = { cloudUnreachableSince: new Date(clock.now() - 301_000) }),
      calm: () => (system = {}),
      subject: null,
    },
    {
      name: 'outbox oldest',
      fire: () => (system = { outboxOldestTakenAt: new Date(clock.now() - 901_000) }),
      calm: () => (system = { outboxOldestTakenAt: new Date(clock.now() - 5_000) }),
      subject: null,
    },
    {
      name: 'storage failing',
      fire: () => (system = { storageFailingSince: new Date(clock.now() - 61_000) }),
      calm: () => (system = {}),
      subject: null,
    },
    {
      name: 'backup age',
      fire: () => (system = { lastBackupAt: new Date(clock.now() - 1_801_000) }),
      calm: () => (system = { lastBackupAt: new Date(clock.now() - 60_000) }),
      subject: null,
    },
  ];
  for (const kind of kinds) {
    it(`fires and resolves a ${kind.name} rule`, async () => {
      const config = alertsConfig(receiver.url(), { rules: kind.rule ? [kind.rule] : [] });
      const { evaluator, notifier } = evaluatorOn(db, config, clock, inputs);
      kind.calm();
      assert.deepEqual(await evaluator.evaluateOnce(), []);
      kind.fire();
      clock.advance(10_000);
      kind.fire();
      const fired = await evaluator.evaluateOnce();
      assert.deepEqual(
        fired.map((t) => [t.state, t.subject]),
        [['firing', kind.subject ?? 'system']],
      );
      clock.advance(10_000);
      kind.calm();
      assert.deepEqual(
        (await evaluator.evaluateOnce()).map((t) => t.state),
        ['resolved'],
      );
      assert.equal(await notifier.deliverDue(), 2);
      assert.deepEqual(
        receiver.received.map((hook) => [hook.json.rule, hook.json.city, hook.json.state]),
        [
          [fired[0]?.rule, kind.subject, 'firing'],
          [fired[0]?.rule, kind.subject, 'resolved'],
        ],
      );
    });
  }

  it('delivers every transition once, in order, after the receiver was down for a minute', async () => {
    const config = alertsConfig(receiver.url(), {
      rules: [{ name: 'heat', city: 'Cali', metric: 'temperature', above: 35 }],
      retry: { firstSeconds: 5, maxSeconds: 20, giveUpSeconds: 3600 },
    });
    const { evaluator, notifier, metrics } = evaluatorOn(db, config, clock, inputs);
    await receiver.down();
    try {
      for (const temperature of [36, 30, 37]) {
        latest = [reading('Cali', temperature)];
        assert.equal((await evaluator.evaluateOnce()).length, 1);
        for (let s = 0; s < 20; s += 5) {
          assert.equal(await notifier.deliverDue(), 0);
          clock.advance(5_000);
        }
      }
    } finally {
      await receiver.up();
    }
    assert.ok((await metricValue(metrics, 'clima_alert_delivery_failures_total')) >= 3);
    let delivered = 0;
    for (let s = 0; s < 40 && delivered < 3; s += 5) {
      delivered += await notifier.deliverDue();
      clock.advance(5_000);
    }
    assert.equal(delivered, 3);
    assert.equal(await notifier.deliverDue(), 0);
    assert.deepEqual(
      receiver.received.map((hook) => [hook.json.state, hook.json.value]),
      [
        ['firing', 36],
        ['resolved', 30],
        ['firing', 37],
      ],
    );
  });

  it('gives up a notification undeliverable for an hour: logged, counted, listed', async () => {
    const config = alertsConfig(receiver.url(), {
      rules: [{ name: 'heat', city: 'Cali', metric: 'temperature', above: 35 }],
      retry: { firstSeconds: 60, maxSeconds: 600, giveUpSeconds: 3600 },
    });
    const { evaluator, notifier, metrics, repository, lines } = evaluatorOn(db, config, clock, inputs);
    await receiver.down();
    try {
      latest = [reading('Cali', 40)];
      await evaluator.evaluateOnce();
      // Given up at the first failed attempt an hour or more after the transition.
      while (clock.now() - START <= 3_600_000 + 600_000 + 60_000) {
        await notifier.deliverDue();
        clock.advance(60_000);
      }
    } finally {
      await receiver.up();
    }
    assert.equal(await metricValue(metrics, 'clima_alert_notifications_undeliverable_total'), 1);
    const [given] = await repository.givenUp(START, 10);
    assert.equal(given?.transition.rule, 'heat');
    assert.match(given?.lastError ?? '', /ECONNREFUSED/);
    assert.ok(lines.some((line) => line.level === 50 && /undeliverable/.test(line.msg)));
    assert.equal(await notifier.deliverDue(), 0, 'not retried once given up');
  });

  it('after a restart neither repeats nor forgets a notification', async () => {
    const config = alertsConfig(receiver.url(), {
      rules: [{ name: 'heat', city: 'Cali', metric: 'temperature', above: 35 }],
    });
    latest = [reading('Cali', 40)];
    const first = evaluatorOn(db, config, clock, inputs);
    await first.evaluator.evaluateOnce();
    // The process dies after recording the transition, before delivering it.
    clock.advance(10_000);
    const second = evaluatorOn(db, config, clock, inputs);
    assert.deepEqual(await second.evaluator.evaluateOnce(), [], 'still firing: no new transition');
    assert.equal(await second.notifier.deliverDue(), 1, 'the recorded one is not forgotten');
    clock.advance(10_000);
    const third = evaluatorOn(db, config, clock, inputs);
    assert.deepEqual(await third.evaluator.evaluateOnce(), []);
    assert.equal(await third.notifier.deliverDue(), 0, 'nor repeated');
    assert.equal(receiver.received.length, 1);
  });

  // On SQLite, test/cli/alerts.test.ts runs two evaluators as two processes instead.
  if (!options.concurrent) return;
  it('with two evaluators on one database, records and notifies each transition once', async () => {
    const config = alertsConfig(receiver.url(), {
      rules: [{ name: 'heat', city: '*', metric: 'temperature', above: 35 }],
    });
    const other = openAnother();
    try {
      const a = evaluatorOn(db, config, clock, inputs);
      const b = evaluatorOn(other, config, clock, inputs);
      for (const temperature of [36, 30, 38, 31]) {
        latest = [reading('Cali', temperature), reading('Manizales', temperature)];
        const [byA, byB] = await Promise.all([a.evaluator.evaluateOnce(), b.evaluator.evaluateOnce()]);
        assert.equal(byA.length + byB.length, 2, `${temperature}: one transition per city`);
        await Promise.all([a.notifier.deliverDue(), b.notifier.deliverDue()]);
        clock.advance(10_000);
      }
      assert.equal(receiver.received.length, 8);
      const seen = receiver.received.map((hook) => `${hook.json.city} ${hook.json.state} ${hook.json.since}`);
      assert.equal(new Set(seen).size, 8, seen.join('\n'));
    } finally {
      await other.close();
    }
  });
}
