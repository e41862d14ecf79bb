import { alertText, type PageAlert } from '../page/alert-text.js';
import { fill } from '../page/messages.js';
import type { PageText } from './page-text.js';

const isAlert = (value: unknown): value is PageAlert =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as PageAlert).rule === 'string' &&
  typeof (value as PageAlert).since === 'string';

/** `#alerts`, redrawn from the stream's `status.alerts` with the server's own words. */
export function createAlertsBanner(text: PageText) {
  const banner = document.getElementById('alerts');
  const list = banner?.querySelector<HTMLElement>('[data-role="list"]');
  const undeliverable = banner?.querySelector<HTMLElement>('[data-role="undeliverable"]');
  return {
    show(alerts: { readonly active?: unknown; readonly undeliverable?: unknown } | undefined): void {
      if (!banner || !list || !undeliverable || !alerts || !Array.isArray(alerts.active)) return;
      const active = alerts.active.filter(isAlert);
      const lost = Number(alerts.undeliverable) || 0;
      list.replaceChildren(
        ...active.map((alert) => {
          const li = document.createElement('li');
          li.dataset.state = alert.state;
          li.textContent = alertText(alert, text.messages, (iso) => text.time(iso, 'minutes'));
          return li;
        }),
      );
      undeliverable.hidden = lost === 0;
      undeliverable.textContent = fill(text.messages.alertsUndeliverable, { count: lost });
      banner.hidden = active.length + lost === 0;
    },
  };
}
