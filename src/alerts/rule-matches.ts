/** What a rule's `city` is compared with: a reading's city (and, with stations, its station). */
export interface Subjectable {
  readonly city: string;
}

/**
 * Whether a rule written for `city` (a city's name, or `*`) covers `reading`. The one place rules
 * are matched: once readings carry a station, `|| city === reading.station` lets a rule name one.
 */
export function ruleMatches(city: string, reading: Subjectable): boolean {
  return city === '*' || city === reading.city;
}
