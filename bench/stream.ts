/**
 * Live push: CLIENTS concurrent `/api/stream` clients on one `clima dashboard` process (the built
 * CLI, so its RSS is its own) over a SQLite database holding ROWS synthetic readings. While the
 * clients listen, 7 readings (one per city) are stored every SENSOR_INTERVAL_S (default 15, the
 * product's default); reported: the delivery latency from the insert's commit to each client's
 * receipt (p50/p99; the promise is under a second whatever the interval), the database queries
 * the stream made per second and per interval, the dashboard's RSS; then, in Chromium when installed, the
 * time to the first painted chart with those ROWS readings (reported, not asserted).
 *
 *   npm run bench:stream [-- --rows 1000000 --clients 500 --seconds 60 --interval 15]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDb } from '../src/db/open-db.js';
import { type NewReading, readingKey } from '../src/db/reading.js';
import { createReadingsRepository } from '../src/db/readings-repository.js';
import { DEFAULT_CITIES } from '../src/weather/city.js';
import { CHROMIUM, launchChromium } from '../test/browser/support/chromium.js';
import { startFakeOpenMeteo } from '../test/support/fake-open-meteo.js';
import { freePort } from '../test/support/free-port.js';
import { startClima, waitFor } from '../test/support/run-clima.js';
import { openSse, type SseClient } from '../test/support/sse-client.js';
import { markdownTable } from './support/markdown-table.js';
import { loadReadings, STEP_MS } from './support/synthetic-readings.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    clients: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '60' },
    interval: { type: 'string', default: '15' },
  },
});
const ROWS = Number(values.rows);
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const INTERVAL_S = Number(values.interval);
const NOW = Math.floor(Date.now() / STEP_MS) * STEP_MS - STEP_MS;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMiB(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) / 1024;
}

/** Queries the stream's poller has made, from the dashboard's /metrics. */
async function feedQueries(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(
    /^clima_db_query_duration_seconds_count\{query="(readings_after_id|newest_reading)",[^}]*\} (\d+)/gm,
  )) {
    total += Number(match[2]);
  }
  return total;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function openClients(url: string): Promise<SseClient[]> {
  const clients: SseClient[] = [];
  // In waves: 500 connects at once would measure the accept queue, not the stream.
  for (let i = 0; i < CLIENTS; i += 50) {
    const wave = await Promise.all(Array.from({ length: Math.min(50, CLIENTS - i) }, () => openSse(url)));
    clients.push(...wave);
  }
  await Promise.all(clients.map((c) => c.waitFor((e) => e.event === 'status', 10_000)));
  return clients;
}

/** Stores one reading per city every interval for SECONDS; returns when each was committed, by city@takenAt. */
async function storeWhileListening(path: string): Promise<Map<string, number>> {
  const db = openDb({ dialect: 'sqlite', path });
  const repository = createReadingsRepository(db);
  const storedAt = new Map<string, number>();
  const until = Date.now() + SECONDS * 1000;
  let second = Math.floor(Date.now() / 1000);
  while (Date.now() < until) {
    // A random phase, so a reading waits anywhere from 0 to one interval for the next poll.
    await sleep(Math.random() * INTERVAL_S * 1000);
    second = Math.max(second + 1, Math.floor(Date.now() / 1000));
    const takenAt = new Date(second * 1000);
    const batch: NewReading[] = DEFAULT_CITIES.map((city) => ({
      key: readingKey(city.name, takenAt),
      city: city.name,
      temperature: 20,
      humidity: 50,
      takenAt,
      observedAt: takenAt,
      source: 'simulated',
    }));
    await repository.insertBatch(batch);
    const at = Date.now();
    for (const reading of batch) storedAt.set(`${reading.city}@${takenAt.toISOString().slice(0, 19)}Z`, at);
    await sleep(Math.max(0, INTERVAL_S * 1000 - (Date.now() % (INTERVAL_S * 1000))));
  }
  await db.close();
  return storedAt;
}

