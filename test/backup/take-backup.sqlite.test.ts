import { describe } from 'node:test';
import { freshSqliteTargets } from '../support/sqlite-targets.js';
import { sharedBackupFolder } from './take-backup.contract.js';

describe('backups of several SQLite databases in one folder', () => {
  sharedBackupFolder({ freshTarget: freshSqliteTargets('clima-shared-sqlite-') });
});
