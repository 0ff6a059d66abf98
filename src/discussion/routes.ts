/**
 * Routes of discussions: the JSON API of threads and comments under /api/v1, and the live stream
 * of a thread (Server-Sent Events). Each route validates, calls one service function and
 * presents the result. JSON bodies here are read strictly: bytes that are not UTF-8 are refused
 * (400) instead of being turned into U+FFFD, and text with unpaired surrogates is refused (422).
 */
import type { FastifyBodyParser, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requirePermission } from '../accounts/auth.js';
import { can } from '../accounts/model.js';
import type { AccountsContext } from '../accounts/service.js';
import type { Moderator } from '../moderation/context.js';
import {
  BadRequestError,
  NotFoundError,
  UnauthenticatedError,
  UnprocessableError,
} from '../platform/errors.js';
import { ifNoneMatchHolds } from '../platform/http/conditional.js';
import { ErrorResponse } from '../platform/http/schemas.js';
import type { HttpServer, SharedRateLimit } from '../platform/http/server.js';
import { hashAddress } from '../platform/address-hash.js';
import { findEmbeddedThread } from './embed-service.js';
import type { LiveHubOptions } from './live.js';
import { createLiveHub, parseLastEventId } from './live.js';
import {
  CommentSchema,
  CommentStatusSchema,
  ReasonSchema,
  ThreadSchema,
  decodeCursor,
  encodeCursor,
  presentComment,
  presentCommentToAuthor,
  presentCommentToModerator,
  presentReasons,
  presentThread,
} from './presenters.js';
import type { DiscussionContext, Editor } from './service.js';
import * as service from './service.js';

export interface DiscussionRoutesDeps {
  ctx: DiscussionContext;
  /** The site's settings: `GET /threads?url=` files a page under the embed's address rule. */
  accounts: AccountsContext;
  siteId: () => string;
  /** The server's secret: client addresses are kept only as a keyed hash made with it. */
  secret: string;
  /** IP_HASH_SALT_DAYS: how long one salt of those hashes lasts (see platform/address-hash.ts). */
  addressSaltDays?: number;
  /**
   * The thread of the published statement with this slug, if any. Statements answer this:
   * discussion never reads the statements table.
   */
  resolveStatementThread: (siteId: string, slug: string) => Promise<string | undefined>;
  /**
   * Closes or opens a thread for a moderator. Moderation does it, so that it is in the audit log
   * like every other moderator action.
   */
  setThreadStatus: (input: {
    siteId: string;
    threadId: string;
    status: 'open' | 'closed';
    actor: Moderator;
  }) => Promise<unknown>;
  /**
   * The limit on new comments per client address, shared with the statement page's and the
   * embed's comment forms (`sharedRateLimit`).
   */
  postingLimit: SharedRateLimit;
  live?: Pick<LiveHubOptions, 'heartbeatMs' | 'retryMs'>;
}

const tags = ['discussion'];
/** Anyone may call these; a session or a bearer token makes the caller a member. */
const security: Record<string, string[]>[] = [{}, { bearer: [] }];

const Id = (description: string) => Type.String({ minLength: 1, maxLength: 100, description });
const ThreadParams = Type.Object({ threadId: Id('The thread’s id.') });
const CommentParams = Type.Object({ commentId: Id('The comment’s id.') });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ErrorResponse]));

const NotModified = Type.Null({
  description: 'Not modified: the `ETag` sent in `If-None-Match` is still current.',
});

const ThreadLookup = Type.Object({
  url: Type.Optional(
    Type.String({
      maxLength: 2000,
      description: 'The page of an embedded thread; case, default port and fragment do not matter.',
    }),
  ),
  statement: Type.Optional(
    Type.String({ maxLength: 200, description: 'The slug of a published statement.' }),
  ),
});

