/**
 * Dashboard throughput: /api/latest and /api/readings?points=500 over 24 h, at 50 connections,
 * on SQLite and on a private MariaDB holding ROWS synthetic readings of 7 cities, each beside a
 * bare node:http server answering a body of the same size (the ceiling), in the same run.
 *
 *   npm run bench:dashboard [-- --rows 1000000 --seconds 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { createMetrics } from '../src/core/metrics.js';
import { createDashboard } from '../src/dashboard/create-dashboard.js';
import { type DatabaseTarget, parseDatabaseUrl } from '../src/db/database-url.js';
import { openDb } from '../src/db/open-db.js';
import { DEFAULT_CITIES } from '../src/weather/city.js';
import { createOpenMeteoSource } from '../src/weather/open-meteo-source.js';
import { startMariaDb } from '../test/support/mariadb-server.js';
import { load } from './support/autocannon.js';
import { startCeilingServer } from './support/ceiling-server.js';
import { markdownTable } from './support/markdown-table.js';
import { loadReadings, STEP_MS } from './support/synthetic-readings.js';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, seconds: { type: 'string', default: '10' } },
});
const ROWS = Number(values.rows);
const SECONDS = Number(values.seconds);
const NOW = Math.floor(Date.now() / STEP_MS) * STEP_MS;

async function measure(dialect: string, target: DatabaseTarget) {
  const loadSeconds = await loadReadings(target, ROWS, NOW);
  console.error(`${dialect}: ${ROWS} readings loaded in ${loadSeconds.toFixed(1)} s`);
  const db = openDb(target);
  const dashboard = createDashboard({
    db,
    weather: createOpenMeteoSource({
      baseUrl: 'http://127.0.0.1:9',
      clock: systemClock,
      logger: silentLogger,
    }),
    cities: DEFAULT_CITIES,
    intervalS: 15,
    timeZone: 'America/Bogota',
    host: '127.0.0.1',
    port: 0,
    clock: systemClock,
    logger: silentLogger,
    metrics: createMetrics(),
  });
  await dashboard.start();
  const base = `http://127.0.0.1:${(dashboard.app.server.address() as AddressInfo).port}`;
  const from = new Date(NOW - 86_400_000).toISOString();
  const to = new Date(NOW).toISOString();
  const routes = {
    '/api/latest': '/api/latest',
    '/api/readings?points=500 (24 h)': `/api/readings?city=Bogota&from=${from}&to=${to}&points=500`,
  };
  const rows: (string | number)[][] = [];
  for (const [name, path] of Object.entries(routes)) {
    const sample = await fetch(base + path);
    const body = Buffer.from(await sample.arrayBuffer());
    if (sample.status !== 200) throw new Error(`${path}: HTTP ${sample.status} ${body}`);
    const ceiling = await startCeilingServer(body, sample.headers.get('content-type') ?? 'application/json');
    const ours = await load(base + path, { seconds: SECONDS });
    const bare = await load(ceiling.url, { seconds: SECONDS });
    await ceiling.close();
    rows.push([
      dialect,
      name,
      body.length,
      Math.round(ours.requestsPerSecond),
      ours.p50Ms,
      ours.p99Ms,
      Math.round(bare.requestsPerSecond),
      bare.p99Ms,
      (ours.requestsPerSecond / bare.requestsPerSecond).toFixed(2),
      ours.non2xx + ours.errors,
    ]);
  }
  await dashboard.stop();
  await db.close();
  return rows;
}

const dir = mkdtempSync(join(tmpdir(), 'clima-bench-'));
const mariadb = await startMariaDb();
try {
  const rows = [
    ...(await measure('sqlite', { dialect: 'sqlite', path: join(dir, 'clima.db') })),
    ...(await measure('mariadb', parseDatabaseUrl(await mariadb.createDatabase('clima_bench')))),
  ];
  console.log(
    `\n${ROWS} readings, 7 cities, 50 connections, ${SECONDS} s per run, Node ${process.version}\n`,
  );
  console.log(
    markdownTable(
      [
        'db',
        'route',
        'body bytes',
        'req/s',
        'p50 ms',
        'p99 ms',
        'ceiling req/s',
        'ceiling p99 ms',
        'ratio',
        'errors',
      ],
      rows,
    ),
  );
} finally {
  await mariadb.stop();
  rmSync(dir, { recursive: true, force: true });
}
