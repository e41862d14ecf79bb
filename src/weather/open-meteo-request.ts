import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { parseRetryAfter, retryDelayMs, type Sleep } from './backoff.js';
import type { City } from './city.js';
import { CURRENT_VARIABLES, parseErrorReason } from './open-meteo-response.js';
import { abortedError, WeatherError } from './weather-error.js';

/** What one HTTP exchange needs; every collaborator is passed in so tests control time and the network. */
export interface CurrentRequestOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly fetch: typeof globalThis.fetch;
  readonly random: () => number;
  readonly sleep: Sleep;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Called after every attempt that reached the server, retries included: what the API counts
   * as calls. One that never left this host (the name did not resolve, the connection was
   * refused) costs nothing and is not reported.
   */
  readonly onSent: (locationCount: number) => void;
}

// A Retry-After longer than this is not waited out in-line (it would hold the caller's tick); the
// call fails as rate-limited with `retryAt`, and the source's cool-down honours it instead.
const MAX_INLINE_RETRY_AFTER_MS = 10_000;

type AttemptOutcome =
  | { kind: 'ok'; body: string }
  | {
      kind: 'retry';
      code: 'unavailable' | 'rate-limited';
      reason: string;
      retryAfterMs?: number;
      /** The request never reached the server. */
      unsent?: true;
    }
  | { kind: 'fail'; error: WeatherError };

/** The forecast URL asking current temperature and humidity for `cities`, in their order. */
export function currentUrl(baseUrl: string, cities: readonly City[]): string {
  // Built by hand: URLSearchParams would write the commas as %2C, which works but makes logs unreadable.
  const latitude = cities.map((city) => String(city.latitude)).join(',');
  const longitude = cities.map((city) => String(city.longitude)).join(',');
  return `${baseUrl.replace(/\/+$/, '')}/v1/forecast?latitude=${latitude}&longitude=${longitude}&current=${CURRENT_VARIABLES.join(',')}`;
}

/**
 * GETs current conditions for `cities` in one request and returns the body of the 200 answer.
 * 5xx, 429, time-outs and network errors are retried at most `maxRetries` times with jittered
 * exponential backoff (429 honours `Retry-After`); a 4xx is final. Rejects with a `WeatherError`.
 */
export async function requestCurrent(
  cities: readonly City[],
  options: CurrentRequestOptions,
  signal?: AbortSignal,
): Promise<string> {
  const url = currentUrl(options.baseUrl, cities);
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw abortedError(signal);
    const outcome = await attemptOnce(url, options, signal);
    if (!(outcome.kind === 'retry' && outcome.unsent)) options.onSent(cities.length);
    if (outcome.kind === 'ok') return outcome.body;
    if (outcome.kind === 'fail') throw outcome.error;

    const attempts = attempt + 1;
    if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > MAX_INLINE_RETRY_AFTER_MS) {
      const retryAt = new Date(options.clock.now() + outcome.retryAfterMs);
      throw new WeatherError(
        'rate-limited',
        `${outcome.reason} (Retry-After until ${retryAt.toISOString()})`,
        {
          retryAt,
        },
      );
    }
    if (attempt >= options.maxRetries) {
      throw new WeatherError(outcome.code, `${outcome.reason} (gave up after ${attempts} attempts)`);
    }
    const delayMs = outcome.retryAfterMs ?? retryDelayMs(attempt, options.random);
    options.logger.warn(
      { attempt: attempts, reason: outcome.reason, retryInMs: delayMs },
      'Open-Meteo request failed; retrying',
    );
    await options.sleep(delayMs, signal);
  }
}

async function attemptOnce(
  url: string,
  options: CurrentRequestOptions,
  signal: AbortSignal | undefined,
): Promise<AttemptOutcome> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const attemptSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let status: number;
  let body: string;
  let retryAfter: string | null;
  try {
    // The body is read under the same signal: a server that stalls mid-body is a time-out too.
    const response = await options.fetch(url, {
      signal: attemptSignal,
      headers: { accept: 'application/json' },
    });
    status = response.status;
    retryAfter = response.headers.get('retry-after');
    body = await response.text();
  } catch (error) {
    if (signal?.aborted) return { kind: 'fail', error: abortedError(signal) };
    // A time-out may have reached the server, so it counts: the budget errs on the safe side.
    if (timeout.aborted)
      return { kind: 'retry', code: 'unavailable', reason: `no answer within ${options.timeoutMs} ms` };
    const reason = networkReason(error);
    return neverSent(error)
      ? { kind: 'retry', code: 'unavailable', reason, unsent: true }
      : { kind: 'retry', code: 'unavailable', reason };
  }

  if (status >= 200 && status < 300) return { kind: 'ok', body };
  const reason = `HTTP ${status}: ${parseErrorReason(body) ?? snippet(body)}`;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(retryAfter, options.clock.now());
    return retryAfterMs === undefined
      ? { kind: 'retry', code: 'rate-limited', reason }
      : { kind: 'retry', code: 'rate-limited', reason, retryAfterMs };
  }
  if (status >= 500 || status === 408) return { kind: 'retry', code: 'unavailable', reason };
  // Any other status says the request itself is wrong (a bad coordinate): asking again cannot help.
  return { kind: 'fail', error: new WeatherError('rejected', reason) };
}

/** undici reports "fetch failed" and puts the useful part (ECONNRESET, "other side closed") in `cause`. */
function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  if (!cause) return error.message;
  const code = errorCode(cause);
  // Node's own messages already name the code ("getaddrinfo ENOTFOUND host"): say it once.
  const shownCode = code === undefined || cause.message.includes(code) ? '' : ` (${code})`;
  return `${error.message}: ${cause.message}${shownCode}`;
}

/** Failures before a connection exists: the request never left this host. */
const UNSENT_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function neverSent(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  // With several addresses for one name, Node tries each and reports them together.
  if (cause instanceof AggregateError && cause.errors.length > 0)
    return cause.errors.every((each) => UNSENT_CODES.has(errorCode(each) ?? ''));
  return UNSENT_CODES.has(errorCode(cause) ?? '');
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function snippet(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (text === '') return '(empty body)';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
