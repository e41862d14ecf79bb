import type { AlertInputs, SystemInputs } from './alert-inputs.js';
import { type AlertRule, conditionHolds, SYSTEM_SUBJECT, type SystemRuleName } from './alert-rule.js';
import { ruleMatches } from './rule-matches.js';

/** What one rule sees of one subject now. */
export interface Observation {
  readonly rule: string;
  readonly subject: string;
  /** The condition holds (with hysteresis when the alert is already active). */
  readonly holds: boolean;
  /** The value judged: degrees, percent or seconds; null for a city never heard from. */
  readonly value: number | null;
}

const SINCE: Readonly<Record<SystemRuleName, keyof SystemInputs>> = {
  'cloud-unreachable': 'cloudUnreachableSince',
  'outbox-oldest': 'outboxOldestTakenAt',
  'storage-failing': 'storageFailingSince',
  'backup-age': 'lastBackupAt',
};

/**
 * Every rule against the inputs. `active(rule, subject)` says whether that alert is pending or
 * firing now, for the hysteresis. A subject without a value (a city with no reading yet, for a
 * temperature rule) is not observed: its alert keeps its state.
 */
export function observe(
  rules: readonly AlertRule[],
  inputs: AlertInputs,
  nowMs: number,
  active: (rule: string, subject: string) => boolean,
): Observation[] {
  const seconds = (since: Date) => Math.max(0, Math.round((nowMs - since.getTime()) / 1000));
  const observations: Observation[] = [];
  const judge = (rule: AlertRule, subject: string, value: number | null): void => {
    const holds = value === null || conditionHolds(rule, value, active(rule.name, subject));
    observations.push({ rule: rule.name, subject, holds, value });
  };
  for (const rule of rules) {
    if (rule.kind === 'system') {
      const input = inputs.system[SINCE[rule.name]];
      if (rule.name === 'backup-age' && input === undefined) continue;
      // A problem that is over counts as lasting 0 s; a backup folder with no backup, forever.
      judge(rule, SYSTEM_SUBJECT, input === null ? null : input === undefined ? 0 : seconds(input));
    } else if (rule.metric === 'staleness') {
      const subjects = new Set([...inputs.subjects, ...inputs.latest.map((r) => r.subject)]);
      for (const subject of subjects) {
        if (!ruleMatches(rule.city, subject)) continue;
        const latest = inputs.latest.find((r) => r.subject === subject);
        judge(rule, subject, latest ? seconds(latest.takenAt) : null);
      }
    } else {
      for (const reading of inputs.latest) {
        if (ruleMatches(rule.city, reading.subject)) judge(rule, reading.subject, reading[rule.metric]);
      }
    }
  }
  return observations;
}
