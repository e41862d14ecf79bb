import { html, SafeHtml } from './escape-html.js';
import { formatTime } from './format.js';
import { fill, MESSAGES } from './messages.js';
import type { PageModel } from './page-model.js';

export const HIDDEN = new SafeHtml(' hidden');

export interface Column {
  readonly label: string;
  readonly numeric?: boolean;
}

/** A panel of stored readings (`#latest`, `#recent`, `#stations`): a titled table and its notes. */
export interface ReadingsPanel {
  readonly id: 'latest' | 'recent' | 'stations';
  readonly title: string;
  readonly caption: string;
  readonly columns: readonly Column[];
  readonly rows: readonly SafeHtml[];
}

/** What a panel shows: its rows, none yet, or none because the database could not be asked. */
export type PanelState = 'ok' | 'empty' | 'unavailable';

/**
 * A panel of the readings the page holds (`model.readings`): `unavailable` when it holds none,
 * `empty` when it holds no row for this panel.
 */
export function renderReadingsPanel(panel: ReadingsPanel, model: PageModel): SafeHtml {
  const { readings } = model;
  const state = readings === undefined ? 'unavailable' : panel.rows.length === 0 ? 'empty' : 'ok';
  return renderPanel(panel, model, state, readings);
}

/**
 * The panel's `data-state` is `state`; `data-stale="true"` when the rows are the last values
 * `held` while the database is down. The table is always rendered, hidden unless `ok`, so the
 * script can fill it in place.
 */
export function renderPanel(
  panel: ReadingsPanel,
  model: PageModel,
  state: PanelState,
  held?: { readonly fromCache: boolean; readonly fetchedAt: Date },
): SafeHtml {
  const messages = MESSAGES[model.lang];
  const stale = held?.fromCache === true;
  const staleNote =
    held && stale ? fill(messages.fromCache, { time: formatTime(held.fetchedAt, model, 'minutes') }) : '';
  return html`<section id="${panel.id}" class="panel panel-${panel.id}" aria-labelledby="${panel.id}-title" data-state="${state}" data-stale="${String(stale)}"${held ? html` data-fetched-at="${held.fetchedAt.toISOString()}"` : null}>
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
