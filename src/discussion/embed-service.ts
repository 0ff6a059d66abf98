/**
 * Use cases of the embed widget: the site's allow-list of origins that may embed its discussions
 * (kept in the site's settings), and finding — or, on the first view from an allowed page,
 * opening — the thread of the page that embeds one.
 */
import type { AccountsContext } from '../accounts/service.js';
import { getSite, updateSiteSettings } from '../accounts/service.js';
import { isUniqueViolation } from '../platform/database/index.js';
import { BadRequestError, ForbiddenError, UnprocessableError } from '../platform/errors.js';
import {
  EMBED_ORIGINS_SETTING,
  MAX_EMBED_ORIGINS,
  allowedEmbedder,
  embedFormTokenProblem,
  embedOriginsOf,
  originOfPage,
  parseEmbedOrigin,
} from './embed-model.js';
import { normalisePageUrl } from './model.js';
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

function requirePageUrl(input: string): string {
  const url = normalisePageUrl(input);
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
 * out is the frame-ancestors policy the route sets from `embedder`.
 */
export async function openEmbeddedThread(
  ctx: EmbedContext,
  input: { siteId: string; pageUrl: string; title?: string },
): Promise<EmbeddedThread> {
  const pageUrl = requirePageUrl(input.pageUrl);
  const allowed = await listEmbedOrigins(ctx.accounts, input.siteId);
  const embedder = allowedEmbedder(pageUrl, allowed);
  if (embedder === undefined)
    return { kind: 'refused', pageUrl, claimedOrigin: originOfPage(pageUrl) };
  const existing = await store.findThreadByUrl(ctx.discussion.db, input.siteId, pageUrl);
  if (existing) return { kind: 'allowed', thread: existing, embedder };
  const title = input.title?.replace(/\s+/g, ' ').trim().slice(0, 200) || pageUrl;
  try {
    const thread = await createThread(ctx.discussion, {
      siteId: input.siteId,
      url: pageUrl,
      title,
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
