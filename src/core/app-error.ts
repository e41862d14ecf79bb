/** Every failure clima reports to a client, by stable code. */
export type ErrorCode =
  | 'invalid_parameter'
  | 'unknown_parameter'
  | 'unknown_city'
  | 'not_found'
  | 'database_unavailable'
  | 'weather_unavailable'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  invalid_parameter: 400,
  unknown_parameter: 400,
  unknown_city: 400,
  not_found: 404,
  database_unavailable: 503,
  weather_unavailable: 503,
  internal: 500,
};

/**
 * An expected failure with a code and an HTTP status. Its message is safe to show a client;
 * details for the log go in `cause`, never in the message.
 */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { cause?: unknown; retryAfterS?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.status = STATUS[code];
    this.retryAfterS = options.retryAfterS;
  }
  readonly retryAfterS: number | undefined;
}
