// The cloud down while stations keep publishing: `clima ingest` keeps taking QoS 1 readings into
// its outbox, shows the operator the unreachable database and the growing backlog, and once the
// cloud is back every reading published reaches it exactly once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { createConnection } from 'mysql2/promise';
import type { OutboxStatusJson } from '../../src/outbox/outbox-status-json.js';
import { freePort } from '../support/free-port.js';
import { type MariaDbServer, mariadbSkip, startMariaDb } from '../support/mariadb-server.js';
import { mosquittoSkip, startMosquitto } from '../support/mosquitto.js';
import { type RunningClima, startClima, waitFor } from '../support/run-clima.js';

const STATIONS = Array.from({ length: 6 }, (_, i) => ({
  name: `finca-${i + 1}`,
  city: i % 2 ? 'Manizales' : 'Pereira',
  tokenSha256: 'c'.repeat(64),
}));
/**
 * The minute scaled down: the sender retries after 0.5, 1, 2, 4 and 8 s, so 12 s of
 * outage span five failed attempts, the last at its longest backoff.
 */
const OUTAGE_MS = 12_000;
/** The longest backoff (10 s) and a margin: once the cloud is back the backlog must move by then. */
const DRAIN_WITHIN_MS = 30_000;
const PUBLISH_EVERY_MS = 100;

const skip = mariadbSkip() || mosquittoSkip();

async function cloudQuery<T>(server: MariaDbServer, statement: string): Promise<T[]> {
  const connection = await createConnection({ uri: server.url, connectTimeout: 2_000 });
  try {
    const [rows] = await connection.query(statement);
    return rows as T[];
  } finally {
    await connection.end();
  }
}

const storedCount = async (server: MariaDbServer): Promise<number> =>
  Number((await cloudQuery<{ n: number }>(server, 'SELECT count(*) AS n FROM mediciones'))[0]?.n ?? 0);

