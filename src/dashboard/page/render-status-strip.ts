import { FREE_TIER_LIMITS } from '../../weather/budget.js';
import type { ReadingSource } from '../../weather/observation.js';
import { html, type SafeHtml } from './escape-html.js';
import { formatAge, formatTime, numberFormat } from './format.js';
import { fill, MESSAGES } from './messages.js';
import type { PageModel } from './page-model.js';
import { HIDDEN } from './readings-panel.js';
import { sourceBadge } from './source-badge.js';
import { problemText, storeFailureText } from './store-problem-text.js';

/**
 * The header's strip: the database, Open-Meteo and its calls against the daily budget, the
 * outbox, freshness per city and the source of the latest readings. Every item carries what the
 * page script needs to update it from the stream's `status` events and from new readings.
 */
export function renderStatusStrip(model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  return html`<section class="status-strip" aria-label="${messages.statusTitle}">
${renderDatabase(model)}
${renderStorage(model)}
<p id="weather-status" class="status-item" data-state="${model.openMeteo.status}" data-budget="${FREE_TIER_LIMITS.callsPerDay}"><span class="status-dot" aria-hidden="true"></span><span data-role="text">${openMeteoText(model)}</span> · <span data-role="calls">${callsText(model)}</span></p>
${renderOutboxDepth(model)}
${renderFreshness(model)}
${renderSources(model)}
</section>`;
}

function renderDatabase(model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  const { database } = model;
  const since = database.state === 'down' ? database.since : undefined;
  const status = since ? fill(messages.dbDown, { time: formatTime(since, model, 'minutes') }) : messages.dbUp;
  const problem = database.state === 'down' ? database.problem : undefined;
  return html`<p id="db-status" class="status-item db-status" role="status" data-state="${database.state}"${since ? html` data-since="${since.toISOString()}"` : null}><span class="status-dot" aria-hidden="true"></span><span data-role="text">${status}</span> <span data-role="problem"${problem ? null : HIDDEN}>${problem ? problemText(problem, model.lang) : ''}</span></p>`;
}

/**
 * Red while a store cannot keep readings (a full disk under the outbox or the embedded database);
 * hidden otherwise. The script shows the stream's `status.storage` text in the page's language.
 */
function renderStorage(model: PageModel): SafeHtml {
  const [failure] = model.outbox?.failures ?? [];
  const text = failure ? storeFailureText(failure, model.lang, model) : '';
  return html`<p id="storage-status" class="status-item db-status" role="status" data-state="down"${failure ? html` data-store="${failure.store}" data-problem="${failure.problem}"` : HIDDEN}><span class="status-dot" aria-hidden="true"></span><span data-role="text">${text}</span></p>`;
}

function openMeteoText(model: PageModel): string {
  const messages = MESSAGES[model.lang];
  const texts = { up: messages.openMeteoUp, down: messages.openMeteoDown, unused: messages.openMeteoUnused };
  return texts[model.openMeteo.status];
}

function callsText(model: PageModel): string {
  const format = numberFormat(model.lang);
  return fill(MESSAGES[model.lang].openMeteoCalls, {
    calls: format.format(model.openMeteo.callsToday),
    budget: format.format(FREE_TIER_LIMITS.callsPerDay),
  });
}

/** Shown when the dashboard knows of an outbox; the script shows it when a `status` event reports one. */
function renderOutboxDepth(model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  const depth = model.outbox?.depth;
  return html`<p id="outbox-depth" class="status-item"${depth === undefined ? HIDDEN : null}><span data-role="text">${depth === undefined ? '' : fill(messages.outboxDepth, { n: depth })}</span></p>`;
}

/** One chip per city: its age, and a stale badge past `staleAfterSeconds` (the script keeps ages current). */
function renderFreshness(model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  const latest = model.readings?.latest ?? [];
  const staleAfter = 3 * model.intervalS;
  const chips = model.cities.map((city) => {
    const reading = latest.find((r) => r.city === city.name);
    const stale = reading ? reading.stale : true;
    return html`<li data-city="${city.name}" data-stale="${String(stale)}"${reading ? html` data-taken-at="${reading.takenAt}"` : null}><span class="freshness-city">${city.name}</span> <span data-role="age">${reading ? formatAge(reading.ageSeconds, model.lang) : '—'}</span> <span class="badge badge-stale"${stale ? null : HIDDEN}>${messages.stale}</span></li>`;
  });
  return html`<div id="freshness" class="status-item freshness" data-stale-after-s="${staleAfter}"><span class="status-label">${messages.freshnessTitle}:</span><ul>${chips}</ul></div>`;
}

function renderSources(model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  const sources = [...new Set((model.readings?.latest ?? []).map((r) => r.source))].sort() as ReadingSource[];
  return html`<p id="source-status" class="status-item"><span class="status-label">${messages.sourceTitle}:</span> <span data-role="sources">${sources.map((source) => sourceBadge(source, model.lang))}</span></p>`;
}
