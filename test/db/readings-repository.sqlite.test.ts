import { execFileSync } from 'node:child_process';
import { describe } from 'node:test';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import { freshSqliteTargets } from '../support/sqlite-targets.js';
import { PAPER_QUERY, readingsRepositoryContract } from './readings-repository.contract.js';

describe('readings repository on SQLite', () => {
  readingsRepositoryContract({
    freshTarget: freshSqliteTargets('clima-db-'),
    paperQuery(target: DatabaseTarget) {
      if (target.dialect !== 'sqlite') throw new Error('not a SQLite target');
      return execFileSync('sqlite3', ['-separator', '\t', target.path, PAPER_QUERY], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((line) => line.split('\t'));
    },
  });
});
