import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatManifest, parseManifest } from '../../src/backup/manifest.js';
import { restoreBackup } from '../../src/backup/restore-backup.js';
import { writeSnapshot } from '../../src/backup/write-snapshot.js';
import { systemClock } from '../../src/core/clock.js';
import { openDb } from '../../src/db/open-db.js';
import { runClima } from '../support/run-clima.js';
import { allRows, openMigrated, seedReadings, sha256Of } from './backup-fixtures.js';

/** A copy of the good snapshot, changed by `spoil`; `manifest` decides what is beside it. */
interface Case {
  readonly name: string;
  readonly spoil: (text: string) => string;
  /** `kept`: the original manifest; `matching`: rewritten to match the spoiled file; `none`. */
  readonly manifest: 'kept' | 'matching' | 'none';
  readonly expected: RegExp;
}

const CASES: Case[] = [
  {
    name: 'truncated',
    spoil: (t) => t.slice(0, Math.floor(t.length / 2)),
    manifest: 'kept',
    expected: /truncated/,
  },
  {
    name: 'one byte flipped',
    spoil: (t) => t.replace('"humedad": 1', '"humedad": 2'),
    manifest: 'kept',
    expected: /SHA-256 differs from the manifest/,
  },
  {
    name: 'not JSON',
    spoil: () => 'id;ciudad;temperatura\n1;Cali;20.1\n',
    manifest: 'none',
    expected: /not JSON/,
  },
  {
    name: 'wrong keys',
    spoil: (t) => t.replace('"humedad"', '"humidity"'),
    manifest: 'matching',
    expected: /row 1 \(id 1\): unexpected key "humidity"/,
  },
  {
    name: 'wrong types',
    spoil: (t) => t.replace(/"temperatura": (-?[\d.]+)/, '"temperatura": "$1"'),
    manifest: 'none',
    expected: /row 1 \(id 1\): "temperatura" must be a number/,
  },
  {
    name: 'a manifest that lies about the rows',
    spoil: (t) => t,
    manifest: 'matching',
    expected: /rows: 300 in the file, 301 in the manifest/,
  },
];

describe('restoring damaged backups', () => {
  let dir: string;
  let good: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clima-corrupt-'));
    const source = await openMigrated({ dialect: 'sqlite', path: join(dir, 'source.db') });
    await seedReadings(source, 300);
    good = (await writeSnapshot({ db: source, dir: join(dir, 'good'), clock: systemClock })).dataPath;
    await source.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function spoiled(test: Case): string {
    const caseDir = join(dir, test.name.replaceAll(' ', '-'));
    mkdirSync(caseDir);
    const file = join(caseDir, 'mediciones-20250101T000000Z.json');
    const text = readFileSync(good, 'utf8');
    writeFileSync(file, test.spoil(text));
    if (!test.name.includes('lies'))
      assert.notEqual(readFileSync(file, 'utf8'), text, 'the case spoils the file');
    const manifestFile = file.replace(/\.json$/, '.manifest.json');
    if (test.manifest === 'kept') copyFileSync(good.replace(/\.json$/, '.manifest.json'), manifestFile);
    if (test.manifest === 'matching') {
      const manifest = parseManifest(readFileSync(good.replace(/\.json$/, '.manifest.json'), 'utf8'));
      const lie = test.name.includes('lies') ? { rowCount: manifest.rowCount + 1 } : {};
      writeFileSync(
        manifestFile,
        formatManifest({ ...manifest, bytes: statSync(file).size, sha256: sha256Of(file), ...lie }),
      );
    }
    return file;
  }

  for (const test of CASES) {
    it(`refuses a backup with ${test.name}, naming the problem, and writes nothing`, async () => {
      const file = spoiled(test);
      const target = join(dir, `${test.name.replaceAll(' ', '-')}.db`);
      const db = openDb({ dialect: 'sqlite', path: target });
      try {
        const report = await restoreBackup(db, file, { dryRun: false, overwrite: false }, systemClock);
        assert.equal(report.refused, true);
        assert.match(report.verification.problems.join('\n'), test.expected);
        assert.equal(
          await db.kysely.introspection.getTables().then((t) => t.length),
          0,
          'not even the schema',
        );
      } finally {
        await db.close();
      }
    });
  }

  it('says so with exit 1 on the command line, for restore and for backup verify', async () => {
    const file = spoiled({ ...CASES[0], name: 'truncated for the cli' } as Case);
    const env = { DATABASE_URL: `sqlite:${join(dir, 'cli.db')}`, LOG_LEVEL: 'warn' };
    const restore = await runClima(['restore', file], { env });
    assert.equal(restore.code, 1);
    assert.match(
      restore.stderr,
      /^clima: refusing to restore .*, nothing was written:\n {2}- the file has \d+ bytes, the manifest says \d+: truncated/,
    );
    const verify = await runClima(['backup', 'verify', file], { env });
    assert.equal(verify.code, 1);
    assert.match(verify.stderr, /is not a good backup:\n(\s+- .*\n)+/);
    assert.match(verify.stderr, /SHA-256 differs/);
    const intact = await runClima(['backup', 'verify', good], { env });
    assert.equal(intact.code, 0, intact.stderr);
    assert.match(intact.stdout, /: good: 300 rows \(ids 1\.\.300, /);
  });

  it('accepts a plain paper-format array without manifest, warning that it cannot be verified', async () => {
    const plainDir = join(dir, 'plain');
    mkdirSync(plainDir);
    const file = join(plainDir, 'respaldo.json');
    copyFileSync(good, file);
    const target = join(dir, 'plain.db');
    const env = { DATABASE_URL: `sqlite:${target}`, LOG_LEVEL: 'warn' };

    const verify = await runClima(['backup', 'verify', file], { env });
    assert.equal(verify.code, 1, 'verify cannot vouch for it');
    assert.match(
      verify.stderr,
      /has no manifest .* well-formed paper-format array of 300 rows, but nothing proves it complete/,
    );

    const restore = await runClima(['restore', file], { env });
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stderr, /warning: .*respaldo\.json has no manifest, so it cannot be verified/);
    assert.match(restore.stderr, /does not record sources: its new rows are stored as open-meteo/);
    assert.match(restore.stdout, /300 rows in .*\n {2}inserted: 300\n/);
    const db = await openMigrated({ dialect: 'sqlite', path: target });
    try {
      const rows = await allRows(db);
      assert.equal(rows.length, 300);
      assert.ok(rows.every((row) => row.source === 'open-meteo' && row.observed_at === row.fecha_registro));
    } finally {
      await db.close();
    }
  });
});
