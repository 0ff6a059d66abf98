/**
 * The discussion on server-rendered pages, for any page that shows a thread (a statement's page
 * today): reading it fast and posting to it through plain HTML forms, without JavaScript.
 *
 * Speed: the rendered thread (the part every viewer of a page shares) is cached in memory, keyed
 * by thread id, thread version (bumped on every change, so never stale, also across instances),
 * page, sort and whether the forms are for a member or an anonymous visitor. Its forms' CSRF
 * tokens are a placeholder in the cache; each response splices in the viewer's own token while
 * concatenating cached UTF-8 buffers, so a cached page costs two small queries and a copy.
 * Conditional requests (`If-None-Match`) are answered 304 before anything is rendered.
 *
 * Caching across the network: a page with forms carries the viewer's CSRF token (bound to their
 * CSRF cookie), so it is `private, no-cache` with an ETag that includes a fingerprint of that
 * cookie and of the signed-in member; it is never stored by a shared cache, and one viewer's copy
 * never revalidates as another's. Only a page without forms (a closed thread, anonymous viewer)
 * is `no-cache` for any cache.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { AppError } from '../platform/errors.js';
import { CSRF_COOKIE } from '../platform/http/server.js';
import { keyedHash } from '../platform/ids.js';
import type { PageContext } from '../web/page.js';
import { COMMENT_SORTS, pageOfNumber, rootOrdinal, TOP_LEVEL_PER_PAGE } from './model.js';
import type { DiscussionContext } from './service.js';
import { getThread, postComment, readThreadPage } from './service.js';
import type { Thread } from './store.js';
import type {
  DiscussionNotice,
  DiscussionSectionProps,
  DiscussionView,
  DiscussionViewer,
  FormProblem,
} from './views.js';
import { DiscussionThread, viewHref } from './views.js';
import { HoleyHtml, LruCache } from './page-cache.js';

// --- request schemas -----------------------------------------------------------------------

/**
 * The query of a page with a discussion: `?page=2&sort=newest`; after a post, `held=<id>` when
 * moderation held it and `mail=confirm` when reply mail awaits the address's confirmation.
 */
export const DiscussionQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  sort: Type.Optional(Type.Union(COMMENT_SORTS.map((sort) => Type.Literal(sort)))),
  held: Type.Optional(Type.String({ maxLength: 64, pattern: '^[0-9A-Za-z-]+$' })),
  mail: Type.Optional(Type.Literal('confirm')),
});
export type DiscussionQuery = Static<typeof DiscussionQuery>;

// Generous limits: the service checks the real ones and says what they are.
const FormText = (maxLength: number) => Type.String({ maxLength, default: '' });

