import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseManifest } from '../../src/backup/manifest.js';
import { createPaperEncoder, paperTemperature } from '../../src/backup/paper-format.js';
import { writeSnapshot } from '../../src/backup/write-snapshot.js';
import { ManualClock } from '../../src/core/clock.js';
import { createBackupRepository, type SnapshotReading } from '../../src/db/backup-repository.js';
import { readDatabaseOrigin } from '../../src/db/database-identity.js';
import type { Database } from '../../src/db/open-db.js';
import { openMigrated, sha256Of } from './backup-fixtures.js';

const GOLDEN = new URL('../fixtures/backup/golden-snapshot.json', import.meta.url);
const TAKEN = Date.parse('2026-01-02T03:04:05.678Z');

/** The rows of the paper's Fig. 2 (ids 99 to 104), and two that test quoting and decimals. */
const ROWS = [
  [99, 'Cali', 20.1, 91, '2025-12-08 09:38:05', 'open-meteo'],
  [100, 'Medellin', 26.0, 63, '2025-12-08 10:41:16', 'open-meteo'],
  [101, 'Manizales', 25.8, 42, '2025-12-08 10:41:32', 'open-meteo'],
  [102, 'Manizales', 25.8, 48, '2025-12-08 10:41:48', 'simulated'],
  [103, 'Manizales', 25.8, 42, '2025-12-08 10:42:04', 'simulated'],
  [104, 'Medellin', 26.0, 42, '2025-12-08 10:42:20', 'open-meteo'],
  [105, 'Bogotá', -0.5, 100, '2025-12-08 10:42:36', 'open-meteo'],
  [106, 'San José "Centro"', 0, 0, '2025-12-31 23:59:59', 'open-meteo'],
] as const;

function backedUp([
  id,
  city,
  temperature,
  humidity,
  takenAt,
  source,
]: (typeof ROWS)[number]): SnapshotReading {
  return { id, city, temperature, humidity, takenAt, source };
}

