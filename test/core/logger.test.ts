import assert from 'node:assert/strict';
import { it } from 'node:test';
import { freePort } from '../support/free-port.js';
import { runClima } from '../support/run-clima.js';

it('logs an error whose message already says its cause without repeating the cause', async () => {
  const port = await freePort();
  const { code, stdout } = await runClima(['migrate'], {
    env: { DATABASE_URL: `mysql://clima:secret@127.0.0.1:${port}/clima`, LOG_LEVEL: 'error' },
  });
  assert.equal(code, 1);
  const fatal = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
  const refused = `connect ECONNREFUSED 127.0.0.1:${port}`;
  assert.equal(fatal.err.message, `database migration failed: preparing migrations: ${refused}`);
  assert.equal(fatal.msg, `migrate failed: database migration failed: preparing migrations: ${refused}`);
  assert.match(
    fatal.err.stack,
    /caused by: Error: connect ECONNREFUSED/,
    'the cause is still logged, with its stack',
  );
});
