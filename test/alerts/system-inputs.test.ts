import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readSystemInputs } from '../../src/alerts/system-inputs.js';
import type { OutboxReport } from '../../src/dashboard/outbox-report.js';
import type { OutboxStatus } from '../../src/outbox/edge-outbox.js';
import type { StoreFailure } from '../../src/outbox/store-health.js';

const SINCE = new Date('2026-07-01T05:00:00Z');

function report(embedded: boolean, failures: StoreFailure[], unreachable = false): () => OutboxReport {
  const status: OutboxStatus = {
    depth: 3,
    oldestTakenAt: new Date('2026-07-01T04:00:00Z'),
    sentTotal: 0,
    droppedTotal: 0,
    lastFlushError: undefined,
    lastFlushAt: undefined,
    lostTotal: 0,
    failures,
    embedded,
  };
  return () => ({
    status,
    reportedAt: SINCE,
    unreachable: unreachable ? { since: SINCE, problem: 'unreachable' } : undefined,
  });
}

describe('what the built-in rules look at', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-system-inputs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the newest backup from the backup folder: none there is null, no folder is nothing to judge', async () => {
    const backups = join(dir, 'backups');
    assert.equal((await readSystemInputs(undefined, backups)).lastBackupAt, undefined);
    mkdirSync(backups);
    assert.equal((await readSystemInputs(undefined, backups)).lastBackupAt, null);
    writeFileSync(join(backups, 'mediciones-20260701T040000Z.json'), '[]');
    writeFileSync(join(backups, 'mediciones-20260701T060000Z.json'), '[]');
    assert.deepEqual(
      (await readSystemInputs(undefined, backups)).lastBackupAt,
      new Date('2026-07-01T06:00:00Z'),
    );
  });

  it('takes a cloud database the sensor cannot reach as the cloud unreachable', async () => {
    const inputs = await readSystemInputs(
      report(false, [{ store: 'database', problem: 'unreachable', since: SINCE }]),
      join(dir, 'none'),
    );
    assert.deepEqual(inputs.cloudUnreachableSince, SINCE);
    assert.equal(inputs.storageFailingSince, undefined);
    assert.deepEqual(inputs.outboxOldestTakenAt, new Date('2026-07-01T04:00:00Z'));
  });

  it('takes an embedded database failing, or the outbox file, as local storage failing', async () => {
    const embedded = await readSystemInputs(
      report(true, [{ store: 'database', problem: 'storage-full', since: SINCE }]),
      join(dir, 'none'),
    );
    assert.equal(embedded.cloudUnreachableSince, undefined);
    assert.deepEqual(embedded.storageFailingSince, SINCE);
    const outbox = await readSystemInputs(
      report(false, [{ store: 'outbox', problem: 'storage-full', since: SINCE }]),
      join(dir, 'none'),
    );
    assert.deepEqual(outbox.storageFailingSince, SINCE);
  });

  it('judges nothing from a sensor that does not answer: its numbers are not current', async () => {
    const inputs = await readSystemInputs(
      report(false, [{ store: 'database', problem: 'unreachable', since: SINCE }], true),
      join(dir, 'none'),
    );
    assert.deepEqual(inputs, {
      cloudUnreachableSince: undefined,
      storageFailingSince: undefined,
      outboxOldestTakenAt: undefined,
      lastBackupAt: undefined,
    });
  });
});
