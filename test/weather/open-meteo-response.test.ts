import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  type CurrentResponse,
  type LocationResult,
  parseCurrentResponse,
  parseErrorReason,
} from '../../src/weather/open-meteo-response.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/open-meteo/${name}`, import.meta.url), 'utf8');

function locations(response: CurrentResponse): readonly LocationResult[] {
  assert.ok(response.ok, response.ok ? '' : response.reason);
  return response.locations;
}

function conditions(result: LocationResult | undefined) {
  assert.ok(result?.ok, result && !result.ok ? result.reason : 'missing');
  return result.conditions;
}

/** A one-location body in the real layout, with `current` fields replaced. */
function single(current: Record<string, unknown>, units: Record<string, unknown> = {}, offsetS = 0): string {
  return JSON.stringify({
    latitude: 4.6271887,
    longitude: -74.06323,
    generationtime_ms: 0.04,
    utc_offset_seconds: offsetS,
    timezone: 'GMT',
    timezone_abbreviation: 'GMT',
    elevation: 2582.0,
    current_units: {
      time: 'iso8601',
      interval: 'seconds',
      temperature_2m: '°C',
      relative_humidity_2m: '%',
      ...units,
    },
    current: {
      time: '2026-08-20T14:45',
      interval: 900,
      temperature_2m: 16.4,
      relative_humidity_2m: 63,
      ...current,
    },
  });
}

function rejectionOf(body: string): string {
  const [result] = locations(parseCurrentResponse(body, 1));
  assert.ok(result && !result.ok, 'expected the value to be rejected');
  return result.reason;
}

describe('parseCurrentResponse', () => {
  it('reads the single-location fixture: a bare object in GMT', () => {
    const [bogota] = locations(parseCurrentResponse(fixture('current-single.json'), 1));
    assert.deepEqual(conditions(bogota), {
      temperature: 16.4,
      humidity: 63,
      observedAt: new Date('2026-08-20T14:45:00Z'),
      intervalS: 900,
    });
  });

  it('reads the multi-location fixture in request order and turns Bogota local time into UTC', () => {
    const results = locations(parseCurrentResponse(fixture('current-multi.json'), 3));
    assert.deepEqual(
      results.map((result) => {
        const { temperature, humidity, observedAt } = conditions(result);
        return [temperature, humidity, observedAt.toISOString()];
      }),
      [
        [16.4, 63, '2026-08-20T14:45:00.000Z'],
        [22.8, 71, '2026-08-20T14:45:00.000Z'],
        [25.1, 66, '2026-08-20T14:45:00.000Z'],
      ],
    );
  });

  it('reads unixtime times', () => {
    const body = single({ time: Date.parse('2026-08-20T14:45:00Z') / 1000 }, { time: 'unixtime' });
    assert.equal(
      conditions(locations(parseCurrentResponse(body, 1))[0]).observedAt.toISOString(),
      '2026-08-20T14:45:00.000Z',
    );
  });

  it('rejects a body that is not JSON, with the reason', () => {
    const response = parseCurrentResponse(fixture('current-single.json').slice(0, 100), 1);
    assert.ok(!response.ok);
    assert.match(response.reason, /not JSON/);
  });

  it('rejects the whole response when the array has fewer or more entries than locations', () => {
    for (const count of [2, 4]) {
      const response = parseCurrentResponse(fixture('current-multi.json'), count);
      assert.ok(!response.ok);
      assert.match(response.reason, new RegExp(`expected ${count} locations, got 3`));
    }
  });

  it('rejects an array where one location was asked for, and a bare object where several were', () => {
    assert.equal(parseCurrentResponse(fixture('current-multi.json'), 1).ok, false);
    assert.equal(parseCurrentResponse(fixture('current-single.json'), 2).ok, false);
  });

  it('rejects the whole response when entries are not in request order', () => {
    const entries = JSON.parse(fixture('current-multi.json')) as unknown[];
    const response = parseCurrentResponse(JSON.stringify([entries[1], entries[0], entries[2]]), 3);
    assert.ok(!response.ok);
    assert.match(response.reason, /location_id/);
  });

  it('rejects the whole response when an entry has no current block', () => {
    const entries = JSON.parse(fixture('current-multi.json')) as Array<Record<string, unknown>>;
    delete entries[1]?.current;
    assert.equal(parseCurrentResponse(JSON.stringify(entries), 3).ok, false);
  });

  it('drops only the location whose value is bad and keeps the others', () => {
    const entries = JSON.parse(fixture('current-multi.json')) as Array<{ current: Record<string, unknown> }>;
    if (entries[1]) entries[1].current.temperature_2m = null;
    const results = locations(parseCurrentResponse(JSON.stringify(entries), 3));
    assert.deepEqual(
      results.map((result) => result.ok),
      [true, false, true],
    );
    assert.match(results[1]?.ok === false ? results[1].reason : '', /temperature_2m/);
  });

  it('accepts temperatures from -90 to 60 and humidity from 0 to 100', () => {
    for (const [temperature, humidity] of [
      [-90, 0],
      [60, 100],
      [0, 50],
    ]) {
      const result = conditions(
        locations(
          parseCurrentResponse(single({ temperature_2m: temperature, relative_humidity_2m: humidity }), 1),
        )[0],
      );
      assert.deepEqual([result.temperature, result.humidity], [temperature, humidity]);
    }
  });

  it('rejects values that are null, strings, out of range or not whole percent', () => {
    const bad: Array<Record<string, unknown>> = [
      { temperature_2m: null },
      { temperature_2m: '16.4' },
      { temperature_2m: 60.1 },
      { temperature_2m: -90.1 },
      { relative_humidity_2m: null },
      { relative_humidity_2m: 63.5 },
      { relative_humidity_2m: 101 },
      { relative_humidity_2m: -1 },
    ];
    for (const current of bad)
      assert.match(rejectionOf(single(current)), /temperature_2m|relative_humidity_2m/);
  });

  it('rejects a missing or unreadable time and a non-positive interval', () => {
    for (const current of [
      { time: undefined },
      { time: '2026-02-30T10:00' },
      { time: '2026-08-20 14:45' },
      { time: '2026-08-20T24:00' },
      { time: 1787237100 },
      { interval: 0 },
      { interval: 1.5 },
    ]) {
      rejectionOf(single(current));
    }
  });

  it('rejects units other than °C and %', () => {
    assert.match(rejectionOf(single({ temperature_2m: 61.5 }, { temperature_2m: '°F' })), /°C/);
    assert.match(rejectionOf(single({}, { relative_humidity_2m: 'fraction' })), /%/);
  });

  it('applies utc_offset_seconds to local times', () => {
    const body = single({ time: '2026-08-20T09:45' }, {}, -18000);
    assert.equal(
      conditions(locations(parseCurrentResponse(body, 1))[0]).observedAt.toISOString(),
      '2026-08-20T14:45:00.000Z',
    );
  });
});

describe('parseErrorReason', () => {
  it('reads the reason of the error fixture and of bodies with the keys the other way round', () => {
    assert.equal(
      parseErrorReason(fixture('error-400.json')),
      'Latitude must be in range of -90 to 90°. Given: 91.0.',
    );
    assert.equal(parseErrorReason('{"reason":"Invalid timezone","error":true}'), 'Invalid timezone');
  });

  it('gives undefined for anything else', () => {
    for (const body of ['', '<html>', '{"error":false,"reason":"x"}', fixture('current-single.json')]) {
      assert.equal(parseErrorReason(body), undefined);
    }
  });
});
