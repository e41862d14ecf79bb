import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatAge,
  formatHumidity,
  formatTemperature,
  formatTime,
  numberFormat,
  zonedFormat,
} from '../../../src/dashboard/page/format.js';

const bogota = { timeZone: 'America/Bogota', now: new Date('2024-05-14T19:30:00Z') };

describe('formatTime', () => {
  it('shows a time of today as HH:MM:SS on a 24-hour clock in the page time zone', () => {
    assert.equal(formatTime('2024-05-14T19:28:03Z', bogota), '14:28:03');
    assert.equal(formatTime(new Date('2024-05-14T19:28:03Z'), { ...bogota, timeZone: 'UTC' }), '19:28:03');
  });

  it('writes midnight as 00, never 24', () => {
    assert.equal(formatTime('2024-05-14T05:00:07Z', bogota), '00:00:07');
  });

  it('adds the date when the time is not today in that zone', () => {
    assert.equal(formatTime('2024-05-14T04:59:59Z', bogota), '2024-05-13 23:59:59');
    assert.equal(formatTime('2024-05-14T04:59:59Z', { ...bogota, timeZone: 'UTC' }), '04:59:59');
  });

  it('drops the seconds when asked for minutes', () => {
    assert.equal(formatTime('2024-05-14T19:05:59Z', bogota, 'minutes'), '14:05');
    assert.equal(formatTime('2024-05-12T19:05:59Z', bogota, 'minutes'), '2024-05-12 14:05');
  });

  it('gives back an unparseable timestamp as it came rather than throwing', () => {
    assert.equal(formatTime('not a date', bogota), 'not a date');
  });
});

describe('formatTemperature', () => {
  it('always shows one decimal and the unit', () => {
    assert.equal(formatTemperature(16.4), '16.4 °C');
    assert.equal(formatTemperature(24), '24.0 °C');
    assert.equal(formatTemperature(-3.25), '-3.3 °C');
  });

  it('never shows minus zero', () => {
    assert.equal(formatTemperature(-0.04), '0.0 °C');
    assert.equal(formatTemperature(-0), '0.0 °C');
  });
});

describe('formatHumidity', () => {
  it('shows a whole percent', () => {
    assert.equal(formatHumidity(63), '63 %');
    assert.equal(formatHumidity(62.6), '63 %');
  });
});

describe('formatAge', () => {
  it('uses the coarsest whole unit, in English and Spanish', () => {
    const cases: [number, string, string][] = [
      [0, 'just now', 'ahora mismo'],
      [45.9, '45 s ago', 'hace 45 s'],
      [60, '1 min ago', 'hace 1 min'],
      [150, '2 min ago', 'hace 2 min'],
      [7_200, '2 h ago', 'hace 2 h'],
      [200_000, '2 d ago', 'hace 2 d'],
    ];
    for (const [seconds, en, es] of cases) {
      assert.equal(formatAge(seconds, 'en'), en);
      assert.equal(formatAge(seconds, 'es'), es);
    }
  });

  it('says "just now" for an age from a clock slightly ahead', () => {
    assert.equal(formatAge(-3, 'en'), 'just now');
  });
});

describe('formatters', () => {
  it('builds one date formatter per time zone and hands the same one back', () => {
    const bogotaFormat = zonedFormat('America/Bogota');
    assert.equal(zonedFormat('America/Bogota'), bogotaFormat);
    assert.notEqual(zonedFormat('UTC'), bogotaFormat);
    assert.equal(bogotaFormat.resolvedOptions().timeZone, 'America/Bogota');
  });

  it('builds one number formatter per locale and hands the same one back', () => {
    const spanish = numberFormat('es');
    assert.equal(numberFormat('es'), spanish);
    assert.notEqual(numberFormat('en'), spanish);
    assert.equal(spanish.resolvedOptions().locale, 'es');
  });
});
