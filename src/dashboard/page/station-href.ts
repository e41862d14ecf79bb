import { isoSeconds } from './csv-href.js';

/** The most readings a station's history link asks for: the API's largest page. */
export const STATION_HISTORY_LIMIT = 1000;

/**
 * `/api/stations/:name/readings`: a station's readings, newest first; by default the API's last
 * day (its first 100), or, given a range ending at `to`, the newest `STATION_HISTORY_LIMIT` of
 * it. The page renders it, and its script asks for the range shown at the moment of a click.
 */
export function stationHistoryHref(name: string, range?: { to: Date; seconds: number }): string {
  const path = `/api/stations/${encodeURIComponent(name)}/readings`;
  if (range === undefined) return path;
  const query = new URLSearchParams({
    from: isoSeconds(new Date(range.to.getTime() - range.seconds * 1000)),
    to: isoSeconds(range.to),
    limit: String(STATION_HISTORY_LIMIT),
  });
  return `${path}?${query.toString()}`;
}
