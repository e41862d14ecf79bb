import { z } from 'zod';
import { STORE_PROBLEMS } from '../db/connection-error.js';
import type { OutboxStatus } from './edge-outbox.js';

const isoOrNull = z.iso.datetime().nullable();
const problem = z.enum(STORE_PROBLEMS);

const outboxStatusSchema = z.object({
  depth: z.number().int().nonnegative(),
  oldestTakenAt: isoOrNull,
  sentTotal: z.number().int().nonnegative(),
  droppedTotal: z.number().int().nonnegative(),
  lostTotal: z.number().int().nonnegative(),
  lastFlushAt: isoOrNull,
  lastFlushError: problem.nullable(),
  failures: z.array(z.object({ store: z.enum(['outbox', 'database']), problem, since: z.iso.datetime() })),
  embedded: z.boolean(),
});

/** The outbox's status on the wire: the sensor's `/status`, and the `outbox` of the dashboard's `/api/status`. */
export type OutboxStatusJson = z.infer<typeof outboxStatusSchema>;

export function outboxStatusToJson(status: OutboxStatus): OutboxStatusJson {
  return {
    depth: status.depth,
    oldestTakenAt: status.oldestTakenAt?.toISOString() ?? null,
    sentTotal: status.sentTotal,
    droppedTotal: status.droppedTotal,
    lostTotal: status.lostTotal,
    lastFlushAt: status.lastFlushAt?.toISOString() ?? null,
    lastFlushError: status.lastFlushError ?? null,
    failures: status.failures.map((failure) => ({ ...failure, since: failure.since.toISOString() })),
    embedded: status.embedded,
  };
}

/** Reads what a sensor's `/status` answered. @throws Error when it is not an outbox status. */
export function outboxStatusFromJson(value: unknown): OutboxStatus {
  const result = outboxStatusSchema.safeParse(value);
  if (!result.success) throw new Error(`not an outbox status: ${result.error.issues[0]?.message ?? ''}`);
  const json = result.data;
  const date = (text: string | null) => (text === null ? undefined : new Date(text));
  return {
    depth: json.depth,
    oldestTakenAt: date(json.oldestTakenAt),
    sentTotal: json.sentTotal,
    droppedTotal: json.droppedTotal,
    lostTotal: json.lostTotal,
    lastFlushAt: date(json.lastFlushAt),
    lastFlushError: json.lastFlushError ?? undefined,
    failures: json.failures.map((failure) => ({ ...failure, since: new Date(failure.since) })),
    embedded: json.embedded,
  };
}
