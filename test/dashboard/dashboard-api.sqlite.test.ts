import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { dashboardApiContract } from './dashboard-api.contract.js';

describe('dashboard API on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-dashboard-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  dashboardApiContract(async () => ({ dialect: 'sqlite', path: join(dir, 'clima.db') }));
});
