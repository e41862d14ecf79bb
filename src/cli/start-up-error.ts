/**
 * A start-up failure the operator fixes from one line of text (another process holds the port):
 * logged as that line alone, without a stack, which would only bury it.
 */
export class StartUpError extends Error {
  override readonly name = 'StartUpError';
}

/** Where a server listens, and the variables that say so. */
export interface ListenTarget {
  readonly host: string;
  readonly port: number;
  /** The variable that sets `port` (`PORT`, `SENSOR_PORT`). */
  readonly portVariable: string;
}

/**
 * Runs `listen`, turning the failures an operator can fix (port taken, port needing privileges,
 * an address this machine does not have) into a `StartUpError` naming the port and its variable.
 * Anything else is rethrown as it is.
 */
export async function listenOrExplain(listen: () => Promise<void>, target: ListenTarget): Promise<void> {
  try {
    await listen();
  } catch (error) {
    const message = explanation((error as NodeJS.ErrnoException).code, target);
    if (message === undefined) throw error;
    throw new StartUpError(message, { cause: error });
  }
}

function explanation(
  code: string | undefined,
  { host, port, portVariable }: ListenTarget,
): string | undefined {
  switch (code) {
    case 'EADDRINUSE':
      return `port ${port} (${portVariable}) is already in use on ${host}: stop the process listening there, or set ${portVariable} to a free port`;
    case 'EACCES':
      return `port ${port} (${portVariable}) needs privileges this user does not have: set ${portVariable} to a port above 1023`;
    case 'EADDRNOTAVAIL':
      return `${host} (HOST) is not an address of this machine: set HOST to one of its addresses, or 0.0.0.0`;
    default:
      return undefined;
  }
}
