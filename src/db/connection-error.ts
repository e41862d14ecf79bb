const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
]);

/**
 * True when an error means "the database cannot be reached now" rather than "this statement is
 * wrong": worth retrying later, not worth stopping a service for. mysql2 marks every error that
 * killed the connection (refused, reset, handshake refused) as `fatal`.
 */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, fatal, cause } = error as { code?: unknown; fatal?: unknown; cause?: unknown };
  if (fatal === true) return true;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  return cause !== undefined && cause !== error && isConnectionError(cause);
}
