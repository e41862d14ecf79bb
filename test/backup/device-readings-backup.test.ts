// A station's readings in a backup: the paper's format has exactly five keys, so the station does
// not travel; the manifest's source runs say `device`. Restored, a device reading is its city's
// reading of that second with source `device`, no station, and a key made from its id.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { restoreBackup } from '../../src/backup/restore-backup.js';
import { writeSnapshot } from '../../src/backup/write-snapshot.js';
import { systemClock } from '../../src/core/clock.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { deviceReadingKey, type NewReading, readingKey } from '../../src/db/reading.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';

const dir = mkdtempSync(join(tmpdir(), 'clima-device-backup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it("backs up a station's readings in the paper's five keys and restores them as device readings of their city", async () => {
  const source = openDb({ dialect: 'sqlite', path: join(dir, 'source.db') });
  const target = openDb({ dialect: 'sqlite', path: join(dir, 'target.db') });
  try {
    await migrateToLatest(source);
    const at = new Date('2026-11-29T17:20:00Z');
    const readings: NewReading[] = [
      {
        key: readingKey('Manizales', at),
        city: 'Manizales',
        temperature: 17,
        humidity: 80,
        takenAt: at,
        observedAt: at,
        source: 'simulated',
      },
      {
        key: deviceReadingKey('finca-1', at),
        city: 'Manizales',
        temperature: 15.5,
        humidity: 90,
        takenAt: at,
        observedAt: at,
        source: 'device',
        station: 'finca-1',
      },
    ];
    await createReadingsRepository(source).insertBatch(readings);
    const snapshot = await writeSnapshot({ db: source, dir, clock: systemClock });
    const rows = JSON.parse(readFileSync(snapshot.dataPath, 'utf8')) as Record<string, unknown>[];
    for (const row of rows)
      assert.deepEqual(Object.keys(row), ['id', 'ciudad', 'temperatura', 'humedad', 'fecha_registro']);
    assert.deepEqual(snapshot.manifest.sources, [
      { fromId: 1, source: 'simulated' },
      { fromId: 2, source: 'device' },
    ]);

    const report = await restoreBackup(
      target,
      snapshot.dataPath,
      { dryRun: false, overwrite: false },
      systemClock,
    );
    assert.deepEqual(report.verification.problems, []);
    // Both readings of that second are back, the station's under a key of its own (its id).
    assert.deepEqual([report.inserted, report.conflicts], [2, 0]);
    const restored = await createReadingsRepository(target).pageById({ afterId: 0, limit: 10 });
    assert.deepEqual(
      restored.map((r) => [r.id, r.city, r.temperature, r.humidity, r.takenAt, r.source, r.station]),
      [
        [1, 'Manizales', 17, 80, '2026-11-29T17:20:00Z', 'simulated', undefined],
        [2, 'Manizales', 15.5, 90, '2026-11-29T17:20:00Z', 'device', undefined],
      ],
    );
    // Restored again, or into the database it came from: every row is already there.
    const again = await restoreBackup(
      target,
      snapshot.dataPath,
      { dryRun: false, overwrite: false },
      systemClock,
    );
    assert.deepEqual([again.identical, again.inserted, again.conflicts], [2, 0, 0]);
    const home = await restoreBackup(
      source,
      snapshot.dataPath,
      { dryRun: false, overwrite: false },
      systemClock,
    );
    assert.deepEqual([home.identical, home.inserted, home.conflicts], [2, 0, 0]);
  } finally {
    await source.close();
    await target.close();
  }
});
