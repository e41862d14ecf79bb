import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { systemClock } from '../../../src/core/clock.js';
import { localOutboxReport } from '../../../src/dashboard/outbox-report.js';
import { parseDatabaseUrl } from '../../../src/db/database-url.js';
import { openDb } from '../../../src/db/open-db.js';
import { createReadingsRepository } from '../../../src/db/readings-repository.js';
import { createEdgeOutbox } from '../../../src/outbox/edge-outbox.js';
import { readingAt } from '../../outbox/reading-at.js';
import { captureLogger } from '../../support/capture-logger.js';
import { freePort } from '../../support/free-port.js';
import { mariadbSuite } from '../../support/mariadb-server.js';
import { waitFor } from '../../support/run-clima.js';
import { createTestDashboard } from '../../support/test-dashboard.js';

const ACCOUNT = 'clima_secret_reader';

/**
 * The dashboard and an outbox draining into `url`, both unable to use it: what /readyz,
 * /api/status and the page (both languages) answer, and what the log says.
 */
async function anonymousViews(url: string) {
  const dir = mkdtempSync(join(tmpdir(), 'clima-status-routes-'));
  const { logger, lines } = captureLogger('info');
  const db = openDb(parseDatabaseUrl(url), { queryTimeoutMs: 2_000 });
  const edge = createEdgeOutbox({
    path: join(dir, 'outbox.db'),
    maxRows: 1_000,
    database: createReadingsRepository(db),
    embedded: false,
    clock: systemClock,
    logger,
  });
  const dashboard = createTestDashboard({ db, logger, outbox: localOutboxReport(edge.status, systemClock) });
  try {
    edge.start();
    await edge.queue.insertBatch([readingAt(0)]);
    await waitFor(() => edge.status().lastFlushError, 10_000, 'a failed flush');
    const get = (path: string) => dashboard.app.inject({ method: 'GET', url: path });
    const readyz = await get('/readyz');
    const status = await get('/api/status');
    const pages = [(await get('/?lang=en')).body, (await get('/?lang=es')).body];
    return {
      readyz: { code: readyz.statusCode, body: readyz.json() as Record<string, string> },
      status: status.json() as {
        database: { status: string; problem: string; message: string };
        outbox: { lastFlushError: string };
      },
      bodies: [readyz.body, status.body, ...pages],
      pages,
      log: JSON.stringify(lines),
    };
  } finally {
    await dashboard.stop();
    await edge.stop();
    // A pool that never connected rejects its close with its last connection error.
    await db.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertNothingLeaks(bodies: readonly string[], secrets: readonly (string | RegExp)[]): void {
  for (const body of bodies) {
    for (const secret of secrets) {
      const pattern = typeof secret === 'string' ? new RegExp(secret.replace(/\./g, '\\.')) : secret;
      assert.doesNotMatch(body, pattern);
    }
  }
}

mariadbSuite('anonymous endpoints while the database refuses the account', (server) => {
  it('say access-denied in a sentence, never the account or the server, and log the detail', async () => {
    const { port } = server();
    const views = await anonymousViews(`mysql://${ACCOUNT}:wrong-password@127.0.0.1:${port}/clima`);
    assert.equal(views.readyz.code, 503);
    assert.equal(views.readyz.body.reason, 'access-denied');
    assert.equal(views.readyz.body.store, 'database');
    assert.equal(views.readyz.body.message, 'the database refused the account');
    assert.equal(views.status.database.status, 'down');
    assert.equal(views.status.database.problem, 'access-denied');
    assert.equal(views.status.database.message, 'the database refused the account');
    assert.equal(views.status.outbox.lastFlushError, 'access-denied');
    assert.match(views.pages[0] ?? '', /id="db-status"[^>]*data-state="down"/);
    assert.match(views.pages[0] ?? '', /<span data-role="problem">the database refused the account<\/span>/);
    assert.match(
      views.pages[1] ?? '',
      /<span data-role="problem">la base de datos rechazó la cuenta<\/span>/,
    );
    assertNothingLeaks(views.bodies, [ACCOUNT, /Access denied/i, '127.0.0.1', `:${port}`]);
    assert.match(views.log, new RegExp(`Access denied for user '${ACCOUNT}'`), 'the log has the detail');
  });
});

it('says unreachable when nothing answers at the database address, without the address', async () => {
  const port = await freePort();
  const views = await anonymousViews(`mysql://${ACCOUNT}:pw@127.0.0.1:${port}/clima`);
  assert.equal(views.readyz.code, 503);
  assert.equal(views.readyz.body.reason, 'unreachable');
  assert.equal(views.status.database.problem, 'unreachable');
  assert.equal(views.status.database.message, 'the database cannot be reached');
  assert.equal(views.status.outbox.lastFlushError, 'unreachable');
  assert.match(views.pages[0] ?? '', /<span data-role="problem">the database cannot be reached<\/span>/);
  assertNothingLeaks(views.bodies, [ACCOUNT, /ECONNREFUSED/, '127.0.0.1', `:${port}`]);
  assert.match(views.log, new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${port}`), 'the log has the detail');
});
