/**
 * The outbox's drain rate: a backlog of ROWS readings in the edge's outbox file, sent by the
 * sender to MariaDB through the nginx stream proxy (the hybrid topology's cloud: private mariadbd
 * and nginx, plain TCP, the sensor's account), beside the ceiling: a plain loop of multi-row
 * `INSERT IGNORE` statements with mysql2 over the same proxy, in the same run.
 *
 *   npm run bench:outbox [-- --rows 1000000 --batch 1000,2000 --repeat 3]
 *   npm run bench:outbox -- --cloud-nodes 3 [--rows 100000 --samples 1000]
 *
 * With --cloud-nodes 3 it compares, in the same run, the single server with a Galera cluster of
 * three behind the same proxy: the outbox's drain rate (first batch size) and the latency of the
 * sensor's own write, one tick of seven readings through the repository (p50, p99).
 *
 * The ceiling and each batch size run REPEAT times, alternating, on an emptied table; the median
 * time counts, so a burst of load on the machine does not decide the ratio.
 * Target (issue 6): the outbox drains at least 0.5 of the ceiling's readings per second.
 * Not part of `npm test`: nothing here asserts a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { pino } from 'pino';
import { down, up } from '../scripts/hybrid/hybrid.js';
import { databaseUrl, type Topology } from '../scripts/hybrid/topology.js';
import { systemClock } from '../src/core/clock.js';
import { parseDatabaseUrl } from '../src/db/database-url.js';
import { openDb } from '../src/db/open-db.js';
import { type NewReading, readingKey } from '../src/db/reading.js';
import { toInsertRow } from '../src/db/reading-row.js';
import { createReadingsRepository } from '../src/db/readings-repository.js';
import { openOutbox } from '../src/outbox/outbox.js';
import { createOutboxSender } from '../src/outbox/outbox-sender.js';
import { adminQuery, nodeQuery } from '../test/support/hybrid.js';
import { markdownTable } from './support/markdown-table.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '1000' },
    'ceiling-rows-per-insert': { type: 'string', default: '1000' },
    repeat: { type: 'string', default: '3' },
    'cloud-nodes': { type: 'string', default: '1' },
    samples: { type: 'string', default: '1000' },
  },
});
const ROWS = Number(values.rows);
const BATCHES = values.batch.split(',').map(Number);
const CEILING_CHUNK = Number(values['ceiling-rows-per-insert']);
const REPEAT = Number(values.repeat);
const CLOUD_NODES = Number(values['cloud-nodes']);
const SAMPLES = Number(values.samples);
const CITIES = ['Bogota', 'Medellin', 'Cali', 'Cartagena', 'Manizales', 'Pereira', 'Bucaramanga'];
const T0 = Date.parse('2020-01-01T00:00:00Z');
const silent = pino({ level: 'silent' });

/** Readings `from` to `to` (exclusive) of the backlog: the seven cities, one second apart. */
function readings(from: number, to: number): NewReading[] {
  const out: NewReading[] = [];
  for (let i = from; i < to; i++) {
    const takenAt = new Date(T0 + Math.floor(i / CITIES.length) * 1000);
    const city = CITIES[i % CITIES.length] as string;
    out.push({
      key: readingKey(city, takenAt),
      city,
      temperature: 20 + (i % 50) / 10,
      humidity: 40 + (i % 50),
      takenAt,
      observedAt: takenAt,
      source: 'simulated',
    });
  }
  return out;
}

/** As root over the socket of the server, or of a cluster's node 1. */
function admin(topology: Topology, statement: string): Promise<string> {
  const [first] = topology.databaseNodes;
  return first === undefined ? adminQuery(topology, statement) : nodeQuery(topology, first, statement);
}

async function emptyTable(topology: Topology): Promise<void> {
  await admin(topology, 'TRUNCATE TABLE clima.mediciones');
}

