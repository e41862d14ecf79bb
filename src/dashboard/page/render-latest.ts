import { html, type SafeHtml } from './escape-html.js';
import { formatAge, formatHumidity, formatTemperature, formatTime } from './format.js';
import { MESSAGES } from './messages.js';
import type { LatestReading, PageModel } from './page-model.js';
import { HIDDEN, renderReadingsPanel } from './readings-panel.js';
import { sourceBadge } from './source-badge.js';

/**
 * `#latest`: one row per city (`tr[data-city]`), each cell named by `data-field`, so the page
 * script can update it in place. The section carries the strings the script needs to do so.
 */
export function renderLatest(model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  return renderReadingsPanel(
    {
      id: 'latest',
      title: messages.latestTitle,
      caption: messages.latestCaption,
      columns: [
        { label: messages.colCity },
        { label: messages.colTemperature, numeric: true },
        { label: messages.colHumidity, numeric: true },
        { label: messages.colTakenAt },
        { label: messages.colAge },
        { label: messages.colSource },
        { label: messages.colStatus },
      ],
      rows: (model.readings?.latest ?? []).map((reading) => latestRow(reading, model)),
    },
    model,
  );
}

function latestRow(reading: LatestReading, model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  return html`<tr data-city="${reading.city}" data-stale="${String(reading.stale)}">
<th scope="row" data-field="city">${reading.city}</th>
<td class="num" data-field="temperature">${formatTemperature(reading.temperature)}</td>
<td class="num" data-field="humidity">${formatHumidity(reading.humidity)}</td>
<td data-field="takenAt"><time datetime="${reading.takenAt}">${formatTime(reading.takenAt, model)}</time></td>
<td data-field="age">${formatAge(reading.ageSeconds, model.lang)}</td>
<td data-field="source">${sourceBadge(reading.source, model.lang)}</td>
<td data-field="stale"><span class="badge badge-stale"${reading.stale ? null : HIDDEN}>${messages.stale}</span></td>
</tr>
`;
}
