// Issue 6's acceptance on the hybrid topology (real mariadbd, nginx and `clima` processes): no
// reading lost, none stored twice, through a cloud outage, a network partition, a sensor killed 20
// times while it drains, and a full outbox whose drops add up. One topology serves every test, in
// order; each leaves the cloud up, the sensor running and its outbox drained.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startCloud } from '../../scripts/hybrid/hybrid.js';
import { netnsUnavailable } from '../../scripts/hybrid/network.js';
import { runningPid, signalProcess, stopProcess } from '../../scripts/hybrid/processes.js';
import { serviceEnv, startService } from '../../scripts/hybrid/services.js';
import type { Topology } from '../../scripts/hybrid/topology.js';
import { systemClock } from '../../src/core/clock.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { openDb } from '../../src/db/open-db.js';
import { type NewReading, readingKey } from '../../src/db/reading.js';
import { openOutbox } from '../../src/outbox/outbox.js';
import type { OutboxStatusJson } from '../../src/outbox/outbox-status-json.js';
import { reading } from '../db/readings-repository.contract.js';
import { captureLogger } from '../support/capture-logger.js';
import type { FakeOpenMeteo } from '../support/fake-open-meteo.js';
import {
  binariesSkip,
  chosenNetwork,
  type RunningHybrid,
  serviceLog,
  startTestTopology,
} from '../support/hybrid.js';
import { waitFor } from '../support/run-clima.js';

const CITIES = ['Bogota', 'Medellin', 'Cali', 'Cartagena', 'Manizales', 'Pereira', 'Bucaramanga'];
/** The outage, and the time every reading of it must then be in the database. */
const OUTAGE_MS = 60_000;
const DRAIN_WITHIN_MS = 30_000;
/** The partition is shorter than the outage: what it adds is the cut link, not the length. */
const PARTITION_MS = 20_000;
const CRASH_BACKLOG = 100_000;
const CRASH_KILLS = 20;
const FULL_MAX_ROWS = 1_000;
const FULL_PRELOAD = 990;

const skip = binariesSkip();

interface LogLine {
  msg: string;
  [key: string]: unknown;
}

/** The sensor's JSON log lines from `offset` on (every run of it appends to the same file). */
function sensorLines(topology: Topology, offset = 0): LogLine[] {
  return serviceLog(topology, 'sensor')
    .slice(offset)
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
}

/** The keys of every tick the sensor logged as queued ("readings stored", one per city). */
function keysLogged(topology: Topology, offset = 0, within?: { from: number; to: number }): Set<string> {
  const keys = new Set<string>();
  for (const line of sensorLines(topology, offset)) {
    if (line.msg !== 'readings stored') continue;
    const takenAt = new Date(line.takenAt as string);
    if (within && (takenAt.getTime() < within.from || takenAt.getTime() > within.to)) continue;
    assert.equal(line.readings, CITIES.length, 'one reading per city each tick');
    for (const city of CITIES) keys.add(readingKey(city, takenAt));
  }
  return keys;
}

/** A query as the sensor's account, through the proxy (a connection of its own, as the cloud comes and goes). */
async function query<T>(topology: Topology, run: (db: ReturnType<typeof openDb>) => Promise<T>): Promise<T> {
  const db = openDb(parseDatabaseUrl(serviceEnv(topology, 'sensor').DATABASE_URL ?? ''));
  try {
    return await run(db);
  } finally {
    await db.close();
  }
}

/** Every stored key, and whether any reading (city and second) is stored twice. */
async function storedKeys(
  topology: Topology,
): Promise<{ keys: Set<string>; rows: number; distinct: number }> {
  // One statement, so the counts and the keys describe the same instant while the sensor writes on.
  return query(topology, async (db) => {
    const { rows } = await sql<{ reading_key: string; ciudad: string; fecha_registro: string }>`
      SELECT reading_key, ciudad, fecha_registro FROM mediciones`.execute(db.kysely);
    return {
      keys: new Set(rows.map((row) => row.reading_key)),
      rows: rows.length,
      distinct: new Set(rows.map((row) => `${row.ciudad}\u0000${String(row.fecha_registro)}`)).size,
    };
  });
}

async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  assert.equal(response.status, 200, url);
  return (await response.json()) as T;
}

