import { csvHref } from './csv-href.js';
import { html, type SafeHtml } from './escape-html.js';
import { MESSAGES, type MessageKey } from './messages.js';
import type { ChartView, PageModel } from './page-model.js';
import { HIDDEN } from './readings-panel.js';
import { stationHistoryHref } from './station-href.js';

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
 * `data-view`: the views an element of `#charts` belongs to; hidden in the others. The script
 * shows and hides the same as the view changes.
 */
function inViews(views: readonly ChartView[], view: ChartView): SafeHtml {
  return html` data-view="${views.join(' ')}"${views.includes(view) ? null : HIDDEN}`;
}

/**
 * `#charts`: the controls (city, station, range, one city, all cities or one station) are plain
 * form controls, so the keyboard works as everywhere, set as the page's address asked; the
 * script draws into the empty `.chart` boxes and points the download link at the range shown.
 * The station picker and view exist only when stations are configured; a station's charts are
 * the city's two boxes, drawn from the station's readings.
 */
export function renderCharts(model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  const range = CHART_RANGES.find((r) => r.id === model.chartRange) ?? { seconds: 86_400 };
  const view = model.chartView;
  const stations = model.configuredStations ?? [];
  const stationOptions = stations.map(
    (station) =>
      html`<option value="${station.name}"${station.name === model.selectedStation ? html` selected` : null}>${station.name} (${station.city})</option>`,
  );
  const stationControl =
    stations.length === 0
      ? null
      : html`<div class="control"${inViews(['station'], view)}><label for="chart-station">${messages.stationLabel}</label>
<select id="chart-station" name="chart-station">
${stationOptions}
</select></div>
`;
  const stationView =
    stations.length === 0
      ? null
      : html`<label class="chip"><input type="radio" name="chart-view" value="station"${view === 'station' ? html` checked` : null}> ${messages.viewStation}</label>`;
  const to = model.now;
  const stationLink =
    model.selectedStation === undefined
      ? null
      : html` <a id="station-json-link" href="${stationHistoryHref(model.selectedStation, { to, seconds: range.seconds })}"${inViews(['station'], view)}>${messages.stationRangeJson}</a>`;
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
<div class="control"${inViews(['city', 'compare'], view)}><label for="chart-city">${messages.cityLabel}</label>
<select id="chart-city" name="chart-city">
${options}
</select></div>
${stationControl}<fieldset class="control"><legend>${messages.rangeLabel}</legend>${ranges}</fieldset>
<fieldset class="control"><legend>${messages.viewLabel}</legend><label class="chip"><input type="radio" name="chart-view" value="city"${view === 'city' ? html` checked` : null}> ${messages.viewCity}</label><label class="chip"><input type="radio" name="chart-view" value="compare"${view === 'compare' ? html` checked` : null}> ${messages.viewCompare}</label>${stationView}</fieldset>
</form>
<p class="chart-note" data-role="chart-note" aria-live="polite">${messages.chartsNeedScript}</p>
<p class="chart-zoom" data-role="chart-zoom"${HIDDEN}><span>${messages.chartsZoomHint}</span> <button type="button" data-role="reset-zoom"${HIDDEN}>${messages.chartsResetZoom}</button></p>
<div class="chart-views">
<figure class="chart-figure"${inViews(['city', 'station'], view)}><figcaption>${messages.chartTemperature}</figcaption><div id="chart-temperature" class="chart" data-unit="°C" data-precision="0.1"></div></figure>
<figure class="chart-figure"${inViews(['city', 'station'], view)}><figcaption>${messages.chartHumidity}</figcaption><div id="chart-humidity" class="chart" data-unit="%" data-precision="1" data-min="0" data-max="100"></div></figure>
<figure class="chart-figure"${inViews(['compare'], view)}><figcaption>${messages.chartCompare}</figcaption><div id="chart-compare" class="chart" data-unit="°C" data-precision="0.1"></div></figure>
</div>
<p class="chart-download"><a id="csv-link" href="${csvHref(view === 'compare' ? undefined : model.selectedCity, to, range.seconds)}" download${inViews(['city', 'compare'], view)}>${messages.downloadCsv}</a>${stationLink}</p>
</section>`;
}
