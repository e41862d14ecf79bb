import { csvHref } from './csv-href.js';
import { html, type SafeHtml } from './escape-html.js';
import { MESSAGES, type MessageKey } from './messages.js';
import type { PageModel } from './page-model.js';
import { HIDDEN } from './readings-panel.js';

/** The chart ranges, as `data-range` values, in seconds. */
export const CHART_RANGES: readonly {
  readonly id: string;
  readonly seconds: number;
  readonly label: MessageKey;
}[] = [
  { id: '1h', seconds: 3_600, label: 'range1h' },
  { id: '24h', seconds: 86_400, label: 'range24h' },
  { id: '7d', seconds: 7 * 86_400, label: 'range7d' },
  { id: '30d', seconds: 30 * 86_400, label: 'range30d' },
];
/** The range shown when the address names none (or one the page does not offer). */
export const DEFAULT_RANGE = '24h';

/**
 * `#charts`: the controls (city, range, one city or all) are plain form controls, so the keyboard
 * works as everywhere, set as the page's address asked; the script draws into the empty `.chart`
 * boxes and points the CSV link at the range shown.
 */
export function renderCharts(model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  const range = CHART_RANGES.find((r) => r.id === model.chartRange) ?? { seconds: 86_400 };
  const view = model.chartView;
  const options = model.cities.map(
    (city) =>
      html`<option value="${city.name}"${city.name === model.selectedCity ? html` selected` : null}>${city.name}</option>`,
  );
  const ranges = CHART_RANGES.map(
    (r) =>
      html`<label class="chip"><input type="radio" name="chart-range" value="${r.id}" data-seconds="${r.seconds}"${r.id === model.chartRange ? html` checked` : null}> ${messages[r.label]}</label>`,
  );
  return html`<section id="charts" class="panel panel-charts" aria-labelledby="charts-title" data-state="loading">
<h2 id="charts-title">${messages.chartsTitle}</h2>
<form class="chart-controls" aria-label="${messages.chartsControls}">
<div class="control"><label for="chart-city">${messages.cityLabel}</label>
<select id="chart-city" name="chart-city">
${options}
</select></div>
<fieldset class="control"><legend>${messages.rangeLabel}</legend>${ranges}</fieldset>
<fieldset class="control"><legend>${messages.viewLabel}</legend><label class="chip"><input type="radio" name="chart-view" value="city"${view === 'city' ? html` checked` : null}> ${messages.viewCity}</label><label class="chip"><input type="radio" name="chart-view" value="compare"${view === 'compare' ? html` checked` : null}> ${messages.viewCompare}</label></fieldset>
</form>
<p class="chart-note" data-role="chart-note" aria-live="polite">${messages.chartsNeedScript}</p>
<p class="chart-zoom" data-role="chart-zoom"${HIDDEN}><span>${messages.chartsZoomHint}</span> <button type="button" data-role="reset-zoom"${HIDDEN}>${messages.chartsResetZoom}</button></p>
<div class="chart-views">
<figure class="chart-figure" data-view="city"${view === 'city' ? null : HIDDEN}><figcaption>${messages.chartTemperature}</figcaption><div id="chart-temperature" class="chart" data-unit="°C" data-precision="0.1"></div></figure>
<figure class="chart-figure" data-view="city"${view === 'city' ? null : HIDDEN}><figcaption>${messages.chartHumidity}</figcaption><div id="chart-humidity" class="chart" data-unit="%" data-precision="1" data-min="0" data-max="100"></div></figure>
<figure class="chart-figure" data-view="compare"${view === 'compare' ? null : HIDDEN}><figcaption>${messages.chartCompare}</figcaption><div id="chart-compare" class="chart" data-unit="°C" data-precision="0.1"></div></figure>
</div>
<p class="chart-download"><a id="csv-link" href="${csvHref(view === 'compare' ? undefined : model.selectedCity, model.now, range.seconds)}" download>${messages.downloadCsv}</a></p>
</section>`;
}
