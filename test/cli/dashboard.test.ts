import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { freePort } from '../support/free-port.js';
import { startClima, waitFor } from '../support/run-clima.js';

it('starts the dashboard alone while the database is down, not ready until it answers', async () => {
  const port = await freePort();
  const clima = startClima(['dashboard'], {
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `mysql://clima:secret@127.0.0.1:${await freePort()}/clima`,
      OPEN_METEO_URL: `http://127.0.0.1:${await freePort()}`,
    },
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    const alive = await waitFor(
      () =>
        fetch(`${base}/healthz`).then(
          (r) => r.status,
          () => undefined,
        ),
      10_000,
      'the dashboard to listen',
    );
    assert.equal(alive, 200);
    // Run as an executable, its first line started node with clima's heap bounds (cli/main.ts).
    const argv = readFileSync(`/proc/${clima.child.pid}/cmdline`, 'utf8').split('\0');
    assert.deepEqual(
      argv.filter((arg) => arg.startsWith('--max-')),
      ['--max-semi-space-size=8', '--max-old-space-size=512'],
    );
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { reason: string }).reason, 'unreachable');
    const latest = await fetch(`${base}/api/latest`);
    assert.equal(latest.status, 503);
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /id="db-status"[^>]*data-state="down"/);
    assert.doesNotMatch(clima.stdout(), /secret/, 'the password never reaches the logs');
  } finally {
    assert.equal(await clima.stop(), 0);
  }
});
