/**
 * What the rollups cost and how fast they fill, on SQLite and on a private MariaDB:
 * - the sensor's insert of one tick (7 readings) on a history of ROWS readings, with the rollups
 *   kept up to date (the repository) and without (the single INSERT IGNORE stored before them);
 * - the backfill of ROWS readings stored before the rollups (`clima migrate`), in rows/s;
 * - the plan of each recompute statement (EXPLAIN), which must seek the (ciudad, fecha_registro)
 *   index and the rollups' primary keys, never scan a table.
 *
 *   npm run bench:rollups [-- --rows 1000000 --ticks 200]
 *
 * Not part of `npm test`: nothing here asserts a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { type CompiledQuery, Kysely, type LogEvent, MysqlDialect, SqliteDialect } from 'kysely';
import { createConnection } from 'mysql2/promise';
import { silentLogger } from '../src/core/logger.js';
import { parseDatabaseUrl } from '../src/db/database-url.js';
import { dialectSql } from '../src/db/dialect.js';
import { migrateToLatest } from '../src/db/migrations/migrate-to-latest.js';
import { createMysqlPool } from '../src/db/mysql-pool.js';
import { type Database, openDb } from '../src/db/open-db.js';
import { type NewReading, readingKey } from '../src/db/reading.js';
import { toInsertRow } from '../src/db/reading-row.js';
import { createReadingsRepository } from '../src/db/readings-repository.js';
import { backfillRollups } from '../src/db/rollup-backfill.js';
import { ROLLUP_LEVELS } from '../src/db/rollup-levels.js';
import { recomputeRollups } from '../src/db/rollups.js';
import type { Schema } from '../src/db/schema.js';
import { startMariaDb } from '../test/support/mariadb-server.js';
import { markdownTable } from './support/markdown-table.js';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, ticks: { type: 'string', default: '200' } },
});
const ROWS = Number(values.rows);
const TICKS = Number(values.ticks);
const CITIES = ['Bogota', 'Medellin', 'Cali', 'Cartagena', 'Manizales', 'Pereira', 'Bucaramanga'];
const START_S = 1_700_000_000;
const STEP_S = 15;

/** The i-th reading of a history with one reading per city every STEP_S seconds. */
function historyReading(i: number): NewReading {
  const city = CITIES[i % CITIES.length] as string;
  const at = new Date((START_S + Math.floor(i / CITIES.length) * STEP_S) * 1000);
  return {
    key: readingKey(city, at),
    city,
    temperature: ((i % 400) - 100) / 10,
    humidity: i % 101,
    takenAt: at,
    observedAt: at,
    source: 'simulated',
  };
}

