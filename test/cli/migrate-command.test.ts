import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migrateCommand } from '../../src/cli/migrate-command.js';
import { silentLogger } from '../../src/core/logger.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { rollupsComplete } from '../../src/db/rollup-backfill.js';
import { reading } from '../db/readings-repository.contract.js';
import { forgetRollups } from '../db/rollups.contract.js';
import { capturedStream } from '../support/captured-stream.js';
import { freshSqliteTargets } from '../support/sqlite-targets.js';

describe('clima migrate on a terminal', () => {
  const freshTarget = freshSqliteTargets('clima-migrate-command-');

  it('shows a progress bar while it fills the rollups, and clears it at the end', async () => {
    const db = openDb(await freshTarget());
    try {
      await migrateToLatest(db);
      await db.kysely
        .insertInto('mediciones')
        .values(
          Array.from({ length: 50 }, (_, i) => {
            const r = reading('Cali', Date.parse('2024-03-01T00:00:00Z') + i * 60_000);
            const at = r.takenAt.toISOString().slice(0, 19).replace('T', ' ');
            return {
              ciudad: r.city,
              temperatura: 20,
              humedad: 50,
              fecha_registro: at,
              reading_key: r.key,
              source: r.source,
              observed_at: at,
            };
          }),
        )
        .execute();
      await forgetRollups(db.kysely);
      const { sink, written } = capturedStream(true);
      assert.equal(await migrateCommand(db, sink, silentLogger), 0);
      assert.match(written(), /filling rollups \[#+\] 100%\s+50\/50 rows/);
      assert.ok(written().endsWith('\r\x1b[K'), 'the bar is cleared');
      assert.equal(await rollupsComplete(db.kysely), true);
    } finally {
      await db.close();
    }
  });
});
