/**
 * The rules of the embed widget: which origins a site lets embed its discussions (the allow-list
 * in the site's settings), which address names a page's thread, and the signed form token that
 * stands in for the CSRF cookie inside the embed's cross-site frame. Pure functions; no I/O.
 */
import { keyedHash, safeEqual } from '../platform/ids.js';
import { normalisePageUrl } from './model.js';

/** The key in a site's settings JSON that holds its allow-list. */
export const EMBED_ORIGINS_SETTING = 'embedOrigins';

/** More origins than any site needs; keeps the CSP header and the admin page small. */
export const MAX_EMBED_ORIGINS = 50;

/**
 * The serialised origin (`https://blog.example`, `http://localhost:8080`) a person meant by
 * `input`, or undefined when it is not one: only http(s), no credentials, and nothing after the
 * host but an optional `/`. Scheme and host come out in lower case (IDNs in punycode), the default
 * port dropped, so that it compares equal to a browser's `Origin` and page URLs' origins.
 */
export function parseEmbedOrigin(input: string): string | undefined {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/')
    return undefined;
  if (/[?#]/.test(text) || /^[a-z][a-z0-9+.-]*:\/\/[^/]*\/./i.test(text)) return undefined;
  // A host name, an IPv4 or an [IPv6] address; nothing a CSP would read as a wildcard (`*`).
  if (!/^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$/.test(url.hostname)) return undefined;
  return url.origin;
}

/** The allow-list kept in a site's settings; anything malformed there is ignored. */
export function embedOriginsOf(settings: Record<string, unknown>): string[] {
  const value = settings[EMBED_ORIGINS_SETTING];
  if (!Array.isArray(value)) return [];
  const origins = value
    .filter((item): item is string => typeof item === 'string')
    .map(parseEmbedOrigin)
    .filter((origin): origin is string => origin !== undefined);
  return [...new Set(origins)];
}

/** The origin of a (normalised) page address when the allow-list lets it embed, else undefined. */
export function allowedEmbedder(pageUrl: string, allowed: readonly string[]): string | undefined {
  const origin = parseEmbedOrigin(new URL(pageUrl).origin);
  return origin !== undefined && allowed.includes(origin) ? origin : undefined;
}

/** The origin a page address claims to be on, for the refusal page's frame-ancestors. */
export function originOfPage(pageUrl: string): string | undefined {
  try {
    return parseEmbedOrigin(new URL(pageUrl).origin);
  } catch {
    return undefined;
  }
}

// --- the thread of a page --------------------------------------------------------------------

/**
 * The key in a site's settings JSON that says whether the query string tells pages apart
 * (`"embedKeepQuery": true`, for sites whose pages are `/?p=123`). Off unless set to `true`.
 */
export const EMBED_KEEP_QUERY_SETTING = 'embedKeepQuery';

export function embedKeepsQuery(settings: Record<string, unknown>): boolean {
  return settings[EMBED_KEEP_QUERY_SETTING] === true;
}

/** Query parameters that only say where a visitor came from: never part of a page's address. */
const TRACKING_PARAMETER =
  /^(?:utm_.*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl)$/i;

/**
 * The address that names a page's thread: the normalised page URL without its query string, so
 * that `?utm_source=…`, `?fbclid=…` or any made-up query leads to the page's one thread instead
 * of opening new ones. With `keepQuery` (the site's `embedKeepQuery`) the query is kept, less
 * tracking parameters. Undefined when `input` is not an http(s) address.
 */
export function embedPageUrl(input: string, options: { keepQuery: boolean }): string | undefined {
  const normalised = normalisePageUrl(input);
  if (normalised === undefined) return undefined;
  const url = new URL(normalised);
  if (!options.keepQuery) {
    url.search = '';
    return url.href;
  }
  const tracking = [...url.searchParams.keys()].filter((name) => TRACKING_PARAMETER.test(name));
  if (tracking.length === 0) return normalised; // untouched: re-encoding could change it
  for (const name of tracking) url.searchParams.delete(name);
  return url.href;
}

/**
 * The title a thread opened by the embed gets: its page's host and path (and query, when kept),
 * never words the caller sent, since anyone can send any title for any page.
 * `blog.example.org/2026/essay`.
 */
export function embedThreadTitle(pageUrl: string): string {
  const url = new URL(pageUrl);
  let path = url.pathname;
  try {
    path = decodeURI(path);
  } catch {
    // An invalid escape: keep it as it is.
  }
  const title = `${url.host}${path === '/' ? '' : path}${url.search}`;
  return title.replace(/\s+/g, ' ').trim().slice(0, 200);
}

// --- the embed form's token ----------------------------------------------------------------

/** How long a comment form in the embed stays good: long enough to write a considered reply. */
export const EMBED_FORM_LIFETIME_MS = 6 * 60 * 60_000;

function formMac(secret: string, threadId: string, issuedAt: number): string {
  return keyedHash(secret, `embed-comment-form\n${threadId}\n${issuedAt}`).slice(0, 32);
}

/**
 * A token for the comment form of one thread's embed: `<issued-at seconds>.<HMAC>`. It needs no
 * cookie (a cross-site frame keeps none), proves the form was served by this server for this
 * thread, and expires. It complements, not replaces, the same-origin check on the post.
 */
export function issueEmbedFormToken(secret: string, threadId: string, now: Date): string {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return `${issuedAt}.${formMac(secret, threadId, issuedAt)}`;
}

/** Why a form token is not good for posting to `threadId` now, or undefined when it is. */
export function embedFormTokenProblem(
  secret: string,
  threadId: string,
  token: string,
  now: Date,
): 'invalid' | 'expired' | undefined {
  const match = /^(\d{1,12})\.([0-9a-f]{32})$/.exec(token);
  if (!match?.[1] || !match[2]) return 'invalid';
  const issuedAt = Number(match[1]);
  if (!safeEqual(match[2], formMac(secret, threadId, issuedAt))) return 'invalid';
  const age = now.getTime() - issuedAt * 1000;
  if (age < -60_000) return 'invalid'; // from the future: not one we issued
  if (age > EMBED_FORM_LIFETIME_MS) return 'expired';
  return undefined;
}
