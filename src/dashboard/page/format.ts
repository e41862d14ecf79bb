import type { Lang } from './lang.js';
import { fill, MESSAGES } from './messages.js';

/** Where and when the page is looked at: a time is shown in `timeZone`, with its date unless it is `now`'s day. */
export interface TimeContext {
  readonly timeZone: string;
  readonly now: Date;
}

type Precision = 'seconds' | 'minutes';

/**
 * `HH:MM:SS` (or `HH:MM`) on a 24-hour clock in the context's time zone, prefixed by `YYYY-MM-DD`
 * when that is not today there. An unparseable timestamp comes back as given rather than throwing:
 * one bad row must not take the page down.
 */
export function formatTime(
  at: Date | string,
  context: TimeContext,
  precision: Precision = 'seconds',
): string {
  const instant = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(instant.getTime())) return String(at);
  const parts = zonedParts(instant, context.timeZone);
  const today = zonedParts(context.now, context.timeZone);
  const clock =
    precision === 'seconds'
      ? `${parts.hour}:${parts.minute}:${parts.second}`
      : `${parts.hour}:${parts.minute}`;
  const sameDay = parts.year === today.year && parts.month === today.month && parts.day === today.day;
  return sameDay ? clock : `${parts.year}-${parts.month}-${parts.day} ${clock}`;
}

interface ZonedParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

// Building an Intl formatter costs far more than using one, and a page formats dozens of times:
// one per time zone (and one per locale below) serves every call. Configured zones and the page's
// two languages bound both maps.
const zonedFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

/** The formatter of `zonedParts` for `timeZone`: built on first use, the same instance after. */
export function zonedFormat(timeZone: string): Intl.DateTimeFormat {
  let format = zonedFormats.get(timeZone);
  if (!format) {
    // hourCycle h23, not hour12: false, which some ICU versions render as "24" at midnight.
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    zonedFormats.set(timeZone, format);
  }
  return format;
}

/** Grouped integers in `locale`'s way: built on first use, the same instance after. */
export function numberFormat(locale: string): Intl.NumberFormat {
  let format = numberFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale);
    numberFormats.set(locale, format);
  }
  return format;
}

function zonedParts(instant: Date, timeZone: string): ZonedParts {
  const parts: ZonedParts = { year: '', month: '', day: '', hour: '', minute: '', second: '' };
  for (const part of zonedFormat(timeZone).formatToParts(instant)) {
    if (part.type in parts) parts[part.type as keyof ZonedParts] = part.value;
  }
  return parts;
}

/** `16.4 °C`: always one decimal, never `-0.0`. */
export function formatTemperature(celsius: number): string {
  const text = celsius.toFixed(1);
  return `${text === '-0.0' ? '0.0' : text} °C`;
}

/** `63 %` */
export function formatHumidity(percent: number): string {
  return `${Math.round(percent)} %`;
}

/** How long ago, coarsest whole unit: "45 s ago", "2 min ago", "3 h ago", "2 d ago" (or in Spanish). */
export function formatAge(ageSeconds: number, lang: Lang): string {
  const messages = MESSAGES[lang];
  const seconds = Math.floor(ageSeconds);
  if (!(seconds >= 1)) return messages.ageNow;
  if (seconds < 60) return fill(messages.ageSeconds, { n: seconds });
  if (seconds < 3600) return fill(messages.ageMinutes, { n: Math.floor(seconds / 60) });
  if (seconds < 86_400) return fill(messages.ageHours, { n: Math.floor(seconds / 3600) });
  return fill(messages.ageDays, { n: Math.floor(seconds / 86_400) });
}