const sensorStatus = (topology: Topology) =>
  fetchJson<OutboxStatusJson>(`http://127.0.0.1:${topology.sensorPort}/status`);

/** Resolves once the sensor's outbox is empty again. */
async function drained(topology: Topology, timeoutMs: number, what: string): Promise<void> {
  await waitFor(
    async () => ((await sensorStatus(topology).catch(() => undefined))?.depth === 0 ? true : undefined),
    timeoutMs,
    what,
  );
}

/** Asserts that every key in `expected` is stored, and no reading twice. */
function assertStoredOnce(
  stored: Awaited<ReturnType<typeof storedKeys>>,
  expected: Set<string>,
  what: string,
) {
  const missing = [...expected].filter((key) => !stored.keys.has(key));
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} ${what} missing from the database`);
  assert.equal(stored.rows, stored.distinct, 'no reading stored twice');
  assert.equal(stored.rows, stored.keys.size, 'one row per key');
}

/** Readings of the seven cities one second apart from `start`, keyed as the sensor keys them. */
function backlog(count: number, start: string): NewReading[] {
  const t0 = Date.parse(start);
  return Array.from({ length: count }, (_, i) =>
    reading(CITIES[i % CITIES.length] as string, t0 + Math.floor(i / CITIES.length) * 1000, {
      temperature: 20 + (i % 50) / 10,
      humidity: 60,
    }),
  );
}

/** Puts readings into the stopped sensor's outbox file, as an outage of that length would have. */
function preload(hybrid: RunningHybrid, readings: readonly NewReading[]): void {
  const outbox = openOutbox({
    path: join(hybrid.paths.serviceDir('sensor'), 'outbox.db'),
    maxRows: 5_000_000,
    clock: systemClock,
    logger: captureLogger('silent').logger,
  });
  try {
    for (let i = 0; i < readings.length; i += 10_000) outbox.append(readings.slice(i, i + 10_000));
  } finally {
    outbox.close();
  }
}

function stopSensor(hybrid: RunningHybrid): void {
  stopProcess(hybrid.stateDir, 'sensor', 'SIGTERM', 10_000);
}

async function killCloud(hybrid: RunningHybrid): Promise<void> {
  assert.ok(signalProcess(hybrid.stateDir, 'mariadbd', 'SIGKILL'));
  assert.ok(signalProcess(hybrid.stateDir, 'nginx', 'SIGKILL'));
  await waitFor(
    () =>
      runningPid(hybrid.stateDir, 'mariadbd') === undefined &&
      runningPid(hybrid.stateDir, 'nginx') === undefined
        ? true
        : undefined,
    5_000,
    'the cloud to be gone',
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the edge outbox on the hybrid topology: nothing lost, nothing twice', () => {
  if (skip !== false) {
    it('keeps every reading through outages, partitions, crashes and a full outbox', { skip }, () => {});
    return;
  }
  const { netns, loopbackAsked } = chosenNetwork();
  let fake: FakeOpenMeteo;
  let hybrid: RunningHybrid;
  let topology: Topology;

  before(async () => {
    ({ fake, hybrid } = await startTestTopology({
      // "readings stored" is a debug line: the keys the sensor generated, to compare against.
      LOG_LEVEL: 'debug',
      BACKUP_INTERVAL_S: '3600',
    }));
    topology = hybrid.topology;
    assert.equal(topology.network.mode, netns ? 'netns' : 'loopback');
    await waitFor(
      async () => ((await storedKeys(topology).catch(() => undefined))?.rows ?? 0) >= 14 || undefined,
      20_000,
      'readings before the first fault',
    );
  });
  after(async () => {
    await hybrid?.down().catch(() => {});
    await fake?.close();
  });

  /**
   * Cuts the cloud off with `cut` for `windowMs`, mends it with `mend`, and asserts that every
   * reading taken meanwhile reaches the database once within DRAIN_WITHIN_MS. Returns the drain time.
   */
  async function throughFault(
    t: { diagnostic(message: string): void },
    cut: () => Promise<void>,
    mend: () => Promise<void>,
    windowMs: number,
    /** A killed cloud refuses at once; over a cut link a batch may simply wait, within the 30 s query time-out. */
    expectFlushErrors: boolean,
  ): Promise<void> {
    const offset = serviceLog(topology, 'sensor').length;
    const cutAt = Date.now();
    await cut();
    // Meanwhile the sensor keeps queueing, and the dashboard shows what it holds, read from the
    // sensor's own status server (SENSOR_STATUS_URL).
    await sleep(windowMs / 2);
    const status = await fetchJson<{ outbox: Record<string, unknown> }>(
      `http://127.0.0.1:${topology.dashboardPort}/api/status`,
    );
    assert.equal(status.outbox.reachable, true, JSON.stringify(status.outbox));
    assert.ok(
      (status.outbox.depth as number) > 0,
      `the dashboard shows readings waiting: ${JSON.stringify(status.outbox)}`,
    );
    assert.ok((status.outbox.ageSeconds as number) <= 5, 'and they are recent numbers');
    const page = await (await fetch(`http://127.0.0.1:${topology.dashboardPort}/?lang=en`)).text();
    assert.match(
      page,
      /id="outbox-status"[^>]*>\d+ readings waiting to reach the cloud \(oldest \d\d:\d\d\)/,
    );
    await sleep(cutAt + windowMs - Date.now());
    const mendAt = Date.now();
    await mend();
    const mended = Date.now();
    const during = keysLogged(topology, offset, { from: cutAt - 1_000, to: mended });
    assert.ok(
      during.size >= ((windowMs / 1000) * CITIES.length) / 2,
      `${during.size} readings during the fault`,
    );
    await waitFor(
      async () => {
        const stored = await storedKeys(topology).catch(() => undefined);
        return stored && [...during].every((key) => stored.keys.has(key)) ? true : undefined;
      },
      DRAIN_WITHIN_MS,
      `all ${during.size} readings of the fault in the database`,
    );
    const drainMs = Date.now() - mended;
    assertStoredOnce(await storedKeys(topology), during, 'readings of the fault');
    t.diagnostic(
      `${during.size} readings taken during ${windowMs / 1000} s; restored in ${mended - mendAt} ms, drained ${drainMs} ms after`,
    );
    const messages = sensorLines(topology, offset)
      .map((line) => line.msg)
      .filter((msg) => msg.startsWith('outbox flush'));
    t.diagnostic(`the sender logged: ${messages.join('; ') || 'nothing (its batch waited the fault out)'}`);
    if (expectFlushErrors)
      assert.match(messages.join('\n'), /outbox flush failing[\s\S]*outbox flush recovered/);
    await drained(topology, 10_000, 'the outbox to empty');
  }

  it('outage: mariadbd and nginx killed for 60 s; every reading of it stored once within 30 s of the restart', async (t) => {
    await throughFault(
      t,
      () => killCloud(hybrid),
      () => startCloud(topology),
      OUTAGE_MS,
      true,
    );
  });

  it('partition: the link to the cloud cut (ip link set down) for 20 s; the same promise', async (t) => {
    const network = topology.network;
    if (network.mode !== 'netns') {
      assert.equal(netns, false, 'namespaces were expected here');
      const reason = `no network namespace (${loopbackAsked ? 'loopback asked' : netnsUnavailable()}): no link to cut`;
      console.error(`\n${'!'.repeat(100)}\n!! SKIPPING: ${reason}\n${'!'.repeat(100)}\n`);
      t.skip(reason);
      return;
    }
    const link = (state: 'up' | 'down') =>
      execFileSync('ip', ['link', 'set', network.localInterface, state], { stdio: 'pipe' });
    await throughFault(
      t,
      async () => {
        link('down');
      },
      async () => {
        link('up');
      },
      PARTITION_MS,
      false,
    );
  });

  it(`crash: the sensor killed with SIGKILL ${CRASH_KILLS} times while it drains a ${CRASH_BACKLOG}-reading backlog; each stored once`, async (t) => {
    const offset = serviceLog(topology, 'sensor').length;
    stopSensor(hybrid);
    const preloaded = backlog(CRASH_BACKLOG, '2020-01-01T00:00:00Z');
    preload(hybrid, preloaded);
    const started = Date.now();
    let killedWhileDraining = 0;
    for (let kill = 0; kill < CRASH_KILLS; kill++) {
      await startService(topology, 'sensor');
      // The kills spread over the drain, each at a random depth within its own slice of the backlog: so
      // every one comes while readings are queued, and lands mid-batch, mid-commit or between two
      // as the 5 ms polls fall.
      // The last window still holds several batches: a sensor can drain one between two polls.
      const killAtDepth = (CRASH_BACKLOG * (CRASH_KILLS - kill + Math.random())) / (CRASH_KILLS + 2);
      const deadline = Date.now() + 30_000;
      let depth = (await sensorStatus(topology)).depth;
      while (depth > killAtDepth) {
        assert.ok(Date.now() < deadline, `the sensor drained to ${Math.round(killAtDepth)} within 30 s`);
        await sleep(5);
        depth = (await sensorStatus(topology)).depth;
      }
      if (depth > 0) killedWhileDraining++;
      assert.ok(signalProcess(hybrid.stateDir, 'sensor', 'SIGKILL'), 'the sensor was running');
      await waitFor(
        () => (runningPid(hybrid.stateDir, 'sensor') === undefined ? true : undefined),
        5_000,
        'the kill',
      );
    }
    await startService(topology, 'sensor');
    await drained(topology, 120_000, 'the backlog to drain after the last restart');
    t.diagnostic(
      `${CRASH_KILLS} kills (${killedWhileDraining} with readings still queued), drained ${Date.now() - started} ms after the first start`,
    );
    assert.equal(killedWhileDraining, CRASH_KILLS, 'every kill came while readings were queued');
    const expected = new Set([...preloaded.map((r) => r.key), ...keysLogged(topology, offset)]);
    const stored = await storedKeys(topology);
    assertStoredOnce(stored, expected, 'preloaded or generated readings');
    // A tick queued just before a kill may not have reached the log: stored, but a reading all the same.
    const unlogged = [...stored.keys].filter(
      (key) => !expected.has(key) && Date.parse(key.slice(key.indexOf('@') + 1)) >= started - 2_000,
    );
    t.diagnostic(`${unlogged.length} stored readings queued just before a kill, before their log line`);
    assert.ok(unlogged.length <= CRASH_KILLS * CITIES.length);
  });

  it(`full: OUTBOX_MAX_ROWS=${FULL_MAX_ROWS}; the drop counter and the "outbox full" log agree exactly with the readings missing`, async (t) => {
    const before = await sensorStatus(topology);
    const offset = serviceLog(topology, 'sensor').length;
    stopSensor(hybrid);
    await killCloud(hybrid);
    const preloaded = backlog(FULL_PRELOAD, '2021-06-01T00:00:00Z');
    preload(hybrid, preloaded);
    const small = {
      ...topology,
      serviceEnv: { ...topology.serviceEnv, OUTBOX_MAX_ROWS: String(FULL_MAX_ROWS) },
    };
    await startService(small, 'sensor');
    // 10 rows of room at 7 readings a second: full within two ticks; then some seconds of drops.
    await waitFor(
      async () =>
        (await sensorStatus(topology)).droppedTotal - before.droppedTotal >= 5 * CITIES.length
          ? true
          : undefined,
      20_000,
      'the outbox to overflow for a few seconds',
    );
    // SIGTERM: the outbox logs the drops of the current minute as it closes, so the log adds up.
    stopSensor(hybrid);
    await startCloud(topology);
    await startService(topology, 'sensor');
    await drained(topology, 30_000, 'the outbox to drain');
    const dropped = (await sensorStatus(topology)).droppedTotal - before.droppedTotal;
    const logged = sensorLines(topology, offset)
      .filter((line) => line.msg.startsWith('outbox full'))
      .reduce((sum, line) => sum + (line.dropped as number), 0);
    const generated = keysLogged(topology, offset);
    const stored = await storedKeys(topology);
    const missing = [...preloaded.map((r) => r.key), ...generated].filter((key) => !stored.keys.has(key));
    t.diagnostic(
      `${dropped} dropped (counter), ${logged} (log), ${missing.length} missing from the database`,
    );
    assert.ok(dropped > 0);
    assert.equal(logged, dropped, 'the log adds up to the counter');
    assert.equal(missing.length, dropped, 'exactly the dropped readings are missing');
    // Drop-oldest: what is missing is the head of the backlog.
    assert.deepEqual(
      missing,
      preloaded.slice(0, dropped).map((r) => r.key),
    );
    assert.equal(stored.rows, stored.distinct, 'no reading stored twice');
  });
});
