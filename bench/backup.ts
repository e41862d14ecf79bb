/**
 * Backups at scale, in a private MariaDB: wall time and peak RSS of `clima backup --once` beside
 * `mariadb-dump --single-transaction --quick` of the same table in the same run, and of
 * `clima restore` into an empty database (MariaDB, and a new SQLite file) beside `mariadb <
 * dump.sql` loading the dump into an empty database; at each of SIZES rows, to show memory stays
 * flat.
 *
 *   npm run bench:backup [-- --sizes 100000,1000000 --repeat 5]
 *
 * Targets: backup within 1.5x the dump's time; restore into MariaDB within 1.5x the dump's load,
 * and into SQLite at least as fast; peak RSS under 150 MB and flat from the smallest size to the
 * largest. Dump and backup alternate REPEAT times (median time, largest RSS); the loads and
 * restores run once.
 * Not part of `npm test`: nothing here asserts a time.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDatabaseUrl } from '../src/db/database-url.js';
import { migrateToLatest } from '../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../src/db/open-db.js';
import { seedReadings } from '../test/backup/backup-fixtures.js';
import { startMariaDb } from '../test/support/mariadb-server.js';
import { markdownTable } from './support/markdown-table.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    repeat: { type: 'string', default: '5' },
  },
});
const REPEAT = Number(values.repeat);
const SIZES = values.sizes.split(',').map(Number);
if (SIZES.some((size, i) => !Number.isSafeInteger(size) || size < 1 || size <= (SIZES[i - 1] ?? 0))) {
  throw new Error(`--sizes must be whole numbers in ascending order, got ${values.sizes}`);
}
const MAIN = new URL('../dist/bundle/clima.js', import.meta.url).pathname;
const GNU_TIME = '/usr/bin/time';
const onPath = (name: string) =>
  (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, name)));
const DUMP = ['mariadb-dump', 'mysqldump'].find(onPath);
const CLIENT = ['mariadb', 'mysql'].find(onPath);

interface Measure {
  readonly seconds: number;
  readonly peakMb: number;
}

/**
 * Runs a command to its end: wall time, and peak RSS from the kernel's own count (GNU time's %M,
 * from wait4) or, without GNU time, from polling VmHWM.
 */
async function measure(
  command: string,
  args: string[],
  env: Record<string, string>,
  files: { stdout?: string; stdin?: string } = {},
): Promise<Measure> {
  const report = join(tmpdir(), `clima-bench-time-${process.pid}`);
  const useTime = existsSync(GNU_TIME);
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%M', '-o', report, command, ...args]] : [command, args];
  const started = performance.now();
  const out = files.stdout ? openSync(files.stdout, 'w') : 'ignore';
  const input = files.stdin ? openSync(files.stdin, 'r') : 'ignore';
  const child = spawn(file, argv, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: [input, out, 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  let polledKb = 0;
  const poll = setInterval(() => {
    try {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
      polledKb = Math.max(polledKb, kb);
    } catch {
      // exited
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(poll);
  if (typeof out === 'number') closeSync(out);
  if (typeof input === 'number') closeSync(input);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr}`);
  const kb = useTime ? Number(readFileSync(report, 'utf8').trim().split('\n').at(-1)) : polledKb;
  rmSync(report, { force: true });
  return { seconds, peakMb: kb / 1024 };
}

function median(measures: readonly Measure[]): Measure {
  const times = measures.map((m) => m.seconds).sort((a, b) => a - b);
  return {
    seconds: times[Math.floor(times.length / 2)] ?? 0,
    peakMb: Math.max(...measures.map((m) => m.peakMb)),
  };
}

async function main(): Promise<void> {
  if (DUMP === undefined || CLIENT === undefined) {
    throw new Error('mariadb-dump and mariadb (or mysqldump and mysql) not found: install mariadb-client');
  }
  if (!existsSync(MAIN)) throw new Error('dist/ is missing: run npm run build first');
  const server = await startMariaDb();
  const work = mkdtempSync(join(tmpdir(), 'clima-bench-backup-'));
  const rows: (string | number)[][] = [];
  try {
    const source = openDb(parseDatabaseUrl(server.url));
    await migrateToLatest(source);
    let seeded = 0;
    for (const [index, size] of SIZES.entries()) {
      const seedStart = performance.now();
      await seedReadings(source, size - seeded, seeded);
      seeded = size;
      console.error(
        `${size.toLocaleString('en')} rows seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
      );
      const env = { DATABASE_URL: server.url, LOG_LEVEL: 'warn' };

      const dumpFile = join(work, `dump-${size}.sql`);
      const connection = [
        '--no-defaults',
        '--protocol=tcp',
        '-h',
        '127.0.0.1',
        '-P',
        String(server.port),
        '-u',
        'root',
      ];
      // Dump and backup alternate, REPEAT times each: the median time and the largest RSS count,
      // so a burst of load on the machine does not decide the ratio.
      const dumps: Measure[] = [];
      const backups: Measure[] = [];
      const out = join(work, `backups-${size}`);
      for (let run = 0; run < REPEAT; run++) {
        const dumpArgs = [...connection, '--single-transaction', '--quick', 'clima', 'mediciones'];
        dumps.push(await measure(DUMP, dumpArgs, {}, { stdout: dumpFile }));
        rmSync(out, { recursive: true, force: true });
        backups.push(await measure(MAIN, ['backup', '--once', '--out', out], env));
      }
      const [dump, backup] = [median(dumps), median(backups)];
      const snapshot = readdirSync(out).find((name) => /Z\.json$/.test(name)) ?? '';

      await server.createDatabase(`loaded_${index}`);
      const load = await measure(CLIENT, [...connection, `loaded_${index}`], {}, { stdin: dumpFile });
      const target = await server.createDatabase(`restored_${index}`);
      const restore = await measure(MAIN, ['restore', join(out, snapshot)], {
        ...env,
        DATABASE_URL: target,
      });
      const sqliteRestore = await measure(MAIN, ['restore', join(out, snapshot)], {
        ...env,
        DATABASE_URL: `sqlite:${join(work, `restored-${index}.db`)}`,
      });

      const mb = (file: string) => (statSync(file).size / 1_048_576).toFixed(0);
      const ratio = (m: Measure) => `${(m.seconds / dump.seconds).toFixed(2)}x`;
      const row = (step: string, m: Measure, file: string, vs: string) => [
        size.toLocaleString('en'),
        step,
        m.seconds.toFixed(2),
        m.peakMb.toFixed(0),
        mb(file),
        vs,
      ];
      rows.push(row(`${DUMP} --single-transaction --quick`, dump, dumpFile, '1.00x'));
      rows.push(row('clima backup --once', backup, join(out, snapshot), ratio(backup)));
      rows.push(row(`${CLIENT} < dump.sql (empty database)`, load, dumpFile, ratio(load)));
      const vsLoad = (m: Measure) => `${ratio(m)} (${(m.seconds / load.seconds).toFixed(2)}x the load)`;
      rows.push(row('clima restore (empty MariaDB database)', restore, join(out, snapshot), vsLoad(restore)));
      rows.push(
        row('clima restore (new SQLite file)', sqliteRestore, join(out, snapshot), vsLoad(sqliteRestore)),
      );
      console.error(
        markdownTable(['rows', 'step', 'wall s', 'peak RSS MB', 'file MB', 'time vs dump'], rows.slice(-5)),
      );
    }
    await source.close();
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(markdownTable(['rows', 'step', 'wall s', 'peak RSS MB', 'file MB', 'time vs dump'], rows));
}

await main();
