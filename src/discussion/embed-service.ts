/**
 * Use cases of the embed widget: the site's allow-list of origins that may embed its discussions
 * (kept in the site's settings), and finding — or, on the first view from an allowed page,
 * opening — the thread of the page that embeds one. A page's thread is named by `embedPageUrl`
 * (no query string unless the site keeps it) and titled by `embedThreadTitle`, whatever the
 * caller sends.
 */
import type { AccountsContext } from '../accounts/service.js';
import { getSite, updateSiteSettings } from '../accounts/service.js';
import { isUniqueViolation } from '../platform/database/index.js';
import {
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
} from '../platform/errors.js';
import {
  EMBED_ORIGINS_SETTING,
  MAX_EMBED_ORIGINS,
  allowedEmbedder,
  embedFormTokenProblem,
  embedKeepsQuery,
  embedOriginsOf,
  embedPageUrl,
  embedThreadTitle,
  originOfPage,
  parseEmbedOrigin,
} from './embed-model.js';
import type { DiscussionContext } from './service.js';
import { createThread } from './service.js';
import * as store from './store.js';
import type { Thread } from './store.js';

export interface EmbedContext {
  discussion: DiscussionContext;
  accounts: AccountsContext;
  /** Signs the embed's form tokens. */
  secret: string;
}

// --- the allow-list ------------------------------------------------------------------------

export async function listEmbedOrigins(ctx: AccountsContext, siteId: string): Promise<string[]> {
  return embedOriginsOf((await getSite(ctx, siteId)).settings);
}

/** Adds an origin to the allow-list; says what was wrong with `input` when it is not one. */
export async function addEmbedOrigin(
  ctx: AccountsContext,
  input: { siteId: string; origin: string },
): Promise<{ origin: string; origins: string[] }> {
  const origin = parseEmbedOrigin(input.origin);
  if (origin === undefined) {
    throw new UnprocessableError(
      `"${input.origin.trim()}" is not an origin. Give the scheme and host of the site, with the port if it is not the usual one, and nothing after it: e.g. https://blog.example.org or http://localhost:8080.`,
      'invalid-origin',
    );
  }
  let origins: string[] = [];
  await updateSiteSettings(ctx, input.siteId, (settings) => {
    const current = embedOriginsOf(settings);
    if (current.includes(origin)) {
      origins = current;
      return {};
    }
    if (current.length >= MAX_EMBED_ORIGINS) {
      throw new UnprocessableError(
        `At most ${MAX_EMBED_ORIGINS} origins may embed discussions; remove one first.`,
        'too-many-origins',
      );
    }
    origins = [...current, origin];
    return { [EMBED_ORIGINS_SETTING]: origins };
  });
  return { origin, origins };
}

export async function removeEmbedOrigin(
  ctx: AccountsContext,
  input: { siteId: string; origin: string },
): Promise<string[]> {
  let origins: string[] = [];
  await updateSiteSettings(ctx, input.siteId, (settings) => {
    origins = embedOriginsOf(settings).filter((origin) => origin !== input.origin);
    return { [EMBED_ORIGINS_SETTING]: origins };
  });
  return origins;
}

// --- the thread of an embedding page -------------------------------------------------------

export type EmbeddedThread =
  | {
      kind: 'allowed';
      thread: Thread;
      /** The origin allowed to frame it: the page's own. */
      embedder: string;
    }
  | {
      kind: 'refused';
      pageUrl: string;
      /** The origin the page says it is on (undefined for an odd address). */
      claimedOrigin: string | undefined;
    };

/** The site's allow-list and address rule, from one read of its settings. */
async function embedSettings(ctx: AccountsContext, siteId: string) {
  const { settings } = await getSite(ctx, siteId);
  return { allowed: embedOriginsOf(settings), keepQuery: embedKeepsQuery(settings) };
}

function requirePageUrl(input: string, keepQuery: boolean): string {
  const url = embedPageUrl(input, { keepQuery });
  if (url === undefined) {
    throw new BadRequestError(
      `"${input}" is not the address of a web page; it must start with http:// or https://.`,
      'invalid-page-url',
    );
  }
  return url;
}