async function storedCount(topology: Topology): Promise<number> {
  // On a cluster, wait until node 1 has applied every write the others certified.
  const causal = topology.databaseNodes.length > 0 ? 'SET SESSION wsrep_sync_wait = 1; ' : '';
  const out = await admin(topology, `${causal}SELECT COUNT(*) FROM clima.mediciones`);
  return Number(out.trim().split('\n').at(-1));
}

/** The ceiling: multi-row INSERT IGNORE statements, one after another on one connection. */
async function ceiling(topology: Topology): Promise<number> {
  const url = parseDatabaseUrl(databaseUrl(topology, 'clima_sensor'));
  if (url.dialect !== 'mysql') throw new Error('expected a MySQL URL');
  const connection = await createConnection({
    host: url.host,
    port: url.port,
    user: url.user,
    password: url.password,
    database: url.database,
    charset: 'utf8mb4',
  });
  await connection.query("SET SESSION time_zone = '+00:00'");
  const started = performance.now();
  for (let from = 0; from < ROWS; from += CEILING_CHUNK) {
    const rows = readings(from, Math.min(ROWS, from + CEILING_CHUNK))
      .map(toInsertRow)
      .map((r) => [
        r.ciudad,
        r.temperatura,
        r.humedad,
        r.fecha_registro,
        r.reading_key,
        r.source,
        r.observed_at,
      ]);
    await connection.query(
      'INSERT IGNORE INTO mediciones (ciudad, temperatura, humedad, fecha_registro, reading_key, source, observed_at) VALUES ?',
      [rows],
    );
  }
  const seconds = (performance.now() - started) / 1000;
  await connection.end();
  return seconds;
}

