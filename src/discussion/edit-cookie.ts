/**
 * The edit tokens a browser holds for comments it posted without an account. `postComment` gives
 * the token once; the page keeps it for the poster in one cookie per discussion page — signed,
 * HttpOnly, SameSite=Lax, its `Path` the page's own (e.g. `/s/statement-on-paris`), so it goes
 * nowhere else — holding a few comment id → token pairs, each with the time it stops being useful.
 * With it the page can offer "Edit" and "Delete" on the poster's own comments, without JavaScript.
 *
 * Why one cookie per page rather than one per comment: a browser sends every cookie of a path with
 * every request to it, and caps their number per site; one small, capped cookie costs the same
 * whatever someone writes. The tokens are checked against the stored hashes on every use, so the
 * signature only keeps the cookie's shape honest; a token that is no longer any good (removed
 * comment, expired) simply gives no controls.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const EDIT_COOKIE = 'broadside_edits';

/** The newest this many tokens are kept: ~1.5 KB, well inside a browser's 4 KB per cookie. */
export const MAX_HELD_TOKENS = 12;

/**
 * How long a token is kept after the edit window closes. A page left open past the window still
 * sends it, so a late edit gets the precise refusal ("can be edited for 15 minutes…") rather than
 * "only the author…", and the author can still remove the comment for a while.
 */
export const KEPT_AFTER_EDIT_WINDOW_MS = 30 * 60_000;

export interface HeldToken {
  commentId: string;
  token: string;
  /** Milliseconds since the epoch after which the token is dropped. */
  until: number;
}

const ID = /^[0-9A-Za-z-]{1,100}$/;
const TOKEN = /^[0-9A-Za-z_-]{1,200}$/;

export function encodeHeldTokens(tokens: readonly HeldToken[]): string {
  const list = tokens.map((held) => [held.commentId, held.token, held.until]);
  return Buffer.from(JSON.stringify(list), 'utf8').toString('base64url');
}

/** The tokens in a cookie's value that are still current; anything malformed is ignored. */
export function decodeHeldTokens(value: string, now: number): HeldToken[] {
  let list: unknown;
  try {
    list = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  const tokens: HeldToken[] = [];
  for (const item of list.slice(0, MAX_HELD_TOKENS)) {
    if (!Array.isArray(item) || item.length !== 3) continue;
    const [commentId, token, until] = item as unknown[];
    if (typeof commentId !== 'string' || !ID.test(commentId)) continue;
    if (typeof token !== 'string' || !TOKEN.test(token)) continue;
    if (typeof until !== 'number' || !Number.isFinite(until) || until <= now) continue;
    tokens.push({ commentId, token, until });
  }
  return tokens;
}

/** `tokens` with `added` in (replacing one for the same comment), the newest few, still current. */
export function withHeldToken(
  tokens: readonly HeldToken[],
  added: HeldToken,
  now: number,
): HeldToken[] {
  return [...tokens.filter((held) => held.commentId !== added.commentId), added]
    .filter((held) => held.until > now)
    .sort((a, b) => a.until - b.until)
    .slice(-MAX_HELD_TOKENS);
}

/** The tokens this request's cookie holds (the browser sends only the current page's). */
export function readHeldTokens(request: FastifyRequest, now: number): HeldToken[] {
  const raw = request.cookies[EDIT_COOKIE];
  if (raw === undefined) return [];
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return [];
  return decodeHeldTokens(unsigned.value, now);
}

/** Sets the page's cookie to hold `tokens`, expiring with the last of them (or clears it). */
export function writeHeldTokens(
  request: FastifyRequest,
  reply: FastifyReply,
  input: { path: string; tokens: readonly HeldToken[]; now: number },
): void {
  const options = {
    path: input.path,
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: request.protocol === 'https',
  };
  const last = Math.max(0, ...input.tokens.map((held) => held.until));
  if (input.tokens.length === 0 || last <= input.now) {
    reply.clearCookie(EDIT_COOKIE, options);
    return;
  }
  reply.setCookie(EDIT_COOKIE, encodeHeldTokens(input.tokens), {
    ...options,
    signed: true,
    maxAge: Math.ceil((last - input.now) / 1000),
  });
}
