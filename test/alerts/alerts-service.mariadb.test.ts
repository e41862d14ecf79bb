import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createAlertsService } from '../../src/alerts/alerts-service.js';
import { parseAlertsFile, resolveAlerts } from '../../src/config/alerts-file.js';
import { ManualClock } from '../../src/core/clock.js';
import { createMetrics } from '../../src/core/metrics.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { captureLogger } from '../support/capture-logger.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

mariadbSuite('the alerts service while its database is unreachable', (server) => {
  let receiver: WebhookReceiver;
  before(async () => {
    receiver = await startWebhookReceiver();
  });
  after(() => receiver.close());

  it('sends cloud-unreachable itself once the limit passes, once, and its resolution when the database is back', async () => {
    const db = openDb(parseDatabaseUrl(await server().createDatabase('alerts_outage')));
    try {
      await migrateToLatest(db);
      const parsed = parseAlertsFile(
        JSON.stringify({
          notify: [{ type: 'webhook', url: receiver.url() }],
          system: { cloudUnreachableSeconds: 60, backupAgeSeconds: false },
        }),
      );
      if ('error' in parsed) throw new Error(parsed.error);
      const config = resolveAlerts(parsed, { pageUrl: 'http://clima.test/', backupIntervalS: 600 }, () => '');
      const clock = new ManualClock(Date.parse('2026-07-01T06:00:00Z'));
      const { logger, lines } = captureLogger('info');
      const service = createAlertsService({
        db,
        config,
        cities: ['Cali'],
        stations: [],
        systemInputs: async () => ({}),
        clock,
        logger,
        metrics: createMetrics(),
      });
      await service.round();
      assert.equal(service.status().evaluatedAt, new Date(clock.now()).toISOString());

      await server().kill();
      await service.round();
      clock.advance(59_000);
      await service.round();
      assert.equal(receiver.received.length, 0, 'not before the limit');
      clock.advance(1_000);
      await service.round();
      clock.advance(10_000);
      await service.round();
      assert.deepEqual(
        receiver.received.map((hook) => [hook.json.rule, hook.json.city, hook.json.state, hook.json.value]),
        [['cloud-unreachable', null, 'firing', 60]],
      );
      assert.ok(
        lines.some((line) => line.level === 50 && /cloud-unreachable \(system\) firing/.test(line.msg)),
      );
      assert.deepEqual(
        service.status().active.map((alert) => [alert.rule, alert.state]),
        [['cloud-unreachable', 'firing']],
      );

      await server().restart();
      clock.advance(10_000);
      await service.round();
      await service.round();
      assert.deepEqual(service.status().active, []);
      assert.deepEqual(
        receiver.received.map((hook) => [hook.json.rule, hook.json.state]),
        [
          ['cloud-unreachable', 'firing'],
          ['cloud-unreachable', 'resolved'],
        ],
      );
      await service.stop();
    } finally {
      await db.close();
    }
  });
});
