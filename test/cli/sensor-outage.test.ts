import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { sql } from 'kysely';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { openDb } from '../../src/db/open-db.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { startClima, waitFor } from '../support/run-clima.js';

/** The instants the sensor says it queued a tick at, from its debug log. */
function ticksLogged(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.includes('"readings stored"'))
    .map((line) => JSON.parse(line).takenAt as string);
}

mariadbSuite('clima sensor through a database outage', (server) => {
  it('keeps every reading of the outage in its outbox and stores each exactly once afterwards', async (t) => {
    const url = await server().createDatabase('clima_outage');
    const dataDir = mkdtempSync(join(tmpdir(), 'clima-outage-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const db = openDb(parseDatabaseUrl(url));
    t.after(() => db.close());
    const count = async (before?: string) => {
      try {
        const where = before ? sql`WHERE fecha_registro < ${before}` : sql``;
        const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM mediciones ${where}`.execute(
          db.kysely,
        );
        return Number(rows[0]?.n ?? 0);
      } catch {
        return -1;
      }
    };
    const sensor = startClima(['sensor'], {
      env: {
        DATABASE_URL: url,
        DATA_DIR: dataDir,
        SENSOR_SOURCE: 'simulated',
        SENSOR_INTERVAL_S: '1',
        LOG_LEVEL: 'debug',
      },
    });
    try {
      await waitFor(
        async () => ((await count()) >= 14 ? true : undefined),
        15_000,
        'readings before the outage',
      );
      await server().kill();
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      await server().restart();
      // Whole seconds, as fecha_registro stores them.
      const restartedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
      const cutoff = restartedAt.toISOString().slice(0, 19).replace('T', ' ');
      // Read the log on every poll: the tick of the last second before the cutoff may not be logged yet.
      const ticksBefore = () =>
        ticksLogged(sensor.stdout()).filter((at) => Date.parse(at) < restartedAt.getTime());
      let seen = -1;
      await waitFor(
        async () => {
          seen = await count(cutoff);
          return seen === ticksBefore().length * 7 ? true : undefined;
        },
        30_000,
        'every reading taken before the restart',
      ).catch((error) => {
        const log = sensor
          .stdout()
          .split('\n')
          .filter((line) => !line.includes('"readings stored"'));
        throw new Error(
          `${error.message}: ${seen} stored; ticks ${ticksBefore().join(' ')}; log:\n${log.join('\n')}`,
        );
      });
      assert.ok(ticksBefore().length >= 6, `${ticksBefore().length} ticks before the restart`);
      const { rows } = await sql<{ n: number; keys: number }>`
        SELECT count(*) AS n, count(DISTINCT ciudad, fecha_registro) AS \`keys\` FROM mediciones`.execute(
        db.kysely,
      );
      assert.equal(Number(rows[0]?.n), Number(rows[0]?.keys), 'no reading stored twice');
      assert.match(sensor.stdout(), /reading store failing|outbox flush failing/);
    } finally {
      assert.equal(await sensor.stop(), 0, sensor.stderr());
    }
  });
});
