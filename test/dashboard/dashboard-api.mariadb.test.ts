import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { dashboardApiContract } from './dashboard-api.contract.js';

mariadbSuite('dashboard API on MariaDB', (server) => {
  dashboardApiContract(async () => parseDatabaseUrl(await server().createDatabase('clima_dashboard')));
});
