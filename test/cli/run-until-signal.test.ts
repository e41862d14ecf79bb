import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { freePort } from '../support/free-port.js';
import { startClima, waitFor } from '../support/run-clima.js';

it('exits with code 1 within the 5 s shutdown deadline when a client never finishes its request', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'clima-signal-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const port = await freePort();
  const clima = startClima(['dashboard'], {
    cwd,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      OPEN_METEO_URL: `http://127.0.0.1:${await freePort()}`,
      LOG_LEVEL: 'info',
    },
  });
  t.after(() => clima.child.kill('SIGKILL'));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    () =>
      fetch(`${base}/healthz`).then(
        (response) => response.status,
        () => undefined,
      ),
    10_000,
    'the dashboard to listen',
  );
  // Half a request: the server holds this connection open for it (its request time-out is 30 s),
  // so a graceful close cannot finish within the deadline.
  const stuck = connect(port, '127.0.0.1');
  t.after(() => stuck.destroy());
  await once(stuck, 'connect');
  await new Promise<void>((resolve, reject) =>
    stuck.write('GET /healthz HTTP/1.1\r\nHost: clima\r\n', (error) => (error ? reject(error) : resolve())),
  );
  // A whole request on another connection, answered after the half one's bytes were read.
  assert.equal((await fetch(`${base}/healthz`, { headers: { connection: 'close' } })).status, 200);

  const signalledAt = Date.now();
  const code = await clima.stop('SIGTERM');
  const tookMs = Date.now() - signalledAt;

  assert.equal(code, 1, clima.stdout() + clima.stderr());
  assert.ok(tookMs >= 4_900, `waited for the graceful stop first (${tookMs} ms)`);
  assert.ok(tookMs < 8_000, `exited soon after the 5 s deadline (${tookMs} ms)`);
  const line = clima
    .stdout()
    .split('\n')
    .find((text) => text.includes('shutdown took longer than 5000 ms'));
  assert.ok(line, clima.stdout());
  assert.equal(JSON.parse(line).level, 50, 'logged as an error');
  assert.match(line, /still stopping: dashboard/);
});
