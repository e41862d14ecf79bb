/**
 * Dashboard throughput at 50 connections, on SQLite and on a private MariaDB holding ROWS
 * synthetic readings of 7 cities (generated in the database, the rollups filled by the backfill of
 * `clima migrate`; both timed): /api/latest, one city's /api/readings?points=500 over 24 h, 30 d
 * and 365 d, every city's over 30 d (the all-cities view) and the page, each beside a bare
 * node:http server answering a body of the same size (the ceiling) in the same run, and the
 * dashboard's peak RSS under that load.
 *
 *   npm run bench:dashboard [-- --rows 10000000 --seconds 10]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDatabaseUrl } from '../src/db/database-url.js';
import { freePort } from '../test/support/free-port.js';
import { startMariaDb } from '../test/support/mariadb-server.js';
import { startClima, waitFor } from '../test/support/run-clima.js';
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
const DAY_MS = 86_400_000;

/** A process's resident set, from /proc (Linux): 0 once it has ended. */
function rssOf(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

async function measure(dialect: string, url: string) {
  const target = parseDatabaseUrl(url);
  const { seedSeconds, backfillSeconds } = await loadReadings(target, ROWS, NOW);
  console.error(
    `${dialect}: ${ROWS} readings seeded in ${seedSeconds.toFixed(1)} s, rollups backfilled in ${backfillSeconds.toFixed(1)} s`,
  );
  // The dashboard as operators run it, `clima dashboard` in a process of its own: its RSS is its own.
  const port = await freePort();
  const dashboard = startClima(['dashboard'], {
    env: {
      DATABASE_URL: url,
      HOST: '127.0.0.1',
      PORT: String(port),
      OPEN_METEO_URL: 'http://127.0.0.1:9',
      DISPLAY_TIME_ZONE: 'America/Bogota',
      LOG_LEVEL: 'warn',
    },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok,
    60_000,
    `the dashboard to answer (${dashboard.stderr()})`,
  );
  const to = new Date(NOW).toISOString();
  const since = (days: number) => `from=${new Date(NOW - days * DAY_MS).toISOString()}&to=${to}`;
  const routes = {
    '/api/latest': '/api/latest',
    '/api/readings?points=500 (24 h)': `/api/readings?city=Bogota&${since(1)}&points=500`,
    '/api/readings?points=500 (30 d)': `/api/readings?city=Bogota&${since(30)}&points=500`,
    '/api/readings?points=500 (365 d)': `/api/readings?city=Bogota&${since(365)}&points=500`,
    '/api/readings?points=500 (30 d, all cities)': `/api/readings?${since(30)}&points=500`,
    '/ (the page)': '/?lang=en&city=Bogota',
  };
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssOf(dashboard.child.pid as number));
  }, 100);
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
  clearInterval(sampler);
  await dashboard.stop();
  const summary = { dialect, seedSeconds, backfillSeconds, peakRssMb: peakRss / 2 ** 20 };
  return { rows, summary };
}

const dir = mkdtempSync(join(tmpdir(), 'clima-bench-'));
const mariadb = await startMariaDb();
try {
  const runs = [
    await measure('sqlite', `sqlite:${join(dir, 'clima.db')}`),
    await measure('mariadb', await mariadb.createDatabase('clima_bench')),
  ];
  const rows = runs.flatMap((run) => run.rows);
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
  console.log(
    `\n${markdownTable(
      ['db', 'seed s', 'rollup backfill s', 'peak RSS MB'],
      runs.map(({ summary }) => [
        summary.dialect,
        summary.seedSeconds.toFixed(1),
        summary.backfillSeconds.toFixed(1),
        Math.round(summary.peakRssMb),
      ]),
    )}`,
  );
} finally {
  await mariadb.stop();
  rmSync(dir, { recursive: true, force: true });
}
