/**
 * The discussion on server-rendered pages, for any page that shows a thread (a statement's page
 * today): reading it fast, and posting, editing and deleting through plain HTML forms, without
 * JavaScript.
 *
 * Speed: the rendered thread (the part every viewer of a page shares) is cached in memory, keyed
 * by thread id, thread version (bumped on every change, closing included, so never stale, also
 * across instances), page, sort and whether the forms are for a member or an anonymous visitor.
 * Its forms' CSRF tokens are a placeholder in the cache; each response splices in the viewer's own
 * token while concatenating cached UTF-8 buffers, so a cached page costs two small queries and a
 * copy. Conditional requests (`If-None-Match`) are answered 304 before anything is rendered.
 *
 * Personal pages: a viewer who may edit or delete comments — an anonymous poster holding edit
 * tokens in the page's cookie (edit-cookie.ts), any signed-in member (their own comments by
 * account; moderators every comment) — gets the thread rendered for them alone, with their
 * controls, never taken from or put into the shared cache, `private, no-store` and without an
 * ETag (the controls also change with time: the edit window closes).
 *
 * Caching across the network: a page with forms carries the viewer's CSRF token (bound to their
 * CSRF cookie), so it is `private, no-cache` with an ETag that includes a fingerprint of that
 * cookie; it is never stored by a shared cache, and one viewer's copy never revalidates as
 * another's. Only a page without forms (a closed thread, anonymous viewer) is `no-cache` for any
 * cache.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { can } from '../accounts/model.js';
import { notPublishedMessage } from '../moderation/model.js';
import { AppError, NotFoundError } from '../platform/errors.js';
import { ifNoneMatchHolds } from '../platform/http/conditional.js';
import { CSRF_COOKIE } from '../platform/http/server.js';
import { hashAddress } from '../platform/address-hash.js';
import type { PageContext } from '../web/page.js';
import type { HeldToken } from './edit-cookie.js';
import {
  KEPT_AFTER_EDIT_WINDOW_MS,
  readHeldTokens,
  withHeldToken,
  writeHeldTokens,
} from './edit-cookie.js';
import {
  COMMENT_SORTS,
  isPublicStatus,
  pageCount as countPages,
  pageOfNumber,
  rootOrdinal,
  TOP_LEVEL_PER_PAGE,
  withinEditWindow,
} from './model.js';
import type { DiscussionContext, Editor } from './service.js';
import {
  deleteComment,
  editComment,
  findComment,
  getThread,
  mayChange,
  postComment,
  readThreadPage,
} from './service.js';
import type { Comment, Thread } from './store.js';
import type {
  CommentActions,
  DiscussionNotice,
  DiscussionSectionProps,
  DiscussionView,
  DiscussionViewer,
  FormProblem,
} from './views.js';
import { CommentFragment, DiscussionThread, EMPTY_FORM, viewHref } from './views.js';
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

/** A comment's edit form. */
export const CommentEditFormBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  sort: Type.Optional(Type.Union(COMMENT_SORTS.map((sort) => Type.Literal(sort)))),
  body: FormText(1_000_000),
});
export type CommentEditFormBody = Static<typeof CommentEditFormBody>;

/** A comment's delete form (the confirmation is the step before it, in the page). */
export const CommentRemoveFormBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  sort: Type.Optional(Type.Union(COMMENT_SORTS.map((sort) => Type.Literal(sort)))),
});
export type CommentRemoveFormBody = Static<typeof CommentRemoveFormBody>;

/** The parameters of a comment's own routes under a page: `${basePath}/comments/:commentId/…`. */
export const CommentParams = Type.Object({
  commentId: Type.String({ minLength: 1, maxLength: 100 }),
});

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
  /** IP_HASH_SALT_DAYS: how long one salt of those hashes lasts (see platform/address-hash.ts). */
  addressSaltDays?: number;
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
  /**
   * The page's routes also serve `${basePath}/comments/:commentId/edit`, `/delete` and
   * `/fragment` (see {@link DiscussionPages.edit}): offer edit and delete controls to those who
   * may use them, and mark the section for the island that posts in place and shows new comments
   * live. Off for the embed's frame.
   */
  commentActions?: boolean;
}

export type PostOutcome =
  | { kind: 'posted'; location: string }
  | { kind: 'refused'; status: number; view: DiscussionView; problem: FormProblem };

