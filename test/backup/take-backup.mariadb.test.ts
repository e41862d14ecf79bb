import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { sharedBackupFolder } from './take-backup.contract.js';

mariadbSuite('backups of several MariaDB databases in one folder', (server) => {
  let databases = 0;
  sharedBackupFolder({
    freshTarget: async () => parseDatabaseUrl(await server().createDatabase(`shared_${++databases}`)),
  });
});
