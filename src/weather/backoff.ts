/** Sleeps `ms`, returning early (without rejecting) when `signal` aborts, like `core/sleep`. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

const RETRY_BASE_MS = 500;
const RETRY_CAP_MS = 4000;

/**
 * The wait before retry number `attempt + 1`: exponential from 500 ms, capped at 4 s, with "equal
 * jitter" (half fixed, half random) so many clients that failed together do not retry together,
 * while every retry still waits at least half the step.
 */
export function retryDelayMs(attempt: number, random: () => number): number {
  const step = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** attempt);
  return Math.round(step / 2 + (random() * step) / 2);
}

/**
 * A `Retry-After` header as milliseconds from `nowMs`: either delay-seconds or an HTTP date
 * (RFC 9110 §10.2.3). Undefined when absent or unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Every HTTP date form starts with the day's name; without this Date.parse would read "-5" as a year.
  if (!/^[A-Za-z]{3}/.test(value)) return undefined;
  const dateMs = Date.parse(value);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}

const COOLDOWN_BASE_MS = 60_000;
const COOLDOWN_CAP_MS = 15 * 60_000;

/**
 * How long to send nothing after `consecutiveFailures` failed fetches: 60 s doubling to 15 min.
 * A failed request still costs a call on the free tier, so a dead server must not be asked every tick.
 */
export function failureCooldownMs(consecutiveFailures: number): number {
  return Math.min(COOLDOWN_CAP_MS, COOLDOWN_BASE_MS * 2 ** Math.max(0, consecutiveFailures - 1));
}
