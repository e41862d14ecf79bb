import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { assertRollupsExact, forgetRollups } from '../db/rollups.contract.js';
import { freePort } from '../support/free-port.js';
import { runClima, startClima, waitFor } from '../support/run-clima.js';

const CITIES = ['Bogota', 'Cali', 'Manizales', 'Pereira'];

/**
 * A database as an older clima leaves it: `rows` readings, one a minute per city round-robin, and
 * rollups still to fill. Written straight into SQLite: a million-row history in seconds.
 */
async function olderDatabase(path: string, rows: number): Promise<void> {
  const db = openDb({ dialect: 'sqlite', path });
  try {
    await migrateToLatest(db);
    await forgetRollups(db.kysely);
  } finally {
    await db.close();
  }
  const file = new BetterSqlite3(path);
  try {
    const cities = CITIES.map((city, i) => `select ${i} as n, '${city}' as name`).join(' union all ');
    file.exec(`
      with recursive i(n) as (select 0 union all select n + 1 from i where n < ${rows - 1}),
        city(n, name) as (${cities})
      insert into mediciones (ciudad, temperatura, humedad, fecha_registro, reading_key, source, observed_at)
      select city.name, (i.n % 400 - 100) / 10.0, i.n % 101, datetime(1700000000 + i.n * 15, 'unixepoch'),
        city.name || '@' || i.n, 'simulated', datetime(1700000000 + i.n * 15, 'unixepoch')
      from i join city on city.n = i.n % ${CITIES.length}`);
  } finally {
    file.close();
  }
}

function backfillState(path: string): { last_id: number; done: number } {
  const file = new BetterSqlite3(path, { readonly: true });
  try {
    return file.prepare('select last_id, done from rollup_backfill').get() as {
      last_id: number;
      done: number;
    };
  } finally {
    file.close();
  }
}

async function assertExact(path: string): Promise<void> {
  const db = openDb({ dialect: 'sqlite', path });
  try {
    await assertRollupsExact(db.kysely);
  } finally {
    await db.close();
  }
}

describe('clima migrate and the rollups of an existing database', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'clima-migrate-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fills the rollups in batches, and after kill -9 resumes where it stopped', async () => {
    const path = join(dir, 'killed.db');
    const rows = 400_000;
    await olderDatabase(path, rows);
    const env = { DATABASE_URL: `sqlite:${path}`, LOG_LEVEL: 'info' };
    const first = startClima(['migrate'], { env });
    const reached = await waitFor(
      () => {
        const state = backfillState(path);
        return state.last_id > 0 ? state : undefined;
      },
      60_000,
      'a first batch of the backfill',
    );
    assert.equal(await first.stop('SIGKILL'), 'SIGKILL');
    const killed = backfillState(path);
    assert.equal(killed.done, 0, 'killed before the end');
    assert.ok(killed.last_id >= reached.last_id && killed.last_id < rows, `killed at id ${killed.last_id}`);

    const second = await runClima(['migrate'], { env });
    assert.equal(second.code, 0, second.stderr);
    const filled = /"rows":(\d+).*rollups filled/.exec(second.stdout);
    assert.ok(filled, second.stdout);
    assert.equal(Number(filled[1]), rows - killed.last_id, 'only the readings after the last batch done');
    assert.deepEqual(backfillState(path), { last_id: rows, done: 1 });
    await assertExact(path);

    const third = await runClima(['migrate'], { env });
    assert.equal(third.code, 0, third.stderr);
    assert.doesNotMatch(third.stdout, /rollups filled/);
  });

  it('has clima start fill the rollups of an embedded database in the background', async () => {
    const path = join(dir, 'started.db');
    await olderDatabase(path, 20_000);
    const clima = startClima(['start'], {
      cwd: dir,
      env: {
        DATABASE_URL: `sqlite:${path}`,
        DATA_DIR: join(dir, 'started-data'),
        SENSOR_SOURCE: 'simulated',
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
    });
    try {
      await waitFor(() => (/rollups filled/.test(clima.stdout()) ? true : undefined), 60_000, 'the backfill');
      assert.match(clima.stdout(), /filling the rollups from the readings stored before them/);
      assert.equal(backfillState(path).done, 1);
    } finally {
      assert.equal(await clima.stop('SIGTERM'), 0, clima.stderr());
    }
    await assertExact(path);
  });
});