const DEFAULT_PAGE_SIZE = 50;
const CommentsQuery = Type.Object({
  cursor: Type.Optional(
    Type.String({ maxLength: 400, description: 'The `nextCursor` of the previous page.' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: DEFAULT_PAGE_SIZE })),
});
const CommentPage = Type.Object({
  items: Type.Array(CommentSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()], {
    description: 'Pass it as `cursor` for the next page; null on the last page.',
  }),
});

const NewComment = Type.Object(
  {
    parentId: Type.Optional(Type.String({ maxLength: 100, description: 'Reply to this comment.' })),
    authorName: Type.Optional(
      Type.String({ description: 'Required unless signed in (members post as themselves).' }),
    ),
    authorEmail: Type.Optional(Type.String({ description: 'Never shown to anyone.' })),
    authorUrl: Type.Optional(Type.String({ description: 'An http(s) address shown as a link.' })),
    body: Type.String({ description: 'Markdown (a safe subset: raw HTML is not rendered).' }),
    notifyReplies: Type.Optional(
      Type.Boolean({
        description:
          'E-mail me replies: needs `authorEmail` (or a member’s address) and a site that sends ' +
          'mail; the address is confirmed by a link first.',
      }),
    ),
  },
  { additionalProperties: false },
);
const PostedComment = Type.Object({
  comment: CommentSchema,
  status: CommentStatusSchema,
  reasons: Type.Array(ReasonSchema, { description: 'Why a comment was held, if it was.' }),
  editToken: Type.Optional(
    Type.String({
      description:
        'For posters who are not signed in: the secret that lets them edit or remove the ' +
        'comment (body `editToken` or header `X-Edit-Token`). Shown only in this response.',
    }),
  ),
  replyNotifications: Type.Optional(
    Type.Enum(['pending-confirmation', 'active'], {
      description: 'When `notifyReplies` was asked: whether the address must be confirmed first.',
    }),
  ),
});
const CommentEdit = Type.Object(
  { body: Type.String(), editToken: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);
const EventsQuery = Type.Object({
  lastEventId: Type.Optional(
    Type.String({
      maxLength: 20,
      description:
        'The thread version the client already shows (e.g. the page’s): when the thread has ' +
        'changed since, the stream opens with `resync`. The `Last-Event-ID` header of a ' +
        'reconnecting browser takes precedence.',
    }),
  ),
});
const CommentRemoval = Type.Object(
  { editToken: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);

/**
 * Registers the discussion API in a plugin scope of its own (for the strict JSON parser), and
 * ends the live streams when the server closes so that `close()` does not wait for them.
 */
export async function registerDiscussionRoutes(
  app: HttpServer,
  deps: DiscussionRoutesDeps,
): Promise<void> {
  const { ctx } = deps;
  const hub = createLiveHub({
    bus: ctx.bus,
    loadComment: (commentId) => service.findComment(ctx, commentId),
    ...deps.live,
    onError: (error) => app.log.error({ err: error }, 'live update failed'),
  });

  await app.register(async (scope: HttpServer) => {
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer' },
      strictJsonParser(scope.getDefaultJsonParser('error', 'error')),
    );
    // Open streams would keep the server from closing: end them first (browsers reconnect).
    scope.addHook('preClose', async () => hub.closeAll());

    // --- threads ------------------------------------------------------------------------------

    scope.get(
      '/api/v1/threads/:threadId',
      {
        schema: {
          tags,
          summary: 'A thread',
          security,
          params: ThreadParams,
          response: { 200: ThreadSchema, 304: NotModified, ...errors(400, 404) },
        },
      },
      async (request, reply) => {
        const thread = await service.getThread(ctx, request.params.threadId);
        if (fresh(request, reply, `W/"thread-${thread.version}"`)) return notModified(reply);
        return presentThread(thread);
      },
    );

    scope.get(
      '/api/v1/threads',
      {
        schema: {
          tags,
          summary: 'Find the thread of a page (`url`) or of a statement (`statement`)',
          description: 'Give exactly one of `url` and `statement`.',
          security,
          querystring: ThreadLookup,
          response: { 200: ThreadSchema, ...errors(400, 404) },
        },
      },
      async (request) => {
        const { url, statement } = request.query;
        if ((url === undefined) === (statement === undefined)) {
          throw new BadRequestError(
            'Give exactly one of `url` (the page of an embedded thread) and `statement` (a statement’s slug).',
            'invalid-lookup',
          );
        }
        if (url !== undefined)
          return presentThread(
            await findEmbeddedThread(
              { discussion: ctx, accounts: deps.accounts },
              { siteId: deps.siteId(), pageUrl: url },
            ),
          );
        const slug = statement ?? '';
        const threadId = await deps.resolveStatementThread(deps.siteId(), slug);
        if (threadId === undefined) {
          throw new NotFoundError(
            `There is no published statement "${slug}" with a discussion.`,
            'thread-not-found',
          );
        }
        return presentThread(await service.getThread(ctx, threadId));
      },
    );

    // --- comments -----------------------------------------------------------------------------

    scope.get(
      '/api/v1/threads/:threadId/comments',
      {
        schema: {
          tags,
          summary: 'A page of a thread’s comments, in display order',
          description:
            'Replies follow their parent, older siblings first. The public sees approved comments ' +
            'and removed placeholders; members who may moderate also see held ones.',
          security,
          params: ThreadParams,
          querystring: CommentsQuery,
          response: { 200: CommentPage, 304: NotModified, ...errors(400, 404) },
        },
      },
      async (request, reply) => {
        const { threadId } = request.params;
        const { cursor, limit = DEFAULT_PAGE_SIZE } = request.query;
        const afterPath = cursor === undefined ? undefined : decodeCursor(cursor);
        const includeHidden = canModerate(request);
        const thread = await service.getThread(ctx, threadId);
        const etag = `W/"comments-${thread.version}-${includeHidden ? 'all' : 'public'}"`;
        if (fresh(request, reply, etag)) return notModified(reply);
        const comments = await service.listComments(ctx, {
          threadId,
          afterPath,
          limit: limit + 1,
          includeHidden,
        });
        const page = comments.slice(0, limit);
        const last = page.at(-1);
        return {
          items: page.map(includeHidden ? presentCommentToModerator : presentComment),
          nextCursor: comments.length > limit && last ? encodeCursor(last.path) : null,
        };
      },
    );

    scope.post(
      '/api/v1/threads/:threadId/comments',
      {
        schema: {
          tags,
          summary: 'Post a comment or a reply',
          description:
            'Signed-in members post as themselves (`authorName` and `authorEmail` are ignored). ' +
            'The comment is published or held for moderation: see `status` and `reasons`.',
          security,
          params: ThreadParams,
          body: NewComment,
          response: { 201: PostedComment, ...errors(400, 403, 404, 409, 413, 415, 422, 429) },
        },
        onRequest: deps.postingLimit,
        config: { rateLimit: false },
      },
      async (request, reply) => {
        const { body } = request;
        const member = request.member;
        const { comment, editToken, replyNotifications } = await service.postComment(ctx, {
          threadId: request.params.threadId,
          parentId: body.parentId || undefined,
          author: member
            ? {
                accountId: member.id,
                name: member.displayName,
                email: member.email,
                url: body.authorUrl,
              }
            : { name: body.authorName ?? '', email: body.authorEmail, url: body.authorUrl },
          body: body.body,
          notifyReplies: body.notifyReplies,
          ipHash: hashAddress({
            secret: deps.secret,
            address: request.ip,
            now: ctx.clock.now(),
            saltDays: deps.addressSaltDays,
          }),
        });
        if (editToken) reply.header('cache-control', 'no-store');
        return reply.status(201).send({
          comment: presentComment(comment),
          status: comment.status,
          reasons: presentReasons(comment.reasons),
          ...(editToken ? { editToken } : {}),
          ...(replyNotifications ? { replyNotifications } : {}),
        });
      },
    );

    scope.patch(
      '/api/v1/comments/:commentId',
      {
        schema: {
          tags,
          summary: 'Edit a comment (its author, within the edit window)',
          description:
            'Members edit their own comments; others prove authorship with the edit token ' +
            '(body `editToken` or header `X-Edit-Token`). The previous text is kept in history.',
          security,
          params: CommentParams,
          body: CommentEdit,
          response: { 200: CommentSchema, ...errors(400, 403, 404, 413, 415, 422) },
        },
      },
      async (request) =>
        presentCommentToAuthor(
          await service.editComment(ctx, {
            commentId: request.params.commentId,
            body: request.body.body,
            editor: editorOf(request, request.body.editToken),
          }),
        ),
    );

    scope.delete(
      '/api/v1/comments/:commentId',
      {
        schema: {
          tags,
          summary: 'Remove a comment (its author, or a moderator)',
          description:
            'The comment keeps its place so that its replies stay where they were; the answer is ' +
            'the placeholder it leaves, as the thread now shows it. The edit token may come in ' +
            'the body (`editToken`) or the `X-Edit-Token` header.',
          security,
          params: CommentParams,
          body: CommentRemoval,
          response: { 200: CommentSchema, ...errors(400, 403, 404, 415, 422) },
        },
        // A DELETE usually has no body at all: treat that as an empty one.
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) =>
        presentComment(
          await service.deleteComment(ctx, {
            commentId: request.params.commentId,
            editor: {
              ...editorOf(request, request.body.editToken),
              isModerator: canModerate(request),
            },
          }),
        ),
    );

    // --- closing and reopening (moderators) ----------------------------------------------------

    const moderate = requirePermission('comments.moderate');
    for (const [action, status] of [
      ['close', 'closed'],
      ['open', 'open'],
    ] as const) {
      scope.post(
        `/api/v1/threads/:threadId/${action}`,
        {
          schema: {
            tags,
            summary:
              action === 'close'
                ? 'Close a thread to new comments (moderators)'
                : 'Open a closed thread again (moderators)',
            description:
              (action === 'close'
                ? 'A closed thread keeps its comments but takes no new ones (409 `thread-closed`) ' +
                  'and no edits; its pages show "Comments are closed" and no forms. '
                : 'New comments are accepted again. ') +
              'Needs `comments.moderate`. Changing the status bumps the thread’s `version`; asking ' +
              'for the status it already has changes nothing. No request body. With a session ' +
              'cookie, send the `X-CSRF-Token` header.',
            security: [{ bearer: [] }],
            params: ThreadParams,
            response: { 200: ThreadSchema, ...errors(401, 403, 404) },
          },
          preHandler: moderate,
        },
        async (request) => {
          const member = request.member;
          // `moderate` has let only members with `comments.moderate` through.
          if (!member) throw new UnauthenticatedError('Sign in to moderate.', 'not-signed-in');
          await deps.setThreadStatus({
            siteId: deps.siteId(),
            threadId: request.params.threadId,
            status,
            actor: { accountId: member.id, name: member.displayName },
          });
          return presentThread(await service.getThread(ctx, request.params.threadId));
        },
      );
    }

    // --- live updates -------------------------------------------------------------------------

    scope.get(
      '/api/v1/threads/:threadId/events',
      {
        schema: {
          tags,
          summary: 'Live updates of a thread (Server-Sent Events)',
          description:
            'Events `comment.created`, `comment.edited` and `comment.removed` carry ' +
            '`{commentId, status, version, comment}` with the comment as the comments API ' +
            'presents it. Each event’s `id` is the thread version. The stream opens with ' +
            '`ready` `{version}`; a browser reconnecting with an older `Last-Event-ID` gets ' +
            '`resync` `{version}` instead and should fetch the comments again. A comment line ' +
            'every 25 s keeps proxies from closing the connection.',
          security,
          params: ThreadParams,
          querystring: EventsQuery,
          response: {
            200: {
              description: 'An event stream.',
              content: { 'text/event-stream': { schema: Type.String() } },
            },
            ...errors(400, 404),
          },
        },
      },
      async (request, reply) => {
        const { threadId } = request.params;
        await service.getThread(ctx, threadId); // a 404 is still an ordinary JSON answer
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          ...headersOf(reply),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          'x-accel-buffering': 'no',
        });
        raw.flushHeaders();
        const stream = hub.open({
          threadId,
          canModerate: canModerate(request),
          // A reconnecting browser's header first; then the version the page was rendered at.
          lastEventId:
            parseLastEventId(request.headers['last-event-id']) ??
            parseLastEventId(request.query.lastEventId),
          currentVersion: async () => (await service.getThread(ctx, threadId)).version,
          sink: raw,
        });
        raw.on('close', stream.close);
        raw.on('error', stream.close);
        if (raw.destroyed) stream.close();
        await stream.opened;
      },
    );
  });
}

