/**
 * Opaque keyset cursors for moderation's lists (queue tabs, bans, the audit log): the (time, id)
 * of the last item seen, tagged with the list it belongs to so that one list's cursor is not
 * taken for another's.
 */
import { BadRequestError } from '../platform/errors.js';
import type { Keyset } from './store.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeCursor(list: string, keyset: Keyset): string {
  return Buffer.from(JSON.stringify([list, keyset.at, keyset.id]), 'utf8').toString('base64url');
}

/** The keyset a cursor stands for; a 400 for anything this server did not give out for `list`. */
export function decodeCursor(list: string, cursor: string): Keyset {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 3 &&
    parsed[0] === list &&
    typeof parsed[1] === 'string' &&
    ISO_TIME.test(parsed[1]) &&
    typeof parsed[2] === 'string' &&
    parsed[2].length > 0 &&
    parsed[2].length <= 100
  ) {
    return { at: parsed[1], id: parsed[2] };
  }
  throw new BadRequestError(
    'The cursor is not one this list gave out. Use the `nextCursor` of the previous page, or leave it out to start at the beginning.',
    'invalid-cursor',
  );
}

/**
 * One page of `limit` from `rows` read with `limit + 1`, and the cursor after it (undefined on the
 * last page).
 */
export function pageOf<T>(
  rows: T[],
  limit: number,
  list: string,
  keysetOf: (row: T) => Keyset,
): { items: T[]; nextCursor: string | undefined } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor(list, keysetOf(last)) : undefined,
  };
}
