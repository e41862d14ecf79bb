import type { Kysely, Migration } from 'kysely';
import type { DialectSql } from '../dialect.js';

/**
 * Alerts: `alert_transition`, every change of state of a rule for one subject (a city, a station,
 * or `system`), numbered per rule and subject; the unique `(rule, subject, seq)` is how several
 * evaluators agree: the one whose insert lands made the transition, the others see a duplicate
 * key. `alert_notification`, one row per transition and target to notify, kept until delivered
 * (or given up), so neither a restart nor a down receiver loses one. Instants are epoch
 * milliseconds: retry schedules are shorter than a second in tests.
 */
export function createAlerts(dialect: DialectSql): Migration {
  const { types } = dialect;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('alert_transition')
        .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
        .addColumn('rule', types.varchar(64), (col) => col.notNull())
        .addColumn('subject', types.varchar(100), (col) => col.notNull())
        .addColumn('seq', 'integer', (col) => col.notNull())
        .addColumn('state', types.varchar(16), (col) => col.notNull())
        .addColumn('value', types.double)
        .addColumn('at_ms', types.bigint, (col) => col.notNull())
        .addUniqueConstraint('alert_transition_rule_subject_seq_unique', ['rule', 'subject', 'seq'])
        .modifyEnd(dialect.tableOptions)
        .execute();
      await db.schema
        .createTable('alert_notification')
        .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
        .addColumn('transition_id', 'integer', (col) => col.notNull())
        .addColumn('target', types.varchar(64), (col) => col.notNull())
        .addColumn('created_ms', types.bigint, (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull())
        .addColumn('next_attempt_ms', types.bigint, (col) => col.notNull())
        .addColumn('claimed_until_ms', types.bigint, (col) => col.notNull())
        .addColumn('delivered_ms', types.bigint)
        .addColumn('given_up_ms', types.bigint)
        .addColumn('last_error', types.varchar(500))
        .addUniqueConstraint('alert_notification_transition_target_unique', ['transition_id', 'target'])
        .modifyEnd(dialect.tableOptions)
        .execute();
      // Serves "the oldest undelivered notification of each target".
      await db.schema
        .createIndex('alert_notification_target_delivered_idx')
        .on('alert_notification')
        .columns(['target', 'delivered_ms', 'given_up_ms', 'id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('alert_notification').execute();
      await db.schema.dropTable('alert_transition').execute();
    },
  };
}
