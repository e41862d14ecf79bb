import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { openDb } from '../../src/db/open-db.js';
import { alertsContract } from './alerts.contract.js';

describe('alerts on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-alerts-'));
  let file = 0;
  after(() => rmSync(dir, { recursive: true, force: true }));
  alertsContract(
    async () => {
      const path = join(dir, `alerts-${++file}.db`);
      return {
        db: openDb({ dialect: 'sqlite', path }),
        openAnother: () => openDb({ dialect: 'sqlite', path }),
      };
    },
    { concurrent: false },
  );
});
