import { html, type SafeHtml } from './escape-html.js';
import { formatTime } from './format.js';
import { fill, LANG_NAMES, LANGS, MESSAGES } from './messages.js';
import type { PageModel } from './page-model.js';
import { pageQuery } from './page-query.js';
import { renderAlerts } from './render-alerts.js';
import { renderCharts } from './render-charts.js';
import { renderLatest } from './render-latest.js';
import { renderRecent } from './render-recent.js';
import { renderStations } from './render-stations.js';
import { renderStatusStrip } from './render-status-strip.js';
import { renderWeather } from './render-weather.js';

/**
 * Where the route serves the page's assets, in load order (uPlot first: the page's script draws the charts with it);
 * the page loads nothing else, from nowhere else.
 */
export const ASSETS = {
  scripts: ['/assets/uplot.js', '/assets/dashboard.js'],
  stylesheets: ['/assets/uplot.css', '/assets/dashboard.css'],
} as const;

/**
 * The start of every page the dashboard sends, up to its open `<head>`'s last line: the
 * stylesheets always, the scripts when `withScripts` (the dashboard, not its error pages).
 */
export function documentHead(lang: PageModel['lang'], title: string, withScripts: boolean): SafeHtml {
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>clima · ${title}</title>
<link rel="icon" href="data:,">
${ASSETS.stylesheets.map(
  (href) => html`<link rel="stylesheet" href="${href}">
`,
)}${
  withScripts
    ? ASSETS.scripts.map(
        (src) => html`<script src="${src}" defer></script>
`,
      )
    : ''
}`;
}

/**
 * The page at `/`, a complete HTML5 document. No inline script or style and nothing from another
 * host, so it works under `Content-Security-Policy: default-src 'self'`; every string from the
 * model is escaped.
 */
export function renderPage(model: PageModel): string {
  const messages = MESSAGES[model.lang];
  return html`${documentHead(model.lang, messages.tagline, true)}
</head>
<body data-interval-s="${model.intervalS}" data-time-zone="${model.timeZone}" data-lang="${model.lang}">
<a class="skip-link" href="#main">${messages.skipToContent}</a>
${renderHeader(model)}
<main id="main" class="panels" tabindex="-1">
${renderCharts(model)}
${renderLatest(model)}
${renderStations(model)}
${renderWeather(model)}
${renderRecent(model)}
</main>
<footer class="site-footer">
<p>${fill(messages.refreshEvery, { n: model.intervalS })} · ${fill(messages.timesIn, { zone: model.timeZone })}</p>
</footer>
</body>
</html>
`.value;
}

function renderHeader(model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  const links = LANGS.map((lang) => {
    const query = pageQuery({ ...model, lang });
    return html`<li><a href="?${query}" lang="${lang}" hreflang="${lang}"${lang === model.lang ? html` aria-current="true"` : null}>${LANG_NAMES[lang]}</a></li>`;
  });
  return html`<header class="site-header">
<div class="brand"><h1>clima</h1><p class="tagline">${messages.tagline}</p></div>
<nav class="lang-switch" aria-label="${messages.languageNav}"><ul>${links}</ul></nav>
${renderNotice(model)}
${renderAlerts(model)}
${renderStatusStrip(model)}
${renderOutbox(model)}
</header>`;
}

/** The longest unknown city or station name the notice repeats: the longest a stored city may be. */
const NOTICE_NAME_CHARS = 100;

const shortened = (name: string) =>
  name.length > NOTICE_NAME_CHARS ? `${name.slice(0, NOTICE_NAME_CHARS)}…` : name;

function renderNotice({
  unknownCity,
  unknownStation,
  selectedCity,
  selectedStation,
  lang,
}: PageModel): SafeHtml | null {
  const messages = MESSAGES[lang];
  const notices = [
    unknownCity === undefined
      ? ''
      : fill(messages.unknownCity, { city: shortened(unknownCity), shown: selectedCity }),
    unknownStation === undefined
      ? ''
      : fill(messages.unknownStation, {
          station: shortened(unknownStation),
          shown: selectedStation ?? selectedCity,
        }),
  ].filter((text) => text !== '');
  if (notices.length === 0) return null;
  return html`<p id="page-notice" class="page-notice" role="status">${notices.join(' ')}</p>`;
}

function renderOutbox({ outbox, lang, timeZone, now }: PageModel): SafeHtml | null {
  if (!outbox || outbox.depth === 0) return null;
  const oldest = outbox.oldestTakenAt ? formatTime(outbox.oldestTakenAt, { timeZone, now }, 'minutes') : '?';
  // In embedded mode the outbox drains into the local database: there is no cloud to speak of.
  const template = MESSAGES[lang][outbox.embedded ? 'outboxWaitingLocal' : 'outboxWaiting'];
  const text = fill(template, { count: String(outbox.depth), time: oldest });
  return html`<p id="outbox-status" class="outbox-status" role="status" data-depth="${String(outbox.depth)}">${text}</p>`;
}
