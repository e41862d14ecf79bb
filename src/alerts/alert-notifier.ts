import type { AlertsConfig, AlertTarget } from '../config/alerts-file.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { AlertNotification, AlertsRepository, AlertTransition } from '../db/alerts-repository.js';
import { alertPayload } from './alert-message.js';
import type { AlertMetrics } from './alert-metrics.js';
import { createEmailSender } from './email-sender.js';
import { sendWebhook } from './webhook-sender.js';

/** How long a claim on a notification lasts: longer than one attempt (webhook 10 s, SMTP 40 s). */
const CLAIM_MS = 60_000;

export interface AlertNotifierDeps {
  readonly repository: AlertsRepository;
  readonly targets: readonly AlertTarget[];
  readonly retry: AlertsConfig['retry'];
  readonly pageUrl: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: AlertMetrics;
}

/** Seconds before attempt `attempts` + 1: doubling from `firstSeconds`, at most `maxSeconds`. */
export function backoffSeconds(retry: AlertsConfig['retry'], attempts: number): number {
  return Math.min(retry.maxSeconds, retry.firstSeconds * 2 ** Math.max(0, attempts - 1));
}

/**
 * Delivers the notification outbox, each target's notifications one at a time in the order they
 * were recorded: a target that is down holds its later ones back, so they arrive in order once it
 * is back. A notification is claimed in the database before it is sent, so two evaluators never
 * send the same one; one that cannot be delivered within `giveUpSeconds` is given up on: logged
 * as an error, counted, and listed by `/api/alerts` and the page.
 */
export function createAlertNotifier(deps: AlertNotifierDeps) {
  const { repository, clock, logger, metrics, retry } = deps;
  const targets = new Map(deps.targets.map((target) => [target.name, target]));
  const emails = new Map(
    deps.targets.flatMap((target) =>
      target.type === 'email' ? [[target.name, createEmailSender(target)]] : [],
    ),
  );

  async function send(target: AlertTarget, transition: AlertTransition): Promise<void> {
    const payload = alertPayload(transition, deps.pageUrl);
    if (target.type === 'webhook') await sendWebhook(target, payload);
    else await emails.get(target.name)?.send(payload);
  }

  /** Tries `notification` once; true when it was delivered. */
  async function attempt(notification: AlertNotification): Promise<boolean> {
    const nowMs = clock.now();
    if (notification.nextAttemptMs > nowMs) return false;
    if (!(await repository.claim(notification.id, nowMs, nowMs + CLAIM_MS))) return false;
    const target = targets.get(notification.target);
    try {
      if (target === undefined) throw new Error(`target ${notification.target} is no longer configured`);
      await send(target, notification.transition);
      await repository.delivered(notification.id, clock.now());
      metrics.deliveries.inc({ target: notification.target });
      return true;
    } catch (error) {
      const failedMs = clock.now();
      const attempts = notification.attempts + 1;
      const message = (error as Error).message;
      const giveUp = target === undefined || failedMs - notification.createdMs >= retry.giveUpSeconds * 1000;
      await repository.failed(notification.id, {
        attempts,
        nextAttemptMs: failedMs + backoffSeconds(retry, attempts) * 1000,
        error: message,
        ...(giveUp ? { givenUpMs: failedMs } : {}),
      });
      metrics.failedAttempts.inc({ target: notification.target });
      const { rule, subject, state } = notification.transition;
      if (giveUp) {
        metrics.undeliverable.inc({ target: notification.target });
        logger.error(
          { target: notification.target, rule, subject, state, attempts, err: error },
          `alert notification undeliverable, given up after ${attempts} attempts: ${message}`,
        );
      } else {
        logger.warn(
          { target: notification.target, rule, subject, state, attempts },
          `alert notification not delivered: ${message}`,
        );
      }
      return false;
    }
  }

  return {
    /** Sends every notification due now, target by target in order; resolves with how many were delivered. */
    async deliverDue(): Promise<number> {
      let delivered = 0;
      for (;;) {
        const heads = await repository.nextPerTarget();
        const results = await Promise.all(heads.map(attempt));
        const now = results.filter(Boolean).length;
        delivered += now;
        if (now === 0) return delivered;
      }
    },
    /**
     * Sends `transition` once to each target not in `done`, outside the database (which cannot be
     * reached); resolves with the targets it reached, `done` included.
     */
    async sendWithoutDatabase(transition: AlertTransition, done: ReadonlySet<string>): Promise<Set<string>> {
      const reached = new Set(done);
      for (const target of deps.targets) {
        if (reached.has(target.name)) continue;
        try {
          await send(target, transition);
          reached.add(target.name);
          metrics.deliveries.inc({ target: target.name });
        } catch (error) {
          metrics.failedAttempts.inc({ target: target.name });
          logger.warn(
            { target: target.name, rule: transition.rule },
            `alert notification not delivered: ${(error as Error).message}`,
          );
        }
      }
      return reached;
    },
    close(): void {
      for (const email of emails.values()) email.close();
    },
  };
}

export type AlertNotifier = ReturnType<typeof createAlertNotifier>;
