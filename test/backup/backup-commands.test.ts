import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatManifest, parseManifest } from '../../src/backup/manifest.js';
import { manifestPathOf } from '../../src/backup/snapshot-files.js';
import { readDatabaseOrigin } from '../../src/db/database-identity.js';
import { openDb } from '../../src/db/open-db.js';
import { freePort } from '../support/free-port.js';
import { runClima, startClima, waitFor } from '../support/run-clima.js';
import { seededCliFolder } from './backup-fixtures.js';

describe('the backup commands', () => {
  let dir: string;
  let env: Record<string, string>;
  const snapshots = (folder: string) => readdirSync(folder).filter((name) => /Z(-\d+)?\.json$/.test(name));
  before(async () => {
    ({ dir, env } = await seededCliFolder('clima-backup-cli-', 1_000));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('backup --once writes one snapshot to BACKUP_DIR, or to --out, and exits 0', async () => {
    const once = await runClima(['backup', '--once'], { env });
    assert.equal(once.code, 0, once.stderr);
    assert.match(
      once.stdout,
      /mediciones-\d{8}T\d{6}Z\.json: 1,000 rows \(ids 1\.\.1000\), [\d,]+ bytes, in \d+\.\d s\n$/,
    );
    assert.equal(snapshots(join(dir, 'backups')).length, 1);
    const out = await runClima(['backup', '--once', '--out', join(dir, 'elsewhere')], { env });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(snapshots(join(dir, 'elsewhere')).length, 1);
    const kept = await runClima(['backup', '--once'], { env: { ...env, BACKUP_KEEP: '1' } });
    assert.match(kept.stdout, /deleted 1 older snapshot\(s\): mediciones-/);
    assert.equal(snapshots(join(dir, 'backups')).length, 1);
  });

  it('backup --once exits 1 with the reason when no snapshot can be taken', async () => {
    const { code, stderr } = await runClima(['backup', '--once', '--out', join(dir, 'none')], {
      env: { ...env, DATABASE_URL: `sqlite:${join(dir, 'empty.db')}` },
    });
    assert.equal(code, 1);
    assert.equal(
      stderr,
      'clima: backup failed, no snapshot written: cannot read the database: no such table: mediciones\n',
    );
    assert.deepEqual(readdirSync(join(dir, 'none')), []);
  });

  it('a refused restore creates no database file at all', async () => {
    const [file] = snapshots(join(dir, 'elsewhere'));
    const damaged = join(dir, 'damaged', file ?? '');
    mkdirSync(join(dir, 'damaged'));
    const data = readFileSync(join(dir, 'elsewhere', file ?? ''));
    writeFileSync(damaged, data.subarray(0, data.length - 100));
    copyFileSync(manifestPathOf(join(dir, 'elsewhere', file ?? '')), manifestPathOf(damaged));
    const target = join(dir, 'never.db');
    const { code, stderr } = await runClima(['restore', damaged], {
      env: { ...env, DATABASE_URL: `sqlite:${target}` },
    });
    assert.equal(code, 1);
    assert.match(stderr, /^clima: refusing to restore .*, nothing was written:\n/);
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.startsWith('never.db')),
      [],
      'no file, no -wal, no -shm',
    );
  });

  it('restore --dry-run compares and writes nothing', async () => {
    const [file] = snapshots(join(dir, 'elsewhere'));
    const target = join(dir, 'dry.db');
    const { code, stdout } = await runClima(['restore', join(dir, 'elsewhere', file ?? ''), '--dry-run'], {
      env: { ...env, DATABASE_URL: `sqlite:${target}` },
    });
    assert.equal(code, 0);
    assert.match(stdout, /^dry run, nothing written: .*: 1,000 rows in .*\n {2}would insert: 1,000\n/);
    const restored = await runClima(['restore', join(dir, 'elsewhere', file ?? '')], {
      env: { ...env, DATABASE_URL: `sqlite:${target}` },
    });
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /\n {2}inserted: 1,000\n {2}already there, identical: 0\n/);
  });

  it('backup verify and restore name the database a snapshot came from, and restore the one it went into', async () => {
    const idOf = async (path: string) => {
      const db = openDb({ dialect: 'sqlite', path });
      try {
        return (await readDatabaseOrigin(db)).databaseId;
      } finally {
        await db.close();
      }
    };
    const source = join(dir, 'clima.db');
    const from = `  from: database ${await idOf(source)} (sqlite, ${source})\n`;
    const [file] = snapshots(join(dir, 'elsewhere'));
    const snapshot = join(dir, 'elsewhere', file ?? '');

    const verify = await runClima(['backup', 'verify', snapshot], { env });
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /: good: 1,000 rows .*\n(.*)\n$/);
    assert.ok(verify.stdout.endsWith(`\n${from}`), verify.stdout);

    const other = join(dir, 'other.db');
    const restored = await runClima(['restore', snapshot], {
      env: { ...env, DATABASE_URL: `sqlite:${other}` },
    });
    assert.equal(restored.code, 0, restored.stderr);
    assert.ok(
      restored.stdout.endsWith(`${from}  into: database ${await idOf(other)} (sqlite, ${other})\n`),
      restored.stdout,
    );
    const same = await runClima(['restore', snapshot], { env });
    assert.equal(same.code, 0, same.stderr);
    assert.ok(
      same.stdout.endsWith(
        `${from}  into: database ${await idOf(source)} (sqlite, ${source}), the same database\n`,
      ),
      same.stdout,
    );
    const dry = await runClima(['restore', snapshot, '--dry-run'], {
      env: { ...env, DATABASE_URL: `sqlite:${join(dir, 'never.db')}` },
    });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /\n {2}into: sqlite, .*never\.db \(its id cannot be read: .*apply the migrations\)\n$/,
    );
  });

  it('verifies and restores a snapshot whose manifest predates origins, saying its origin is unknown', async () => {
    const [file] = snapshots(join(dir, 'elsewhere'));
    const old = join(dir, 'old');
    mkdirSync(old);
    const data = join(old, file ?? '');
    const manifestPath = data.replace(/\.json$/, '.manifest.json');
    copyFileSync(join(dir, 'elsewhere', file ?? ''), data);
    const manifest = parseManifest(readFileSync(join(dir, 'elsewhere', basename(manifestPath)), 'utf8'));
    writeFileSync(manifestPath, formatManifest({ ...manifest, formatVersion: 1, origin: null }));
    const unknown = '  from: unknown (the manifest was written before clima recorded origins)\n';

    const verify = await runClima(['backup', 'verify', data], { env });
    assert.equal(verify.code, 0, verify.stderr);
    assert.ok(verify.stdout.endsWith(`\n${unknown}`), verify.stdout);
    const restored = await runClima(['restore', data], {
      env: { ...env, DATABASE_URL: `sqlite:${join(dir, 'from-old.db')}` },
    });
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /\n {2}inserted: 1,000\n/);
    assert.ok(restored.stdout.includes(`\n${unknown}  into: database `), restored.stdout);
  });

  for (const [args, message] of [
    [['restore'], /^clima: missing FILE\n\nUsage: clima restore FILE \[--dry-run\] \[--overwrite\]/],
    [['backup', 'verify'], /^clima: missing FILE\n\nUsage: clima backup verify FILE/],
    [['restore', 'a.json', 'b.json'], /^clima: unexpected argument "b.json"/],
    [['restore', 'a.json', '--force'], /^clima: unknown option "--force"\n\nUsage: clima restore/],
    [['backup', '--out'], /^clima: Option '--out <value>' argument missing/],
    [['backup', 'now'], /^clima: unexpected argument "now"\n\nUsage: clima backup \[--once\] \[--out DIR\]/],
  ] as const) {
    it(`exits 2 with the usage for clima ${args.join(' ')}`, async () => {
      const { code, stdout, stderr } = await runClima([...args], { env });
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, message);
    });
  }

  it('runs as a service alone (clima backup) and within clima start, until a signal', async () => {
    for (const command of ['backup', 'start']) {
      const out = join(dir, `service-${command}`);
      const clima = startClima([command], {
        env: {
          ...env,
          BACKUP_DIR: out,
          SENSOR_SOURCE: 'simulated',
          PORT: String(await freePort()),
          HOST: '127.0.0.1',
        },
      });
      try {
        const manifests = () =>
          existsSync(out) ? readdirSync(out).filter((name) => name.endsWith('.manifest.json')) : [];
        await waitFor(
          () => (manifests().length > 0 ? true : undefined),
          10_000,
          `a snapshot from clima ${command}`,
        );
      } catch (error) {
        clima.child.kill('SIGKILL');
        throw new Error(`${(error as Error).message}\n${clima.stdout()}${clima.stderr()}`);
      }
      assert.equal(await clima.stop('SIGTERM'), 0, clima.stdout() + clima.stderr());
      assert.equal(snapshots(out).length, 1);
    }
  });
});
