import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { openDb } from '../../src/db/open-db.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { alertsContract } from './alerts.contract.js';

mariadbSuite('alerts on MariaDB', (server) => {
  let databases = 0;
  alertsContract(
    async () => {
      const target = parseDatabaseUrl(await server().createDatabase(`alerts_${++databases}`));
      return { db: openDb(target), openAnother: () => openDb(target) };
    },
    { concurrent: true },
  );
});
