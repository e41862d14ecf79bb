import { z } from 'zod';
import type { OutboxStatus } from './edge-outbox.js';

const isoOrNull = z.iso.datetime().nullable();

const outboxStatusSchema = z.object({
  depth: z.number().int().nonnegative(),
  oldestTakenAt: isoOrNull,
  sentTotal: z.number().int().nonnegative(),
  droppedTotal: z.number().int().nonnegative(),
  lastFlushAt: isoOrNull,
  lastFlushError: z.string().nullable(),
});

/** The outbox's status on the wire: the sensor's `/status`, and the `outbox` of the dashboard's `/api/status`. */
export type OutboxStatusJson = z.infer<typeof outboxStatusSchema>;

export function outboxStatusToJson(status: OutboxStatus): OutboxStatusJson {
  return {
    depth: status.depth,
    oldestTakenAt: status.oldestTakenAt?.toISOString() ?? null,
    sentTotal: status.sentTotal,
    droppedTotal: status.droppedTotal,
    lastFlushAt: status.lastFlushAt?.toISOString() ?? null,
    lastFlushError: status.lastFlushError ?? null,
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
    lastFlushAt: date(json.lastFlushAt),
    lastFlushError: json.lastFlushError ?? undefined,
  };
}
