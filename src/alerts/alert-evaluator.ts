import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { AlertsRepository, AlertTransition } from '../db/alerts-repository.js';
import type { AlertInputs } from './alert-inputs.js';
import type { AlertMetrics } from './alert-metrics.js';
import type { AlertRule } from './alert-rule.js';
import { isNotified, nextState } from './next-state.js';
import { observe } from './observe.js';

export interface AlertEvaluatorDeps {
  readonly repository: AlertsRepository;
  readonly rules: readonly AlertRule[];
  /** The names of the notification targets every notified transition goes to. */
  readonly targets: readonly string[];
  readonly readInputs: () => Promise<AlertInputs>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: AlertMetrics;
}

/**
 * Moves every alert to the state its rule's condition calls for. Any number of evaluators may run
 * against one database: each transition is `seq` + 1 of the alert's newest one, unique in the
 * database, so of two evaluators seeing the same change only the first insert records it (and its
 * notifications); the other's is refused and it reads the new state on its next round.
 */
export function createAlertEvaluator(deps: AlertEvaluatorDeps) {
  const { repository, clock, logger, metrics } = deps;
  const forSeconds = new Map(deps.rules.map((rule) => [rule.name, rule.forSeconds]));

  return {
    /** One round; resolves with the transitions this evaluator recorded. */
    async evaluateOnce(): Promise<AlertTransition[]> {
      const inputs = await deps.readInputs();
      const states = new Map((await repository.currentStates()).map((s) => [`${s.rule}\0${s.subject}`, s]));
      const nowMs = clock.now();
      const current = (rule: string, subject: string) => states.get(`${rule}\0${subject}`);
      const active = (rule: string, subject: string) => {
        const state = current(rule, subject)?.state;
        return state === 'pending' || state === 'firing';
      };
      const recorded: AlertTransition[] = [];
      for (const observation of observe(deps.rules, inputs, nowMs, active)) {
        const { rule, subject } = observation;
        const before = current(rule, subject);
        const state = nextState(before, observation.holds, forSeconds.get(rule) ?? 0, nowMs);
        if (state === undefined) continue;
        const transition: AlertTransition = {
          rule,
          subject,
          seq: (before?.seq ?? 0) + 1,
          state,
          value: observation.value,
          atMs: nowMs,
        };
        const targets = isNotified(before?.state, state) ? deps.targets : [];
        if (!(await repository.recordTransition(transition, targets))) continue;
        recorded.push(transition);
        metrics.transitions.inc({ rule, state });
        logger.info(
          { rule, subject, state, value: observation.value },
          `alert ${rule} (${subject}) ${state}`,
        );
      }
      return recorded;
    },
  };
}

export type AlertEvaluator = ReturnType<typeof createAlertEvaluator>;
