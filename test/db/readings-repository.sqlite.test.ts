import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import { PAPER_QUERY, readingsRepositoryContract } from './readings-repository.contract.js';

describe('readings repository on SQLite', () => {
  let dir: string;
  let databases = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'clima-db-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  readingsRepositoryContract({
    freshTarget: async () => ({ dialect: 'sqlite', path: join(dir, `clima-${++databases}.db`) }),
    paperQuery(target: DatabaseTarget) {
      if (target.dialect !== 'sqlite') throw new Error('not a SQLite target');
      return execFileSync('sqlite3', ['-separator', '\t', target.path, PAPER_QUERY], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((line) => line.split('\t'));
    },
  });
});
