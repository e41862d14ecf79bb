// A local stand-in for https://api.open-meteo.com/v1/forecast that answers `current=` requests in
// the real byte format (see test/fixtures/open-meteo/README.md) and can be told to fail.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from '../../src/core/clock.js';
import { hash32 } from '../../src/weather/value-noise.js';
import { floatText, locationJson, zoneAt } from './open-meteo-format.js';

/** What the fake can be told to do instead of answering normally. */
export type FakeFault =
  | 'bad-request'
  | 'rate-limited'
  | 'overloaded'
  | 'stall'
  | 'reset'
  | 'malformed-json'
  | 'string-temperature'
  | 'out-of-range'
  | 'null-values'
  | 'fewer-entries'
  | 'fahrenheit';

/** A fault, for the next `times` requests (default: until `reset()`). */
export interface FakeBehaviour {
  readonly fault: FakeFault;
  readonly times?: number;
  /** Value faults only: the index of the one location to spoil (default: all of them). */
  readonly location?: number;
  /** `rate-limited`: the Retry-After header, or null to send none. Default `'1'`. */
  readonly retryAfter?: string | null;
  /** `bad-request`: the reason text. Default: the real bad-latitude text of error-400.json. */
  readonly reason?: string;
  /** Error bodies: write `reason` before `error`, as some live answers do. */
  readonly reasonFirst?: boolean;
}

/** Fixed answers for one queried point (matched by the coordinates as numbers). */
export interface FakeLocation {
  readonly temperature?: number;
  readonly humidity?: number;
  /** The grid cell reported back; by default the query snapped to a 0.025° grid. */
  readonly grid?: { readonly latitude: number; readonly longitude: number };
  readonly elevation?: number;
  readonly generationTimeMs?: number;
}

/** One request as the fake received it. */
export interface FakeRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  /** The fake's clock when it arrived. */
  readonly at: Date;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly retryAfter?: string;
}

export interface FakeOpenMeteo {
  /** Base URL to pass as `baseUrl` / `OPEN_METEO_URL`, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Every request received since start or the last `reset()`. */
  readonly requests: FakeRequest[];
  setBehaviour(behaviour: FakeFault | FakeBehaviour): void;
  setLocation(latitude: number, longitude: number, location: FakeLocation): void;
  /** Back to normal answers and default values; forgets recorded requests. */
  reset(): void;
  /** Stops listening and closes every socket, keep-alive and stalled ones included. */
  close(): Promise<void>;
}

/** The variables the fake knows, with their units; others get the server's decoding error. */
const VARIABLES: Readonly<Record<string, string>> = { temperature_2m: '°C', relative_humidity_2m: '%' };

