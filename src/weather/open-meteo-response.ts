import { z } from 'zod';

/** The `current=` variables we ask for, in request order (the server answers in the same order). */
export const CURRENT_VARIABLES = ['temperature_2m', 'relative_humidity_2m'] as const;

/** One location's current conditions, validated and converted to an absolute instant. */
export interface CurrentConditions {
  /** Degrees Celsius, one decimal, within -90..60. */
  readonly temperature: number;
  /** Relative humidity, integer percent 0..100. */
  readonly humidity: number;
  /** `current.time` as an instant (local time minus `utc_offset_seconds`). */
  readonly observedAt: Date;
  /** `current.interval` in seconds: how long these values stay current. */
  readonly intervalS: number;
}

/** A location's entry in a response: its conditions, or why they were rejected. */
export type LocationResult =
  | { readonly ok: true; readonly conditions: CurrentConditions }
  | { readonly ok: false; readonly reason: string };

/** A whole response: one result per requested location in request order, or why the body was rejected. */
export type CurrentResponse =
  | { readonly ok: true; readonly locations: readonly LocationResult[] }
  | { readonly ok: false; readonly reason: string };

// Shape is checked apart from values: a body of the wrong shape says nothing trustworthy about any
// city, while one bad value (a null temperature) only makes that city's entry unusable.
const entryShape = z.looseObject({
  location_id: z.number().int().optional(),
  current_units: z.looseObject({}),
  current: z.looseObject({}),
});

const entryValues = z.object({
  utc_offset_seconds: z
    .number()
    .int()
    .min(-18 * 3600)
    .max(18 * 3600),
  current_units: z.object({
    time: z.enum(['iso8601', 'unixtime']),
    interval: z.literal('seconds'),
    temperature_2m: z.literal('°C'),
    relative_humidity_2m: z.literal('%'),
  }),
  current: z.object({
    time: z.union([z.string(), z.number()]),
    interval: z.number().int().positive(),
    temperature_2m: z.number().min(-90).max(60),
    relative_humidity_2m: z.number().int().min(0).max(100),
  }),
});

const errorBody = z.object({ error: z.literal(true), reason: z.string() });

/**
 * Parses the body of a `GET /v1/forecast?...&current=temperature_2m,relative_humidity_2m` answer
 * for `locationCount` locations. One location is a bare object, several are an array in request
 * order; entries are matched by position because the returned coordinates are grid cells.
 */
export function parseCurrentResponse(body: string, locationCount: number): CurrentResponse {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: `body is not JSON (${(error as Error).message})` };
  }
  const entries = locationCount === 1 ? [json] : json;
  if (!Array.isArray(entries)) {
    return { ok: false, reason: `expected an array of ${locationCount} locations, got ${describe(json)}` };
  }
  if (entries.length !== locationCount) {
    return { ok: false, reason: `expected ${locationCount} locations, got ${entries.length}` };
  }
  for (const [index, entry] of entries.entries()) {
    const shape = entryShape.safeParse(entry);
    if (!shape.success) return { ok: false, reason: `location ${index}: ${issuesText(shape.error)}` };
    // The server numbers entries by position and omits the id of the first: a different id means
    // the order is not the request order, and matching by position would mislabel cities.
    const locationId = shape.data.location_id ?? 0;
    if (locationId !== index) {
      return { ok: false, reason: `location ${index} has location_id ${locationId}` };
    }
  }
  return { ok: true, locations: entries.map(parseLocation) };
}

/** The `reason` of an Open-Meteo error body (`{"error":true,"reason":"..."}`, keys in any order). */
export function parseErrorReason(body: string): string | undefined {
  try {
    const parsed = errorBody.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data.reason : undefined;
  } catch {
    return undefined;
  }
}

function parseLocation(entry: unknown): LocationResult {
  const parsed = entryValues.safeParse(entry);
  if (!parsed.success) return { ok: false, reason: issuesText(parsed.error) };
  const { utc_offset_seconds: offsetS, current_units: units, current } = parsed.data;
  const observedMs = instantOf(current.time, units.time, offsetS);
  if (observedMs === undefined) {
    return { ok: false, reason: `current.time ${JSON.stringify(current.time)} is not a ${units.time} time` };
  }
  return {
    ok: true,
    conditions: {
      temperature: Math.round(current.temperature_2m * 10) / 10,
      humidity: current.relative_humidity_2m,
      observedAt: new Date(observedMs),
      intervalS: current.interval,
    },
  };
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** `iso8601` times are local wall-clock time without an offset; `unixtime` is UTC seconds. */
function instantOf(
  time: string | number,
  format: 'iso8601' | 'unixtime',
  offsetS: number,
): number | undefined {
  if (format === 'unixtime') {
    return typeof time === 'number' && Number.isSafeInteger(time) ? time * 1000 : undefined;
  }
  if (typeof time !== 'string') return undefined;
  const match = LOCAL_TIME.exec(time);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const localMs = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls over (Feb 30 becomes Mar 2); a time that does not survive the round trip is invalid.
  const check = new Date(localMs);
  const roundTrip = [
    check.getUTCFullYear(),
    check.getUTCMonth() + 1,
    check.getUTCDate(),
    check.getUTCHours(),
    check.getUTCMinutes(),
    check.getUTCSeconds(),
  ];
  if (roundTrip.some((part, index) => part !== [year, month, day, hour, minute, second][index]))
    return undefined;
  return localMs - offsetS * 1000;
}

function issuesText(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? `an array of ${value.length}` : `a ${typeof value}`;
}
