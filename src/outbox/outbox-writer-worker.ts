/**
 * The outbox writer's thread: commits the rows it is sent on a connection of its own, so the
 * inserts and the fsync never hold up the event loop that serves requests. The messages that
 * arrive together are committed in one transaction. Started by `startOutboxWriter`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { type OutboxRow, openOutbox } from './outbox.js';
import type { WriterReply, WriterRequest } from './outbox-writer.js';

const { path, maxRows } = workerData as { path: string; maxRows: number };
// Drops are counted and logged by the outbox that sent the rows, from the replies.
const outbox = openOutbox({ path, maxRows, clock: systemClock, logger: silentLogger });
let waiting: WriterRequest[] = [];

function flush(): void {
  const requests = waiting;
  waiting = [];
  let replies: WriterReply[];
  try {
    const groups = requests.map((request) => JSON.parse(request.groups) as OutboxRow[][]);
    const result = outbox.commitRows(
      groups.flat(),
      Math.max(...requests.map((request) => request.depthAtMost)),
    );
    let next = 0;
    replies = requests.map((request, index) => {
      const count = (groups[index] as OutboxRow[][]).length;
      const perGroup = result.perGroup.slice(next, next + count);
      next += count;
      // The whole commit's totals go with the first reply, so that they are counted once.
      const totals = index === 0 ? result : { appended: 0, dropped: 0 };
      return { id: request.id, result: { perGroup, appended: totals.appended, dropped: totals.dropped } };
    });
  } catch (error) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    const failure = { message: String(message), code: typeof code === 'string' ? code : undefined };
    replies = requests.map((request) => ({ id: request.id, error: failure }));
  }
  for (const reply of replies) parentPort?.postMessage(reply);
}

parentPort?.on('message', (request: WriterRequest) => {
  if (waiting.length === 0) setImmediate(flush);
  waiting.push(request);
});
