import assert from 'node:assert/strict';
import { it } from 'node:test';
import { readDatabaseOrigin } from '../../src/db/database-identity.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { databaseIdentityContract } from './database-identity.contract.js';

mariadbSuite('database identity on MariaDB', (server) => {
  let databases = 0;
  const freshTarget = async () => parseDatabaseUrl(await server().createDatabase(`identity_${++databases}`));
  databaseIdentityContract(freshTarget);

  it('keeps the id when the server is killed and restarted', async () => {
    const db = openDb(await freshTarget());
    try {
      await migrateToLatest(db);
      const before = await readDatabaseOrigin(db);
      await server().kill();
      await server().restart();
      assert.deepEqual(await readDatabaseOrigin(db), before);
    } finally {
      await db.close();
    }
  });
});
