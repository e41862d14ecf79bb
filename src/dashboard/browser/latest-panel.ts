import { formatAge } from '../page/format.js';
import { fill } from '../page/messages.js';
import type { PageReading } from './api-types.js';
import { humidityText, type PageText, temperatureText } from './page-text.js';
import { sourceText } from './source-text.js';

const LATEST_FIELDS = ['temperature', 'humidity', 'takenAt', 'age', 'source', 'stale'] as const;

export interface LatestPanel {
  /** One new reading of a city: its row only, the others stay. */
  update(reading: PageReading): void;
  show(readings: readonly unknown[]): void;
  markStale(): void;
}

/**
 * A reading's cells in a row of `#latest` or `#stations` (`[data-field]`): temperature, humidity,
 * time taken, age and source badge.
 */
export function fillReadingCells(row: HTMLTableRowElement, reading: PageReading, text: PageText): void {
  const cell = (field: string) => row.querySelector(`[data-field="${field}"]`) as HTMLElement;
  cell('temperature').textContent = temperatureText(reading.temperature);
  cell('humidity').textContent = humidityText(reading.humidity);
  const time = cell('takenAt').querySelector('time') as HTMLTimeElement;
  time.dateTime = String(reading.takenAt);
  time.textContent = text.time(reading.takenAt, 'seconds');
  cell('age').textContent = formatAge(reading.ageSeconds ?? 0, text.lang);
  const source = cell('source').querySelector('.badge') as HTMLElement;
  source.dataset.source = String(reading.source);
  source.textContent = sourceText(reading.source, text);
  source.hidden = false;
}

/** `#latest`: one row a city, kept in place as readings arrive. */
export function createLatestPanel(panel: HTMLElement, text: PageText): LatestPanel {
  const tbody = panel.querySelector('tbody') as HTMLTableSectionElement;
  const tableBox = panel.querySelector('.table-scroll') as HTMLElement;
  const note = panel.querySelector('[data-role="stale-note"]') as HTMLElement;
  const empty = panel.querySelector('[data-role="empty"]') as HTMLElement;
  const messages = text.messages;

  function createRow(city: string): HTMLTableRowElement {
    const row = document.createElement('tr');
    row.dataset.city = city;
    const header = document.createElement('th');
    header.scope = 'row';
    header.dataset.field = 'city';
    row.append(header);
    for (const field of LATEST_FIELDS) {
      const cell = document.createElement('td');
      cell.dataset.field = field;
      if (field === 'temperature' || field === 'humidity') cell.className = 'num';
      if (field === 'takenAt') cell.append(document.createElement('time'));
      if (field === 'source' || field === 'stale') {
        const badge = document.createElement('span');
        badge.className = field === 'source' ? 'badge badge-source' : 'badge badge-stale';
        if (field === 'stale') badge.textContent = messages.stale;
        cell.append(badge);
      }
      row.append(cell);
    }
    tbody.append(row);
    return row;
  }

  function updateRow(row: HTMLTableRowElement, reading: PageReading): void {
    const cell = (field: string) => row.querySelector(`[data-field="${field}"]`) as HTMLElement;
    cell('city').textContent = reading.city;
    fillReadingCells(row, reading, text);
    const stale = reading.stale === true;
    row.dataset.stale = String(stale);
    (cell('stale').querySelector('.badge') as HTMLElement).hidden = !stale;
  }

  const rowOf = (city: string) => Array.from(tbody.rows).find((r) => r.dataset.city === city);

  return {
    update(reading) {
      updateRow(rowOf(reading.city) ?? createRow(reading.city), reading);
      panel.dataset.state = 'ok';
      panel.dataset.stale = 'false';
      note.hidden = true;
      tableBox.hidden = false;
      empty.hidden = true;
    },
    show(readings) {
      const rows = new Map(Array.from(tbody.rows, (row) => [row.dataset.city, row]));
      const seen = new Set<string>();
      for (const reading of readings as PageReading[]) {
        if (!reading || typeof reading.city !== 'string') continue;
        seen.add(reading.city);
        updateRow(rows.get(reading.city) ?? createRow(reading.city), reading);
      }
      for (const [city, row] of rows) if (city === undefined || !seen.has(city)) row.remove();
      const hasRows = tbody.rows.length > 0;
      panel.dataset.state = hasRows ? 'ok' : 'empty';
      panel.dataset.stale = 'false';
      panel.dataset.fetchedAt = new Date().toISOString();
      note.hidden = true;
      tableBox.hidden = !hasRows;
      empty.hidden = hasRows;
      if (!hasRows) empty.textContent = messages.noReadings;
    },
    markStale() {
      if (panel.dataset.state !== 'ok') return;
      panel.dataset.stale = 'true';
      const fetchedAt = panel.dataset.fetchedAt;
      note.textContent = fill(messages.fromCache, {
        time: fetchedAt ? text.time(fetchedAt, 'minutes') : '—',
      });
      note.hidden = false;
    },
  };
}