/** The outbox: fill the file (not timed), then time the sender draining it to empty. */
async function drain(topology: Topology, dir: string, batchSize: number): Promise<number> {
  const path = join(dir, 'outbox.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  const outbox = openOutbox({ path, maxRows: ROWS + 1, clock: systemClock, logger: silent });
  const fillStart = performance.now();
  for (let from = 0; from < ROWS; from += 10_000)
    outbox.append(readings(from, Math.min(ROWS, from + 10_000)));
  console.error(
    `outbox filled with ${ROWS} readings in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`,
  );
  const db = openDb(parseDatabaseUrl(databaseUrl(topology, 'clima_sensor')), { logger: silent });
  const sender = createOutboxSender({
    outbox,
    database: createReadingsRepository(db),
    clock: systemClock,
    logger: silent,
    batchSize,
  });
  const started = performance.now();
  sender.start();
  while (outbox.stats().depth > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - started) / 1000;
  await sender.stop();
  outbox.close();
  await db.close();
  const error = sender.stats().lastFlushError;
  if (error) throw new Error(`the sender failed: ${error}`);
  return seconds;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Runs `measure` on an emptied table; checks every reading arrived. Seconds. */
async function timed(topology: Topology, what: string, measure: () => Promise<number>): Promise<number> {
  await emptyTable(topology);
  const seconds = await measure();
  const stored = await storedCount(topology);
  if (stored !== ROWS) throw new Error(`${what} stored ${stored} of ${ROWS}`);
  console.error(`${what}: ${ROWS} readings in ${seconds.toFixed(1)} s`);
  return seconds;
}

/** The sensor's write, one tick of the seven cities through the repository, SAMPLES times: ms each. */
async function tickLatencies(topology: Topology): Promise<number[]> {
  await emptyTable(topology);
  const db = openDb(parseDatabaseUrl(databaseUrl(topology, 'clima_sensor')), { logger: silent });
  const repository = createReadingsRepository(db);
  const latencies: number[] = [];
  try {
    // A few ticks first: connections opened, statements warm.
    for (let tick = -20; tick < SAMPLES; tick++) {
      const from = (tick + 20) * CITIES.length;
      const started = performance.now();
      await repository.insertBatch(readings(from, from + CITIES.length));
      if (tick >= 0) latencies.push(performance.now() - started);
    }
  } finally {
    await db.close();
  }
  return latencies;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** One server against a Galera cluster of CLOUD_NODES, in the same run, alternating. */
async function compareCluster(): Promise<void> {
  const dirs = [
    mkdtempSync(join(tmpdir(), 'clima-bench-single-')),
    mkdtempSync(join(tmpdir(), 'clima-bench-galera-')),
  ];
  const batch = BATCHES[0] ?? 1000;
  try {
    const topologies: Topology[] = [];
    for (const [i, dir] of dirs.entries()) {
      topologies.push(
        await up({
          stateDir: dir,
          network: 'loopback',
          proxyPort: 0,
          dashboardPort: 0,
          tls: false,
          cloudNodes: i === 0 ? 1 : CLOUD_NODES,
          services: [],
          log: (line) => console.error(`hybrid: ${line}`),
        }),
      );
    }
    const drains = topologies.map((): number[] => []);
    const ticks = topologies.map((): number[] => []);
    for (let run = 0; run < REPEAT; run++) {
      for (const [i, topology] of topologies.entries()) {
        const name = i === 0 ? 'single' : `cluster of ${CLOUD_NODES}`;
        drains[i]?.push(
          await timed(topology, `${name}: outbox, batch ${batch}`, () =>
            drain(topology, dirs[i] as string, batch),
          ),
        );
        ticks[i]?.push(...(await tickLatencies(topology)));
      }
    }
    const table = topologies.map((_, i) => [
      i === 0 ? 'one server' : `Galera cluster of ${CLOUD_NODES}`,
      (drains[i] ?? []).map((t) => t.toFixed(1)).join(', '),
      Math.round(ROWS / median(drains[i] ?? [])).toLocaleString('en'),
      percentile(ticks[i] ?? [], 50).toFixed(1),
      percentile(ticks[i] ?? [], 99).toFixed(1),
    ]);
    console.log(
      markdownTable(
        [
          'cloud behind the proxy',
          `outbox drain of ${ROWS.toLocaleString('en')}, s (each run)`,
          'readings/s (median)',
          'tick insert p50 ms',
          'tick insert p99 ms',
        ],
        table,
      ),
    );
  } finally {
    for (const dir of dirs) {
      down(dir, { graceMs: 5_000 });
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function main(): Promise<void> {
  if (CLOUD_NODES > 1) return compareCluster();
  const dir = mkdtempSync(join(tmpdir(), 'clima-bench-outbox-'));
  try {
    const topology = await up({
      stateDir: dir,
      network: 'loopback',
      proxyPort: 0,
      dashboardPort: 0,
      tls: false,
      services: [],
      log: (line) => console.error(`hybrid: ${line}`),
    });
    const ceilingTimes: number[] = [];
    const drainTimes = new Map<number, number[]>(BATCHES.map((batch) => [batch, []]));
    for (let run = 0; run < REPEAT; run++) {
      ceilingTimes.push(await timed(topology, 'ceiling', () => ceiling(topology)));
      for (const batch of BATCHES)
        drainTimes
          .get(batch)
          ?.push(await timed(topology, `outbox, batch ${batch}`, () => drain(topology, dir, batch)));
    }
    const ceilingRate = ROWS / median(ceilingTimes);
    const row = (path: string, times: readonly number[]) => [
      path,
      ROWS.toLocaleString('en'),
      times.map((t) => t.toFixed(1)).join(', '),
      Math.round(ROWS / median(times)).toLocaleString('en'),
      (ROWS / median(times) / ceilingRate).toFixed(2),
    ];
    const table = [
      row(`mysql2 INSERT IGNORE loop, ${CEILING_CHUNK} rows a statement (ceiling)`, ceilingTimes),
      ...BATCHES.map((batch) =>
        row(
          `outbox sender, batch ${batch} (the repository: 500 rows a statement)`,
          drainTimes.get(batch) ?? [],
        ),
      ),
    ];
    console.log(
      markdownTable(['path', 'readings', 'seconds (each run)', 'readings/s (median)', 'vs ceiling'], table),
    );
  } finally {
    down(dir, { graceMs: 5_000 });
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
