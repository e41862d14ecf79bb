import { formatAge } from '../page/format.js';
import { fill } from '../page/messages.js';
import { createAlertsBanner } from './alerts-banner.js';
import type { PageReading, PageStatus } from './api-types.js';
import { isNumber, type PageText } from './page-text.js';
import { sourceText } from './source-text.js';

export interface StatusStrip {
  readonly staleAfterS: number;
  /** The freshness chips' ages, as time passes. */
  tick(): void;
  reading(reading: PageReading): void;
  latest(readings: readonly PageReading[]): void;
  /** A `status` event, or /api/status while polling. */
  status(status: PageStatus | undefined): void;
}

const OPEN_METEO_TEXT = { up: 'openMeteoUp', down: 'openMeteoDown', unused: 'openMeteoUnused' } as const;

/** The header's strip beyond `#db-status`: Open-Meteo, the outbox, freshness per city, sources, and the alerts above it. */
export function createStatusStrip(text: PageText): StatusStrip {
  const messages = text.messages;
  const weather = document.getElementById('weather-status');
  const outbox = document.getElementById('outbox-depth');
  const storage = document.getElementById('storage-status');
  const dbProblem = document.getElementById('db-status')?.querySelector<HTMLElement>('[data-role="problem"]');
  const freshness = document.getElementById('freshness');
  const sources = document.getElementById('source-status');
  const staleAfterS = (freshness && Number(freshness.dataset.staleAfterS)) || 45;
  const numberFormat = new Intl.NumberFormat(text.lang);
  const latestSource = new Map<string, string>();
  const alerts = createAlertsBanner(text);

  const chips = () => Array.from(freshness?.querySelectorAll<HTMLElement>('li') ?? []);
  const part = (element: Element, selector: string) => element.querySelector(selector) as HTMLElement;

  function tick(): void {
    for (const li of chips()) {
      const takenAt = Date.parse(li.dataset.takenAt || '');
      if (!Number.isFinite(takenAt)) continue;
      const ageS = Math.max(0, (Date.now() - takenAt) / 1000);
      part(li, '[data-role="age"]').textContent = formatAge(ageS, text.lang);
      const stale = ageS > staleAfterS;
      li.dataset.stale = String(stale);
      part(li, '.badge-stale').hidden = !stale;
    }
  }

  function showSources(): void {
    if (!sources) return;
    const box = part(sources, '[data-role="sources"]');
    box.textContent = '';
    for (const source of Array.from(new Set(latestSource.values())).sort()) {
      const badge = document.createElement('span');
      badge.className = 'badge badge-source';
      badge.dataset.source = String(source);
      badge.textContent = sourceText(source, text);
      box.append(badge);
    }
  }

  function reading(pushed: PageReading): void {
    const li = chips().find((chip) => chip.dataset.city === pushed.city);
    if (li) {
      const previous = Date.parse(li.dataset.takenAt || '');
      if (!(Date.parse(pushed.takenAt) < previous)) li.dataset.takenAt = String(pushed.takenAt);
    }
    latestSource.set(pushed.city, pushed.source);
    showSources();
    tick();
  }

  return {
    staleAfterS,
    tick,
    reading,
    latest(readings) {
      for (const each of readings) reading(each);
    },
    status(status) {
      if (!status) return;
      alerts.show(status.alerts);
      const openMeteo = status.openMeteo;
      if (weather && openMeteo) {
        const state = openMeteo.status === 'up' || openMeteo.status === 'unused' ? openMeteo.status : 'down';
        weather.dataset.state = state;
        part(weather, '[data-role="text"]').textContent = messages[OPEN_METEO_TEXT[state]];
        part(weather, '[data-role="calls"]').textContent = fill(messages.openMeteoCalls, {
          calls: numberFormat.format(Number(openMeteo.callsToday) || 0),
          budget: numberFormat.format(Number(weather.dataset.budget) || 0),
        });
      }
      if (outbox) {
        const box = status.outbox;
        outbox.hidden = !box;
        if (box) {
          const known = box.reachable !== false && isNumber(box.depth);
          part(outbox, '[data-role="text"]').textContent = known
            ? fill(messages.outboxDepth, { n: box.depth as number })
            : messages.outboxUnknown;
          outbox.dataset.state = known ? 'known' : 'unknown';
        }
      }
      if (dbProblem && status.database && 'problem' in status.database) {
        const problem = status.database.problem ? status.database.problem[text.lang] : '';
        dbProblem.hidden = !problem;
        dbProblem.textContent = problem || '';
      }
      if (storage && 'storage' in status) {
        const shown = status.storage ? status.storage[text.lang] : undefined;
        storage.hidden = !shown;
        if (shown) part(storage, '[data-role="text"]').textContent = shown;
      }
    },
  };
}
