import type { City } from './city.js';
import { unitHash } from './value-noise.js';

/** The average weather of a place, which the simulated source varies around. */
export interface Climate {
  /** Annual mean temperature, °C. */
  readonly meanTemperature: number;
  /** Half the typical difference between mid-afternoon and night, °C. */
  readonly dailyHalfRange: number;
  /** Half the difference between the warmest and coldest time of year, °C. */
  readonly seasonalHalfRange: number;
  /** Annual mean relative humidity, %. */
  readonly meanHumidity: number;
  /** Day of the year (0-based) when it is warmest. */
  readonly warmestDay: number;
}

type KnownClimate = Pick<Climate, 'meanTemperature' | 'dailyHalfRange' | 'meanHumidity'>;

// Long-term averages of the paper's seven cities; in the Andes altitude, not latitude, sets the
// temperature, so these cannot be derived from coordinates.
const KNOWN_CLIMATES: Readonly<Record<string, KnownClimate>> = {
  bogota: { meanTemperature: 14, dailyHalfRange: 5, meanHumidity: 75 },
  medellin: { meanTemperature: 22, dailyHalfRange: 5, meanHumidity: 68 },
  cali: { meanTemperature: 24, dailyHalfRange: 5, meanHumidity: 70 },
  cartagena: { meanTemperature: 28, dailyHalfRange: 3, meanHumidity: 78 },
  manizales: { meanTemperature: 17, dailyHalfRange: 4, meanHumidity: 80 },
  pereira: { meanTemperature: 21, dailyHalfRange: 4.5, meanHumidity: 75 },
  bucaramanga: { meanTemperature: 23, dailyHalfRange: 4.5, meanHumidity: 72 },
};

/**
 * The climate of `city`: from the table for the paper's cities (matched without case or accents,
 * so "Bogotá" is Bogota), otherwise a rough zonal climate from the latitude, shifted by a
 * deterministic amount from the name so that two unknown cities at one latitude still differ.
 */
export function climateOf(city: City): Climate {
  const latitude = Math.min(90, Math.abs(city.latitude));
  const extratropical = Math.max(0, latitude - 10);
  const seasons = {
    seasonalHalfRange: 0.5 + 0.3 * extratropical,
    // Mid-July in the north, mid-January in the south.
    warmestDay: city.latitude >= 0 ? 196 : 15,
  };
  const known = KNOWN_CLIMATES[normalizeName(city.name)];
  if (known) return { ...known, ...seasons };
  const name = normalizeName(city.name);
  return {
    meanTemperature: 27 - 0.45 * extratropical + (unitHash(`climate-t|${name}`) * 4 - 2),
    dailyHalfRange: 3.5 + unitHash(`climate-d|${name}`) * 2,
    meanHumidity: 60 + unitHash(`climate-h|${name}`) * 25,
    ...seasons,
  };
}

function normalizeName(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').trim().toLowerCase();
}
