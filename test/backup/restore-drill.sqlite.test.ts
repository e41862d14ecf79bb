import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { restoreDrill } from './restore-drill.contract.js';

describe('restore drill on SQLite', () => {
  let dir: string;
  let databases = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'clima-drill-sqlite-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  restoreDrill({
    freshTarget: async () => ({ dialect: 'sqlite', path: join(dir, `clima-${++databases}.db`) }),
  });
});
