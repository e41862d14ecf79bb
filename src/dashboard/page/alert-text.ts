import type { Lang } from './lang.js';
import { fill, type MESSAGES } from './messages.js';

/** An alert as `/api/alerts` and the stream's `status` event give it. */
export interface PageAlert {
  readonly rule: string;
  readonly city: string | null;
  readonly state: string;
  readonly value: number | null;
  readonly since: string;
}

/**
 * One alert in words: the server's banner and the page's script both write it with this, so a
 * pushed alert reads as a rendered one.
 */
export function alertText(
  alert: PageAlert,
  messages: (typeof MESSAGES)[Lang],
  time: (iso: string) => string,
): string {
  const template = alert.state === 'firing' ? messages.alertFiring : messages.alertPending;
  const text = fill(template, {
    rule: alert.rule,
    subject: alert.city ?? messages.alertSystem,
    time: time(alert.since),
  });
  return alert.value === null ? text : `${text} · ${fill(messages.alertValue, { value: alert.value })}`;
}
