import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMetrics } from '../../src/core/metrics.js';
import type { OutboxStatus } from '../../src/outbox/edge-outbox.js';
import { createSensorStatusServer, type SensorStatusServer } from '../../src/sensor/sensor-status-server.js';
import { captureLogger } from '../support/capture-logger.js';

describe("the sensor's status server", () => {
  let status: OutboxStatus = {
    depth: 1234,
    oldestTakenAt: new Date('2026-01-02T03:04:05Z'),
    sentTotal: 99,
    droppedTotal: 7,
    lostTotal: 40,
    lastFlushAt: undefined,
    lastFlushError: 'storage-full',
    failures: [{ store: 'database', problem: 'storage-full', since: new Date('2026-01-02T03:04:06Z') }],
    embedded: true,
  };
  const metrics = createMetrics();
  let notReady: string | undefined;
  let server: SensorStatusServer;
  const get = (path: string, init?: RequestInit) =>
    fetch(`http://127.0.0.1:${server.port()}${path}`, { ...init, signal: AbortSignal.timeout(5_000) });

  before(async () => {
    metrics.readingsStored.inc({ city: 'Bogota', source: 'simulated' }, 3);
    server = createSensorStatusServer({
      host: '127.0.0.1',
      port: 0,
      outbox: () => status,
      notReady: () => notReady,
      metrics,
      logger: captureLogger().logger,
    });
    await server.start();
  });
  after(() => server.stop());

  it('answers /healthz while the process runs', async () => {
    const response = await get('/healthz');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'alive' });
  });

  it('answers /readyz 503 with the reason while the process cannot work yet, 200 once it can', async () => {
    notReady = 'not subscribed to the broker';
    const waiting = await get('/readyz');
    assert.equal(waiting.status, 503);
    assert.deepEqual(await waiting.json(), { status: 'not-ready', reason: 'not subscribed to the broker' });
    notReady = undefined;
    const ready = await get('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
  });

  it('serves the outbox as JSON on /status, read at each request', async () => {
    const response = await get('/status');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await response.json(), {
      depth: 1234,
      oldestTakenAt: '2026-01-02T03:04:05.000Z',
      sentTotal: 99,
      droppedTotal: 7,
      lostTotal: 40,
      lastFlushAt: null,
      lastFlushError: 'storage-full',
      failures: [{ store: 'database', problem: 'storage-full', since: '2026-01-02T03:04:06.000Z' }],
      embedded: true,
    });
    status = { ...status, depth: 0, oldestTakenAt: undefined, lastFlushError: undefined, failures: [] };
    assert.equal(((await (await get('/status')).json()) as { depth: number }).depth, 0);
  });

  it("serves the process's registry on /metrics: readings stored and process metrics", async () => {
    const response = await get('/metrics');
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /^clima_readings_stored_total\{city="Bogota",source="simulated"\} 3$/m);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
  });

  it('answers an unknown path with 404 and a write with 405, as JSON errors', async () => {
    const missing = await get('/nope');
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not_found');
    const post = await get('/status', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });
});

describe("the sensor's status server with METRICS_TOKEN", () => {
  let server: SensorStatusServer;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${server.port()}${path}`, { headers, signal: AbortSignal.timeout(5_000) });

  before(async () => {
    server = createSensorStatusServer({
      host: '127.0.0.1',
      port: 0,
      outbox: () => ({
        depth: 0,
        oldestTakenAt: undefined,
        sentTotal: 0,
        droppedTotal: 0,
        lostTotal: 0,
        lastFlushAt: undefined,
        lastFlushError: undefined,
        failures: [],
        embedded: false,
      }),
      metrics: createMetrics(),
      metricsToken: 'sensor-metrics-token',
      logger: captureLogger().logger,
    });
    await server.start();
  });
  after(() => server.stop());

  it('answers /metrics without the bearer token, or with a wrong one, with 401 and a JSON reason', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-the-token' }] as Record<string, string>[]) {
      const response = await get('/metrics', headers);
      assert.equal(response.status, 401);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="clima"/);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'unauthorized');
    }
  });

  it('serves /metrics to a request bearing the token', async () => {
    const response = await get('/metrics', { authorization: 'Bearer sensor-metrics-token' });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /^process_resident_memory_bytes \d+/m);
  });

  it('keeps /healthz and /status open: the dashboard polls /status without a token', async () => {
    assert.equal((await get('/healthz')).status, 200);
    assert.equal((await get('/status')).status, 200);
  });
});
