/** `2026-01-02T03:04:05Z`: an instant to the second, as the API's `from` and `to` take it. */
export const isoSeconds = (at: Date): string => `${at.toISOString().slice(0, 19)}Z`;

/**
 * `/api/readings.csv` of the raw readings in the range ending at `to`: one city's, or every
 * city's (`city` undefined, the all-cities view). The page renders it, and its script asks for the
 * same at the moment the link is followed.
 */
export function csvHref(city: string | undefined, to: Date, rangeSeconds: number): string {
  const from = new Date(to.getTime() - rangeSeconds * 1000);
  const query = new URLSearchParams({
    ...(city === undefined ? {} : { city }),
    from: isoSeconds(from),
    to: isoSeconds(to),
  });
  return `/api/readings.csv?${query.toString()}`;
}
