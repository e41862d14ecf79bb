/**
 * Whether a rule written for `city` (a city's name, a station's name, or `*` for every city and
 * station) covers `subject`. The one place rules are matched.
 */
export function ruleMatches(city: string, subject: string): boolean {
  return city === '*' || city === subject;
}
