// One set per process: the exit and signal handlers are installed once, whatever registers.
const cleanups = new Set<() => void>();

/**
 * Runs `cleanup` (synchronous: kill a child, remove a directory) when the process exits or gets
 * SIGINT/SIGTERM, so a failing or interrupted test leaves nothing behind. Returns the unregister.
 */
export function registerCleanup(cleanup: () => void): () => void {
  if (cleanups.size === 0) {
    process.on('exit', runCleanups);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size > 0) return;
    process.off('exit', runCleanups);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

function runCleanups(): void {
  for (const cleanup of cleanups) cleanup();
  cleanups.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  runCleanups();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.kill(process.pid, signal);
}
