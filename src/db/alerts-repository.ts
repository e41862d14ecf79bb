import type { Kysely, Selectable } from 'kysely';
import { dialectSql } from './dialect.js';
import type { Database } from './open-db.js';
import type { Schema } from './schema.js';

/** The states an alert moves through; `resolved` also ends a pending that never fired. */
export type AlertStateName = 'pending' | 'firing' | 'resolved';

/** One recorded change of an alert's state. */
export interface AlertTransition {
  readonly rule: string;
  readonly subject: string;
  /** 1, 2, ... per rule and subject. */
  readonly seq: number;
  readonly state: AlertStateName;
  readonly value: number | null;
  readonly atMs: number;
}

/** A transition waiting to be delivered to one target (or given up on). */
export interface AlertNotification {
  readonly id: number;
  readonly target: string;
  readonly attempts: number;
  readonly createdMs: number;
  readonly nextAttemptMs: number;
  readonly lastError: string | null;
  readonly transition: AlertTransition;
}

/** What became of a delivery attempt that failed. */
export interface FailedAttempt {
  readonly attempts: number;
  readonly nextAttemptMs: number;
  readonly error: string;
  /** Set when the notification is given up: no further attempt. */
  readonly givenUpMs?: number;
}

/** The alerts' state and their notification outbox (migration 0005). */
export interface AlertsRepository {
  /** The newest transition of every rule and subject: each alert's current state. */
  currentStates(): Promise<AlertTransition[]>;
  /**
   * Records `transition` and a notification of it for each of `targets`, all or nothing. False
   * when another evaluator recorded this rule and subject's transition `seq` first.
   */
  recordTransition(transition: AlertTransition, targets: readonly string[]): Promise<boolean>;
  /** Per target, its oldest notification neither delivered nor given up: delivery is in order. */
  nextPerTarget(): Promise<AlertNotification[]>;
  /**
   * Takes notification `id` for delivery until `untilMs`, unless delivered or held by another
   * evaluator at `nowMs`; true when this caller holds it.
   */
  claim(id: number, nowMs: number, untilMs: number): Promise<boolean>;
  delivered(id: number, atMs: number): Promise<void>;
  failed(id: number, attempt: FailedAttempt): Promise<void>;
  /** Notifications given up since `sinceMs`, newest first. */
  givenUp(sinceMs: number, limit: number): Promise<AlertNotification[]>;
  /** Every notification delivered to `target`, in delivery order (tests, audits). */
  deliveredTo(target: string): Promise<AlertNotification[]>;
}

type TransitionRow = Omit<Selectable<Schema['alert_transition']>, 'id'>;
type NotificationRow = Selectable<Schema['alert_notification']> & TransitionRow;

function toTransition(row: TransitionRow): AlertTransition {
  return {
    rule: row.rule,
    subject: row.subject,
    seq: Number(row.seq),
    state: row.state as AlertStateName,
    value: row.value === null ? null : Number(row.value),
    atMs: Number(row.at_ms),
  };
}

function toNotification(row: NotificationRow): AlertNotification {
  return {
    id: Number(row.id),
    target: row.target,
    attempts: Number(row.attempts),
    createdMs: Number(row.created_ms),
    nextAttemptMs: Number(row.next_attempt_ms),
    lastError: row.last_error,
    transition: toTransition(row),
  };
}

export function createAlertsRepository(db: Database): AlertsRepository {
  const kysely: Kysely<Schema> = db.kysely;
  const dialect = dialectSql(db.dialect);

  const notifications = () =>
    kysely
      .selectFrom('alert_notification as n')
      .innerJoin('alert_transition as t', 't.id', 'n.transition_id')
      .select([
        'n.id',
        'n.transition_id',
        'n.target',
        'n.created_ms',
        'n.attempts',
        'n.next_attempt_ms',
        'n.claimed_until_ms',
        'n.delivered_ms',
        'n.given_up_ms',
        'n.last_error',
        't.rule',
        't.subject',
        't.seq',
        't.state',
        't.value',
        't.at_ms',
      ]);

  return {
    async currentStates() {
      const rows = await kysely
        .selectFrom('alert_transition as t')
        .selectAll()
        .where((eb) =>
          eb(
            't.seq',
            '=',
            eb
              .selectFrom('alert_transition as newer')
              .select((inner) => inner.fn.max('newer.seq').as('seq'))
              .whereRef('newer.rule', '=', 't.rule')
              .whereRef('newer.subject', '=', 't.subject'),
          ),
        )
        .execute();
      return rows.map(toTransition);
    },

    async recordTransition(transition, targets) {
      try {
        await kysely.transaction().execute(async (trx) => {
          const inserted = await trx
            .insertInto('alert_transition')
            .values({
              rule: transition.rule,
              subject: transition.subject,
              seq: transition.seq,
              state: transition.state,
              value: transition.value,
              at_ms: transition.atMs,
            })
            .executeTakeFirstOrThrow();
          const transitionId = Number(inserted.insertId);
          if (targets.length === 0) return;
          await trx
            .insertInto('alert_notification')
            .values(
              targets.map((target) => ({
                transition_id: transitionId,
                target,
                created_ms: transition.atMs,
                attempts: 0,
                next_attempt_ms: transition.atMs,
                claimed_until_ms: 0,
              })),
            )
            .execute();
        });
        return true;
      } catch (error) {
        if (dialect.isDuplicateKey(error)) return false;
        throw error;
      }
    },

    async nextPerTarget() {
      const rows = await notifications()
        .where('n.delivered_ms', 'is', null)
        .where('n.given_up_ms', 'is', null)
        .where((eb) =>
          eb(
            'n.id',
            '=',
            eb
              .selectFrom('alert_notification as older')
              .select((inner) => inner.fn.min('older.id').as('id'))
              .whereRef('older.target', '=', 'n.target')
              .where('older.delivered_ms', 'is', null)
              .where('older.given_up_ms', 'is', null),
          ),
        )
        .execute();
      return rows.map(toNotification);
    },

    async claim(id, nowMs, untilMs) {
      const result = await kysely
        .updateTable('alert_notification')
        .set({ claimed_until_ms: untilMs })
        .where('id', '=', id)
        .where('delivered_ms', 'is', null)
        .where('given_up_ms', 'is', null)
        .where('claimed_until_ms', '<=', nowMs)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async delivered(id, atMs) {
      await kysely
        .updateTable('alert_notification')
        .set({ delivered_ms: atMs, claimed_until_ms: 0, last_error: null })
        .where('id', '=', id)
        .execute();
    },

    async failed(id, attempt) {
      await kysely
        .updateTable('alert_notification')
        .set({
          attempts: attempt.attempts,
          next_attempt_ms: attempt.nextAttemptMs,
          claimed_until_ms: 0,
          last_error: attempt.error.slice(0, 500),
          given_up_ms: attempt.givenUpMs ?? null,
        })
        .where('id', '=', id)
        .execute();
    },

    async givenUp(sinceMs, limit) {
      const rows = await notifications()
        .where('n.given_up_ms', '>=', sinceMs)
        .orderBy('n.id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toNotification);
    },

    async deliveredTo(target) {
      const rows = await notifications()
        .where('n.target', '=', target)
        .where('n.delivered_ms', 'is not', null)
        .orderBy('n.delivered_ms')
        .orderBy('n.id')
        .execute();
      return rows.map(toNotification);
    },
  };
}