/** The comment an edit, delete or fragment route is about, on the page at `basePath`. */
export interface CommentActionInput {
  thread: Thread;
  basePath: string;
  commentId: string;
}

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
  /**
   * Posts a comment from a form; says where to go next or why it was refused. Given `reply`, an
   * anonymous poster's edit token is kept for them in the page's edit cookie (pages with
   * `commentActions`).
   */
  post(
    request: FastifyRequest,
    input: { thread: Thread; basePath: string; form: CommentFormBody; reply?: FastifyReply },
  ): Promise<PostOutcome>;
  /** Edits a comment from its edit form, as its author (by account or the cookie's token). */
  edit(
    request: FastifyRequest,
    reply: FastifyReply,
    input: CommentActionInput & { form: CommentEditFormBody },
  ): Promise<PostOutcome>;
  /** Removes a comment from its delete form: its author, or a moderator. */
  remove(
    request: FastifyRequest,
    reply: FastifyReply,
    input: CommentActionInput & { form: CommentRemoveFormBody },
  ): Promise<PostOutcome>;
  /**
   * One public comment's `<li>` as this viewer would see it on the page (`private, no-store`),
   * for the island. An `X-Edit-Token` header that is the comment's edit token — the island has
   * it from the JSON API right after posting — is kept in the page's edit cookie, as a form post
   * would have kept it. A custom header cannot be sent cross-site without CORS, which this server
   * never grants, so no other site can plant a token.
   */
  fragment(
    request: FastifyRequest,
    reply: FastifyReply,
    input: CommentActionInput & { view: DiscussionView },
  ): Promise<string>;
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

/** Who may change which comments: the member (by account, or all as a moderator), held tokens. */
interface Owner {
  accountId: string | undefined;
  moderator: boolean;
  tokens: HeldToken[];
}

function ownerOf(request: FastifyRequest, now: Date): Owner {
  const member = request.member;
  return {
    accountId: member?.id,
    moderator: can(member?.role, 'comments.moderate'),
    tokens: readHeldTokens(request, now.getTime()),
  };
}

/** Whether the page must be rendered for this viewer alone: they may have controls on it. */
function isPersonal(owner: Owner): boolean {
  return owner.accountId !== undefined || owner.tokens.length > 0;
}

