// Stations' readings through the machine's own Mosquitto (127.0.0.1:1883): each test has a topic
// prefix and client ids of its own, so tests sharing the broker never see each other's messages.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { connect, connectAsync } from 'mqtt';
import { type Clock, ManualClock, systemClock } from '../../src/core/clock.js';
import { createMetrics } from '../../src/core/metrics.js';
import type { NewReading } from '../../src/db/reading.js';
import { createMqttIngest } from '../../src/ingest/mqtt-ingest.js';
import { createRejectionLog } from '../../src/ingest/rejection-log.js';
import type { Station } from '../../src/ingest/station.js';
import { openOutbox } from '../../src/outbox/outbox.js';
import type { ReadingStore } from '../../src/sensor/reading-store.js';
import { captureLogger } from '../support/capture-logger.js';

const BROKER = 'mqtt://127.0.0.1:1883';
const HASH = 'a'.repeat(64);

/** Polls `check` until it holds, or fails after `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('MQTT ingestion (Mosquitto at 127.0.0.1:1883)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-mqtt-'));
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** An ingest on a fresh outbox file, a publisher, and a watcher of the rejected topics. */
  async function setUp(options: { store?: (outbox: ReadingStore) => ReadingStore; clock?: Clock } = {}) {
    const prefix = `test-${randomUUID()}`;
    const stations: Station[] = [
      { name: 'finca-1', city: 'Manizales', tokenSha256: HASH },
      { name: 'finca-2', city: 'Pereira', tokenSha256: HASH },
    ];
    const clock = options.clock ?? systemClock;
    const { logger, lines } = captureLogger();
    const outbox = openOutbox({ path: join(dir, `${prefix}.db`), maxRows: 100_000, clock, logger });
    cleanups.push(() => outbox.close());
    const queue: ReadingStore = { insertBatch: async (readings) => outbox.append(readings) };
    const metrics = createMetrics();
    const ingest = createMqttIngest({
      url: BROKER,
      clientId: `ingest-${prefix}`.slice(0, 64),
      stations,
      store: options.store ? options.store(queue) : queue,
      rejections: createRejectionLog({ metrics, clock, logger }),
      clock,
      logger,
      topicPrefix: prefix,
    });
    await ingest.start();
    cleanups.push(() => ingest.stop());
    await until('the subscription', () => ingest.status().connected);
    // The subscription is sent right after the connection: a message of ours confirms it is in place.
    const publisher = await connectAsync(BROKER, { clientId: `pub-${prefix}`.slice(0, 64) });
    cleanups.push(() => publisher.endAsync());
    const rejected: { topic: string; body: Record<string, unknown> }[] = [];
    const watcher = await connectAsync(BROKER, { clientId: `watch-${prefix}`.slice(0, 64) });
    cleanups.push(() => watcher.endAsync());
    watcher.on('message', (topic, payload) => rejected.push({ topic, body: JSON.parse(payload.toString()) }));
    await watcher.subscribeAsync(`${prefix}/+/rejected`, { qos: 1 });
    const queued = () => outbox.take(100_000).map((q) => q.reading);
    await publisher.publishAsync(
      `${prefix}/finca-1/readings`,
      JSON.stringify({ temperature: 1, humidity: 1 }),
      {
        qos: 1,
      },
    );
    await until('the first reading', () => outbox.stats().depth === 1);
    outbox.acknowledge(outbox.take(10).map((q) => q.seq));
    const publish = (station: string, body: unknown) =>
      publisher.publishAsync(
        `${prefix}/${station}/readings`,
        typeof body === 'string' ? body : JSON.stringify(body),
        { qos: 1 },
      );
    return { prefix, outbox, queued, publish, publisher, rejected, metrics, lines, ingest };
  }

  it('commits one reading, an array, and a reading without takenAt, keyed by station and second', async () => {
    const { publish, queued, outbox } = await setUp();
    const before = Date.now();
    await publish('finca-1', { temperature: 21.44, humidity: 63, takenAt: '2026-11-29T17:20:00.900Z' });
    await publish('finca-2', [
      { temperature: -3, humidity: 99.6, takenAt: '2026-11-29T12:20:01-05:00' },
      { temperature: 4, humidity: 0, takenAt: '2026-11-29T17:21:00Z' },
    ]);
    await publish('finca-1', { temperature: 18, humidity: 70 });
    await until('four readings', () => outbox.stats().depth === 4);
    const readings = queued();
    const at = (iso: string) => new Date(iso);
    assert.deepEqual(readings.slice(0, 3), [
      {
        key: 'station:finca-1@2026-11-29T17:20:00Z',
        city: 'Manizales',
        temperature: 21.44,
        humidity: 63,
        takenAt: at('2026-11-29T17:20:00Z'),
        observedAt: at('2026-11-29T17:20:00Z'),
        source: 'device',
        station: 'finca-1',
      },
      {
        key: 'station:finca-2@2026-11-29T17:20:01Z',
        city: 'Pereira',
        temperature: -3,
        humidity: 100,
        takenAt: at('2026-11-29T17:20:01Z'),
        observedAt: at('2026-11-29T17:20:01Z'),
        source: 'device',
        station: 'finca-2',
      },
      {
        key: 'station:finca-2@2026-11-29T17:21:00Z',
        city: 'Pereira',
        temperature: 4,
        humidity: 0,
        takenAt: at('2026-11-29T17:21:00Z'),
        observedAt: at('2026-11-29T17:21:00Z'),
        source: 'device',
        station: 'finca-2',
      },
    ]);
    const received = readings[3] as NewReading;
    assert.equal(received.station, 'finca-1');
    assert.ok(
      received.takenAt.getTime() >= Math.floor(before / 1000) * 1000 &&
        received.takenAt.getTime() <= Date.now(),
    );
  });

  it('leaves a message unacknowledged until its readings are committed: the session delivers it again', async () => {
    let open: () => void = () => {};
    let gate = Promise.resolve();
    let attempts = 0;
    const { publish, outbox, prefix } = await setUp({
      store: (queue) => ({
        async insertBatch(readings) {
          attempts++;
          await gate;
          return queue.insertBatch(readings);
        },
      }),
    });
    gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    cleanups.push(() => open());
    const body = JSON.stringify({ temperature: 20, humidity: 50, takenAt: '2026-11-29T17:20:00Z' });
    await publish('finca-1', body);
    await until('the commit to begin', () => attempts >= 2);
    // The process dies with the commit unfinished: here another client takes its session over.
    // Listening before the connection is up: the broker sends the message right after CONNACK.
    const successor = connect(BROKER, {
      clientId: `ingest-${prefix}`.slice(0, 64),
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 60 },
      reconnectPeriod: 0,
    });
    const redelivered: string[] = [];
    // It dies too, before acknowledging: the message stays the session's.
    successor.handleMessage = (packet, callback) => {
      redelivered.push(packet.payload.toString());
      callback(new Error('not acknowledged'));
    };
    await until('the redelivery', () => redelivered.length === 1);
    assert.deepEqual(redelivered, [body]);
    await successor.endAsync(true);
    assert.equal(outbox.stats().depth, 0, 'nothing committed yet');
    open();
    await until('the commit', () => outbox.stats().depth === 1);
    // The ingest takes its session back, is given the message again and commits it again: one reading.
    await until('the second commit', () => attempts >= 3);
    assert.equal(outbox.stats().depth, 1);
  });

  it('refuses bad messages: never stored, counted by reason, republished with the reason, logged once a minute per station', async () => {
    const clock = new ManualClock(Date.parse('2026-11-29T17:30:00Z'));
    const { publish, outbox, rejected, metrics, lines, prefix } = await setUp({ clock });
    await publish('finca-1', '{"temperature": 20,');
    await publish('nobody', { temperature: 20, humidity: 50 });
    await publish('finca-1', { temperature: 120, humidity: 50 });
    await publish('finca-2', [
      { temperature: 20, humidity: 50 },
      { temperature: 20, humidity: 101 },
    ]);
    await publish('finca-1', { temperature: 20, humidity: 50, takenAt: '29/11/2026 17:20' });
    await publish('finca-1', { temperature: 20, humidity: 50, takenAt: '2026-11-29T18:30:00Z' });
    await publish('finca-1', { temperature: '20', humidity: 50 });
    await publish('finca-1', { temperature: 20, humidity: 50, extra: 1 });
    await until('eight refusals republished', () => rejected.length === 8);
    assert.equal(outbox.stats().depth, 0, 'nothing stored');
    const byTopic = rejected.map(({ topic, body }) => [
      topic.slice(prefix.length + 1),
      body.reason,
      body.field,
    ]);
    assert.deepEqual(
      byTopic.sort(),
      [
        ['finca-1/rejected', 'bad-json', undefined],
        ['nobody/rejected', 'unknown-station', undefined],
        ['finca-1/rejected', 'out-of-range', 'temperature'],
        ['finca-2/rejected', 'out-of-range', '[1].humidity'],
        ['finca-1/rejected', 'bad-time', 'takenAt'],
        ['finca-1/rejected', 'bad-time', 'takenAt'],
        ['finca-1/rejected', 'bad-payload', 'temperature'],
        ['finca-1/rejected', 'bad-payload', 'extra'],
      ].sort(),
    );
    const text = await metrics.registry.getSingleMetricAsString('clima_ingest_rejected_total');
    for (const [reason, count] of [
      ['bad-json', 1],
      ['unknown-station', 1],
      ['out-of-range', 2],
      ['bad-time', 2],
      ['bad-payload', 2],
    ] as const) {
      assert.match(text, new RegExp(`transport="mqtt",reason="${reason}"} ${count}\\n`), reason);
    }
    const logged = () => lines.filter((line) => String(line.msg).startsWith('refused a reading'));
    // One line for finca-1, one for finca-2, one for the stations nobody knows.
    assert.equal(logged().length, 3, JSON.stringify(logged()));
    clock.advance(60_000);
    await publish('finca-1', { temperature: 20, humidity: -1 });
    await until('the ninth refusal', () => rejected.length === 9);
    assert.equal(logged().length, 4);
    assert.equal(logged().at(-1)?.refusedSinceLastLog, 5);
  });
});
