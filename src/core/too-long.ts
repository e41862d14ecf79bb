/**
 * More than `max` characters (code points), as a database column counts them. The characters are
 * counted only when UTF-16 units could exceed `max`: this runs for every reading stored or restored.
 */
export function tooLong(text: string, max: number): boolean {
  return text.length > max && [...text].length > max;
}
