import { html, type SafeHtml } from './escape-html.js';
import { formatHumidity, formatTemperature, formatTime } from './format.js';
import { MESSAGES } from './messages.js';
import type { PageModel } from './page-model.js';
import { HIDDEN } from './readings-panel.js';

/** How often the page script asks again for live weather while `#weather` is unavailable (its first try comes sooner). */
export const WEATHER_RETRY_S = 30;

/**
 * `#weather`: a city picker that works without JavaScript (a GET form keeping the language, the
 * charts' range and view, and the station in its view, which the script keeps current) and the
 * live values, or the unavailable message. Both blocks are always rendered, one hidden, so the
 * script can fill the values and flip `data-state` from `unavailable` to `ok`.
 */
export function renderWeather(model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  const { weather } = model;
  const observation = weather.state === 'ok' ? weather.observation : undefined;
  const options = model.cities.map(
    (city) =>
      html`<option value="${city.name}"${city.name === model.selectedCity ? html` selected` : null}>${city.name}</option>`,
  );
  return html`<section id="weather" class="panel panel-weather" aria-labelledby="weather-title" data-state="${weather.state}" data-city="${model.selectedCity}" data-retry-s="${WEATHER_RETRY_S}">
<h2 id="weather-title">${messages.weatherTitle}</h2>
<form class="city-form" method="get">
<input type="hidden" name="lang" value="${model.lang}">
<input type="hidden" name="range" value="${model.chartRange}">
<input type="hidden" name="view" value="${model.chartView}">
${
  model.selectedStation === undefined
    ? null
    : html`<input type="hidden" name="station" value="${model.selectedStation}"${model.chartView === 'station' ? null : html` disabled`}>
`
}<label for="city-select">${messages.cityLabel}</label>
<select id="city-select" name="city">
${options}
</select>
<button type="submit">${messages.showCity}</button>
</form>
<div class="weather-body" aria-live="polite">
<div data-role="weather-ok"${observation ? null : HIDDEN}>
<p class="weather-city" data-field="city">${observation?.city ?? model.selectedCity}</p>
<dl class="weather-values">
<div><dt>${messages.colTemperature}</dt><dd class="num" data-field="temperature">${observation ? formatTemperature(observation.temperature) : ''}</dd></div>
<div><dt>${messages.colHumidity}</dt><dd class="num" data-field="humidity">${observation ? formatHumidity(observation.humidity) : ''}</dd></div>
<div><dt>${messages.observedAt}</dt><dd data-field="observedAt">${observation ? html`<time datetime="${observation.observedAt}">${formatTime(observation.observedAt, model, 'minutes')}</time>` : null}</dd></div>
</dl>
<p class="weather-source">${messages.weatherSource}</p>
</div>
<p class="empty-state" data-role="weather-unavailable"${observation ? HIDDEN : null}>${messages.weatherUnavailable}</p>
</div>
</section>`;
}
