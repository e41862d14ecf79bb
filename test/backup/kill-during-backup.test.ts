import assert from 'node:assert/strict';
import { readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runClima, startClima } from '../support/run-clima.js';
import { seededCliFolder } from './backup-fixtures.js';

/** Big enough that writing the snapshot takes a while (about 16 MB). */
const ROWS = 100_000;

describe('a backup killed with SIGKILL while it writes', () => {
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    ({ dir, env } = await seededCliFolder('clima-kill-', ROWS));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves no file under a final name, and the earlier snapshots still verify', async () => {
    const out = join(dir, 'backups');
    const earlier = await runClima(['backup', '--once'], { env });
    assert.equal(earlier.code, 0, earlier.stderr);
    const finals = readdirSync(out).sort();
    assert.equal(finals.length, 2);

    const clima = startClima(['backup', '--once'], { env });
    const partial = await new Promise<string>((resolve, reject) => {
      const poll = () => {
        const temp = readdirSync(out).find(
          (name) => name.endsWith('.tmp') && statSync(join(out, name)).size > 0,
        );
        if (temp !== undefined) {
          clima.child.kill('SIGKILL');
          resolve(temp);
        } else if (clima.child.exitCode !== null) {
          reject(new Error('the backup finished before it could be killed'));
        } else {
          setImmediate(poll);
        }
      };
      poll();
    });
    assert.equal(await clima.exited, 'SIGKILL');
    const left = readdirSync(out).sort();
    assert.deepEqual(
      left.filter((name) => !name.startsWith('.')),
      finals,
      'no new file under a final name',
    );
    assert.ok(left.includes(partial), 'the partial file keeps its temporary, hidden name');

    const [data] = finals.filter((name) => !name.includes('manifest'));
    const verify = await runClima(['backup', 'verify', join(out, data ?? '')], { env });
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /good: 100,000 rows/);

    // The next backup works beside the leftover, and removes it once it is clearly abandoned.
    const hourAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(out, partial), hourAgo, hourAgo);
    const next = await runClima(['backup', '--once'], { env });
    assert.equal(next.code, 0, next.stderr);
    const now = readdirSync(out);
    assert.equal(now.length, 4, `two snapshots and no leftover: ${now}`);
  });
});
