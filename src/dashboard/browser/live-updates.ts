import { isReading, type PageReading, type PageStatus } from './api-types.js';
import type { ChartsHandle } from './charts.js';
import type { DatabaseStatus } from './database-status.js';
import { getJson } from './get-json.js';
import type { LatestPanel } from './latest-panel.js';
import type { RecentPanel } from './recent-panel.js';
import type { StationsPanel } from './stations-panel.js';
import type { StatusStrip } from './status-strip.js';

export interface LiveParts {
  readonly latest: LatestPanel;
  readonly stations?: StationsPanel;
  readonly recent: RecentPanel | undefined;
  readonly database: DatabaseStatus;
  readonly strip: StatusStrip;
  readonly charts: ChartsHandle | undefined;
}

/** A reading's age now, in seconds, as the page works it out for one the API did not age. */
const ageNow = (reading: PageReading): number =>
  Math.max(0, (Date.now() - Date.parse(reading.takenAt)) / 1000);

/**
 * /api/latest and /api/status every interval (and /api/stations when the page lists stations):
 * the page's fallback while the stream is unavailable.
 */
function createPoller({ latest, stations, database, strip }: LiveParts, intervalMs: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  async function refresh(): Promise<void> {
    if (document.hidden) return;
    let answer: Awaited<ReturnType<typeof getJson>>;
    try {
      answer = await getJson('/api/latest', intervalMs);
    } catch {
      // The dashboard itself is unreachable: the values are old, but that says nothing of the db.
      latest.markStale();
      return;
    }
    const readings = (answer.body as { readings?: unknown } | undefined)?.readings;
    if (answer.status === 503) {
      database.down();
      latest.markStale();
    } else if (answer.status === 200 && Array.isArray(readings)) {
      database.up();
      latest.show(readings);
      strip.latest(readings.filter(isReading));
    } else {
      latest.markStale();
    }
    try {
      const status = await getJson('/api/status', intervalMs);
      if (status.status === 200) strip.status(status.body as PageStatus);
    } catch {
      // The strip keeps what it showed; the next round asks again.
    }
    if (stations === undefined) return;
    try {
      const answer = await getJson('/api/stations', intervalMs);
      const listed = (answer.body as { stations?: unknown } | undefined)?.stations;
      if (answer.status !== 200 || !Array.isArray(listed)) return;
      for (const station of listed as { latest?: unknown }[]) {
        if (isReading(station?.latest))
          stations.update({ ...station.latest, ageSeconds: ageNow(station.latest) });
      }
    } catch {
      // The rows keep what they showed; the next round asks again.
    }
  }
  const loop = async () => {
    await refresh();
    if (running) timer = setTimeout(loop, intervalMs);
  };
  return {
    start() {
      if (running) return;
      running = true;
      timer = setTimeout(loop, intervalMs);
    },
    stop() {
      running = false;
      clearTimeout(timer);
    },
  };
}

/**
 * New readings and status pushed by /api/stream. EventSource reconnects by itself (resuming with
 * Last-Event-ID); while it is not connected the page polls, and when the browser gives up on the
 * stream (an error status) it tries the stream again after a while.
 */
export function startLive(parts: LiveParts, intervalMs: number): void {
  const { latest, stations, recent, database, strip, charts } = parts;
  const poller = createPoller(parts, intervalMs);
  if (typeof EventSource !== 'function') {
    poller.start();
    return;
  }
  const onReading = (reading: unknown) => {
    if (!isReading(reading)) return;
    const ageSeconds = ageNow(reading);
    latest.update({ ...reading, ageSeconds, stale: ageSeconds > strip.staleAfterS });
    stations?.update({ ...reading, ageSeconds });
    recent?.add(reading);
    strip.reading(reading);
    charts?.addReading(reading);
  };
  const onStatus = (status: unknown) => {
    const pushed = status as PageStatus | undefined;
    strip.status(pushed);
    if (!pushed?.database) return;
    if (pushed.database.status === 'down') {
      database.down(pushed.database.since);
      latest.markStale();
    } else {
      database.up();
    }
  };
  const parsed = (handler: (data: unknown) => void) => (event: Event) => {
    let data: unknown;
    try {
      data = JSON.parse((event as MessageEvent<string>).data);
    } catch {
      return;
    }
    handler(data);
  };
  const connect = () => {
    const source = new EventSource('/api/stream');
    // How the page is kept current, on <body data-live>: what a tester or a curious operator looks at.
    source.addEventListener('open', () => {
      poller.stop();
      document.body.dataset.live = 'stream';
    });
    source.addEventListener('reading', parsed(onReading));
    source.addEventListener('status', parsed(onStatus));
    source.addEventListener('error', () => {
      poller.start();
      document.body.dataset.live = 'poll';
      if (source.readyState === EventSource.CLOSED) {
        latest.markStale();
        setTimeout(connect, 4 * intervalMs);
      }
    });
  };
  connect();
}
