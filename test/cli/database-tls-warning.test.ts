import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runClima } from '../support/run-clima.js';

// A restore of a missing file stops before any connection: what is logged is only start-up's.
it('warns at start when the database password would go to another host unencrypted, naming the host', async () => {
  const run = (url: string) =>
    runClima(['restore', '/nonexistent/mediciones.json'], { env: { DATABASE_URL: url } });
  const remote = await run('mysql://clima_reader:hunter2@cloud.example.org:33060/clima');
  assert.notEqual(remote.code, 0);
  const warnings = remote.stdout
    .split('\n')
    .filter((line) => line.includes('unencrypted'))
    .map((line) => JSON.parse(line) as { level: number; host: string; msg: string });
  assert.equal(warnings.length, 1, remote.stdout);
  assert.equal(warnings[0]?.level, 40);
  assert.equal(warnings[0]?.host, 'cloud.example.org');
  assert.doesNotMatch(remote.stdout + remote.stderr, /hunter2/);

  const local = await run('mysql://clima_reader:hunter2@127.0.0.1:33060/clima');
  assert.doesNotMatch(local.stdout, /unencrypted/);
});