describe("snapshots in the paper's format", () => {
  let dir: string;
  let db: Database;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clima-golden-'));
    db = await openMigrated({ dialect: 'sqlite', path: join(dir, 'clima.db') });
    const options = { overwrite: false, dryRun: false, sourceKnown: true };
    await createBackupRepository(db).restoreBatch(ROWS.map(backedUp), options);
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes known rows byte for byte as the expected file (Python json.dump, indent 4)', async () => {
    const snapshot = await writeSnapshot({ db, dir: join(dir, 'out'), clock: new ManualClock(TAKEN) });
    assert.equal(snapshot.dataPath, join(dir, 'out', 'mediciones-20260102T030405Z.json'));
    assert.equal(readFileSync(snapshot.dataPath, 'utf8'), readFileSync(GOLDEN, 'utf8'));
  });

  it('is read by any JSON parser as the five keys, in order, with numbers as numbers', () => {
    const [file] = readdirSync(join(dir, 'out')).filter((name) => name.endsWith('Z.json'));
    const rows = JSON.parse(readFileSync(join(dir, 'out', file ?? ''), 'utf8')) as Record<string, unknown>[];
    assert.equal(rows.length, ROWS.length);
    for (const row of rows)
      assert.deepEqual(Object.keys(row), ['id', 'ciudad', 'temperatura', 'humedad', 'fecha_registro']);
    assert.deepEqual(rows[1], {
      id: 100,
      ciudad: 'Medellin',
      temperatura: 26,
      humedad: 63,
      fecha_registro: '2025-12-08 10:41:16',
    });
  });

  it('writes a manifest with the counts, bounds, checksum, dialect, version, origin and sources', async () => {
    const dataPath = join(dir, 'out', 'mediciones-20260102T030405Z.json');
    const manifest = parseManifest(
      readFileSync(join(dir, 'out', 'mediciones-20260102T030405Z.manifest.json'), 'utf8'),
    );
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    assert.deepEqual(manifest, {
      format: 'clima-backup-manifest',
      formatVersion: 2,
      createdAt: '2026-01-02T03:04:05.678Z',
      dataFile: 'mediciones-20260102T030405Z.json',
      bytes: statSync(dataPath).size,
      sha256: sha256Of(dataPath),
      rowCount: 8,
      minId: 99,
      maxId: 106,
      minFechaRegistro: '2025-12-08 09:38:05',
      maxFechaRegistro: '2025-12-31 23:59:59',
      sourceDialect: 'sqlite',
      appVersion: version,
      origin: {
        databaseId: (await readDatabaseOrigin(db)).databaseId,
        dialect: 'sqlite',
        location: join(dir, 'clima.db'),
      },
      sources: [
        { fromId: 99, source: 'open-meteo' },
        { fromId: 102, source: 'simulated' },
        { fromId: 104, source: 'open-meteo' },
      ],
    });
  });

  it('writes an empty table as an empty array', async () => {
    const empty = await openMigrated({ dialect: 'sqlite', path: join(dir, 'empty.db') });
    try {
      const snapshot = await writeSnapshot({
        db: empty,
        dir: join(dir, 'empty'),
        clock: new ManualClock(TAKEN),
      });
      assert.equal(readFileSync(snapshot.dataPath, 'utf8'), '[]\n');
      assert.equal(snapshot.manifest.rowCount, 0);
      assert.equal(snapshot.manifest.minId, null);
      assert.deepEqual(snapshot.manifest.sources, []);
    } finally {
      await empty.close();
    }
  });

  it('prints temperatures with their one decimal, and never changes a value', () => {
    assert.equal(paperTemperature(26), '26.0');
    assert.equal(paperTemperature(-0.5), '-0.5');
    assert.equal(paperTemperature(0), '0.0');
    assert.equal(paperTemperature(-10), '-10.0');
    assert.equal(paperTemperature(16.45), '16.45');
    for (let tenths = -1000; tenths <= 1000; tenths++) {
      const value = tenths / 10;
      assert.equal(JSON.parse(paperTemperature(value)), value);
    }
  });

  it('encodes any number of rows across its chunks exactly as the layout says, whatever the values', () => {
    const rows = variedRows(60_000);
    const encoder = createPaperEncoder();
    const chunks: Buffer[] = [];
    for (const [index, row] of rows.entries()) {
      encoder.add(row);
      if (index % 997 === 0) chunks.push(...encoder.take());
    }
    chunks.push(...encoder.finish());
    const bytes = Buffer.concat(chunks);
    assert.ok(bytes.length > 8 << 20, "more than eight of the encoder's 1 MiB buffers");
    const text = bytes.toString('utf8');
    assert.equal(text, layoutOf(rows));
    assert.equal(JSON.parse(text).length, rows.length);
  });

  it('reuses the memory of recycled chunks and never writes over a chunk the caller still holds', () => {
    const rows = variedRows(60_000);
    const encoder = createPaperEncoder();
    const copies: Buffer[] = [];
    const held: { chunk: Buffer; copy: Buffer }[] = [];
    const memory = { held: new Set<ArrayBufferLike>(), recycled: new Set<ArrayBufferLike>() };
    const takeAll = (chunks: Buffer[], hold: boolean) => {
      for (const chunk of chunks) {
        const copy = Buffer.from(chunk);
        copies.push(copy);
        if (hold) {
          held.push({ chunk, copy });
          memory.held.add(chunk.buffer);
        } else {
          memory.recycled.add(chunk.buffer);
          encoder.recycle(chunk);
        }
      }
    };
    for (const [index, row] of rows.entries()) {
      encoder.add(row);
      // The first third is held to the end, like chunks waiting for a slow disk; the rest is
      // recycled as soon as it is taken, like chunks written out at once.
      if (index % 997 === 0) takeAll(encoder.take(), index < 20_000);
    }
    takeAll(encoder.finish(), false);

    assert.equal(Buffer.concat(copies).toString('utf8'), layoutOf(rows));
    for (const { chunk, copy } of held) assert.ok(chunk.equals(copy), 'a held chunk was written over');
    // About 6 MiB written after the first third: without reuse, a fresh buffer for every MiB.
    const fresh = [...memory.recycled].filter((holder) => !memory.held.has(holder));
    assert.ok(fresh.length <= 3, `the recycled chunks used ${fresh.length} buffers`);
  });

  it('encodes no rows as an empty array', () => {
    assert.equal(Buffer.concat(createPaperEncoder().finish()).toString(), '[]\n');
  });
});

/** Rows with values at every edge of the layout: escaped and non-ASCII cities, odd temperatures. */
function variedRows(count: number): SnapshotReading[] {
  const cities = ['Bogotá', 'San José "Centro"', 'Ñuñoa\\Sur', '東京', 'x'.repeat(100), 'Line\nBreak'];
  const temperatures = [26, -0.5, 0, -10, 16.45, 99.9, -99.9, 1e-7, -0];
  return Array.from({ length: count }, (_, i) => ({
    id: i === count - 1 ? 2 ** 53 - 1 : i * 7 + 1,
    city: cities[i % cities.length] ?? '',
    temperature: temperatures[i % temperatures.length] ?? 0,
    humidity: i % 101,
    takenAt: '2025-12-31 23:59:59',
    source: 'open-meteo',
  }));
}

/** The layout of Fig. 2 spelled out with strings: slow, and plainly right. */
function layoutOf(rows: readonly SnapshotReading[]): string {
  const element = (row: SnapshotReading) =>
    `    {\n        "id": ${row.id},\n        "ciudad": ${JSON.stringify(row.city)},\n` +
    `        "temperatura": ${paperTemperature(row.temperature)},\n        "humedad": ${row.humidity},\n` +
    `        "fecha_registro": "${row.takenAt}"\n    }`;
  return `[\n${rows.map(element).join(',\n')}\n]\n`;
}
