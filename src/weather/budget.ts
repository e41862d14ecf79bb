/**
 * Open-Meteo's free (non-commercial) limits. Every location in a request counts as one call, and
 * a failed request still costs one.
 */
export const FREE_TIER_LIMITS = Object.freeze({
  callsPerDay: 10_000,
  callsPerHour: 5_000,
  callsPerMinute: 600,
  locationsPerRequest: 1000,
});

/** How often `current=` values change on /v1/forecast; asking more often gains nothing. */
export const OPEN_METEO_INTERVAL_S = 900;

// Retries, the cache's minimum gap and the dashboard's own cities come on top of the estimate, so a
// configuration is flagged before it reaches the hard limit.
const HEADROOM = 0.8;

/**
 * Calls per day a sensor reading `cityCount` cities every `intervalS` seconds makes through the
 * caching Open-Meteo source: each city is asked once per 900 s period, or once per tick when ticks
 * are longer than that.
 */
export function estimateDailyCalls(cityCount: number, intervalS: number): number {
  return Math.ceil((cityCount * 86_400) / Math.max(intervalS, OPEN_METEO_INTERVAL_S));
}

/**
 * A warning for the start-up log when `clients` sensors, each reading `cityCount` cities every
 * `intervalS` seconds from one public address, could break the free tier's limits, or undefined
 * when they fit. The limits count per address, so sensors covering for each other share them.
 */
export function dailyBudgetWarning(cityCount: number, intervalS: number, clients = 1): string | undefined {
  const limits = FREE_TIER_LIMITS;
  const problems: string[] = [];
  if (cityCount > limits.locationsPerRequest) {
    problems.push(
      `${cityCount} cities exceed the ${limits.locationsPerRequest} locations Open-Meteo accepts in one request, so every request will be refused`,
    );
  } else if (cityCount > limits.callsPerMinute) {
    problems.push(
      `one request for ${cityCount} cities costs ${cityCount} calls, above the free tier's ${limits.callsPerMinute} per minute`,
    );
  }
  const perHour = clients * cityCount * Math.ceil(3600 / Math.max(intervalS, OPEN_METEO_INTERVAL_S));
  if (perHour > limits.callsPerHour * HEADROOM) {
    problems.push(`about ${perHour} calls per hour against a limit of ${limits.callsPerHour}`);
  }
  const perDay = clients * estimateDailyCalls(cityCount, intervalS);
  if (perDay > limits.callsPerDay * HEADROOM) {
    problems.push(`about ${perDay} calls per day against a limit of ${limits.callsPerDay}`);
  }
  if (problems.length === 0) return undefined;
  const who = clients > 1 ? ` from ${clients} sensors` : '';
  return `Open-Meteo free tier at risk with ${cityCount} cities every ${intervalS} s${who}: ${problems.join('; ')}. Use fewer cities, a longer interval, or the simulated source.`;
}
