import type { AlertRuleConfig, AlertsConfig } from '../config/alerts-file.js';

/** The subject of the built-in rules, which watch the system rather than a city. */
export const SYSTEM_SUBJECT = 'system';

export const SYSTEM_RULES = ['cloud-unreachable', 'outbox-oldest', 'storage-failing', 'backup-age'] as const;
export type SystemRuleName = (typeof SYSTEM_RULES)[number];

/**
 * A rule as the evaluator runs it. A built-in one's value is how many seconds its problem has
 * lasted (the cloud unreachable, the outbox's oldest reading waiting, the local store failing,
 * the newest backup's age), firing above its limit.
 */
export type AlertRule =
  | (AlertRuleConfig & { readonly kind: 'reading' })
  | {
      readonly kind: 'system';
      readonly name: SystemRuleName;
      readonly above: number;
      readonly forSeconds: 0;
      readonly hysteresis: 0;
    };

const LIMITS: Readonly<Record<SystemRuleName, keyof AlertsConfig['system']>> = {
  'cloud-unreachable': 'cloudUnreachableSeconds',
  'outbox-oldest': 'outboxOldestSeconds',
  'storage-failing': 'storageFailingSeconds',
  'backup-age': 'backupAgeSeconds',
};

/** The configured rules, then the built-in ones left on. */
export function alertRules(config: AlertsConfig): AlertRule[] {
  const system = SYSTEM_RULES.flatMap((name): AlertRule[] => {
    const limit = config.system[LIMITS[name]];
    return limit === false ? [] : [{ kind: 'system', name, above: limit, forSeconds: 0, hysteresis: 0 }];
  });
  return [...config.rules.map((rule): AlertRule => ({ ...rule, kind: 'reading' })), ...system];
}

/**
 * Whether `value` meets the rule's condition. An active alert stays active until the value is
 * `hysteresis` past the threshold, so a value hovering at it does not flap.
 */
export function conditionHolds(
  rule: { readonly above?: number; readonly below?: number; readonly hysteresis: number },
  value: number,
  active: boolean,
): boolean {
  const slack = active ? rule.hysteresis : 0;
  if (rule.above !== undefined && value > rule.above - slack) return true;
  if (rule.below !== undefined && value < rule.below + slack) return true;
  return false;
}
