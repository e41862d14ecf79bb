import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { SqliteTarget } from '../../src/db/database-url.js';

/**
 * Called inside a `describe`: a new SQLite database file at each call, all of them in a temporary
 * folder made before the suite and removed after it.
 */
export function freshSqliteTargets(prefix: string): () => Promise<SqliteTarget> {
  let dir: string;
  let databases = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return async () => ({ dialect: 'sqlite', path: join(dir, `clima-${++databases}.db`) });
}
