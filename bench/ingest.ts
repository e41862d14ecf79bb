/**
 * Stations' readings, measured (issue 15):
 *
 * - MQTT, QoS 1, STATIONS stations each publishing MESSAGES_PER_STATION readings to a private
 *   Mosquitto: readings per second from the first publish to the last commit in the outbox (fsynced
 *   SQLite), beside the ceiling: a plain subscriber of the same stream on the same broker (QoS 1,
 *   the same receive maximum, acknowledging on receipt), in the same run. Target: ratio >= 0.5.
 * - HTTP: `POST /api/ingest` with batches of 100 new readings at 50 connections (autocannon in its
 *   own process) against `clima start` as built, its sender draining the outbox meanwhile into the
 *   embedded SQLite, then into a private MariaDB (the cloud): p99, beside `GET /healthz` under the
 *   same load. Target: p99 under 50 ms.
 *
 *   npm run bench:ingest [-- --stations 1000 --messages 20 --seconds 10]
 *
 * Not part of `npm test`: nothing here asserts a time.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect, connectAsync, type MqttClient } from 'mqtt';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { createMetrics } from '../src/core/metrics.js';
import { createMqttIngest } from '../src/ingest/mqtt-ingest.js';
import { createRejectionLog } from '../src/ingest/rejection-log.js';
import type { Station } from '../src/ingest/station.js';
import { openOutbox } from '../src/outbox/outbox.js';
import { freePort } from '../test/support/free-port.js';
import { startMariaDb } from '../test/support/mariadb-server.js';
import { startMosquitto } from '../test/support/mosquitto.js';
import { startClima, waitFor } from '../test/support/run-clima.js';
import { load } from './support/autocannon.js';
import { READINGS_PER_REQUEST } from './support/ingest-bodies.js';
import { markdownTable } from './support/markdown-table.js';

const { values } = parseArgs({
  options: {
    stations: { type: 'string', default: '1000' },
    messages: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
  },
});
const STATIONS = Number(values.stations);
const MESSAGES_PER_STATION = Number(values.messages);
const TOTAL = STATIONS * MESSAGES_PER_STATION;
const SECONDS = Number(values.seconds);
const RECEIVE_MAXIMUM = 1_000;
const T0 = Date.parse('2026-11-29T00:00:00Z');

const dir = mkdtempSync(join(tmpdir(), 'clima-bench-ingest-'));
const stations: Station[] = Array.from({ length: STATIONS }, (_, i) => ({
  name: `s${i}`,
  city: `City ${i % 50}`,
  tokenSha256: createHash('sha256').update(`token-${i}`).digest('hex'),
}));

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Publishes every station's readings, interleaved, with QoS 1; resolves once the broker has them all. */
async function publishAll(url: string, prefix: string): Promise<void> {
  const publisher = await connectAsync(url, { clientId: `pub-${prefix}` });
  const sent: Promise<unknown>[] = [];
  for (let m = 0; m < MESSAGES_PER_STATION; m++) {
    for (const station of stations) {
      const body = JSON.stringify({
        temperature: 20 + (m % 10) / 10,
        humidity: 50,
        takenAt: new Date(T0 + m * 1000).toISOString(),
      });
      sent.push(publisher.publishAsync(`${prefix}/${station.name}/readings`, body, { qos: 1 }));
    }
  }
  await Promise.all(sent);
  await publisher.endAsync();
}

/** The ceiling: a subscriber that only counts, acknowledging each message on receipt. */
async function plainSubscriber(url: string): Promise<number> {
  const prefix = 'plain';
  let received = 0;
  const subscriber: MqttClient = connect(url, {
    clientId: 'bench-plain',
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 3600, receiveMaximum: RECEIVE_MAXIMUM },
  });
  subscriber.on('message', () => received++);
  await new Promise((resolve) => subscriber.once('connect', resolve));
  await subscriber.subscribeAsync(`${prefix}/+/readings`, { qos: 1 });
  const started = performance.now();
  await Promise.all([publishAll(url, prefix), until(() => received >= TOTAL)]);
  const seconds = (performance.now() - started) / 1000;
  await subscriber.endAsync();
  return TOTAL / seconds;
}

