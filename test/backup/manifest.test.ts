import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeOrigin, formatManifest, type Manifest, parseManifest } from '../../src/backup/manifest.js';

const ORIGIN = {
  databaseId: '6f1c2f9e-8a55-4c1e-9a8e-3f7d1b2c4d5e',
  dialect: 'mysql',
  location: 'mysql://db.example:33060/clima',
} as const;

const MANIFEST: Manifest = {
  format: 'clima-backup-manifest',
  formatVersion: 2,
  createdAt: '2026-03-01T12:00:00.000Z',
  dataFile: 'mediciones-20260301T120000Z.json',
  bytes: 3,
  sha256: 'a'.repeat(64),
  rowCount: 0,
  minId: null,
  maxId: null,
  minFechaRegistro: null,
  maxFechaRegistro: null,
  sourceDialect: 'mysql',
  appVersion: '0.1.0',
  origin: ORIGIN,
  sources: [],
};

/** `MANIFEST` as JSON with `change` applied (a key set to undefined is left out). */
function text(change: Record<string, unknown>): string {
  return JSON.stringify({ ...JSON.parse(formatManifest(MANIFEST)), ...change });
}

describe('the manifest', () => {
  it('records where the snapshot came from, and reads it back', () => {
    const written = formatManifest(MANIFEST);
    assert.match(
      written,
      /\n {4}"origin": \{\n {8}"databaseId": "6f1c2f9e-[^"]+",\n {8}"dialect": "mysql",\n {8}"location": "mysql:\/\/db\.example:33060\/clima"\n {4}\},\n/,
    );
    assert.deepEqual(parseManifest(written), MANIFEST);
  });

  it('reads a version 1 manifest, written before origins were recorded, as of unknown origin', () => {
    const old = text({ formatVersion: 1, origin: undefined });
    assert.doesNotMatch(old, /origin/);
    const manifest = parseManifest(old);
    assert.equal(manifest.origin, null);
    assert.equal(manifest.formatVersion, 1);
    assert.equal(formatManifest(manifest), formatManifest({ ...MANIFEST, formatVersion: 1, origin: null }));
    assert.doesNotMatch(formatManifest(manifest), /origin/, 'rewritten, it stays version 1');
  });

  for (const [name, change, message] of [
    ['a version 2 manifest without origin', { origin: undefined }, '"origin": missing'],
    ['a version 1 manifest with an origin', { formatVersion: 1 }, '"origin": not part of format version 1'],
    [
      'an origin whose dialect is not the source dialect',
      { origin: { ...ORIGIN, dialect: 'sqlite' } },
      '"origin.dialect": sqlite, but sourceDialect is mysql',
    ],
    ['an origin without id', { origin: { ...ORIGIN, databaseId: '' } }, /^"origin\.databaseId": /],
    ['an origin with an unknown key', { origin: { ...ORIGIN, password: 'x' } }, /^"origin": /],
    ['a newer version', { formatVersion: 3 }, 'format version 3 is newer than this clima reads (2)'],
  ] as const) {
    it(`rejects ${name}, saying what is wrong`, () => {
      assert.throws(() => parseManifest(text(change)), {
        message,
      });
    });
  }

  it('names an origin, or says it is unknown', () => {
    assert.equal(
      describeOrigin(ORIGIN),
      'database 6f1c2f9e-8a55-4c1e-9a8e-3f7d1b2c4d5e (mysql, mysql://db.example:33060/clima)',
    );
    assert.equal(describeOrigin(null), 'unknown (the manifest was written before clima recorded origins)');
  });
});
