import type { Reading } from '../../db/reading.js';
import { html, type SafeHtml } from './escape-html.js';
import { formatHumidity, formatTemperature, formatTime } from './format.js';
import { MESSAGES } from './messages.js';
import type { PageModel } from './page-model.js';
import { renderReadingsPanel } from './readings-panel.js';
import { sourceBadge } from './source-badge.js';

/** `#recent`: the original dashboard's table, `SELECT * FROM mediciones ORDER BY id DESC LIMIT 15`. */
export function renderRecent(model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  const newestFirst = [...(model.readings?.recent ?? [])].sort((a, b) => b.id - a.id);
  return renderReadingsPanel(
    {
      id: 'recent',
      title: messages.recentTitle,
      caption: messages.recentCaption,
      columns: [
        { label: messages.colId, numeric: true },
        { label: messages.colCity },
        { label: messages.colTemperature, numeric: true },
        { label: messages.colHumidity, numeric: true },
        { label: messages.colTakenAt },
        { label: messages.colSource },
      ],
      rows: newestFirst.map((reading) => recentRow(reading, model)),
    },
    model,
  );
}

function recentRow(reading: Reading, model: PageModel): SafeHtml {
  return html`<tr data-id="${reading.id}">
<th scope="row" class="num">${reading.id}</th>
<td>${reading.city}</td>
<td class="num">${formatTemperature(reading.temperature)}</td>
<td class="num">${formatHumidity(reading.humidity)}</td>
<td><time datetime="${reading.takenAt}">${formatTime(reading.takenAt, model)}</time></td>
<td>${sourceBadge(reading.source, model.lang)}</td>
</tr>
`;
}