/**
 * The thread of the page at `pageUrl`, opened on its first view, when the page's origin is on the
 * site's allow-list; otherwise a refusal. The address can be forged: what really keeps other sites
 * out is the frame-ancestors policy the route sets from `embedder`. A new thread is titled after
 * its address (`embedThreadTitle`), never by the caller.
 */
export async function openEmbeddedThread(
  ctx: EmbedContext,
  input: { siteId: string; pageUrl: string },
): Promise<EmbeddedThread> {
  const { allowed, keepQuery } = await embedSettings(ctx.accounts, input.siteId);
  const pageUrl = requirePageUrl(input.pageUrl, keepQuery);
  const embedder = allowedEmbedder(pageUrl, allowed);
  if (embedder === undefined)
    return { kind: 'refused', pageUrl, claimedOrigin: originOfPage(pageUrl) };
  const existing = await store.findThreadByUrl(ctx.discussion.db, input.siteId, pageUrl);
  if (existing) return { kind: 'allowed', thread: existing, embedder };
  try {
    const thread = await createThread(ctx.discussion, {
      siteId: input.siteId,
      url: pageUrl,
      title: embedThreadTitle(pageUrl),
    });
    return { kind: 'allowed', thread, embedder };
  } catch (error) {
    // Two first views at once: the other one opened it.
    if (!isUniqueViolation(error)) throw error;
    const thread = await store.findThreadByUrl(ctx.discussion.db, input.siteId, pageUrl);
    if (!thread) throw error;
    return { kind: 'allowed', thread, embedder };
  }
}

/**
 * The thread of an embedding page by the same address rule the embed opens it with (so
 * `?utm_source=…` finds the page's thread), for look-ups such as the JSON API's
 * `GET /api/v1/threads?url=`. Never opens one, and does not check the allow-list.
 */
export async function findEmbeddedThread(
  ctx: Pick<EmbedContext, 'discussion' | 'accounts'>,
  input: { siteId: string; pageUrl: string },
): Promise<Thread> {
  const { keepQuery } = await embedSettings(ctx.accounts, input.siteId);
  const pageUrl = requirePageUrl(input.pageUrl, keepQuery);
  const thread = await store.findThreadByUrl(ctx.discussion.db, input.siteId, pageUrl);
  if (!thread)
    throw new NotFoundError(`There is no thread for the page ${pageUrl}.`, 'thread-not-found');
  return thread;
}

/**
 * An embedded thread by id, for the frame's own links and forms: allowed while its page's origin
 * is on the allow-list. Statements' threads are not embeddable (they have their own page).
 */
export async function embeddedThreadById(
  ctx: EmbedContext,
  input: { siteId: string; thread: Thread },
): Promise<EmbeddedThread> {
  const { thread } = input;
  if (thread.url === undefined || thread.siteId !== input.siteId) {
    throw new ForbiddenError('This discussion is not one that other pages embed.', 'not-embedded');
  }
  const allowed = await listEmbedOrigins(ctx.accounts, input.siteId);
  const embedder = allowedEmbedder(thread.url, allowed);
  return embedder === undefined
    ? { kind: 'refused', pageUrl: thread.url, claimedOrigin: originOfPage(thread.url) }
    : { kind: 'allowed', thread, embedder };
}

/** Refuses a post whose form token is not one this server gave out for this thread, recently. */
export function requireEmbedFormToken(
  ctx: EmbedContext,
  input: { threadId: string; token: string | undefined },
): void {
  const problem = embedFormTokenProblem(
    ctx.secret,
    input.threadId,
    input.token ?? '',
    ctx.discussion.clock.now(),
  );
  if (problem === 'expired') {
    throw new ForbiddenError(
      'This form was open for too long and has expired. Your text is still here: post it again.',
      'embed-form-expired',
    );
  }
  if (problem === 'invalid') {
    throw new ForbiddenError(
      'This form was not made for this discussion. Reload the page and try again.',
      'embed-form-invalid',
    );
  }
}