function canModerate(request: FastifyRequest): boolean {
  return can(request.member?.role, 'comments.moderate');
}

/** Who is asking to change a comment: the member, and any edit token (body first, then header). */
function editorOf(request: FastifyRequest, bodyToken: string | undefined): Editor {
  const header = request.headers['x-edit-token'];
  const editToken = bodyToken ?? (typeof header === 'string' ? header : undefined);
  return { accountId: request.member?.id, editToken };
}

/**
 * Marks a response with its ETag and says whether the client already has it (answer 304). The
 * tag covers what the URL does not: the thread's version and what the viewer may see.
 */
function fresh(request: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply
    .header('etag', etag)
    .header('cache-control', 'private, no-cache')
    .header('vary', 'Cookie, Authorization');
  return ifNoneMatchHolds(request.headers['if-none-match'], etag);
}

/**
 * Answers 304 with no body. Not `send(null)`: the response schema would serialise that to
 * `null` with `Content-Length: 4`, which RFC 9110 (8.6) forbids on a 304 and which keeps clients
 * that trust the header waiting for four bytes that never come.
 */
function notModified(reply: FastifyReply): FastifyReply {
  return reply.code(304).send();
}

/** The headers set on the reply so far (security headers, rate-limit counters). */
function headersOf(reply: FastifyReply): Record<string, string | number | string[]> {
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders()))
    if (value !== undefined) headers[name] = value;
  return headers;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * JSON as RFC 8259 has it: UTF-8 only. Fastify's own parser decodes leniently, so broken bytes
 * would be stored as U+FFFD; this refuses them, and refuses text that JSON escapes made invalid
 * (`"\ud800"`), naming the field.
 */
function strictJsonParser(parseJson: FastifyBodyParser<string>): FastifyBodyParser<Buffer> {
  return (request, body, done) => {
    let text: string;
    try {
      text = UTF8.decode(body);
    } catch {
      done(
        new BadRequestError(
          'The request body is not valid UTF-8. Send JSON encoded as UTF-8.',
          'invalid-utf8',
        ),
        undefined,
      );
      return;
    }
    void parseJson(request, text, (error, value) => {
      if (error) return done(error, undefined);
      const field = brokenTextIn(value);
      if (field !== undefined) {
        const where = field.length === 0 ? 'The request body' : `\`${field.join('.')}\``;
        return done(
          new UnprocessableError(
            `${where} contains broken Unicode (an unpaired surrogate such as \\ud800). Send well-formed text.`,
            'invalid-unicode',
          ),
          undefined,
        );
      }
      done(null, value);
    });
  };
}

/** Where in a parsed JSON value text (a string or a field name) has an unpaired surrogate. */
function brokenTextIn(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = LONE_SURROGATE.test(key) ? [...path, key] : brokenTextIn(item, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}
