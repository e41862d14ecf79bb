/** One Server-Sent Event as a browser's EventSource would see it. */
export interface SseEvent {
  readonly event: string;
  readonly id: string | undefined;
  readonly data: string;
  /** `Date.now()` when the event arrived. */
  readonly receivedAt: number;
}

/**
 * A test's EventSource: `fetch` reading the body stream, every event kept in `events`. `inject`
 * cannot hold a stream open, so the tests that use this run a real listening dashboard.
 */
export async function openSse(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  if (!response.body) throw new Error(`no body from ${url} (${response.status})`);
  const events: SseEvent[] = [];
  let comments = 0;
  let waiters: (() => void)[] = [];
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = { event: 'message', id: undefined as string | undefined, data: [] as string[] };
          let dataLines = 0;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments++;
            else if (line.startsWith('event: ')) fields.event = line.slice(7);
            else if (line.startsWith('id: ')) fields.id = line.slice(4);
            else if (line.startsWith('data: ')) {
              fields.data.push(line.slice(6));
              dataLines++;
            }
          }
          if (dataLines > 0)
            events.push({
              event: fields.event,
              id: fields.id,
              data: fields.data.join('\n'),
              receivedAt: Date.now(),
            });
          for (const wake of waiters) wake();
          waiters = [];
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Aborted by close(): the stream simply ends.
    }
  })();

  return {
    status: response.status,
    headers: response.headers,
    events,
    comments: () => comments,
    /** The first event (already received or still to come) that `match` accepts. */
    async waitFor(match: (event: SseEvent) => boolean, timeoutMs: number): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    /** Resolves when the server ends the stream. */
    ended,
    close(): void {
      controller.abort();
    },
  };
}

export type SseClient = Awaited<ReturnType<typeof openSse>>;
