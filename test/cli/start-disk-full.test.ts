import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { freePort } from '../support/free-port.js';
import { startClima, waitFor } from '../support/run-clima.js';
import { openSse } from '../support/sse-client.js';
import { fillUp, mountTinyFilesystem, type TinyFilesystem } from '../support/tiny-filesystem.js';

const CITIES = Array.from({ length: 40 }, (_, i) => `Ciudad ${i + 1}:${-30 + i}:${-75 + i / 10}`).join(',');
const INTERVAL_S = 1;

interface StoreFailureJson {
  store: string;
  problem: string;
  since: string;
  message: string;
}

interface StatusJson {
  database: { status: string };
  outbox: { lostTotal: number; embedded: boolean; failures: StoreFailureJson[] };
}

/** The storage item of the page's status strip: its text, or undefined while it is hidden. */
function storageText(page: string): string | undefined {
  const item = /<p id="storage-status"[^>]*>.*?<span data-role="text">([^<]*)<\/span><\/p>/.exec(page);
  assert.ok(item, 'the page has a storage item');
  return /^<p id="storage-status"[^>]* hidden/.test(item[0]) ? undefined : item[1];
}

describe('clima start with DATA_DIR on a disk that fills up', () => {
  const fs = mountTinyFilesystem(2 * 1024 * 1024);
  const skip = 'skip' in fs ? fs.skip : false;
  after(() => {
    if (!('skip' in fs)) fs.unmount();
  });

  it('is not ready, says which store fails and since when, in both languages, logs once, and recovers', {
    skip,
  }, async () => {
    const dir = (fs as TinyFilesystem).dir;
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const clima = startClima(['start'], {
      env: {
        DATA_DIR: dir,
        CITIES,
        SENSOR_SOURCE: 'simulated',
        SENSOR_INTERVAL_S: String(INTERVAL_S),
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
    });
    const get = (path: string) => fetch(`${base}${path}`, { signal: AbortSignal.timeout(5_000) });
    const status = async () => (await (await get('/api/status')).json()) as StatusJson;
    const logLines = () =>
      clima
        .stdout()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string });
    try {
      await waitFor(
        async () => {
          try {
            const latest = (await (await get('/api/latest')).json()) as { readings: unknown[] };
            return latest.readings.length === 40 ? true : undefined;
          } catch {
            return undefined;
          }
        },
        20_000,
        'a first tick stored',
      );
      assert.equal((await get('/readyz')).status, 200);
      assert.equal(storageText(await (await get('/?lang=en')).text()), undefined, 'no storage alarm');

      const freeSpace = fillUp(dir);
      // The database file shares the disk: its writes may fail a moment before the outbox's
      // (SQLite reuses its write-ahead log's space), and readiness names the outbox once it fails.
      const ready = await waitFor(
        async () => {
          const response = await get('/readyz');
          if (response.status !== 503) return undefined;
          const body = (await response.json()) as { reason: string; store: string; since: string };
          assert.equal(body.reason, 'storage-full', JSON.stringify(body));
          return body.store === 'outbox' ? body : undefined;
        },
        20_000,
        '/readyz to answer 503 for the outbox',
      );
      const seenAt = Date.now();
      assert.ok(
        seenAt - Date.parse(ready.since) <= 2 * INTERVAL_S * 1000,
        `not ready within two intervals of the first reading lost (${seenAt - Date.parse(ready.since)} ms)`,
      );

      // A few more ticks fail: each is counted, the state and its time stay.
      const failing = await waitFor(
        async () => {
          const body = await status();
          return body.outbox.lostTotal >= 3 * 40 ? body : undefined;
        },
        20_000,
        'three ticks lost',
      );
      assert.equal(failing.outbox.lostTotal % 40, 0, 'whole ticks of 40 cities');
      assert.equal(failing.outbox.embedded, true);
      const [first] = failing.outbox.failures;
      assert.equal(first?.store, 'outbox');
      assert.equal(first?.problem, 'storage-full');
      assert.equal(first?.since, ready.since);
      assert.match(first?.message ?? '', /^local storage full: readings are not being kept since \d\d:\d\d$/);
      const metrics = await (await get('/metrics')).text();
      const lost = Number(/^clima_readings_lost_total (\d+)$/m.exec(metrics)?.[1]);
      assert.ok(lost >= failing.outbox.lostTotal, `lost readings in /metrics: ${lost}`);
      assert.match(metrics, /^clima_stores_failing [12]$/m);

      const en = await (await get('/?lang=en')).text();
      const es = await (await get('/?lang=es')).text();
      assert.match(
        storageText(en) ?? '',
        /^local storage full: readings are not being kept since \d\d:\d\d$/,
      );
      assert.match(
        storageText(es) ?? '',
        /^almacenamiento local lleno: las lecturas no se están guardando desde las \d\d:\d\d$/,
      );
      for (const page of [en, es]) {
        assert.match(page, /id="storage-status"[^>]*data-state="down"/, 'shown red');
        assert.doesNotMatch(page, /cloud|nube/i, 'in embedded mode there is no cloud');
      }
      assert.doesNotMatch(JSON.stringify(await status()), /cloud/i);
      const stream = await openSse(`${base}/api/stream`);
      try {
        const event = await stream.waitFor((e) => e.event === 'status', 5_000);
        const live = JSON.parse(event.data) as { storage: { en: string; es: string } | null };
        assert.equal(live.storage?.en, first?.message, 'the page script gets the same words, live');
        assert.match(live.storage?.es ?? '', /^almacenamiento local lleno/);
      } finally {
        stream.close();
      }

      const errors = logLines().filter((line) => line.level >= 50);
      assert.equal(
        errors.filter((line) => line.msg.startsWith('reading store failing')).length,
        1,
        `one error for the change of state, not one per tick: ${errors.map((line) => line.msg).join(' | ')}`,
      );

      freeSpace();
      await waitFor(
        async () => ((await get('/readyz')).status === 200 ? true : undefined),
        30_000,
        '/readyz to recover once space is freed',
      );
      const recovered = await waitFor(
        async () => {
          const body = await status();
          return body.outbox.failures.length === 0 ? body : undefined;
        },
        30_000,
        'every store to keep readings again',
      );
      assert.equal(recovered.database.status, 'up');
      assert.equal(storageText(await (await get('/?lang=en')).text()), undefined, 'the alarm is gone');
      assert.equal(logLines().filter((line) => line.msg === 'reading store recovered').length, 1);
    } finally {
      assert.equal(await clima.stop('SIGTERM'), 0, clima.stdout() + clima.stderr());
    }
  });
});
