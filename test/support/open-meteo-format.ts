// How Open-Meteo's server prints numbers, times and time zones, for the fake to copy byte for byte.

/**
 * A Swift `Float` as the server prints it: the shortest decimal that reads back as the same
 * float32, and `.0` on whole numbers (`-74.0`, `2582.0`, `4.6271887`).
 */
export function floatText(value: number): string {
  const single = Math.fround(value);
  let text = String(single);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(single.toPrecision(digits));
    if (Math.fround(candidate) === single) {
      text = String(candidate);
      break;
    }
  }
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** `iso8601_YYYY_MM_dd_HH_mm`: a wall-clock time with no seconds and no offset, e.g. `2026-08-20T09:45`. */
function localTimeText(localMs: number): string {
  return new Date(localMs).toISOString().slice(0, 16);
}

/** A time zone as the server reports it for an instant. */
export interface ZoneInfo {
  readonly name: string;
  readonly offsetS: number;
  readonly abbreviation: string;
}

/**
 * The `timezone=` parameter resolved at `atMs`, or undefined for an unknown zone (the server
 * answers 400 "Invalid timezone"). `auto` resolves to America/Bogota: every city the fake serves
 * is Colombian.
 */
export function zoneAt(parameter: string, atMs: number): ZoneInfo | undefined {
  const name = parameter === 'auto' ? 'America/Bogota' : parameter;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      timeZoneName: 'shortOffset',
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined;
  }
  const parts = Object.fromEntries(
    format.formatToParts(new Date(atMs)).map((part) => [part.type, part.value]),
  );
  const wallMs = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  // Live answers show "GMT-5" for America/Bogota, which is Intl's shortOffset; at offset zero the
  // server says "GMT" where Intl says "GMT+0".
  const abbreviation =
    parts.timeZoneName === undefined || parts.timeZoneName === 'GMT+0' ? 'GMT' : parts.timeZoneName;
  return { name, offsetS: Math.round((wallMs - Math.floor(atMs / 1000) * 1000) / 1000), abbreviation };
}

/** One `current=` variable of one location: its name, unit and value as JSON text. */
export interface CurrentField {
  readonly name: string;
  readonly unit: string;
  readonly value: string;
}

/** Everything the server writes for one location. */
export interface LocationFields {
  readonly latitude: number;
  readonly longitude: number;
  readonly generationTimeMs: number;
  readonly zone: ZoneInfo;
  readonly elevation: number;
  /** Position in the request; written from the second location on. */
  readonly locationId: number;
  readonly timeFormat: 'iso8601' | 'unixtime';
  /** Start of the current 15-minute period, UTC. */
  readonly periodMs: number;
  /** The requested variables in request order; no `current` blocks when empty. */
  readonly current: readonly CurrentField[];
}

/** One location's JSON exactly as `JsonWriter.swift` writes it: fixed field order, no whitespace. */
export function locationJson(fields: LocationFields): string {
  const { zone, current } = fields;
  const time =
    fields.timeFormat === 'unixtime'
      ? String(fields.periodMs / 1000)
      : `"${localTimeText(fields.periodMs + zone.offsetS * 1000)}"`;
  const blocks =
    current.length === 0
      ? ''
      : `,"current_units":{"time":"${fields.timeFormat}","interval":"seconds"${current.map((field) => `,"${field.name}":"${field.unit}"`).join('')}}` +
        `,"current":{"time":${time},"interval":900${current.map((field) => `,"${field.name}":${field.value}`).join('')}}`;
  return (
    `{"latitude":${floatText(fields.latitude)},"longitude":${floatText(fields.longitude)}` +
    `,"generationtime_ms":${fields.generationTimeMs},"utc_offset_seconds":${zone.offsetS}` +
    `,"timezone":${JSON.stringify(zone.name)},"timezone_abbreviation":${JSON.stringify(zone.abbreviation)}` +
    `,"elevation":${floatText(fields.elevation)}` +
    (fields.locationId === 0 ? '' : `,"location_id":${fields.locationId}`) +
    `${blocks}}`
  );
}
