import { z } from 'zod';
import { STATION_NAME, type Station } from '../ingest/station.js';

/** More would make the broker's ACL file and the page's station list unwieldy. */
export const MAX_STATIONS = 10_000;
const MAX_CITY_LENGTH = 100;

const stationSchema = z.object({
  name: z
    .string()
    .regex(STATION_NAME, 'must be 1 to 64 letters, digits, "-" or "_", starting with a letter or digit'),
  // Trimmed and without ":" as CITIES names are, so a station's city is one the database stores alike.
  city: z
    .string()
    .min(1, 'must not be empty')
    .max(MAX_CITY_LENGTH, `must have at most ${MAX_CITY_LENGTH} characters`)
    .refine((city) => city === city.trim() && !city.includes(':'), 'must be trimmed and hold no ":"'),
  tokenSha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be the SHA-256 of the token as 64 hex digits')
    .transform((hex) => hex.toLowerCase()),
});

/**
 * Parses the JSON array of stations (`[{"name", "city", "tokenSha256"}]`; other fields are left
 * for later versions). Returns the stations or a reason naming the bad entry by its position
 * (from 1) and name.
 */
export function parseStations(raw: string): Station[] | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return { error: `not JSON: ${(error as Error).message}` };
  }
  if (!Array.isArray(parsed)) return { error: 'not a JSON array of stations' };
  if (parsed.length > MAX_STATIONS) return { error: `${parsed.length} stations, at most ${MAX_STATIONS}` };
  const stations: Station[] = [];
  const seen = new Map<string, number>();
  for (const [index, entry] of parsed.entries()) {
    const name = (entry as { name?: unknown } | null)?.name;
    const label = `entry ${index + 1}${typeof name === 'string' ? ` ("${name}")` : ''}`;
    const result = stationSchema.safeParse(entry);
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue?.path.join('.');
      return { error: `${label}: ${field ? `${field} ` : ''}${issue?.message ?? 'is not a station'}` };
    }
    const station = result.data;
    // Broker user names and topic levels are case-sensitive, people are not: one spelling only.
    const folded = station.name.toLowerCase();
    const first = seen.get(folded);
    if (first !== undefined) return { error: `${label}: name repeats entry ${first}` };
    seen.set(folded, index + 1);
    stations.push(
      Object.freeze({ name: station.name, city: station.city, tokenSha256: station.tokenSha256 }),
    );
  }
  return stations;
}
