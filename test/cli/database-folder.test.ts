import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runClima } from '../support/run-clima.js';

describe('the folder of a SQLite DATABASE_URL', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'clima-db-folder-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stops start-up with exit 2 naming the path when an explicit folder does not exist', async () => {
    const path = join(dir, 'tpyo', 'clima.db');
    for (const command of [['migrate'], ['start'], ['restore', join(dir, 'backup.json')]]) {
      const { code, stdout, stderr } = await runClima(command, {
        env: { DATABASE_URL: `sqlite:${path}`, DATA_DIR: join(dir, 'data') },
      });
      assert.equal(code, 2, `${command[0]}: ${stdout}${stderr}`);
      assert.equal(
        stderr,
        `clima: invalid configuration: DATABASE_URL: the folder ${join(dir, 'tpyo')} of sqlite:${path} does not exist: create it, or correct the path (only DATA_DIR is created when missing)\n`,
      );
    }
    assert.equal(existsSync(join(dir, 'tpyo')), false, 'no folder, no empty database');
    assert.equal(existsSync(join(dir, 'data')), false);
  });

  it('says so when the folder is a file', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const { code, stderr } = await runClima(['migrate'], {
      env: { DATABASE_URL: `sqlite:${join(dir, 'a-file', 'clima.db')}` },
    });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /^clima: invalid configuration: DATABASE_URL: the folder .*a-file of .* is not a folder: /,
    );
  });

  it('creates DATA_DIR, the default folder, when it is missing', async () => {
    const dataDir = join(dir, 'new', 'state');
    const { code, stderr } = await runClima(['migrate'], { env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn' } });
    assert.equal(code, 0, stderr);
    assert.ok(existsSync(join(dataDir, 'clima.db')));
  });

  it('creates DATA_DIR when DATABASE_URL names a file in it', async () => {
    const dataDir = join(dir, 'other', 'state');
    const { code, stderr } = await runClima(['migrate'], {
      env: { DATA_DIR: dataDir, DATABASE_URL: `sqlite:${dataDir}/readings.db`, LOG_LEVEL: 'warn' },
    });
    assert.equal(code, 0, stderr);
    assert.ok(existsSync(join(dataDir, 'readings.db')));
  });

  it('uses an existing folder outside DATA_DIR', async () => {
    const { code, stderr } = await runClima(['migrate'], {
      env: {
        DATABASE_URL: `sqlite:${join(dir, 'elsewhere.db')}`,
        DATA_DIR: join(dir, 'unused'),
        LOG_LEVEL: 'warn',
      },
    });
    assert.equal(code, 0, stderr);
    assert.ok(existsSync(join(dir, 'elsewhere.db')));
  });
});