describe('clima ingest through a cloud outage (private Mosquitto, private MariaDB)', { skip }, () => {
  let dir: string;
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let cloud: MariaDbServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clima-ingest-cloud-'));
    [broker, cloud] = await Promise.all([startMosquitto(), startMariaDb()]);
  });
  after(async () => {
    await Promise.all([broker?.close(), cloud?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the cloud down while stations publish: the fault shows, then every reading is in the cloud once', async () => {
    const stationsFile = join(dir, 'stations.json');
    writeFileSync(stationsFile, JSON.stringify(STATIONS));
    const statusPort = await freePort();
    const ingest: RunningClima = startClima(['ingest'], {
      env: {
        DATA_DIR: dir,
        DATABASE_URL: cloud.url,
        STATIONS_FILE: stationsFile,
        MQTT_URL: broker.url,
        MQTT_CLIENT_ID: 'clima-ingest-cloud',
        SENSOR_PORT: String(statusPort),
        LOG_LEVEL: 'info',
      },
    });
    const publisher: MqttClient = await connectAsync(broker.url, { clientId: 'cloud-outage-publisher' });
    const status = async (): Promise<OutboxStatusJson | undefined> => {
      try {
        const response = await fetch(`http://127.0.0.1:${statusPort}/status`, {
          signal: AbortSignal.timeout(2_000),
        });
        return response.ok ? ((await response.json()) as OutboxStatusJson) : undefined;
      } catch {
        return undefined;
      }
    };
    const metric = async (name: string): Promise<number | undefined> => {
      const text = await fetch(`http://127.0.0.1:${statusPort}/metrics`, {
        signal: AbortSignal.timeout(2_000),
      }).then((response) => response.text());
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return line === undefined ? undefined : Number(line.slice(name.length + 1));
    };
    const explain = () => `\n${ingest.stdout().slice(-3000)}\n${ingest.stderr().slice(-2000)}`;

    let sent = 0;
    const t0 = Date.parse('2026-11-29T00:00:00Z');
    /** One reading of every station, a second after the previous round's, with QoS 1. */
    async function publishRound(): Promise<void> {
      const round = Math.floor(sent / STATIONS.length);
      await Promise.all(
        STATIONS.map(({ name }, i) => {
          sent++;
          const takenAt = new Date(t0 + round * 1000).toISOString();
          const reading = { temperature: (round % 300) / 10 + i, humidity: (round + i) % 101, takenAt };
          return publisher.publishAsync(`clima/${name}/readings`, JSON.stringify(reading), { qos: 1 });
        }),
      );
    }
    let publishing = true;
    let stream: Promise<void> | undefined;
    try {
      // Until the first subscription the broker keeps no session for `clima ingest`.
      await waitFor(
        () => (ingest.stdout().includes('subscribed to clima/+/readings') ? true : undefined),
        20_000,
        'the subscription',
      );
      stream = (async () => {
        while (publishing) {
          await publishRound();
          await new Promise((resolve) => setTimeout(resolve, PUBLISH_EVERY_MS));
        }
      })();
      await waitFor(
        async () => ((await storedCount(cloud).catch(() => 0)) > 0 ? true : undefined),
        20_000,
        'readings in the cloud before the outage',
      );

      await cloud.kill();
      const outageEnds = Date.now() + OUTAGE_MS;
      // The operator sees it: the cloud unreachable in /status, the backlog growing there and in /metrics.
      const failing = await waitFor(
        async () => {
          const now = await status();
          return now?.lastFlushError === 'unreachable' ? now : undefined;
        },
        15_000,
        'the outage in /status',
      );
      const grown = await waitFor(
        async () => {
          const now = await status();
          return now !== undefined && now.depth > failing.depth + STATIONS.length * 5 ? now : undefined;
        },
        15_000,
        'the outbox to grow while the cloud is down',
      );
      assert.ok(
        ((await metric('clima_outbox_depth')) ?? 0) >= grown.depth,
        'the growing backlog in /metrics',
      );
      assert.ok(((await metric('clima_outbox_oldest_age_seconds')) ?? 0) > 0, 'its age in /metrics');
      assert.match(ingest.stdout(), /outbox flush failing/, 'the outage logged');
      // The outage lasts its length whatever the checks took; readings keep coming meanwhile.
      await waitFor(() => (Date.now() >= outageEnds ? true : undefined), OUTAGE_MS + 1_000, 'the outage');
      const atEnd = await status();
      assert.equal(atEnd?.lastFlushError, 'unreachable', 'still unreachable at the end of the outage');
      assert.ok((atEnd?.depth ?? 0) > grown.depth, 'still growing at the end of the outage');

      await cloud.restart();
      // Published after the cloud is back, while the backlog drains.
      const sentAtRestart = sent;
      await waitFor(
        () => (sent >= sentAtRestart + STATIONS.length * 10 ? true : undefined),
        10_000,
        'more rounds',
      );
      publishing = false;
      await stream;
      assert.ok(sent > STATIONS.length * 50, `a stream, not a trickle: ${sent} readings`);

      await waitFor(
        async () => ((await storedCount(cloud).catch(() => 0)) >= sent ? true : undefined),
        DRAIN_WITHIN_MS,
        `all ${sent} readings in the cloud`,
      );
      const twice = await cloudQuery(
        cloud,
        'SELECT station, fecha_registro, count(*) AS n FROM mediciones GROUP BY station, fecha_registro HAVING n > 1',
      );
      assert.deepEqual(twice, [], 'no reading twice');
      const [counts] = await cloudQuery<{ n: number; stations: number; keys: number }>(
        cloud,
        "SELECT count(*) AS n, count(DISTINCT station) AS stations, count(DISTINCT reading_key) AS `keys` FROM mediciones WHERE source = 'device'",
      );
      assert.deepEqual(
        { n: Number(counts?.n), stations: Number(counts?.stations), keys: Number(counts?.keys) },
        { n: sent, stations: STATIONS.length, keys: sent },
        'every reading published, from every station, once',
      );
      const [rollup] = await cloudQuery<{ n: number }>(
        cloud,
        'SELECT sum(reading_count) AS n FROM mediciones_1m',
      );
      assert.equal(Number(rollup?.n), sent, "the cities' rollups count each once");
      const recovered = await waitFor(
        async () => {
          const now = await status();
          return now?.depth === 0 && now.lastFlushError === null ? now : undefined;
        },
        10_000,
        'the outbox drained and the fault cleared',
      );
      assert.deepEqual(recovered.failures, []);
      assert.match(ingest.stdout(), /outbox flush recovered/, 'the recovery logged');
      assert.equal(ingest.child.exitCode, null, `still running: ${ingest.stderr()}`);
    } catch (error) {
      // What `clima ingest` logged up to the failure, beside it.
      throw new Error(`${(error as Error).message}${explain()}`, { cause: error });
    } finally {
      publishing = false;
      await stream?.catch(() => undefined);
      await ingest.stop('SIGTERM');
      await publisher.endAsync();
    }
  });
});
