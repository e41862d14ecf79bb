import { alertText, type PageAlert } from './alert-text.js';
import { html, type SafeHtml } from './escape-html.js';
import { formatTime } from './format.js';
import { fill, MESSAGES } from './messages.js';
import type { PageModel } from './page-model.js';
import { HIDDEN } from './readings-panel.js';

/**
 * The alerts firing (first) and pending, on top of the page, and how many notifications were
 * given up on; hidden when there are none. The page's script redraws it from `status` events.
 */
export function renderAlerts(model: PageModel): SafeHtml {
  const messages = MESSAGES[model.lang];
  const { active, undeliverable } = model.alerts ?? { active: [], undeliverable: 0 };
  const time = (iso: string) => formatTime(iso, model, 'minutes');
  const items = active.map(
    (alert: PageAlert) => html`<li data-state="${alert.state}">${alertText(alert, messages, time)}</li>`,
  );
  return html`<section id="alerts" class="alerts" role="alert" aria-label="${messages.alertsTitle}"${active.length + undeliverable > 0 ? null : HIDDEN}>
<ul data-role="list">${items}</ul>
<p data-role="undeliverable"${undeliverable > 0 ? null : HIDDEN}>${fill(messages.alertsUndeliverable, { count: undeliverable })}</p>
</section>`;
}
