/**
 * CSV as RFC 4180 has it (CRLF line ends; a field with a comma, quote or line break in double
 * quotes, quotes doubled), with cells that a spreadsheet would run as a formula defused.
 */

// Spreadsheets treat a cell that starts with one of these as a formula (OWASP "CSV injection"),
// including after a tab or carriage return.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: defused if it would start a formula, quoted when it must be. */
export function csvCell(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, with its CRLF. */
export function csvRow(cells: readonly (string | number | undefined | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
