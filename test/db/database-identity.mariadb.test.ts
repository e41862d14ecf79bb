import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { databaseIdentityContract } from './database-identity.contract.js';

mariadbSuite('database identity on MariaDB', (server) => {
  let databases = 0;
  databaseIdentityContract(async () =>
    parseDatabaseUrl(await server().createDatabase(`identity_${++databases}`)),
  );
});
