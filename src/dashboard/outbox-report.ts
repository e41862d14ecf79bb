import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { createStateChangeLog } from '../core/state-change-log.js';
import { type StoreProblem, storeProblem } from '../db/connection-error.js';
import type { OutboxStatus } from '../outbox/edge-outbox.js';
import { outboxStatusFromJson } from '../outbox/outbox-status-json.js';

/** The sensor's outbox as the dashboard knows it: read now, or the sensor's last answer. */
export interface OutboxReport {
  /** The last numbers the sensor gave; undefined until it first answers. */
  readonly status: OutboxStatus | undefined;
  /** When `status` was read. */
  readonly reportedAt: Date | undefined;
  /** Set while the sensor cannot be asked: `status` is then only the last known. Why, as a code: the address stays in the log. */
  readonly unreachable: { readonly since: Date; readonly problem: StoreProblem } | undefined;
}

/** The outbox of a sensor in this process (`clima start`): always current. */
export function localOutboxReport(status: () => OutboxStatus, clock: Clock): () => OutboxReport {
  return () => ({ status: status(), reportedAt: new Date(clock.now()), unreachable: undefined });
}

/** The numbers while they are current: last-known ones would pass off an old depth as today's. */
export function currentOutbox(report: OutboxReport | undefined): OutboxStatus | undefined {
  return report?.unreachable === undefined ? report?.status : undefined;
}

const POLL_EVERY_MS = 2_000;
const REQUEST_TIMEOUT_MS = 1_500;

/**
 * The outbox of a sensor in another process (SENSOR_STATUS_URL): its `/status` asked in the
 * background every 2 s, so a page never waits on the sensor, and the last answer served with its
 * time. A sensor that does not answer is reported as such, its last numbers kept but not passed
 * off as current.
 */
export function pollSensorOutbox(deps: { url: string; clock: Clock; logger: Logger; everyMs?: number }) {
  const { clock } = deps;
  const failures = createStateChangeLog(deps.logger, 'sensor status');
  const statusUrl = `${deps.url}/status`;
  let report: OutboxReport = {
    status: undefined,
    reportedAt: undefined,
    unreachable: { since: new Date(clock.now()), problem: 'unreachable' },
  };
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let running = false;

  async function ask(): Promise<void> {
    try {
      const response = await fetch(statusUrl, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`GET ${statusUrl} answered ${response.status}`);
      const status = outboxStatusFromJson(await response.json());
      report = { status, reportedAt: new Date(clock.now()), unreachable: undefined };
      failures.succeeded();
    } catch (error) {
      // fetch says only "fetch failed"; the reason (ECONNREFUSED, a time-out) is its cause.
      const cause = (error as Error).cause as Error | undefined;
      failures.failed(new Error(cause?.message ?? (error as Error).message));
      report = {
        ...report,
        unreachable: {
          since: report.unreachable?.since ?? new Date(clock.now()),
          problem: storeProblem(error),
        },
      };
    }
  }

  function loop(): void {
    inFlight = ask().finally(() => {
      inFlight = undefined;
      if (running) timer = setTimeout(loop, deps.everyMs ?? POLL_EVERY_MS);
    });
  }

  return {
    report: (): OutboxReport => report,
    start(): void {
      if (running) return;
      running = true;
      loop();
    },
    async stop(): Promise<void> {
      running = false;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