/** Starts the fake on a free loopback port. `current.time` follows `clock` (default: the system clock). */
export async function startFakeOpenMeteo(options: { clock?: Clock } = {}): Promise<FakeOpenMeteo> {
  const clock = options.clock ?? systemClock;
  const requests: FakeRequest[] = [];
  const locations = new Map<string, FakeLocation>();
  const stalled = new Set<ServerResponse>();
  let behaviour: FakeBehaviour | undefined;
  let remaining = Number.POSITIVE_INFINITY;

  function nextFault(): FakeBehaviour | undefined {
    if (!behaviour) return undefined;
    const current = behaviour;
    remaining -= 1;
    if (remaining <= 0) behaviour = undefined;
    return current;
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://fake');
    requests.push({ path: url.pathname, query: url.searchParams, at: new Date(clock.now()) });
    const fault = nextFault();
    if (fault?.fault === 'stall') {
      stalled.add(response);
      response.on('close', () => stalled.delete(response));
    } else if (fault?.fault === 'reset') {
      request.socket.destroy();
    } else {
      const { status, body, retryAfter } = reply(request, url, fault);
      response.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        ...(retryAfter === undefined ? {} : { 'retry-after': retryAfter }),
      });
      response.end(body);
    }
  }

  function reply(request: IncomingMessage, url: URL, fault: FakeBehaviour | undefined): Reply {
    const reasonFirst = fault?.reasonFirst ?? false;
    switch (fault?.fault) {
      case 'bad-request':
        return errorReply(400, fault.reason ?? latitudeRangeReason(91), reasonFirst);
      case 'rate-limited': {
        const limited = errorReply(
          429,
          fault.reason ?? 'Minutely API request limit exceeded. Please try again in one minute.',
          reasonFirst,
        );
        return fault.retryAfter === null ? limited : { ...limited, retryAfter: fault.retryAfter ?? '1' };
      }
      case 'overloaded':
        return errorReply(503, fault.reason ?? 'The service is overloaded', reasonFirst);
    }
    if (request.method !== 'GET' || url.pathname !== '/v1/forecast') return errorReply(404, 'Not Found');
    const answer = forecast(url.searchParams, fault);
    if ('reason' in answer) return errorReply(400, answer.reason);
    const body =
      fault?.fault === 'malformed-json'
        ? answer.body.slice(0, Math.floor(answer.body.length / 2))
        : answer.body;
    return { status: 200, body };
  }

  function forecast(
    query: URLSearchParams,
    fault: FakeBehaviour | undefined,
  ): { body: string } | { reason: string } {
    const latitudes = numberList(query.get('latitude'));
    const longitudes = numberList(query.get('longitude'));
    if (typeof latitudes === 'string') return { reason: latitudes };
    if (typeof longitudes === 'string') return { reason: longitudes };
    if (latitudes.length !== longitudes.length) {
      return { reason: "Parameter 'latitude' and 'longitude' must have the same number of elements" };
    }
    if (latitudes.length > 1000) return { reason: 'Only up to 1000 locations can be requested at once' };
    const badLatitude = latitudes.find((value) => !(value >= -90 && value <= 90));
    if (badLatitude !== undefined) return { reason: latitudeRangeReason(badLatitude) };
    const badLongitude = longitudes.find((value) => !(value >= -180 && value <= 180));
    if (badLongitude !== undefined) {
      return { reason: `Longitude must be in range of -180 to 180°. Given: ${floatText(badLongitude)}.` };
    }
    const variables = query.get('current')?.split(',') ?? [];
    if (variables.some((name) => !Object.hasOwn(VARIABLES, name))) {
      return {
        reason: `Data corrupted at path ''. Cannot initialize SurfacePressureAndHeightVariable<VariableAndPreviousDay, VariableOrSpread<ForecastPressureVariable>, ForecastHeightVariable> from invalid String value ${query.get('current')}.`,
      };
    }
    const zones = (query.get('timezone') ?? 'GMT').split(',');
    if (zones.length !== 1 && zones.length !== latitudes.length) return { reason: 'Invalid timezone' };
    const periodMs = Math.floor(clock.now() / 900_000) * 900_000;
    const entries: string[] = [];
    for (const [index, latitude] of latitudes.entries()) {
      const zone = zoneAt(zones[zones.length === 1 ? 0 : index] ?? 'GMT', periodMs);
      if (!zone) return { reason: 'Invalid timezone' };
      const longitude = longitudes[index] ?? 0;
      const fixed = locations.get(`${latitude},${longitude}`) ?? {};
      const seed = hash32(`${latitude},${longitude}`);
      const spoiled = fault?.location === undefined || fault.location === index ? fault?.fault : undefined;
      const fahrenheit = spoiled === 'fahrenheit' || query.get('temperature_unit') === 'fahrenheit';
      const values = valueTexts(
        spoiled,
        fixed.temperature ?? 10 + (seed % 200) / 10,
        fixed.humidity ?? 40 + (seed % 56),
        fahrenheit,
      );
      entries.push(
        locationJson({
          latitude: fixed.grid?.latitude ?? snap(latitude),
          longitude: fixed.grid?.longitude ?? snap(longitude),
          generationTimeMs: fixed.generationTimeMs ?? (10 + (seed % 90)) / 1024,
          zone,
          elevation: fixed.elevation ?? 5 + (seed % 2800),
          locationId: index,
          timeFormat: query.get('timeformat') === 'unixtime' ? 'unixtime' : 'iso8601',
          periodMs,
          current: variables.map((name) => ({
            name,
            unit: name === 'temperature_2m' && fahrenheit ? '°F' : (VARIABLES[name] ?? ''),
            value: values[name] ?? 'null',
          })),
        }),
      );
    }
    if (fault?.fault === 'fewer-entries') entries.pop();
    // The real writer only wraps results in [ ] when there is more than one.
    const body =
      entries.length === 1 && latitudes.length === 1 ? (entries[0] ?? '') : `[${entries.join(',')}]`;
    return { body };
  }

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setBehaviour(next) {
      behaviour = typeof next === 'string' ? { fault: next } : next;
      remaining = behaviour.times ?? Number.POSITIVE_INFINITY;
    },
    setLocation(latitude, longitude, location) {
      locations.set(`${latitude},${longitude}`, location);
    },
    reset() {
      behaviour = undefined;
      locations.clear();
      requests.length = 0;
      for (const response of stalled) response.destroy();
    },
    async close() {
      for (const response of stalled) response.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** The server's own text for a latitude out of range, the float printed like Swift (`91.0`). */
function latitudeRangeReason(latitude: number): string {
  return `Latitude must be in range of -90 to 90°. Given: ${floatText(latitude)}.`;
}

function numberList(text: string | null): number[] | string {
  if (text === null || text === '') return "Data corrupted at path ''. Value required.";
  const values = text.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
  return values.some((value) => Number.isNaN(value))
    ? `Data corrupted at path ''. Cannot initialize Float from invalid String value ${text}.`
    : values;
}

/** Value texts as the server prints them (°C/°F with one decimal, % whole), or spoiled by `fault`. */
function valueTexts(
  fault: FakeFault | undefined,
  celsius: number,
  humidity: number,
  fahrenheit: boolean,
): Record<string, string> {
  const temperature = (fahrenheit ? celsius * 1.8 + 32 : celsius).toFixed(1);
  switch (fault) {
    case 'null-values':
      return { temperature_2m: 'null', relative_humidity_2m: 'null' };
    case 'out-of-range':
      return { temperature_2m: '99.9', relative_humidity_2m: '140' };
    case 'string-temperature':
      return { temperature_2m: `"${temperature}"`, relative_humidity_2m: String(Math.round(humidity)) };
    default:
      return { temperature_2m: temperature, relative_humidity_2m: String(Math.round(humidity)) };
  }
}

/** The centre of the 0.025° grid cell holding `value`: near the query, never equal to it in practice. */
function snap(value: number): number {
  return (Math.floor(value / 0.025) + 0.5) * 0.025;
}

function errorReply(status: number, reason: string, reasonFirst = false): Reply {
  const body = reasonFirst
    ? `{"reason":${JSON.stringify(reason)},"error":true}`
    : `{"error":true,"reason":${JSON.stringify(reason)}}`;
  return { status, body };
}
