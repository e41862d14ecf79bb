import type { City } from '../weather/city.js';

/** One request to Open-Meteo's free API may carry at most this many locations. */
export const MAX_CITIES = 1000;
const MAX_NAME_LENGTH = 100;

/**
 * Parses `Name:lat:lon,Name:lat:lon`. Returns the cities or a reason naming the bad entry.
 * Names may hold spaces and accents but not `:` or `,`, which separate the fields.
 */
export function parseCities(raw: string): City[] | { error: string } {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return { error: 'no city given' };
  if (entries.length > MAX_CITIES) return { error: `${entries.length} cities, at most ${MAX_CITIES}` };
  const cities: City[] = [];
  for (const entry of entries) {
    const parts = entry.split(':');
    if (parts.length !== 3) return { error: `"${entry}" is not Name:latitude:longitude` };
    const [name = '', lat = '', lon = ''] = parts.map((part) => part.trim());
    if (name === '' || name.length > MAX_NAME_LENGTH) {
      return { error: `"${entry}": the name must have 1 to ${MAX_NAME_LENGTH} characters` };
    }
    const latitude = decimal(lat);
    const longitude = decimal(lon);
    if (latitude === undefined || latitude < -90 || latitude > 90) {
      return { error: `"${entry}": latitude ${lat} is not a number from -90 to 90` };
    }
    if (longitude === undefined || longitude < -180 || longitude > 180) {
      return { error: `"${entry}": longitude ${lon} is not a number from -180 to 180` };
    }
    if (cities.some((city) => city.name.toLowerCase() === name.toLowerCase())) {
      return { error: `"${name}" is listed twice` };
    }
    cities.push(Object.freeze({ name, latitude, longitude }));
  }
  return cities;
}

function decimal(text: string): number | undefined {
  return /^[-+]?\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}
