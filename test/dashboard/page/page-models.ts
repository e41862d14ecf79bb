import type { LatestReading, PageModel } from '../../../src/dashboard/page/page-model.js';
import type { Reading } from '../../../src/db/reading.js';
import { DEFAULT_CITIES } from '../../../src/weather/city.js';

/** 14:30:00 in Bogota (UTC-5). */
export const NOW = new Date('2024-05-14T19:30:00Z');
export const ZONE = 'America/Bogota';
export const XSS = '<img src=x onerror=alert(1)>';
export const XSS_ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';

export function reading(
  id: number,
  city: string,
  takenAt: string,
  overrides: Partial<Reading> = {},
): Reading {
  return {
    id,
    key: `${city}@${takenAt.slice(0, 19)}Z`,
    city,
    temperature: 16.4,
    humidity: 63,
    takenAt,
    observedAt: takenAt,
    source: 'open-meteo',
    ...overrides,
  };
}

export function latest(base: Reading, ageSeconds: number, stale = false): LatestReading {
  return { ...base, ageSeconds, stale };
}

const bogota = reading(41, 'Bogota', '2024-05-14T19:28:00Z', { temperature: 14.2, humidity: 81 });
const manizales = reading(42, 'Manizales', '2024-05-14T19:28:00Z', { source: 'simulated' });
// 23:00 the day before, in Bogota: shown with its date.
const cali = reading(7, 'Cali', '2024-05-14T04:00:00Z', { temperature: 24, humidity: 70 });

/** A healthy page: database up, two fresh cities and one stale, live weather for Manizales. */
export function normalModel(overrides: Partial<PageModel> = {}): PageModel {
  return {
    lang: 'en',
    now: NOW,
    timeZone: ZONE,
    intervalS: 15,
    cities: DEFAULT_CITIES,
    selectedCity: 'Manizales',
    chartRange: '24h',
    chartView: 'city',
    database: { state: 'up' },
    readings: {
      latest: [latest(bogota, 120), latest(manizales, 120), latest(cali, 55_800, true)],
      recent: [cali, bogota, manizales],
      fromCache: false,
      fetchedAt: new Date('2024-05-14T19:29:55Z'),
    },
    openMeteo: { status: 'up', callsToday: 1234 },
    outbox: undefined,
    weather: {
      state: 'ok',
      observation: { city: 'Manizales', temperature: 17.1, humidity: 77, observedAt: '2024-05-14T19:15:00Z' },
    },
    ...overrides,
  };
}

/** The database stopped answering at 14:05 Bogota; the dashboard still holds what it read at 14:06. */
export function downWithCacheModel(overrides: Partial<PageModel> = {}): PageModel {
  const normal = normalModel();
  return normalModel({
    database: { state: 'down', since: new Date('2024-05-14T19:05:00Z') },
    readings: normal.readings && {
      ...normal.readings,
      latest: normal.readings.latest.map((row) => ({
        ...row,
        ageSeconds: row.ageSeconds + 1500,
        stale: true,
      })),
      fromCache: true,
      fetchedAt: new Date('2024-05-14T19:06:10Z'),
    },
    ...overrides,
  });
}
