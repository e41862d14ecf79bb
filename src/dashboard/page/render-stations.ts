import { html, type SafeHtml } from './escape-html.js';
import { formatAge, formatHumidity, formatTemperature, formatTime } from './format.js';
import { fill, MESSAGES } from './messages.js';
import type { PageModel, StationLatest } from './page-model.js';
import { pageQuery } from './page-query.js';
import { type Column, HIDDEN, renderPanel } from './readings-panel.js';
import { sourceBadge } from './source-badge.js';
import { stationHistoryHref } from './station-href.js';

/**
 * `#stations`, beside the cities' panel: one row per configured station (`tr[data-station]`) with
 * its city, its newest reading, a link to its charts (this page, in the station view) and one to
 * its history in the API. Nothing at all when no station is configured, so such a page is exactly
 * as before stations existed.
 */
export function renderStations(model: PageModel): SafeHtml | null {
  const { stations } = model;
  if (stations === undefined || (stations !== 'unavailable' && stations.length === 0)) return null;
  const messages = MESSAGES[model.lang];
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
  const panel = {
    id: 'stations' as const,
    title: messages.stationsTitle,
    caption: messages.stationsCaption,
    columns,
    rows: stations === 'unavailable' ? [] : stations.map((station) => stationRow(station, model)),
  };
  return renderPanel(panel, model, stations === 'unavailable' ? 'unavailable' : 'ok');
}

/**
 * The station's charts: this page in the station view, at the charts, keeping the language and
 * range. `aria-current` on the station shown; the script keeps both current as the view changes.
 */
function chartLink(name: string, model: PageModel): SafeHtml {
  const query = pageQuery({ ...model, chartView: 'station', selectedStation: name });
  const shown = model.chartView === 'station' && model.selectedStation === name;
  const label = fill(MESSAGES[model.lang].stationChartOf, { station: name });
  return html`<a data-role="station-chart" data-station="${name}" href="?${query}#charts" aria-label="${label}"${shown ? html` aria-current="true"` : null}>${MESSAGES[model.lang].stationChart}</a>`;
}

function stationRow({ name, city, latest }: StationLatest, model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  const history = html`<td data-field="history">${chartLink(name, model)} · <a data-role="station-history" href="${stationHistoryHref(name)}">${messages.stationHistory}</a></td>`;
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
