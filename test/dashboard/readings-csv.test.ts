import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { it } from 'node:test';
import { CSV_PAGE_ROWS } from '../../src/dashboard/readings-csv.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';
import { series } from '../db/readings-repository.contract.js';
import { captureLogger } from '../support/capture-logger.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { createTestDashboard } from '../support/test-dashboard.js';

/**
 * Readings in the range: about 3.5 MB of CSV, more than loopback sockets buffer, so the dashboard
 * is still reading pages from the database when it goes.
 */
const ROWS = 50_000;

mariadbSuite('the readings CSV when MariaDB dies mid-download', (server) => {
  it('breaks the download off instead of ending it as if the file were complete', async () => {
    const db = openDb(parseDatabaseUrl(await server().createDatabase('clima_csv')));
    const { logger } = captureLogger('error');
    const dashboard = createTestDashboard({ db, logger });
    try {
      await migrateToLatest(db);
      const readings = series('Bogota', '2026-01-01T00:00:00Z', ROWS, 15);
      const repository = createReadingsRepository(db);
      for (let i = 0; i < ROWS; i += 5000) await repository.insertBatch(readings.slice(i, i + 5000));
      await dashboard.start();
      const { port } = dashboard.app.server.address() as AddressInfo;
      const to = new Date(Date.parse('2026-01-01T00:00:00Z') + ROWS * 15_000).toISOString();
      const response = await fetch(
        `http://127.0.0.1:${port}/api/readings.csv?city=Bogota&from=2026-01-01T00:00:00Z&to=${to}`,
      );
      assert.equal(response.status, 200);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const first = await reader.read();
      assert.ok(first.value && first.value.length > 0, 'the file has begun');

      await server().kill();
      const newlines = (bytes: Uint8Array) => bytes.reduce((n, byte) => n + (byte === 0x0a ? 1 : 0), 0);
      let lines = newlines(first.value);
      await assert.rejects(async () => {
        for (;;) {
          const chunk = await reader.read();
          if (chunk.done) break;
          lines += newlines(chunk.value);
        }
      }, 'the body ends in an error, not as a complete file');
      assert.ok(lines > CSV_PAGE_ROWS && lines < ROWS, `${lines - 1} of ${ROWS} rows arrived`);
    } finally {
      await dashboard.stop();
      await db.close();
    }
  });
});
