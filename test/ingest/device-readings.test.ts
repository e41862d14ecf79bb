import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceReadingKey } from '../../src/db/reading.js';
import { deviceReadings } from '../../src/ingest/device-readings.js';

const STATION = { name: 'finca-1', city: 'Manizales', tokenSha256: '0'.repeat(64) };
const RECEIVED = new Date('2026-11-29T17:30:00.750Z');

function keysOf(body: unknown): string[] {
  const result = deviceReadings(body, STATION, RECEIVED);
  assert.ok('readings' in result, JSON.stringify(result));
  return result.readings.map((reading) => reading.key);
}

function refusalOf(body: unknown) {
  const result = deviceReadings(body, STATION, RECEIVED);
  assert.ok('rejection' in result, JSON.stringify(result));
  return result.rejection;
}

describe('deviceReadings', () => {
  it('keys one instant the same whatever its notation: zone offset, fraction, or as the key writes it', () => {
    const instants = [
      '2026-11-29T17:20:05Z',
      '2026-11-29T17:20:05.999Z',
      '2026-11-29T12:20:05-05:00',
      '2026-11-29T18:20:05.1+01:00',
    ];
    const keys = keysOf(instants.map((takenAt) => ({ temperature: 21.4, humidity: 63, takenAt })));
    assert.deepEqual(new Set(keys), new Set([deviceReadingKey('finca-1', new Date('2026-11-29T17:20:05Z'))]));
    assert.equal(keys[0], 'station:finca-1@2026-11-29T17:20:05Z');
  });

  it('reads a time as Date.parse does, over many instants, fractions and zone offsets', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    for (let i = 0; i < 2_000; i++) {
      const at = new Date(Date.UTC(1970, 0, 1) + Math.floor(random() * 1.8e12));
      const offsetMinutes = Math.round((random() - 0.5) * 2 * 14) * 30 * (i % 3 === 0 ? 0 : 1);
      const local = new Date(at.getTime() + offsetMinutes * 60_000);
      const fraction = ['', '.5', `.${pad(local.getUTCMilliseconds(), 3)}`, '.123456'][i % 4];
      const zone =
        offsetMinutes === 0 && i % 2 === 0
          ? 'Z'
          : `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
      const text = `${local.toISOString().slice(0, 19)}${fraction}${zone}`;
      const result = deviceReadings(
        { temperature: 20, humidity: 50, takenAt: text },
        STATION,
        new Date(4e12),
      );
      assert.ok('readings' in result, text);
      const expected = Math.floor(Date.parse(text) / 1000) * 1000;
      assert.equal(result.readings[0]?.takenAt.getTime(), expected, text);
      assert.equal(result.readings[0]?.key, deviceReadingKey('finca-1', new Date(expected)), text);
    }
  });

  it('takes the second of receipt without takenAt, and keeps every field of the reading', () => {
    const result = deviceReadings({ temperature: -3.5, humidity: 62.6 }, STATION, RECEIVED);
    assert.ok('readings' in result);
    assert.deepEqual(result.readings, [
      {
        key: 'station:finca-1@2026-11-29T17:30:00Z',
        city: 'Manizales',
        temperature: -3.5,
        humidity: 63,
        takenAt: new Date('2026-11-29T17:30:00Z'),
        observedAt: new Date('2026-11-29T17:30:00Z'),
        source: 'device',
        station: 'finca-1',
      },
    ]);
  });

  it('refuses a day or a time the calendar does not have, naming the field', () => {
    for (const takenAt of [
      '2026-02-29T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-04-31T10:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-11-29T24:00:00Z',
      '2026-11-29T23:60:00Z',
      '2026-11-29T23:59:60Z',
      '2026-11-29T17:20:00+24:00',
      '2026-11-29 17:20:00Z',
      '2026-11-29T17:20:00',
    ]) {
      const rejection = refusalOf([
        { temperature: 20, humidity: 50 },
        { temperature: 20, humidity: 50, takenAt },
      ]);
      assert.equal(rejection.reason, 'bad-time', takenAt);
      assert.equal(rejection.field, '[1].takenAt', takenAt);
    }
    assert.deepEqual(keysOf({ temperature: 20, humidity: 50, takenAt: '2024-02-29T00:00:00Z' }), [
      'station:finca-1@2024-02-29T00:00:00Z',
    ]);
  });

  it('refuses times before 1970 and more than five minutes ahead of receipt', () => {
    assert.match(
      refusalOf({ temperature: 20, humidity: 50, takenAt: '1969-12-31T23:59:59Z' }).detail,
      /after 1970/,
    );
    assert.match(
      refusalOf({ temperature: 20, humidity: 50, takenAt: '2026-11-29T17:36:00Z' }).detail,
      /future/,
    );
    assert.equal(keysOf({ temperature: 20, humidity: 50, takenAt: '2026-11-29T17:35:00Z' }).length, 1);
  });

  it('names the first bad field of the first bad reading, and refuses the whole message', () => {
    const cases: [unknown, string, string | undefined][] = [
      [[], 'bad-payload', undefined],
      [[{ temperature: 20, humidity: 50 }, 7], 'bad-payload', '[1]'],
      [{ temperature: 20, humidity: 50, wind: 3 }, 'bad-payload', 'wind'],
      [{ temperature: '20', humidity: 50 }, 'bad-payload', 'temperature'],
      [{ temperature: 101, humidity: 50 }, 'out-of-range', 'temperature'],
      [
        [
          { temperature: 20, humidity: 50 },
          { temperature: 20, humidity: -1 },
        ],
        'out-of-range',
        '[1].humidity',
      ],
      [{ temperature: 20, humidity: Number.NaN }, 'bad-payload', 'humidity'],
      [Array.from({ length: 1_001 }, () => ({ temperature: 20, humidity: 50 })), 'bad-payload', undefined],
    ];
    for (const [body, reason, field] of cases) {
      const rejection = refusalOf(body);
      assert.equal(rejection.reason, reason, JSON.stringify(body).slice(0, 60));
      assert.equal(rejection.field, field, JSON.stringify(body).slice(0, 60));
    }
  });
});
