import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatManifest } from '../../src/backup/manifest.js';
import { applyRetention } from '../../src/backup/retention.js';
import { listSnapshots } from '../../src/backup/snapshot-files.js';
import { takeBackup } from '../../src/backup/take-backup.js';
import { writeSnapshot } from '../../src/backup/write-snapshot.js';
import { ManualClock } from '../../src/core/clock.js';
import type { DatabaseOrigin } from '../../src/db/database-identity.js';
import { openDb } from '../../src/db/open-db.js';
import { openMigrated, seedReadings } from './backup-fixtures.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const OWN: DatabaseOrigin = { databaseId: 'own', dialect: 'sqlite', location: '/srv/clima/own.db' };
const OTHER: DatabaseOrigin = { databaseId: 'other', dialect: 'mysql', location: 'mysql://db:3306/clima' };

/** A manifest of an empty snapshot from `origin`; null writes version 1, which has no origin. */
function manifestText(dataFile: string, origin: DatabaseOrigin | null): string {
  return formatManifest({
    format: 'clima-backup-manifest',
    formatVersion: origin === null ? 1 : 2,
    createdAt: '2026-01-01T00:00:00.000Z',
    dataFile,
    bytes: 3,
    sha256: '0'.repeat(64),
    rowCount: 0,
    minId: null,
    maxId: null,
    minFechaRegistro: null,
    maxFechaRegistro: null,
    sourceDialect: origin?.dialect ?? 'sqlite',
    appVersion: '0.1.0',
    origin,
    sources: [],
  });
}

describe('retention', () => {
  let root: string;
  let folders = 0;
  /** A folder of these files: a manifest names `origin` (OWN unless said), anything else holds `[]`. */
  const folder = (files: string[], origins: Record<string, DatabaseOrigin | null> = {}) => {
    const dir = join(root, `f${++folders}`);
    mkdirSync(dir);
    for (const name of files) {
      const data = name.replace(/\.manifest\.json$/, '.json');
      const origin = origins[data] === undefined ? OWN : origins[data];
      writeFileSync(join(dir, name), data === name ? '[]\n' : manifestText(data, origin));
    }
    return dir;
  };
  const snapshot = (stamp: string) => [`mediciones-${stamp}.json`, `mediciones-${stamp}.manifest.json`];
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'clima-retention-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('keeps the newest snapshots, deleting older ones with their manifests and nothing else', async () => {
    const stamps = [
      '20260101T000000Z',
      '20260301T110000Z',
      '20260301T115000Z',
      '20260301T115000Z-1',
      '20260228T235959Z',
    ];
    const dir = folder([...stamps.flatMap(snapshot), 'notes.txt', 'mediciones-old.json']);
    const deleted = await applyRetention(dir, 3, NOW, OWN.databaseId);
    assert.deepEqual(deleted, ['mediciones-20260228T235959Z.json', 'mediciones-20260101T000000Z.json']);
    assert.deepEqual(
      readdirSync(dir).sort(),
      [
        ...snapshot('20260301T110000Z'),
        ...snapshot('20260301T115000Z-1'),
        ...snapshot('20260301T115000Z'),
        'notes.txt',
        'mediciones-old.json',
      ].sort(),
    );
  });

  it("deletes only its own database's snapshots: another's, and those of unknown origin, stay", async () => {
    const own = ['20260301T110000Z', '20260301T100000Z', '20260301T090000Z', '20260101T000000Z'];
    const others = ['20260301T115900Z', '20260201T000000Z', '20260102T000000Z'];
    const unknown = ['20251201T000000Z', '20251202T000000Z', '20251203T000000Z'];
    const dir = folder(
      [
        ...[...own, ...others].flatMap(snapshot),
        // A version 1 manifest; one that does not parse; data whose manifest never got published.
        ...snapshot('20251201T000000Z'),
        ...snapshot('20251202T000000Z'),
        'mediciones-20251203T000000Z.json',
      ],
      {
        ...Object.fromEntries(others.map((stamp) => [`mediciones-${stamp}.json`, OTHER])),
        'mediciones-20251201T000000Z.json': null,
      },
    );
    writeFileSync(join(dir, 'mediciones-20251202T000000Z.manifest.json'), '{"format": "clima-backup-man');
    const before = readdirSync(dir).sort();
    const deleted = await applyRetention(dir, 1, NOW, OWN.databaseId);
    assert.deepEqual(
      deleted,
      own.slice(1).map((stamp) => `mediciones-${stamp}.json`),
    );
    const gone = own.slice(1).flatMap(snapshot);
    assert.deepEqual(
      readdirSync(dir).sort(),
      before.filter((name) => !gone.includes(name)),
    );
    assert.ok(unknown.every((stamp) => readdirSync(dir).includes(`mediciones-${stamp}.json`)));
    assert.deepEqual(await applyRetention(dir, 1, NOW, OTHER.databaseId), [
      'mediciones-20260201T000000Z.json',
      'mediciones-20260102T000000Z.json',
    ]);
  });

  it('deletes what a crashed writer left: manifests without data, temporary files untouched for an hour', async () => {
    const dir = folder([
      ...snapshot('20260301T110000Z'),
      'mediciones-20260301T100000Z.manifest.json',
      '.mediciones-20260301T090000Z.json.123-abc.tmp',
      '.mediciones-20260301T115959Z.json.456-def.tmp',
    ]);
    const old = new Date(NOW - 2 * 3600_000);
    utimesSync(join(dir, '.mediciones-20260301T090000Z.json.123-abc.tmp'), old, old);
    utimesSync(join(dir, '.mediciones-20260301T115959Z.json.456-def.tmp'), new Date(NOW), new Date(NOW));
    await applyRetention(dir, 10, NOW, OWN.databaseId);
    assert.deepEqual(readdirSync(dir).sort(), [
      '.mediciones-20260301T115959Z.json.456-def.tmp',
      ...snapshot('20260301T110000Z'),
    ]);
  });

  it('deletes nothing when the new snapshot fails', async () => {
    const dir = folder(['20260101T000000Z', '20260102T000000Z', '20260103T000000Z'].flatMap(snapshot));
    const db = openDb({ dialect: 'sqlite', path: join(root, 'no-schema.db') });
    try {
      await assert.rejects(
        takeBackup({ db, dir, keep: 1, clock: new ManualClock(NOW) }),
        /no such table: mediciones/,
      );
    } finally {
      await db.close();
    }
    assert.equal(readdirSync(dir).length, 6);
  });

  it('names snapshots of the same second apart, newest first', async () => {
    const db = await openMigrated({ dialect: 'sqlite', path: join(root, 'same-second.db') });
    const dir = join(root, 'same-second');
    try {
      await seedReadings(db, 10);
      const clock = new ManualClock(NOW);
      for (let i = 0; i < 3; i++) await writeSnapshot({ db, dir, clock });
      const run = await takeBackup({ db, dir, keep: 2, clock });
      assert.equal(run.snapshot.manifest.dataFile, 'mediciones-20260301T120000Z-3.json');
      assert.deepEqual(run.deleted, [
        'mediciones-20260301T120000Z-1.json',
        'mediciones-20260301T120000Z.json',
      ]);
      assert.deepEqual(
        (await listSnapshots(dir)).map((s) => s.name),
        ['mediciones-20260301T120000Z-3.json', 'mediciones-20260301T120000Z-2.json'],
      );
    } finally {
      await db.close();
    }
  });
});