/** clima's ingest committing into an outbox file. */
async function ingestToOutbox(url: string): Promise<number> {
  const prefix = 'clima';
  const outbox = openOutbox({
    path: join(dir, 'mqtt-outbox.db'),
    maxRows: 10_000_000,
    clock: systemClock,
    logger: silentLogger,
  });
  const ingest = createMqttIngest({
    url,
    clientId: 'bench-ingest',
    stations,
    store: { insertBatch: async (readings) => outbox.append(readings) },
    rejections: createRejectionLog({ metrics: createMetrics(), clock: systemClock, logger: silentLogger }),
    clock: systemClock,
    logger: silentLogger,
    topicPrefix: prefix,
  });
  await ingest.start();
  await until(() => ingest.status().connected);
  const started = performance.now();
  await Promise.all([publishAll(url, prefix), until(() => outbox.stats().depth >= TOTAL)]);
  const seconds = (performance.now() - started) / 1000;
  await ingest.stop();
  outbox.close();
  return TOTAL / seconds;
}

/**
 * `clima start` as operators run it (the built bundle), taking readings over HTTP while its sender
 * drains them into `databaseUrl` (the embedded SQLite, or the cloud's MariaDB).
 */
async function http(label: string, databaseUrl: string): Promise<string[][]> {
  const stationsFile = join(dir, 'stations.json');
  writeFileSync(stationsFile, JSON.stringify(stations));
  const port = await freePort();
  const clima = startClima(['start'], {
    env: {
      DATA_DIR: join(dir, `http-${label}`),
      DATABASE_URL: databaseUrl,
      STATIONS_FILE: stationsFile,
      INGEST_RATE_PER_MIN: '10000000',
      SENSOR_SOURCE: 'simulated',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => ((await fetch(`${base}/readyz`).catch(() => undefined))?.ok ? true : undefined),
      30_000,
      'clima start to be ready',
    );
    const baseline = await load(`${base}/healthz`, { seconds: SECONDS });
    const ingest = await load(`${base}/api/ingest`, {
      seconds: SECONDS,
      varying: {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer token-0' },
        bodyModule: new URL('./support/ingest-bodies.ts', import.meta.url).pathname,
      },
    });
    return [
      [
        `${label}: GET /healthz (baseline)`,
        String(Math.round(baseline.requestsPerSecond)),
        String(baseline.p50Ms),
        String(baseline.p99Ms),
        String(baseline.non2xx),
      ],
      [
        `${label}: POST /api/ingest, ${READINGS_PER_REQUEST} new readings`,
        `${Math.round(ingest.requestsPerSecond)} (${Math.round(ingest.requestsPerSecond * READINGS_PER_REQUEST)} readings/s)`,
        String(ingest.p50Ms),
        String(ingest.p99Ms),
        String(ingest.non2xx),
      ],
    ];
  } finally {
    await clima.stop();
  }
}

const broker = await startMosquitto();
try {
  console.log(
    `MQTT QoS 1: ${STATIONS} stations x ${MESSAGES_PER_STATION} messages = ${TOTAL} readings, private Mosquitto`,
  );
  const ceiling = await plainSubscriber(broker.url);
  const clima = await ingestToOutbox(broker.url);
  console.log(
    markdownTable(
      ['path', 'readings/s', 'ratio to ceiling'],
      [
        ['plain subscriber (ceiling)', Math.round(ceiling), '1.00'],
        ['clima ingest -> outbox commit', Math.round(clima), (clima / ceiling).toFixed(2)],
      ],
    ),
  );
  console.log(`\nHTTP: 50 connections, ${SECONDS} s each`);
  const mariadb = await startMariaDb();
  try {
    const rows = [
      ...(await http('sqlite', `sqlite:${join(dir, 'clima.db')}`)),
      ...(await http('mariadb', mariadb.url)),
    ];
    console.log(markdownTable(['request', 'requests/s', 'p50 ms', 'p99 ms', 'non-2xx'], rows));
  } finally {
    await mariadb.stop();
  }
} finally {
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
}
