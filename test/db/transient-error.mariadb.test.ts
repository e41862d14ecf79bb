// Which database errors are worth trying again at once on another connection, classified on the
// errors a real MariaDB raises (a Galera node's own 1047 is met in test/system/galera.test.ts).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type Connection, createConnection } from 'mysql2/promise';
import { isGaleraTransient, isNodeNotReady, isWorthAnotherConnection } from '../../src/db/transient-error.js';
import { freePort } from '../support/free-port.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { waitFor } from '../support/run-clima.js';

/** The error `work` rejects with. */
async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
}

mariadbSuite('transient database errors', (server) => {
  const connect = () => createConnection(server().url);

  it('counts a deadlock (what a Galera certification conflict answers) as transient', async () => {
    const [a, b] = [await connect(), await connect()];
    try {
      await a.query('CREATE TABLE lock_pair (id int PRIMARY KEY, v int) ENGINE = InnoDB');
      await a.query('INSERT INTO lock_pair VALUES (1, 0), (2, 0)');
      await a.query('BEGIN');
      await b.query('BEGIN');
      await a.query('UPDATE lock_pair SET v = 1 WHERE id = 1');
      await b.query('UPDATE lock_pair SET v = 1 WHERE id = 2');
      // Each waits for the other's row: the server rolls one of the two back, either.
      const outcomes = await Promise.all([
        a.query('UPDATE lock_pair SET v = 2 WHERE id = 2').then(
          () => undefined,
          (error: unknown) => error,
        ),
        b.query('UPDATE lock_pair SET v = 2 WHERE id = 1').then(
          () => undefined,
          (error: unknown) => error,
        ),
      ]);
      const deadlock = outcomes.find((outcome) => outcome !== undefined);
      assert.equal((deadlock as { errno?: number }).errno, 1213);
      assert.equal(isGaleraTransient(deadlock), true);
      assert.equal(isWorthAnotherConnection(deadlock), true);
      assert.equal(isNodeNotReady(deadlock), false);
      // As a service wraps it, the cause kept.
      assert.equal(isGaleraTransient(new Error('insert failed', { cause: deadlock })), true);
    } finally {
      await Promise.all([a, b].map((c) => c.end().catch(() => {})));
    }
  });

  it('counts a session killed under a statement as worth another connection, not as Galera', async () => {
    const [victim, admin] = [await connect(), await connect()];
    try {
      const [[row]] = (await victim.query('SELECT CONNECTION_ID() AS id')) as unknown as [[{ id: number }]];
      await admin.query(`KILL ${row.id}`);
      // The server closes the session a moment after KILL returns: ask until the loss shows.
      const lost = await waitFor(
        () =>
          victim.query('SELECT 1').then(
            () => undefined,
            (error: unknown) => error,
          ),
        5_000,
        'the killed session to fail',
      );
      assert.equal(
        isWorthAnotherConnection(lost),
        true,
        `${(lost as { code?: string }).code}: ${(lost as Error).message}`,
      );
      assert.equal(isGaleraTransient(lost), false);
    } finally {
      await Promise.all([victim, admin].map((c: Connection) => c.end().catch(() => {})));
    }
  });

  it('counts a wrong statement, a duplicate key and a refused connection as not worth an instant retry', async () => {
    const connection = await connect();
    try {
      await connection.query('CREATE TABLE unique_key (id int PRIMARY KEY)');
      await connection.query('INSERT INTO unique_key VALUES (1)');
      const errors = [
        await errorOf(() => connection.query('SELEC 1')),
        await errorOf(() => connection.query('INSERT INTO unique_key VALUES (1)')),
        await errorOf(async () =>
          createConnection({ host: '127.0.0.1', port: await freePort(), user: 'root' }),
        ),
      ];
      for (const error of errors) {
        assert.equal(isWorthAnotherConnection(error), false, (error as Error).message);
        assert.equal(isGaleraTransient(error), false);
      }
    } finally {
      await connection.end();
    }
  });
});
