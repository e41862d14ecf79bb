/**
 * Answers of a Galera cluster that mean "not now, not here" rather than "the database is gone":
 * a write that lost certification to a conflicting write on another node comes back as a deadlock
 * (ER_LOCK_DEADLOCK, 1213, even on a commit that took no lock), and a node that is joining or has
 * lost quorum refuses statements with "WSREP has not yet prepared node for application use"
 * (ER_UNKNOWN_COM_ERROR, 1047). Both are worth trying again at once, on another connection: the
 * proxy sends a new connection to the next node, which answers.
 */
const GALERA_TRANSIENT_ERRNOS = new Set([1213, 1047]);

/**
 * A session that was open and broke under a statement (its node was killed, or its link cut):
 * unlike a refused connection, it says nothing about the other nodes, so another connection may
 * well be answered.
 */
const LOST_SESSION_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE']);

/** True for Galera's transient answers (certification conflict, node not ready), through causes. */
export function isGaleraTransient(error: unknown): boolean {
  return some(error, ({ errno }) => typeof errno === 'number' && GALERA_TRANSIENT_ERRNOS.has(errno));
}

/** True for a node that refuses statements until it has joined, or while it has no quorum. */
export function isNodeNotReady(error: unknown): boolean {
  return (error as { errno?: unknown } | null)?.errno === 1047;
}

/** True when the error may be answered by trying once more on a fresh connection. */
export function isWorthAnotherConnection(error: unknown): boolean {
  return isGaleraTransient(error) || some(error, isLostSession);
}

/**
 * A session that broke: reset or lost, killed on the server (ER_CONNECTION_KILLED, 1927), or
 * already closed under the client (mysql2's fatal error without a code).
 */
function isLostSession({
  code,
  errno,
  fatal,
}: {
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
}): boolean {
  if (typeof code === 'string') return LOST_SESSION_CODES.has(code) || errno === 1927;
  return fatal === true;
}

/** Whether `test` holds for the error or any error in its `cause` chain. */
function some(
  error: unknown,
  test: (fields: { errno?: unknown; code?: unknown; fatal?: unknown }) => boolean,
): boolean {
  const seen = new Set<unknown>();
  for (let current = error; typeof current === 'object' && current !== null; ) {
    if (seen.has(current)) return false;
    seen.add(current);
    if (test(current as { errno?: unknown; code?: unknown; fatal?: unknown })) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
