import { html, type SafeHtml } from './escape-html.js';
import { formatAge, formatHumidity, formatTemperature, formatTime } from './format.js';
import { MESSAGES } from './messages.js';
import type { PageModel, StationLatest } from './page-model.js';
import { type Column, HIDDEN } from './readings-panel.js';
import { sourceBadge } from './source-badge.js';

/** Where a station's history is: the API's last day of its readings, newest first. */
function stationHistoryHref(name: string): string {
  return `/api/stations/${encodeURIComponent(name)}/readings`;
}

/**
 * `#stations`, beside the cities' panel: one row per configured station (`tr[data-station]`) with
 * its city, its newest reading and a link to its history. Nothing at all when no station is
 * configured, so such a page is exactly as before stations existed.
 */
export function renderStations(model: PageModel): SafeHtml | null {
  const { stations } = model;
  if (stations === undefined || (stations !== 'unavailable' && stations.length === 0)) return null;
  const messages = MESSAGES[model.lang];
  const state = stations === 'unavailable' ? 'unavailable' : 'ok';
  const columns: readonly Column[] = [
    { label: messages.colStation },
    { label: messages.colCity },
    { label: messages.colTemperature, numeric: true },
    { label: messages.colHumidity, numeric: true },
    { label: messages.colTakenAt },
    { label: messages.colAge },
    { label: messages.colSource },
    { label: messages.colHistory },
  ];
  return html`<section id="stations" class="panel panel-stations" aria-labelledby="stations-title" data-state="${state}">
<h2 id="stations-title">${messages.stationsTitle}</h2>
<p class="empty-state" data-role="empty"${state === 'ok' ? HIDDEN : null}>${messages.readingsUnavailable}</p>
<div class="table-scroll" role="region" tabindex="0" aria-labelledby="stations-caption"${state === 'ok' ? null : HIDDEN}>
<table>
<caption id="stations-caption">${messages.stationsCaption}</caption>
<thead><tr>${columns.map((column) => html`<th scope="col"${column.numeric ? html` class="num"` : null}>${column.label}</th>`)}</tr></thead>
<tbody>
${stations === 'unavailable' ? null : stations.map((station) => stationRow(station, model))}
</tbody>
</table>
</div>
</section>`;
}

function stationRow({ name, city, latest }: StationLatest, model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  const history = html`<td data-field="history"><a href="${stationHistoryHref(name)}">${messages.stationHistory}</a></td>`;
  // A station that has sent nothing yet has the same cells, empty, for the script to fill.
  if (latest === undefined) {
    return html`<tr data-station="${name}" data-state="empty">
<th scope="row" data-field="station">${name}</th>
<td data-field="city">${city}</td>
<td class="num" data-field="temperature"></td>
<td class="num" data-field="humidity"></td>
<td data-field="takenAt"><time></time></td>
<td data-field="age">${messages.noStationReading}</td>
<td data-field="source"><span class="badge badge-source"${HIDDEN}></span></td>
${history}
</tr>
`;
  }
  return html`<tr data-station="${name}" data-state="ok" data-stale="${String(latest.stale)}">
<th scope="row" data-field="station">${name}</th>
<td data-field="city">${city}</td>
<td class="num" data-field="temperature">${formatTemperature(latest.temperature)}</td>
<td class="num" data-field="humidity">${formatHumidity(latest.humidity)}</td>
<td data-field="takenAt"><time datetime="${latest.takenAt}">${formatTime(latest.takenAt, model)}</time></td>
<td data-field="age">${formatAge(latest.ageSeconds, model.lang)}</td>
<td data-field="source">${sourceBadge(latest.source, model.lang)}</td>
${history}
</tr>
`;
}
