import { z } from 'zod';
import { AppError } from '../core/app-error.js';

/**
 * A date-time as clients write it: a day (`2026-08-20`, midnight UTC) or a date and time with
 * optional seconds, fraction and offset (no offset means UTC). Impossible dates (Feb 30) fail
 * instead of rolling over into the next month, as `Date.parse` would.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+\- ]\d{2}:?\d{2})?)?$/;

export const dateTime = z.string().transform((text, ctx) => {
  const match = DATE_TIME.exec(text);
  if (match) {
    const [, year, month, day, hour = '00', minute = '00', second = '00', offset] = match;
    const normal = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
    const wall = new Date(`${normal}Z`);
    // An unencoded `+` in a query string arrives as a space.
    const zone = /^([+\- ])(\d{2}):?(\d{2})$/.exec(offset ?? '');
    const validZone = !zone || (Number(zone[2]) <= 14 && Number(zone[3]) < 60);
    // A round trip through Date proves every field was in range.
    if (validZone && !Number.isNaN(wall.getTime()) && wall.toISOString().slice(0, 19) === normal) {
      return zone ? new Date(`${normal}${zone[1] === '-' ? '-' : '+'}${zone[2]}:${zone[3]}`) : wall;
    }
  }
  ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 date, e.g. 2026-08-20T14:45:00Z' });
  return z.NEVER;
});

export function integerIn(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `expected a whole number from ${min} to ${max}`)
        .max(max, `expected a whole number from ${min} to ${max}`),
    );
}

/**
 * A parser for one route's query string, built once: an unknown or repeated parameter, or a bad
 * value, becomes a 400 naming the parameter. (Building the schema per request would make zod
 * compile it again on every call.)
 */
export function queryParser<T extends z.ZodRawShape>(shape: T): (query: unknown) => z.infer<z.ZodObject<T>> {
  const schema = z.object(shape);
  return (query) => {
    const params = (query ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(params)) {
      if (!Object.hasOwn(shape, name)) throw new AppError('unknown_parameter', `unknown parameter "${name}"`);
      if (typeof value !== 'string') {
        throw new AppError('invalid_parameter', `parameter "${name}" is given more than once`);
      }
    }
    const result = schema.safeParse(params);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const name = String(issue?.path[0] ?? 'query');
    const message =
      issue?.code === 'invalid_type' && params[name] === undefined ? 'is required' : issue?.message;
    throw new AppError('invalid_parameter', `parameter "${name}": ${message}`);
  };
}

/** For routes that take no parameters. */
export const noParameters = queryParser({});

/**
 * The named parameters of the page's query string, each its first value. Anything else is
 * ignored: links that reach a browser carry tags of their own (`utm_source`, `fbclid`), and a
 * visitor following one must get the page, not an error.
 */
export function pageParameters<N extends string>(
  query: unknown,
  names: readonly N[],
): Partial<Record<N, string>> {
  const params = (query ?? {}) as Record<string, unknown>;
  const picked: Partial<Record<N, string>> = {};
  for (const name of names) {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') picked[name] = first;
  }
  return picked;
}
