/**
 * One CSV record per RFC 4180: CRLF line ends, fields quoted when they hold `,`, `"`, CR or LF.
 * Numbers are written as numbers; text that a spreadsheet would run as a formula is neutralised.
 */
export function csvRecord(fields: readonly (string | number)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/**
 * The leading characters OWASP lists for CSV injection: a spreadsheet opening the file would
 * evaluate such a cell (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3`). City names come from
 * configuration and source strings from the database, so any text cell may start with one.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  // A leading single quote makes the spreadsheet read the cell as text, as OWASP recommends.
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return text !== value || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
