/**
 * Commits made in the same turn of the event loop, taken together: `commit(groups)` runs once for
 * all of them (one transaction, one fsync) on the next turn, and each caller's promise settles
 * with its own group's result, or with the shared error when the commit fails. Under load, the
 * requests whose bodies arrived together share one fsync instead of queueing for one each.
 */
export function createGroupCommit<T, R>(commit: (groups: readonly T[]) => readonly R[]) {
  let waiting: { group: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];

  function flush(): void {
    const batch = waiting;
    waiting = [];
    let results: readonly R[];
    try {
      results = commit(batch.map((entry) => entry.group));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    for (const [index, entry] of batch.entries()) entry.resolve(results[index] as R);
  }

  return (group: T): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ group, resolve, reject });
    });
}
