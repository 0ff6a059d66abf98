/** Telling a row the database refuses apart from a database that is failing, on either database. */

/**
 * True when `error` is the database refusing the data it was given — a constraint (not null,
 * unique, foreign key, check) or a value it cannot store — rather than a lost connection, a full
 * disk or a bug: a bulk write may skip such a row and go on; any other error should stop it.
 */
export function isRowRefusal(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  // PostgreSQL SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation).
  if (/^2[23][0-9A-Z]{3}$/.test(code)) return true;
  return /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code);
}
