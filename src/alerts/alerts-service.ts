import type { AlertsConfig } from '../config/alerts-file.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { createStateChangeLog } from '../core/state-change-log.js';
import { type AlertTransition, createAlertsRepository } from '../db/alerts-repository.js';
import type { Database } from '../db/open-db.js';
import type { Reading } from '../db/reading.js';
import { createReadingsRepository } from '../db/readings-repository.js';
import { createAlertEvaluator } from './alert-evaluator.js';
import type { AlertInputs, SystemInputs } from './alert-inputs.js';
import { alertPayload } from './alert-message.js';
import { createAlertMetrics } from './alert-metrics.js';
import { createAlertNotifier } from './alert-notifier.js';
import { alertRules, SYSTEM_SUBJECT } from './alert-rule.js';

/** Given-up notifications stay listed this long. */
const UNDELIVERABLE_SHOWN_MS = 24 * 3600 * 1000;

/** What `/api/alerts` and the page show: the state after the last round, from memory. */
export interface AlertsStatus {
  /** Firing first, then pending; oldest first within each. */
  readonly active: readonly {
    readonly rule: string;
    readonly city: string | null;
    readonly state: string;
    readonly value: number | null;
    readonly since: string;
  }[];
  /** Notifications given up on in the last 24 h. */
  readonly undeliverable: readonly {
    readonly target: string;
    readonly rule: string;
    readonly city: string | null;
    readonly state: string;
    readonly since: string;
    readonly attempts: number;
    readonly lastError: string | null;
  }[];
  /** When the last round completed; null before the first. */
  readonly evaluatedAt: string | null;
}

export interface AlertsServiceDeps {
  readonly db: Database;
  readonly config: AlertsConfig;
  readonly cities: readonly string[];
  /** The configured stations' names: each a subject of its own, beside the cities. */
  readonly stations: readonly string[];
  readonly systemInputs: () => Promise<SystemInputs>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * Evaluates the rules and delivers their notifications every `evaluateEverySeconds`, in the
 * dashboard's process: it already reads the readings and knows the outbox, and several dashboards
 * may run, coordinated through the database.
 */
export function createAlertsService(deps: AlertsServiceDeps) {
  const { db, config, clock } = deps;
  const logger = deps.logger.child({ component: 'alerts' });
  const repository = createAlertsRepository(db);
  const readings = createReadingsRepository(db);
  const metrics = createAlertMetrics(deps.metrics);
  const readInputs = async (): Promise<AlertInputs> => {
    const [cities, stations] = await Promise.all([
      readings.latestPerCity(deps.cities),
      deps.stations.length === 0 ? [] : readings.latestPerStation(deps.stations),
    ]);
    const latest = (subject: string, reading: Reading) => ({
      ...reading,
      subject,
      takenAt: new Date(reading.takenAt),
    });
    return {
      subjects: [...deps.cities, ...deps.stations],
      latest: [
        ...cities.map((reading) => latest(reading.city, reading)),
        ...stations.map((reading) => latest(reading.station ?? reading.city, reading)),
      ],
      system: await deps.systemInputs(),
    };
  };
  const evaluator = createAlertEvaluator({
    repository,
    rules: alertRules(config),
    targets: config.targets.map((target) => target.name),
    readInputs,
    clock,
    logger,
    metrics,
  });
  const notifier = createAlertNotifier({
    repository,
    targets: config.targets,
    retry: config.retry,
    pageUrl: config.pageUrl,
    clock,
    logger,
    metrics,
  });
  const failures = createStateChangeLog(logger, 'alert evaluation');
  const cloudLimitS = config.system.cloudUnreachableSeconds;
  /**
   * The database unreachable from this process: no evaluator can record or coordinate anything
   * through it, so the cloud-unreachable alert is sent from memory, by every process that sees the
   * outage (one notification per process and outage, not per transition), and its resolution
   * likewise once the database answers again.
   */
  let outage: { sinceMs: number; firing?: AlertTransition; reached: Set<string> } | undefined;

  async function outageNotice(state: 'firing' | 'resolved'): Promise<void> {
    if (!outage) return;
    const nowMs = clock.now();
    const first = outage.firing === undefined;
    outage.firing ??= {
      rule: 'cloud-unreachable',
      subject: SYSTEM_SUBJECT,
      seq: 0,
      state: 'firing',
      value: Math.round((nowMs - outage.sinceMs) / 1000),
      atMs: nowMs,
    };
    const transition: AlertTransition =
      state === 'firing' ? outage.firing : { ...outage.firing, state, value: 0, atMs: nowMs };
    if (state === 'firing' && first) {
      metrics.transitions.inc({ rule: transition.rule, state });
      logger.error(
        `alert cloud-unreachable (system) firing: the database has not answered for ${transition.value} s`,
      );
    }
    outage.reached = await notifier.sendWithoutDatabase(transition, outage.reached);
  }
  let status: AlertsStatus = { active: [], undeliverable: [], evaluatedAt: null };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  async function readStatus(): Promise<AlertsStatus> {
    const order = { firing: 0, pending: 1, resolved: 2 };
    const active = (await repository.currentStates())
      .filter((s) => s.state !== 'resolved')
      .sort((a, b) => order[a.state] - order[b.state] || a.atMs - b.atMs)
      .map((s) => {
        const { rule, city, state, value, since } = alertPayload(s, config.pageUrl);
        return { rule, city, state, value, since };
      });
    const undeliverable = (await repository.givenUp(clock.now() - UNDELIVERABLE_SHOWN_MS, 50)).map((n) => {
      const { rule, city, state, since } = alertPayload(n.transition, config.pageUrl);
      return { target: n.target, rule, city, state, since, attempts: n.attempts, lastError: n.lastError };
    });
    return { active, undeliverable, evaluatedAt: new Date(clock.now()).toISOString() };
  }

  async function round(): Promise<void> {
    try {
      await evaluator.evaluateOnce();
      if (outage?.firing) {
        outage.reached = new Set();
        await outageNotice('resolved');
        metrics.transitions.inc({ rule: 'cloud-unreachable', state: 'resolved' });
      }
      outage = undefined;
      await notifier.deliverDue();
      status = await readStatus();
      failures.succeeded();
    } catch (error) {
      failures.failed(error);
      outage ??= { sinceMs: clock.now(), reached: new Set() };
      const allReached = outage.reached.size === config.targets.length && outage.firing;
      if (cloudLimitS !== false && !allReached && clock.now() - outage.sinceMs >= cloudLimitS * 1000) {
        await outageNotice('firing');
      }
      if (outage.firing) {
        // The page and /api/alerts show it too, though the database holds no record of it.
        const { rule, city, state, value, since } = alertPayload(outage.firing, config.pageUrl);
        const others = status.active.filter((alert) => alert.rule !== rule);
        status = { ...status, active: [{ rule, city, state, value, since }, ...others] };
      }
    }
  }

  function loop(): void {
    running = round().finally(() => {
      running = undefined;
      if (!stopped) timer = setTimeout(loop, config.evaluateEverySeconds * 1000);
    });
  }

  return {
    name: 'alerts',
    start(): void {
      if (!stopped) return;
      stopped = false;
      loop();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
      notifier.close();
    },
    status: (): AlertsStatus => status,
    /** One round now, as the loop runs it: tests drive it with their own clock. */
    round,
  };
}

export type AlertsService = ReturnType<typeof createAlertsService>;
