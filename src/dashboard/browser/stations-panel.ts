import type { PageReading } from './api-types.js';
import { fillReadingCells } from './latest-panel.js';
import type { PageText } from './page-text.js';

/**
 * `#stations`: a station's row takes each new reading of that station as it arrives. The rows are
 * the server's, one per configured station: a reading of a station not listed changes nothing.
 */
export function createStationsPanel(panel: HTMLElement, text: PageText) {
  const tbody = panel.querySelector('tbody') as HTMLTableSectionElement;
  return {
    update(reading: PageReading): void {
      if (typeof reading.station !== 'string') return;
      const row = Array.from(tbody.rows).find((r) => r.dataset.station === reading.station);
      if (row === undefined) return;
      fillReadingCells(row, reading, text);
      row.dataset.state = 'ok';
    },
  };
}

export type StationsPanel = ReturnType<typeof createStationsPanel>;
