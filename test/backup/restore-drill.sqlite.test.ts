import { describe } from 'node:test';
import { freshSqliteTargets } from '../support/sqlite-targets.js';
import { restoreDrill } from './restore-drill.contract.js';

describe('restore drill on SQLite', () => {
  restoreDrill({ freshTarget: freshSqliteTargets('clima-drill-sqlite-') });
});
