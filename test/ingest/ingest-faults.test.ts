// The promise of QoS 1 end to end: `clima ingest` killed -9 again and again mid-stream and the
// broker restarted mid-stream, every reading published reaches the database exactly once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { connectAsync, type MqttClient } from 'mqtt';
import { mosquittoSkip, startMosquitto } from '../support/mosquitto.js';
import { type RunningClima, startClima } from '../support/run-clima.js';

const STATIONS = Array.from({ length: 10 }, (_, i) => ({
  name: `finca-${i + 1}`,
  city: i % 2 ? 'Manizales' : 'Pereira',
  tokenSha256: 'b'.repeat(64),
}));
const KILLS = 20;
const PER_ROUND = 100;

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('clima ingest under faults (private Mosquitto, SQLite)', { skip: mosquittoSkip() }, () => {
  let dir: string;
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clima-ingest-faults-'));
    broker = await startMosquitto();
  });
  after(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`loses and repeats nothing: killed -9 ${KILLS} times mid-stream, the broker restarted mid-stream`, async () => {
    const stationsFile = join(dir, 'stations.json');
    writeFileSync(stationsFile, JSON.stringify(STATIONS));
    const database = join(dir, 'clima.db');
    const env = {
      DATA_DIR: dir,
      DATABASE_URL: `sqlite:${database}`,
      STATIONS_FILE: stationsFile,
      MQTT_URL: broker.url,
      MQTT_CLIENT_ID: 'clima-ingest-faults',
      LOG_LEVEL: 'info',
    };
    // The publisher keeps its own session too: what it sent while the broker was down goes on reconnect.
    const publisher: MqttClient = await connectAsync(broker.url, {
      clientId: 'faults-publisher',
      clean: false,
      reconnectPeriod: 100,
    });
    let db: BetterSqlite3.Database | undefined;
    const stored = (): number => {
      try {
        db ??= new BetterSqlite3(database, { readonly: true, fileMustExist: true });
        return (db.prepare('SELECT count(*) AS n FROM mediciones').get() as { n: number }).n;
      } catch {
        return 0;
      }
    };
    let sent = 0;
    const t0 = Date.parse('2026-11-29T00:00:00Z');
    /** One reading of each station per second, in messages of one reading or arrays of three. */
    function publishRound(): Promise<unknown> {
      const messages: Promise<unknown>[] = [];
      for (let i = 0; i < PER_ROUND; i++) {
        const n = sent++;
        const station = STATIONS[n % STATIONS.length]?.name;
        const takenAt = new Date(t0 + Math.floor(n / STATIONS.length) * 1000).toISOString();
        const reading = { temperature: (n % 400) / 10, humidity: n % 101, takenAt };
        messages.push(
          publisher.publishAsync(`clima/${station}/readings`, JSON.stringify(n % 7 ? reading : [reading]), {
            qos: 1,
          }),
        );
      }
      return Promise.all(messages);
    }

    let ingest: RunningClima | undefined;
    try {
      for (let round = 0; round < KILLS; round++) {
        ingest = startClima(['ingest'], { env });
        const running = ingest;
        // The first start creates the session: until then the broker keeps nothing for it.
        if (round === 0)
          await until('the subscription', () => running.stdout().includes('subscribed to clima/+/readings'));
        const before = stored();
        await publishRound();
        if (round === KILLS / 2) {
          // Mid-stream: readings published, not all of them taken yet.
          await broker.restart();
          await publishRound();
        }
        // Killed once it is taking readings, while more are on their way.
        await until(`round ${round} to make progress`, () => stored() > before).catch((error) => {
          throw new Error(
            `${error.message}: exit ${running.child.exitCode} ${running.stdout().slice(-3000)} ${running.stderr().slice(-2000)}`,
          );
        });
        await ingest.stop('SIGKILL');
        ingest = undefined;
        // Published while nobody takes them: the broker keeps them for the session.
        if (round % 4 === 0) await publishRound();
      }
      ingest = startClima(['ingest'], { env });
      await until(`all ${sent} readings`, () => stored() >= sent, 60_000);
      const rows = db
        ?.prepare(
          'SELECT station, fecha_registro, count(*) AS n FROM mediciones GROUP BY station, fecha_registro HAVING n > 1',
        )
        .all();
      assert.deepEqual(rows, [], 'no reading twice');
      assert.equal(stored(), sent, 'every reading once');
      const perMinute = db?.prepare('SELECT sum(reading_count) AS n FROM mediciones_1m').get() as {
        n: number;
      };
      assert.equal(perMinute.n, sent, "the cities' rollups count each once");
      assert.equal(ingest.child.exitCode, null, `still running: ${ingest.stderr()}`);
    } finally {
      await ingest?.stop('SIGKILL');
      db?.close();
      await publisher.endAsync();
    }
  });
});