/** Milliseconds from navigation to the first chart drawn, for the default 24 h and for 30 d. */
async function timeToFirstChart(
  base: string,
): Promise<{ first24h: number; afterHtml: number; switch30d: number } | undefined> {
  if (!existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} not installed: no time to first chart`);
    return undefined;
  }
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/?lang=en`);
    await page.waitForSelector('#charts[data-state="ok"] #chart-temperature canvas', { timeout: 60_000 });
    const first24h = Number(await page.evaluate('performance.now()'));
    // The page itself waits up to 2 s for live weather (unreachable here): the chart's own share.
    const html = Number(await page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd"));
    const started = Date.now();
    await page.check('input[name="chart-range"][value="30d"]');
    await page
      .waitForSelector('#charts[data-state="loading"]', { state: 'detached', timeout: 60_000 })
      .catch(() => {});
    await page.waitForSelector('#charts[data-state="ok"]', { timeout: 60_000 });
    return { first24h, afterHtml: first24h - html, switch30d: Date.now() - started };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'clima-bench-stream-'));
  const path = join(dir, 'clima.db');
  const { seedSeconds: loadSeconds } = await loadReadings({ dialect: 'sqlite', path }, ROWS, NOW);
  console.error(`${ROWS} readings loaded in ${loadSeconds.toFixed(1)} s`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const weather = await startFakeOpenMeteo();
  const clima = startClima(['dashboard'], {
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${path}`,
      SENSOR_INTERVAL_S: String(INTERVAL_S),
      // Live weather answers, as Open-Meteo would: the page's first paint is the charts' time alone.
      OPEN_METEO_URL: weather.url,
      LOG_LEVEL: 'warn',
    },
  });
  try {
    await waitFor(
      () =>
        fetch(`${base}/healthz`).then(
          (r) => (r.ok ? true : undefined),
          () => undefined,
        ),
      20_000,
      'the dashboard to listen',
    );
    const pid = clima.child.pid as number;
    const idleRss = rssMiB(pid);
    const clients = await openClients(`${base}/api/stream`);
    const queriesBefore = await feedQueries(base);
    const started = Date.now();
    const storedAt = await storeWhileListening(path);
    // Long enough for the last readings to arrive: the promise is a second, whatever the interval.
    await sleep(2_000);
    const elapsedS = (Date.now() - started) / 1000;
    const intervals = elapsedS / INTERVAL_S;
    const queries = (await feedQueries(base)) - queriesBefore;
    const busyRss = rssMiB(pid);

    const latencies: number[] = [];
    for (const client of clients) {
      for (const event of client.events) {
        if (event.event !== 'reading') continue;
        const reading = JSON.parse(event.data) as { city: string; takenAt: string };
        const at = storedAt.get(`${reading.city}@${reading.takenAt}`);
        if (at !== undefined) latencies.push(event.receivedAt - at);
      }
      client.close();
    }
    latencies.sort((a, b) => a - b);
    const expected = storedAt.size * CLIENTS;
    const chart = await timeToFirstChart(base);

    console.log(
      `\n${ROWS} readings (SQLite), ${CLIENTS} SSE clients, SENSOR_INTERVAL_S=${INTERVAL_S}, ${SECONDS} s of inserts, Node ${process.version}\n`,
    );
    console.log(
      markdownTable(
        ['measure', 'value'],
        [
          ['readings delivered / expected', `${latencies.length} / ${expected}`],
          ['delivery latency p50 (insert committed -> client)', `${percentile(latencies, 50)} ms`],
          ['delivery latency p99', `${percentile(latencies, 99)} ms`],
          ['delivery latency max', `${latencies.at(-1)} ms`],
          ['stream queries per second (all clients together)', (queries / elapsedS).toFixed(2)],
          ['stream queries per interval', (queries / intervals).toFixed(2)],
          ['dashboard RSS idle / with clients', `${idleRss.toFixed(0)} MiB / ${busyRss.toFixed(0)} MiB`],
          ['first chart painted (24 h, from navigation)', chart ? `${chart.first24h.toFixed(0)} ms` : 'n/a'],
          [
            'first chart painted (24 h, after the HTML arrived)',
            chart ? `${chart.afterHtml.toFixed(0)} ms` : 'n/a',
          ],
          ['switch to 30 d (click -> chart drawn)', chart ? `${chart.switch30d} ms` : 'n/a'],
        ],
      ),
    );
  } finally {
    await clima.stop();
    await weather.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
