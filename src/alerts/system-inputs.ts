import { listSnapshots } from '../backup/snapshot-files.js';
import { currentOutbox, type OutboxReport } from '../dashboard/outbox-report.js';
import type { SystemInputs } from './alert-inputs.js';

/** A snapshot's name stamp (`20260701T060000Z`) as an instant. */
function stampTime(stamp: string): Date {
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(stamp) ?? [];
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

/** The newest snapshot in `dir`; null when there is none, undefined when this process has no such folder. */
async function lastBackupAt(dir: string): Promise<Date | null | undefined> {
  try {
    const [newest] = await listSnapshots(dir);
    return newest ? stampTime(newest.stamp) : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * What the built-in rules look at, from the sensor's outbox (in this process or reported by its
 * status server) and the backup folder. The outbox's sender failing to reach the database is the
 * cloud unreachable, unless that database is an embedded one: then it is local storage failing,
 * like the outbox file itself.
 */
export async function readSystemInputs(
  outbox: (() => OutboxReport) | undefined,
  backupDir: string,
): Promise<SystemInputs> {
  const status = currentOutbox(outbox?.());
  const failing = (store: 'outbox' | 'database') => status?.failures.find((f) => f.store === store)?.since;
  const database = failing('database');
  return {
    cloudUnreachableSince: status?.embedded ? undefined : database,
    storageFailingSince: failing('outbox') ?? (status?.embedded ? database : undefined),
    outboxOldestTakenAt: status?.oldestTakenAt,
    lastBackupAt: await lastBackupAt(backupDir),
  };
}
