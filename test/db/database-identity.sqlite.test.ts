import { describe } from 'node:test';
import { freshSqliteTargets } from '../support/sqlite-targets.js';
import { databaseIdentityContract } from './database-identity.contract.js';

describe('database identity on SQLite', () => {
  databaseIdentityContract(freshSqliteTargets('clima-identity-'));
});
