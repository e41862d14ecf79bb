import type { Worker } from 'node:worker_threads';
import { startWorker } from '../core/start-worker.js';
import type { CommitResult, OutboxRow } from './outbox.js';

/**
 * Rows for the writer thread to commit, with the queue's depth at most before them. The groups go
 * as JSON text: a string crosses to the thread in one copy, where structured cloning a hundred
 * small arrays costs the event loop more than the JSON.
 */
export interface WriterRequest {
  readonly id: number;
  /** `OutboxRow[][]` as JSON. */
  readonly groups: string;
  readonly depthAtMost: number;
}

/** The writer thread's answer: what the commit did, or why it failed (the error's code kept). */
export type WriterReply =
  | { readonly id: number; readonly result: CommitResult }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string } };

/**
 * The outbox's inserts on a thread of their own (outbox-writer-worker.ts), on the same file: the
 * event loop only hands rows over. A thread that dies fails what it was committing (nothing
 * acknowledged was lost: those rows were never committed) and the next commit starts a new one.
 */
export function startOutboxWriter(options: { path: string; maxRows: number }) {
  const waiting = new Map<
    number,
    { resolve: (result: CommitResult) => void; reject: (error: Error) => void }
  >();
  const inFlight = new Set<Promise<CommitResult>>();
  let nextId = 0;
  let worker: Worker | undefined;

  function failAll(error: Error): void {
    for (const entry of waiting.values()) entry.reject(error);
    waiting.clear();
  }

  function running(): Worker {
    if (worker !== undefined) return worker;
    const started = startWorker('outbox-writer-worker', import.meta.url, options);
    started.on('message', (reply: WriterReply) => {
      const entry = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (waiting.size === 0) started.unref();
      if ('result' in reply) entry?.resolve(reply.result);
      else entry?.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
    started.on('error', (error) => {
      if (worker === started) worker = undefined;
      failAll(new Error(`the outbox writer failed: ${error.message}`, { cause: error }));
    });
    started.on('exit', () => {
      if (worker === started) worker = undefined;
      failAll(new Error('the outbox writer stopped'));
    });
    // It keeps the process alive only while it commits (the outbox's owner closes it); unref'd
    // after the listeners, which would hold it again.
    started.unref();
    worker = started;
    return started;
  }

  return {
    /** Commits the groups in one transaction; resolves once they are committed (fsynced). */
    commit(groups: readonly (readonly OutboxRow[])[], depthAtMost: number): Promise<CommitResult> {
      const id = nextId++;
      const request: WriterRequest = { id, groups: JSON.stringify(groups), depthAtMost };
      const committed = new Promise<CommitResult>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        const thread = running();
        thread.ref();
        thread.postMessage(request);
      });
      inFlight.add(committed);
      const settled = () => inFlight.delete(committed);
      committed.then(settled, settled);
      return committed;
    },
    /** Stops the thread once what it was given is committed. */
    async close(): Promise<void> {
      await Promise.allSettled([...inFlight]);
      await worker?.terminate();
      worker = undefined;
    },
  };
}

export type OutboxWriter = ReturnType<typeof startOutboxWriter>;
