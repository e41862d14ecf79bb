import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { restoreBackup } from '../../src/backup/restore-backup.js';
import { SnapshotError, writeSnapshot } from '../../src/backup/write-snapshot.js';
import { systemClock } from '../../src/core/clock.js';
import { readDatabaseOrigin } from '../../src/db/database-identity.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { allRows, backedUpPart, openMigrated, seedReadings } from './backup-fixtures.js';
import { restoreDrill } from './restore-drill.contract.js';

mariadbSuite('restore drill on MariaDB', (server) => {
  let databases = 0;
  const freshTarget = async () => parseDatabaseUrl(await server().createDatabase(`drill_${++databases}`));
  restoreDrill({ freshTarget });

  let dir: string;
  const open: Database[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'clima-drill-mariadb-'));
  });
  after(async () => {
    for (const db of open) await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores a MariaDB backup into SQLite and back into MariaDB, identical', async () => {
    const source = await openMigrated(await freshTarget());
    const sqlite = openDb({ dialect: 'sqlite', path: join(dir, 'middle.db') });
    const back = openDb(await freshTarget());
    open.push(source, sqlite, back);
    await seedReadings(source, 50_000);
    const options = { dryRun: false, overwrite: false };

    const fromMariaDb = await writeSnapshot({ db: source, dir: join(dir, 'a'), clock: systemClock });
    assert.equal((await restoreBackup(sqlite, fromMariaDb.dataPath, options, systemClock)).inserted, 50_000);
    const fromSqlite = await writeSnapshot({ db: sqlite, dir: join(dir, 'b'), clock: systemClock });
    assert.equal((await restoreBackup(back, fromSqlite.dataPath, options, systemClock)).inserted, 50_000);
    const again = await writeSnapshot({ db: back, dir: join(dir, 'c'), clock: systemClock });

    const texts = [fromMariaDb, fromSqlite, again].map((snapshot) => readFileSync(snapshot.dataPath, 'utf8'));
    assert.equal(texts[1], texts[0]);
    assert.equal(texts[2], texts[0]);
    assert.deepEqual(
      [fromMariaDb, fromSqlite, again].map(({ manifest }) => [
        manifest.sourceDialect,
        manifest.sha256,
        manifest.sources,
      ]),
      [
        ['mysql', fromMariaDb.manifest.sha256, fromMariaDb.manifest.sources],
        ['sqlite', fromMariaDb.manifest.sha256, fromMariaDb.manifest.sources],
        ['mysql', fromMariaDb.manifest.sha256, fromMariaDb.manifest.sources],
      ],
    );
    assert.deepEqual((await allRows(back)).map(backedUpPart), (await allRows(source)).map(backedUpPart));
    // Each snapshot names its own database: the readings travel, the ids stay.
    const origins = [fromMariaDb, fromSqlite, again].map(({ manifest }) => manifest.origin);
    assert.deepEqual(origins, [
      await readDatabaseOrigin(source),
      await readDatabaseOrigin(sqlite),
      await readDatabaseOrigin(back),
    ]);
    assert.equal(new Set(origins.map((origin) => origin.databaseId)).size, 3);
    assert.deepEqual(
      origins.map((origin) => origin.location),
      [source.location, join(dir, 'middle.db'), back.location],
    );
  });

  // Last: it kills the server.
  it('leaves no file behind when the database is lost mid-stream, and the next backup works', async () => {
    const target = await freshTarget();
    const writer = await openMigrated(target);
    await seedReadings(writer, 20_000);
    await writer.close();
    // mysql2 leaves the time-out timer of a query cut by a lost connection running (keeping the
    // process alive that long): a short time-out keeps this test file from lingering.
    const reader = openDb(target, { queryTimeoutMs: 2_000 });
    open.push(reader);
    const out = join(dir, 'lost');
    let pages = 0;
    await assert.rejects(
      writeSnapshot({
        db: reader,
        dir: out,
        clock: systemClock,
        pageSize: 100,
        onProgress: () => {
          if (++pages === 3) void server().kill();
        },
      }),
      (error: unknown) => {
        assert.ok(error instanceof SnapshotError);
        assert.match(error.message, /^cannot read the database: /);
        return true;
      },
    );
    assert.deepEqual(readdirSync(out), [], 'no partial file, not even a temporary one');
    await server().restart();
    const snapshot = await writeSnapshot({ db: reader, dir: out, clock: systemClock });
    assert.equal(snapshot.manifest.rowCount, 20_000);
  });
});