function editorOf(owner: Owner, commentId: string): Editor {
  return {
    accountId: owner.accountId,
    editToken: owner.tokens.find((held) => held.commentId === commentId)?.token,
    isModerator: owner.moderator,
  };
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

  /** The controls `owner` gets on `comments`, as of `now`. */
  function actionsFor(
    thread: Thread,
    comments: readonly Comment[],
    owner: Owner,
    now: Date,
  ): CommentActions {
    const tokens = new Map(owner.tokens.map((held) => [held.commentId, held.token]));
    const own = new Set<string>();
    const editable = new Set<string>();
    for (const comment of comments) {
      if (comment.status === 'deleted') continue;
      const editToken = tokens.get(comment.id);
      const byAccount =
        owner.accountId !== undefined && comment.authorAccountId === owner.accountId;
      if (!byAccount && (editToken === undefined || !mayChange(comment, { editToken }))) continue;
      own.add(comment.id);
      if (thread.status === 'open' && withinEditWindow(comment.createdAt, now, ctx.settings))
        editable.add(comment.id);
    }
    return {
      own,
      editable,
      removable: owner.moderator ? 'all' : own,
      editWindowMs: ctx.settings.editWindowMs,
    };
  }

  async function renderThread(
    thread: Thread,
    basePath: string,
    view: DiscussionView,
    member: boolean,
    token: string,
    extra: { problem?: FormProblem; owner?: Owner } = {},
  ): Promise<string> {
    const { comments, pageCount } = await readThreadPage(ctx, {
      thread,
      page: view.page,
      sort: view.sort,
      perPage,
    });
    const actions = extra.owner && actionsFor(thread, comments, extra.owner, ctx.clock.now());
    return renderToString(
      h(DiscussionThread, {
        ...formSettings(basePath, view, member, token),
        thread,
        comments,
        pageCount,
        problem: extra.problem,
        actions,
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
    // The version changes when the thread is closed or opened; the status is there for threads
    // closed before it did.
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

  /** Keeps `token` for `comment` in the page's edit cookie, with the others still current. */
  function rememberToken(
    request: FastifyRequest,
    reply: FastifyReply,
    basePath: string,
    comment: Comment,
    token: string,
  ): HeldToken[] {
    const now = ctx.clock.now().getTime();
    const until =
      comment.createdAt.getTime() + ctx.settings.editWindowMs + KEPT_AFTER_EDIT_WINDOW_MS;
    const held = { commentId: comment.id, token, until };
    const tokens = withHeldToken(readHeldTokens(request, now), held, now);
    writeHeldTokens(request, reply, { path: basePath, tokens, now });
    return tokens;
  }

  /** Where a comment is shown: the page of the view that holds it, at its anchor. */
  async function locationOf(
    basePath: string,
    view: DiscussionView,
    comment: Comment,
    extra: string[] = [],
  ) {
    const number = rootOrdinal(comment.path);
    const topLevelCount =
      view.sort === 'newest' ? (await getThread(ctx, comment.threadId)).topLevelCount : number;
    const page = pageOfNumber(number, view.sort, topLevelCount, perPage);
    return viewHref(basePath, { ...view, page }, extra);
  }

  /** A public comment of `thread` (a removed one included), or a 404. */
  async function commentOn(thread: Thread, commentId: string): Promise<Comment> {
    const comment = await findComment(ctx, commentId);
    if (!comment || comment.threadId !== thread.id || !isPublicStatus(comment.status)) {
      throw new NotFoundError(
        `There is no comment ${commentId} in this discussion.`,
        'comment-not-found',
      );
    }
    return comment;
  }

  /** The outcome of a refused edit or deletion: the page again, with the message at the comment. */
  function refusal(
    error: unknown,
    view: DiscussionView,
    target: NonNullable<FormProblem['target']>,
    body = '',
  ): PostOutcome {
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    const message =
      error.code === 'comment-not-found'
        ? 'This comment has been removed: it can no longer be changed.'
        : error.message;
    return {
      kind: 'refused',
      status: error.status,
      view,
      problem: { parentId: undefined, target, message, values: { ...EMPTY_FORM, body } },
    };
  }

  return {
    cache,

    async show(request, reply, input) {
      const { thread, basePath, view, problem } = input;
      const viewer = viewerOf(request);
      const member = viewer.kind === 'member';
      const owner = input.commentActions ? ownerOf(request, ctx.clock.now()) : undefined;
      const personal = owner !== undefined && isPersonal(owner);
      // Forms carry the viewer's CSRF token; so does the member's sign-out button.
      const isPrivate = member || personal || thread.status === 'open';
      const notices: readonly DiscussionNotice[] =
        input.heldId !== undefined && !input.notices?.includes('held')
          ? ['held', ...(input.notices ?? [])]
          : (input.notices ?? []);
      const oneOff = problem !== undefined || notices.length > 0;

      let etag: string | undefined;
      if (!oneOff && !personal) {
        const fingerprint = isPrivate ? viewerFingerprint(request) : 'public';
        if (fingerprint !== undefined) {
          etag = `W/"${release}.${input.pageStamp}.${thread.version}${thread.status === 'closed' ? 'c' : ''}.${view.page}.${view.sort}.${member ? 'm' : 'a'}.${fingerprint}"`;
        }
      }
      const cacheControl =
        oneOff || personal ? 'private, no-store' : isPrivate ? 'private, no-cache' : 'no-cache';
      if (etag && ifNoneMatchHolds(request.headers['if-none-match'], etag)) {
        reply
          .code(304)
          .header('etag', etag)
          .header('cache-control', cacheControl)
          .header('vary', 'Cookie');
        await reply.send();
        return undefined;
      }

      // A personal page, or a refused form inside the thread (opened, with the message), is
      // rendered for this request alone: never cached.
      const fresh =
        personal ||
        (problem !== undefined && (problem.parentId !== undefined || problem.target !== undefined));
      const fragment = fresh ? undefined : await cachedThread(thread, basePath, view, member);
      const response: PendingResponse = { fragment, token: undefined, cacheControl, etag };
      pending.set(request, response);
      let freshHtml: string | undefined;
      if (fresh) {
        // Rendered with the placeholder too, so that both paths take the token the same way.
        freshHtml = await renderThread(thread, basePath, view, member, TOKEN_PLACEHOLDER, {
          problem,
          owner: personal ? owner : undefined,
        });
      }
      const live = input.commentActions
        ? { pageCount: countPages(thread.topLevelCount, perPage) }
        : undefined;

      return (pageCtx) => {
        if (isPrivate) response.token = pageCtx.csrfToken;
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
          live,
        };
      };
    },

    async post(request, { thread, basePath, form, reply }) {
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
        const { comment, editToken, replyNotifications } = await postComment(ctx, {
          threadId: thread.id,
          parentId,
          author: member
            ? { accountId: member.id, name: member.displayName, email: member.email }
            : { name: form.name, email: form.email, url: form.website },
          body: form.body,
          notifyReplies,
          ipHash: hashAddress({
            secret: options.secret,
            address: request.ip,
            now: ctx.clock.now(),
            saltDays: options.addressSaltDays,
          }),
        });
        if (comment.status === 'rejected' || comment.status === 'spam') {
          // Kept for moderators (a false positive can still be published), but not shown: the
          // author gets the text back with the reasons, to change it.
          return {
            kind: 'refused',
            status: 422,
            view,
            problem: {
              parentId,
              message: notPublishedMessage(comment.status, comment.reasons),
              values,
            },
          };
        }
        if (reply && editToken) rememberToken(request, reply, basePath, comment, editToken);
        const held = comment.status !== 'approved';
        const extra = [
          ...(held ? [`held=${comment.id}`] : []),
          ...(replyNotifications === 'pending-confirmation' ? ['mail=confirm'] : []),
        ];
        const anchor = held ? 'comment-held' : `comment-${comment.id}`;
        return {
          kind: 'posted',
          location: `${await locationOf(basePath, view, comment, extra)}#${anchor}`,
        };
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

    async edit(request, _reply, { thread, basePath, commentId, form }) {
      const view = viewOf(form);
      const comment = await commentOn(thread, commentId);
      const owner = ownerOf(request, ctx.clock.now());
      try {
        const edited = await editComment(ctx, {
          commentId: comment.id,
          body: form.body,
          editor: editorOf(owner, comment.id),
        });
        return {
          kind: 'posted',
          location: `${await locationOf(basePath, view, edited)}#comment-${edited.id}`,
        };
      } catch (error) {
        return refusal(error, view, { commentId: comment.id, action: 'edit' }, form.body);
      }
    },

    async remove(request, reply, { thread, basePath, commentId, form }) {
      const view = viewOf(form);
      const comment = await commentOn(thread, commentId);
      const now = ctx.clock.now();
      const owner = ownerOf(request, now);
      try {
        const removed = await deleteComment(ctx, {
          commentId: comment.id,
          editor: editorOf(owner, comment.id),
        });
        // Its token is of no more use: forget it.
        if (owner.tokens.some((held) => held.commentId === comment.id)) {
          const tokens = owner.tokens.filter((held) => held.commentId !== comment.id);
          writeHeldTokens(request, reply, { path: basePath, tokens, now: now.getTime() });
        }
        return {
          kind: 'posted',
          location: `${await locationOf(basePath, view, removed)}#comment-${removed.id}`,
        };
      } catch (error) {
        return refusal(error, view, { commentId: comment.id, action: 'remove' });
      }
    },

    async fragment(request, reply, { thread, basePath, commentId, view }) {
      const comment = await commentOn(thread, commentId);
      const now = ctx.clock.now();
      const owner = ownerOf(request, now);
      const header = request.headers['x-edit-token'];
      if (typeof header === 'string' && mayChange(comment, { editToken: header })) {
        owner.tokens = rememberToken(request, reply, basePath, comment, header);
      }
      const actions = actionsFor(thread, [comment], owner, now);
      const hasForms =
        thread.status === 'open' || actions.own.size > 0 || actions.removable === 'all';
      reply
        .header('cache-control', 'private, no-store')
        .header('vary', 'Cookie')
        .type('text/html; charset=utf-8');
      return renderToString(
        h(CommentFragment, {
          ...formSettings(basePath, view, request.member !== undefined, ''),
          csrfToken: hasForms ? reply.generateCsrf() : '',
          thread,
          comment,
          actions,
        }),
      );
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
