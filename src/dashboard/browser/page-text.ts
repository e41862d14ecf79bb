import { formatHumidity, formatTemperature, formatTime } from '../page/format.js';
import type { Lang } from '../page/lang.js';
import { LANGS, MESSAGES } from '../page/messages.js';

/** A finite number: what the API promises, checked because one bad value must not stop the page. */
export const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** The server's formatting, with a dash for a value the API did not give. */
export const temperatureText = (value: unknown): string => (isNumber(value) ? formatTemperature(value) : '—');
export const humidityText = (value: unknown): string => (isNumber(value) ? formatHumidity(value) : '—');

/** The language and time zone the server rendered the page in, and its words and clock. */
export interface PageText {
  readonly lang: Lang;
  readonly messages: (typeof MESSAGES)[Lang];
  /** `at` on the page's clock (its time zone, with the date when not today), as the server shows it. */
  time(at: string | number, precision: 'seconds' | 'minutes'): string;
}

export function pageText(body: HTMLElement): PageText {
  const lang = LANGS.find((l) => l === body.dataset.lang) ?? 'en';
  const timeZone = body.dataset.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone;
  return {
    lang,
    messages: MESSAGES[lang],
    time: (at, precision) =>
      formatTime(typeof at === 'number' ? new Date(at) : at, { timeZone, now: new Date() }, precision),
  };
}
