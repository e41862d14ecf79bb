import type { PageReading } from './api-types.js';
import { humidityText, isNumber, type PageText, temperatureText } from './page-text.js';
import { sourceText } from './source-text.js';

const RECENT_ROWS = 15;

export interface RecentPanel {
  add(reading: PageReading): void;
}

/** `#recent`, the paper's last-15 table: a pushed reading goes on top, the 16th row goes. */
export function createRecentPanel(panel: HTMLElement, text: PageText): RecentPanel {
  const tbody = panel.querySelector('tbody') as HTMLTableSectionElement;
  const cell = (content: string, className?: string) => {
    const td = document.createElement('td');
    if (className) td.className = className;
    td.textContent = content;
    return td;
  };
  return {
    add(reading) {
      const id = reading.id;
      if (!isNumber(id)) return;
      if (Array.from(tbody.rows).some((row) => Number(row.dataset.id) >= id)) return;
      const row = document.createElement('tr');
      row.dataset.id = String(id);
      const header = document.createElement('th');
      header.scope = 'row';
      header.className = 'num';
      header.textContent = String(id);
      const timeCell = cell('');
      const time = document.createElement('time');
      time.dateTime = String(reading.takenAt);
      time.textContent = text.time(reading.takenAt, 'seconds');
      timeCell.append(time);
      const sourceCell = cell('');
      const badge = document.createElement('span');
      badge.className = 'badge badge-source';
      badge.dataset.source = String(reading.source);
      badge.textContent = sourceText(reading.source, text);
      sourceCell.append(badge);
      row.append(
        header,
        cell(String(reading.city)),
        cell(temperatureText(reading.temperature), 'num'),
        cell(humidityText(reading.humidity), 'num'),
        timeCell,
        sourceCell,
      );
      tbody.prepend(row);
      while (tbody.rows.length > RECENT_ROWS) tbody.rows[tbody.rows.length - 1]?.remove();
      panel.dataset.state = 'ok';
      (panel.querySelector('.table-scroll') as HTMLElement).hidden = false;
      (panel.querySelector('[data-role="empty"]') as HTMLElement).hidden = true;
    },
  };
}