/** A comment form, as browsers post it (urlencoded). */
export const CommentFormBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  parentId: Type.Optional(Type.String({ maxLength: 64 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  sort: Type.Optional(Type.Union(COMMENT_SORTS.map((sort) => Type.Literal(sort)))),
  name: FormText(1000),
  email: FormText(1000),
  website: FormText(2000),
  body: FormText(1_000_000),
  /** A ticked checkbox sends `on`; an unticked one sends nothing. */
  notifyReplies: Type.Optional(Type.String({ maxLength: 10 })),
});
export type CommentFormBody = Static<typeof CommentFormBody>;

export function viewOf(query: { page?: number; sort?: DiscussionView['sort'] }): DiscussionView {
  return { page: query.page ?? 1, sort: query.sort ?? 'oldest' };
}

/** The notices a page's query asks for (see {@link DiscussionQuery}). */
export function noticesOf(query: DiscussionQuery): DiscussionNotice[] {
  return [
    ...(query.held !== undefined ? (['held'] as const) : []),
    ...(query.mail === 'confirm' ? (['confirm-mail'] as const) : []),
  ];
}

// --- rendering and serving -----------------------------------------------------------------

type Fragment = HoleyHtml;

/** What the route's onSend hook needs to finish the response. */
interface PendingResponse {
  fragment: Fragment | undefined;
  token: string | undefined;
  cacheControl: string;
  etag: string | undefined;
}

export interface DiscussionPagesOptions {
  ctx: DiscussionContext;
  /** The server's secret, for the keyed hash of posters' addresses. */
  secret: string;
  /** Changes with every release, so that new markup is never answered 304. */
  renderVersion: string;
  /** Memory for rendered threads, in bytes (64 MiB unless told). */
  cacheBytes?: number;
  perPage?: number;
}

export interface ShowDiscussionInput {
  thread: Thread;
  /** The page's path, e.g. `/s/statement-on-paris`; forms post to `${basePath}/comments`. */
  basePath: string;
  view: DiscussionView;
  /** A fingerprint of the rest of the page (the statement), for the ETag. */
  pageStamp: string;
  /** What to tell the person who just posted (see {@link noticesOf}). */
  notices?: readonly DiscussionNotice[];
  /** The id of a comment just posted and held for moderation: the same as notice `held`. */
  heldId?: string;
  /** A refused post to show again, next to its form. */
  problem?: FormProblem;
}

export type PostOutcome =
  | { kind: 'posted'; location: string }
  | { kind: 'refused'; status: number; view: DiscussionView; problem: FormProblem };

export interface DiscussionPages {
  /**
   * Prepares the discussion section of a page. Returns `undefined` when the viewer's copy is
   * current: a 304 has been sent and the route should return the reply as it is.
   */
  show(
    request: FastifyRequest,
    reply: FastifyReply,
    input: ShowDiscussionInput,
  ): Promise<((ctx: PageContext) => DiscussionSectionProps) | undefined>;
  /** Posts a comment from a form; says where to go next or why it was refused. */
  post(
    request: FastifyRequest,
    input: { thread: Thread; basePath: string; form: CommentFormBody },
  ): Promise<PostOutcome>;
  /** The route's onSend hook: headers, and the cached thread spliced into the page. */
  onSend: onSendHookHandler;
  /** For tests and metrics. */
  readonly cache: LruCache<Fragment>;
}

// A per-process placeholder no text can contain: user text is escaped (no `<`), and it is random.
const nonce = randomBytes(12).toString('hex');
const TOKEN_PLACEHOLDER = `csrf${nonce}`;
const FRAGMENT_SLOT = `<!--discussion-${nonce}-->`;

function viewerOf(request: FastifyRequest): DiscussionViewer {
  const member = request.member;
  return member ? { kind: 'member', name: member.displayName } : { kind: 'anonymous' };
}

/** `If-None-Match` holds `etag` (weak comparison, as for GET). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === bare || tag === '*');
}

export function createDiscussionPages(options: DiscussionPagesOptions): DiscussionPages {
  const { ctx } = options;
  const perPage = options.perPage ?? TOP_LEVEL_PER_PAGE;
  const cache = new LruCache<Fragment>(options.cacheBytes ?? 64 * 1024 * 1024, (f) => f.bytes);
  const rendering = new Map<string, Promise<Fragment>>();
  const pending = new WeakMap<FastifyRequest, PendingResponse>();
  const release = createHash('sha256').update(options.renderVersion).digest('hex').slice(0, 8);

  const formSettings = (
    basePath: string,
    view: DiscussionView,
    member: boolean,
    token: string,
  ) => ({
    basePath,
    view,
    csrfToken: token,
    maxBodyLength: ctx.settings.maxBodyLength,
    member,
    offerReplyMail: ctx.replyNotifications?.enabled ?? false,
  });

  async function renderThread(
    thread: Thread,
    basePath: string,
    view: DiscussionView,
    member: boolean,
    token: string,
    problem?: FormProblem,
  ): Promise<string> {
    const { comments, pageCount } = await readThreadPage(ctx, {
      thread,
      page: view.page,
      sort: view.sort,
      perPage,
    });
    return renderToString(
      h(DiscussionThread, {
        ...formSettings(basePath, view, member, token),
        thread,
        comments,
        pageCount,
        problem,
      }),
    );
  }

  /** The shared, cached rendering; concurrent misses for one key render once. */
  async function cachedThread(
    thread: Thread,
    basePath: string,
    view: DiscussionView,
    member: boolean,
  ): Promise<Fragment> {
    // The status too: closing a thread does not (yet) bump its version.
    const key = `${thread.id}:${thread.version}:${thread.status}:${view.page}:${view.sort}:${member ? 'm' : 'a'}:${basePath}`;
    const hit = cache.get(key);
    if (hit) return hit;
    let inFlight = rendering.get(key);
    if (!inFlight) {
      inFlight = renderThread(thread, basePath, view, member, TOKEN_PLACEHOLDER)
        .then((html) => {
          const fragment = new HoleyHtml(html, TOKEN_PLACEHOLDER);
          cache.set(key, fragment);
          return fragment;
        })
        .finally(() => rendering.delete(key));
      rendering.set(key, inFlight);
    }
    return inFlight;
  }

  /**
   * Who the copy was made for: their CSRF cookie (which the page's tokens belong to) and, when
   * signed in, the member as shown. Undefined when there is no valid CSRF cookie yet.
   */
  function viewerFingerprint(request: FastifyRequest): string | undefined {
    const raw = request.cookies[CSRF_COOKIE];
    if (raw === undefined || !request.unsignCookie(raw).valid) return undefined;
    const member = request.member;
    const who = member ? `${member.id}\u0000${member.role}\u0000${member.displayName}` : '';
    return createHash('sha256').update(`${raw}\u0000${who}`).digest('base64url').slice(0, 16);
  }

  return {
    cache,

    async show(request, reply, input) {
      const { thread, basePath, view, problem } = input;
      const viewer = viewerOf(request);
      const member = viewer.kind === 'member';
      const hasForms = thread.status === 'open';
      const personal = member || hasForms;
      const notices: readonly DiscussionNotice[] =
        input.heldId !== undefined && !input.notices?.includes('held')
          ? ['held', ...(input.notices ?? [])]
          : (input.notices ?? []);
      const oneOff = problem !== undefined || notices.length > 0;

      let etag: string | undefined;
      if (!oneOff) {
        const fingerprint = personal ? viewerFingerprint(request) : 'public';
        if (fingerprint !== undefined) {
          etag = `W/"${release}.${input.pageStamp}.${thread.version}${thread.status === 'closed' ? 'c' : ''}.${view.page}.${view.sort}.${member ? 'm' : 'a'}.${fingerprint}"`;
        }
      }
      const cacheControl = oneOff
        ? 'private, no-store'
        : personal
          ? 'private, no-cache'
          : 'no-cache';
      if (etag && matches(request.headers['if-none-match'], etag)) {
        reply
          .code(304)
          .header('etag', etag)
          .header('cache-control', cacheControl)
          .header('vary', 'Cookie');
        await reply.send();
        return undefined;
      }

      // A refused reply re-renders the thread with that form open: never cached.
      const fresh = problem?.parentId !== undefined;
      const fragment = fresh ? undefined : await cachedThread(thread, basePath, view, member);
      const response: PendingResponse = { fragment, token: undefined, cacheControl, etag };
      pending.set(request, response);
      let freshHtml: string | undefined;
      if (fresh) {
        // Rendered with the placeholder too, so that both paths take the token the same way.
        freshHtml = await renderThread(thread, basePath, view, member, TOKEN_PLACEHOLDER, problem);
      }

      return (pageCtx) => {
        if (hasForms || member) response.token = pageCtx.csrfToken;
        return {
          thread,
          threadHtml:
            freshHtml === undefined
              ? FRAGMENT_SLOT
              : freshHtml.split(TOKEN_PLACEHOLDER).join(response.token ?? ''),
          settings: formSettings(basePath, view, member, response.token ?? ''),
          viewer,
          notices,
          problem,
        };
      };
    },

    async post(request, { thread, basePath, form }) {
      const view = viewOf(form);
      const member = request.member;
      const parentId = form.parentId?.trim() || undefined;
      const notifyReplies = form.notifyReplies === 'on';
      const values = {
        name: form.name,
        email: form.email,
        website: form.website,
        body: form.body,
        notifyReplies,
      };
      try {
        const { comment, replyNotifications } = await postComment(ctx, {
          threadId: thread.id,
          parentId,
          author: member
            ? { accountId: member.id, name: member.displayName, email: member.email }
            : { name: form.name, email: form.email, url: form.website },
          body: form.body,
          notifyReplies,
          ipHash: keyedHash(options.secret, request.ip),
        });
        const number = rootOrdinal(comment.path);
        const topLevelCount =
          view.sort === 'newest' ? (await getThread(ctx, thread.id)).topLevelCount : number;
        const landing = { ...view, page: pageOfNumber(number, view.sort, topLevelCount, perPage) };
        const held = comment.status !== 'approved';
        const extra = [
          ...(held ? [`held=${comment.id}`] : []),
          ...(replyNotifications === 'pending-confirmation' ? ['mail=confirm'] : []),
        ];
        const anchor = held ? 'comment-held' : `comment-${comment.id}`;
        return { kind: 'posted', location: `${viewHref(basePath, landing, extra)}#${anchor}` };
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        return {
          kind: 'refused',
          status: error.status,
          view,
          problem: { parentId, message: error.message, values },
        };
      }
    },

    onSend: async (request, reply, payload) => {
      const response = pending.get(request);
      if (!response || reply.statusCode === 304) return payload;
      pending.delete(request);
      reply.header('cache-control', response.cacheControl);
      reply.header('vary', 'Cookie');
      if (response.etag) reply.header('etag', response.etag);
      if (!response.fragment || typeof payload !== 'string') return payload;
      const at = payload.indexOf(FRAGMENT_SLOT);
      if (at === -1) return payload;
      // One buffer for the whole page: the layout around the thread, the thread with tokens.
      const before = payload.slice(0, at);
      const after = payload.slice(at + FRAGMENT_SLOT.length);
      const token = Buffer.from(response.token ?? '', 'utf8');
      const beforeBytes = Buffer.byteLength(before, 'utf8');
      const threadBytes = response.fragment.byteLength(token.length);
      const out = Buffer.allocUnsafe(beforeBytes + threadBytes + Buffer.byteLength(after, 'utf8'));
      out.write(before, 0, 'utf8');
      response.fragment.writeInto(out, beforeBytes, token);
      out.write(after, beforeBytes + threadBytes, 'utf8');
      return out;
    },
  };
}
