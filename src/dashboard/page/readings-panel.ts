import { html, SafeHtml } from './escape-html.js';
import { formatTime } from './format.js';
import { fill, MESSAGES } from './messages.js';
import type { PageModel } from './page-model.js';

export const HIDDEN = new SafeHtml(' hidden');

export interface Column {
  readonly label: string;
  readonly numeric?: boolean;
}

/** One of the two panels of stored readings (`#latest`, `#recent`); they share every state. */
export interface ReadingsPanel {
  readonly id: 'latest' | 'recent';
  readonly title: string;
  readonly caption: string;
  readonly columns: readonly Column[];
  readonly rows: readonly SafeHtml[];
}

/**
 * The panel's `data-state` is `ok`, `empty` (no readings yet) or `unavailable` (the dashboard
 * holds no readings at all); `data-stale="true"` when the rows are the last values held while
 * the database is down. The table is always rendered, hidden when empty, so the script can fill
 * it in place.
 */
export function renderReadingsPanel(panel: ReadingsPanel, model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  const { readings } = model;
  const state = readings === undefined ? 'unavailable' : panel.rows.length === 0 ? 'empty' : 'ok';
  const stale = readings?.fromCache === true;
  const staleNote =
    readings && stale
      ? fill(messages.fromCache, { time: formatTime(readings.fetchedAt, model, 'minutes') })
      : '';
  return html`<section id="${panel.id}" class="panel panel-${panel.id}" aria-labelledby="${panel.id}-title" data-state="${state}" data-stale="${String(stale)}"${readings ? html` data-fetched-at="${readings.fetchedAt.toISOString()}"` : null}>
<h2 id="${panel.id}-title">${panel.title}</h2>
<p class="panel-note" data-role="stale-note"${stale ? null : HIDDEN}>${staleNote}</p>
<p class="empty-state" data-role="empty"${state === 'ok' ? HIDDEN : null}>${state === 'unavailable' ? messages.readingsUnavailable : messages.noReadings}</p>
<div class="table-scroll" role="region" tabindex="0" aria-labelledby="${panel.id}-caption"${state === 'ok' ? null : HIDDEN}>
<table>
<caption id="${panel.id}-caption">${panel.caption}</caption>
<thead><tr>${panel.columns.map((column) => html`<th scope="col"${column.numeric ? html` class="num"` : null}>${column.label}</th>`)}</tr></thead>
<tbody>
${panel.rows}
</tbody>
</table>
</div>
</section>`;
}
