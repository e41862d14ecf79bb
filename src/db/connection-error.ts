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

/**
 * Why a store could not be used, as anyone may be told it: stable, and free of the driver's text
 * (account names, addresses), which goes to the log only.
 */
export const STORE_PROBLEMS = [
  'access-denied',
  'unreachable',
  'timeout',
  'tls-failed',
  'storage-full',
  'storage-failed',
  'failed',
] as const;

export type StoreProblem = (typeof STORE_PROBLEMS)[number];

const PROBLEM_BY_CODE = new Map<string, StoreProblem>([
  ['ER_ACCESS_DENIED_ERROR', 'access-denied'],
  ['ER_DBACCESS_DENIED_ERROR', 'access-denied'],
  ['ER_TABLEACCESS_DENIED_ERROR', 'access-denied'],
  ['ER_ACCESS_DENIED_NO_PASSWORD_ERROR', 'access-denied'],
  ['ETIMEDOUT', 'timeout'],
  ['PROTOCOL_SEQUENCE_TIMEOUT', 'timeout'],
  ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
  ['TimeoutError', 'timeout'],
  ['HANDSHAKE_SSL_ERROR', 'tls-failed'],
  ['HANDSHAKE_NO_SSL_SUPPORT', 'tls-failed'],
  ['SQLITE_FULL', 'storage-full'],
  ['ENOSPC', 'storage-full'],
  ['EDQUOT', 'storage-full'],
  ['ER_RECORD_FILE_FULL', 'storage-full'],
  ['ER_DISK_FULL', 'storage-full'],
  ['EROFS', 'storage-failed'],
  ['EIO', 'storage-failed'],
  ['SQLITE_CANTOPEN', 'storage-failed'],
]);

/** SQLite's extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED...) by their family. */
const PROBLEM_BY_PREFIX: readonly (readonly [string, StoreProblem])[] = [
  ['SQLITE_IOERR', 'storage-failed'],
  ['SQLITE_READONLY', 'storage-failed'],
  ['ERR_TLS_', 'tls-failed'],
];

/** The stable problem behind `error`, found in it or its causes; `failed` when none is known. */
export function storeProblem(error: unknown): StoreProblem {
  return findProblem(error, 0) ?? (isConnectionError(error) ? 'unreachable' : 'failed');
}

function findProblem(error: unknown, depth: number): StoreProblem | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const { code, name, cause } = error as { code?: unknown; name?: unknown; cause?: unknown };
  const known = problemOfCode(code) ?? problemOfCode(name);
  if (known) return known;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const problem = findProblem(inner, depth + 1);
      if (problem) return problem;
    }
  }
  return cause === error ? undefined : findProblem(cause, depth + 1);
}

function problemOfCode(code: unknown): StoreProblem | undefined {
  if (typeof code !== 'string') return undefined;
  return PROBLEM_BY_CODE.get(code) ?? PROBLEM_BY_PREFIX.find(([prefix]) => code.startsWith(prefix))?.[1];
}

/** Problems that mean a store cannot keep what it is given, whoever asks. */
export function isStorageProblem(problem: StoreProblem): boolean {
  return problem === 'storage-full' || problem === 'storage-failed';
}