/** ROWS readings stored around the repository, as a database from before the rollups holds them. */
async function fillHistory(db: Database): Promise<void> {
  const chunk = 2_000;
  for (let start = 0; start < ROWS; start += chunk) {
    const rows = Array.from({ length: Math.min(chunk, ROWS - start) }, (_, i) =>
      toInsertRow(historyReading(start + i)),
    );
    await db.kysely.insertInto('mediciones').values(rows).execute();
  }
  for (const level of ROLLUP_LEVELS) await db.kysely.deleteFrom(level.table).execute();
  await db.kysely.updateTable('rollup_backfill').set({ last_id: 0, done: 0 }).execute();
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Median milliseconds of the sensor's insert of one tick, with the rollups and without. */
async function tickTimes(db: Database): Promise<{ withRollups: number; without: number }> {
  const repo = createReadingsRepository(db);
  const dialect = dialectSql(db.dialect);
  const withRollups: number[] = [];
  const without: number[] = [];
  for (let tick = 0; tick < TICKS; tick++) {
    const tickReadings = (offset: number) =>
      CITIES.map((_, c) => historyReading(ROWS + (2 * tick + offset) * CITIES.length + c));
    let t = performance.now();
    await repo.insertBatch(tickReadings(0));
    withRollups.push(performance.now() - t);
    t = performance.now();
    await dialect
      .ignoreDuplicateReadings(db.kysely.insertInto('mediciones').values(tickReadings(1).map(toInsertRow)))
      .execute();
    without.push(performance.now() - t);
  }
  return { withRollups: median(withRollups), without: median(without) };
}

/** Median ms of one city's chart at 500 points over each range ending at the history's end. */
async function chartTimes(db: Database): Promise<Record<string, number>> {
  const end = new Date((START_S + Math.floor(ROWS / CITIES.length) * STEP_S) * 1000);
  const times: Record<string, number> = {};
  const ranges = {
    '1 h': 1,
    '24 h': 24,
    '7 d': 7 * 24,
    'all history': (ROWS / CITIES.length) * (STEP_S / 3600),
  };
  for (const rollups of [true, false]) {
    // Marked incomplete, the rollups are not read: the raw query answers, as before them.
    await db.kysely
      .updateTable('rollup_backfill')
      .set({ done: rollups ? 1 : 0 })
      .execute();
    const repo = createReadingsRepository(db);
    for (const [name, hours] of Object.entries(ranges)) {
      const samples: number[] = [];
      for (let i = 0; i < 15; i++) {
        const t = performance.now();
        await repo.bucketedReadings({
          city: 'Cali',
          from: new Date(end.getTime() - hours * 3_600_000),
          to: end,
          points: 500,
        });
        samples.push(performance.now() - t);
      }
      times[`${name} ${rollups ? 'rollups' : 'raw'}`] = median(samples);
    }
  }
  await db.kysely.updateTable('rollup_backfill').set({ done: 1 }).execute();
  return times;
}

/** EXPLAIN of each statement that recomputes one sensor tick's buckets (then rolled back). */
async function plans(
  db: Database,
  explain: (query: CompiledQuery) => Promise<string>,
  makeKysely: (log: (event: LogEvent) => void) => Kysely<Schema>,
): Promise<string[]> {
  const statements: CompiledQuery[] = [];
  const kysely = makeKysely((event) => {
    if (/insert into/i.test(event.query.sql)) statements.push(event.query);
  });
  const places = CITIES.map((_, c) => toInsertRow(historyReading(ROWS / 2 + c)));
  await kysely
    .transaction()
    .execute(async (trx) => {
      await recomputeRollups(trx, dialectSql(db.dialect), places, { removed: false });
      throw new Error('rolled back: only the statements are wanted');
    })
    .catch(() => undefined);
  await kysely.destroy();
  const out: string[] = [];
  for (const [i, statement] of statements.entries()) {
    out.push(`${ROLLUP_LEVELS[i]?.table}:\n${await explain(statement)}`);
  }
  return out;
}

async function measure(
  name: string,
  db: Database,
  explainer: Parameters<typeof plans>[1],
  makeKysely: Parameters<typeof plans>[2],
) {
  await migrateToLatest(db);
  let t = performance.now();
  await fillHistory(db);
  console.error(
    `${name}: ${ROWS.toLocaleString('en-US')} readings written in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  t = performance.now();
  const { rows } = await backfillRollups(db, { batchRows: 20_000 });
  const seconds = (performance.now() - t) / 1000;
  const ticks = await tickTimes(db);
  const charts = await chartTimes(db);
  const explained = await plans(db, explainer, makeKysely);
  return { name, rate: Math.round(rows / seconds), seconds, ticks, charts, explained };
}

const results: Awaited<ReturnType<typeof measure>>[] = [];
const dir = mkdtempSync(join(tmpdir(), 'clima-bench-rollups-'));
try {
  const path = join(dir, 'clima.db');
  const sqlite = openDb({ dialect: 'sqlite', path });
  const file = new BetterSqlite3(path);
  results.push(
    await measure(
      'SQLite',
      sqlite,
      async (query) =>
        (
          file.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as {
            detail: string;
          }[]
        )
          .map((row) => `  ${row.detail}`)
          .join('\n'),
      (log) => new Kysely<Schema>({ dialect: new SqliteDialect({ database: new BetterSqlite3(path) }), log }),
    ),
  );
  file.close();
  await sqlite.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const server = await startMariaDb();
try {
  const target = parseDatabaseUrl(server.url);
  if (target.dialect !== 'mysql') throw new Error('not a MySQL target');
  const mariadb = openDb(target);
  const root = await createConnection({
    host: '127.0.0.1',
    port: server.port,
    user: 'root',
    database: 'clima',
  });
  results.push(
    await measure(
      'MariaDB',
      mariadb,
      async (query) => {
        const [rows] = await root.query(`explain ${query.sql}`, query.parameters as unknown[]);
        return (rows as Record<string, unknown>[])
          .map((row) => `  ${row.table} type=${row.type} key=${row.key} rows=${row.rows} ${row.Extra ?? ''}`)
          .join('\n');
      },
      (log) =>
        new Kysely<Schema>({
          dialect: new MysqlDialect({
            pool: createMysqlPool(target, { logger: silentLogger, queryTimeoutMs: 30_000 }),
          }),
          log,
        }),
    ),
  );
  await root.end();
  await mariadb.close();
} finally {
  await server.stop();
}

console.log(
  markdownTable(
    [
      'dialect',
      'backfill rows/s',
      `backfill of ${ROWS.toLocaleString('en-US')}`,
      'tick of 7 with rollups (ms)',
      'tick of 7 without (ms)',
    ],
    results.map((r) => [
      r.name,
      r.rate.toLocaleString('en-US'),
      `${r.seconds.toFixed(1)} s`,
      r.ticks.withRollups.toFixed(2),
      r.ticks.without.toFixed(2),
    ]),
  ),
);
console.log(
  `\n${markdownTable(
    ['chart of 500 points (median ms)', ...results.map((r) => r.name)],
    Object.keys(results[0]?.charts ?? {}).map((key) => [
      key,
      ...results.map((r) => (r.charts[key] ?? 0).toFixed(1)),
    ]),
  )}`,
);
for (const r of results) console.log(`\n${r.name} plans of the recompute:\n${r.explained.join('\n')}`);
