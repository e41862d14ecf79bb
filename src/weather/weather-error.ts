/**
 * Why a weather source could not answer.
 * - `rejected`: the server refused the request (HTTP 400 and other 4xx); asking again will not help.
 * - `rate-limited`: HTTP 429 and retries did not get through; `retryAt` says when to try again.
 * - `unavailable`: 5xx, time-outs or connection failures, after bounded retries.
 * - `malformed`: the server answered 200 with a body that is not the documented format.
 * - `cooling-down`: a recent request failed, so none is sent until `retryAt`.
 * - `aborted`: the caller's signal aborted the call.
 */
export type WeatherErrorCode =
  | 'rejected'
  | 'rate-limited'
  | 'unavailable'
  | 'malformed'
  | 'cooling-down'
  | 'aborted';

/** The one error a weather source rejects with: an expected failure, described by its `code`. */
export class WeatherError extends Error {
  override readonly name = 'WeatherError';
  readonly code: WeatherErrorCode;
  /** When asking again makes sense (rate limits, cool-down), if known. */
  readonly retryAt: Date | undefined;

  constructor(code: WeatherErrorCode, message: string, options: { cause?: unknown; retryAt?: Date } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryAt = options.retryAt;
  }
}

/** The error for a call its caller aborted. */
export function abortedError(signal: AbortSignal): WeatherError {
  return new WeatherError('aborted', 'the weather request was aborted', { cause: signal.reason });
}
