import { execFileSync } from 'node:child_process';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { PAPER_QUERY, readingsRepositoryContract } from './readings-repository.contract.js';

mariadbSuite('readings repository on MariaDB', (server) => {
  let databases = 0;
  readingsRepositoryContract({
    freshTarget: async () => parseDatabaseUrl(await server().createDatabase(`clima_${++databases}`)),
    paperQuery(target) {
      if (target.dialect !== 'mysql') throw new Error('not a MySQL target');
      const args = ['--no-defaults', '--protocol=tcp', '-h', target.host, '-P', String(target.port)];
      return execFileSync(
        'mariadb',
        [...args, '-u', target.user, '-N', '-B', target.database, '-e', PAPER_QUERY],
        {
          encoding: 'utf8',
        },
      )
        .trim()
        .split('\n')
        .map((line) => line.split('\t'));
    },
  });
});
