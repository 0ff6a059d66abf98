/**
 * Routes of statements (first cut): the home page's list, the public statement page with its
 * discussion (read and posted to without JavaScript). The JSON API is in api-routes.ts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { sendThreadFeed } from '../discussion/feed.js';
import type { DiscussionPages } from '../discussion/pages.js';
import type { PostOutcome } from '../discussion/pages.js';
import {
  CommentEditFormBody,
  CommentFormBody,
  CommentParams,
  CommentRemoveFormBody,
  DiscussionQuery,
  noticesOf,
  viewOf,
} from '../discussion/pages.js';
import type { DiscussionNotice, DiscussionView, FormProblem } from '../discussion/views.js';
import type { HttpServer, SharedRateLimit } from '../platform/http/server.js';
import { HomePage } from '../web/home.js';
import type { PageRenderer } from '../web/page.js';
import { statementStamp } from './model.js';
import type { PublishedStatement, StatementsContext } from './service.js';
import * as service from './service.js';
import { StatementPage } from './views.js';

export interface StatementRoutesDeps {
  ctx: StatementsContext;
  page: PageRenderer;
  siteId: () => string;
  siteName: () => string;
  discussion: DiscussionPages;
  /** The public address of the site, for the absolute links a feed needs. */
  baseUrl: URL;
  /** The limit on new comments per client address, shared with the API and the embed. */
  postingLimit: SharedRateLimit;
}

const Cursor = Type.String({ minLength: 1, maxLength: 300 });
const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200 }) });
const SlugCommentParams = Type.Object({ ...SlugParams.properties, ...CommentParams.properties });
const ViewQuery = Type.Pick(DiscussionQuery, ['page', 'sort']);

/** How many statements the home page lists at a time. */
const HOME_PAGE_SIZE = 20;

export function registerStatementRoutes(app: HttpServer, deps: StatementRoutesDeps) {
  const { ctx, page, discussion } = deps;
  const pageSchema = { hide: true } as const;

  // --- pages ----------------------------------------------------------------------------------

  app.get(
    '/',
    { schema: { ...pageSchema, querystring: Type.Object({ before: Type.Optional(Cursor) }) } },
    async (request, reply) => {
      const list = await service.listPublishedStatements(ctx, deps.siteId(), {
        limit: HOME_PAGE_SIZE,
        before: request.query.before,
      });
      return page.send(request, reply, {
        title: deps.siteName(),
        body: (pageCtx) =>
          HomePage({
            ctx: pageCtx,
            statements: list.items.map((item) => ({
              href: `/s/${item.slug}`,
              title: item.title,
              subtitle: item.subtitle,
              publishedAt: item.publishedAt,
            })),
            olderHref: list.nextCursor && `/?before=${encodeURIComponent(list.nextCursor)}`,
            isFirstPage: request.query.before === undefined,
          }),
      });
    },
  );

  async function sendStatementPage(
    request: FastifyRequest,
    reply: FastifyReply,
    input: PublishedStatement & {
      view: DiscussionView;
      notices?: readonly DiscussionNotice[];
      problem?: FormProblem;
      status?: number;
    },
  ) {
    const { statement, thread } = input;
    const section = await discussion.show(request, reply, {
      thread,
      basePath: `/s/${statement.slug}`,
      view: input.view,
      pageStamp: statementStamp(statement),
      notices: input.notices,
      problem: input.problem,
      commentActions: true,
    });
    if (!section) return reply; // 304: the viewer's copy is current
    return page.send(request, reply, {
      title: statement.title,
      status: input.status,
      body: (pageCtx) => StatementPage({ statement, discussion: section(pageCtx) }),
    });
  }

  app.get(
    '/s/:slug',
    {
      schema: { ...pageSchema, params: SlugParams, querystring: DiscussionQuery },
      onSend: discussion.onSend,
    },
    async (request, reply) => {
      const published = await service.getPublishedStatement(ctx, {
        siteId: deps.siteId(),
        slug: request.params.slug,
      });
      return sendStatementPage(request, reply, {
        ...published,
        view: viewOf(request.query),
        notices: noticesOf(request.query),
      });
    },
  );

  app.post(
    '/s/:slug/comments',
    {
      schema: { ...pageSchema, params: SlugParams, body: CommentFormBody },
      onSend: discussion.onSend,
      onRequest: deps.postingLimit,
      config: { rateLimit: false },
    },
    async (request, reply) => {
      const published = await service.getPublishedStatement(ctx, {
        siteId: deps.siteId(),
        slug: request.params.slug,
      });
      const outcome = await discussion.post(request, {
        thread: published.thread,
        basePath: `/s/${published.statement.slug}`,
        form: request.body,
        reply,
      });
      return finish(request, reply, published, outcome);
    },
  );

  /** After a form: to the comment (303), or the page again with the form and its problem. */
  function finish(
    request: FastifyRequest,
    reply: FastifyReply,
    published: PublishedStatement,
    outcome: PostOutcome,
  ) {
    if (outcome.kind === 'posted') return reply.redirect(outcome.location, 303);
    return sendStatementPage(request, reply, {
      ...published,
      view: outcome.view,
      problem: outcome.problem,
      status: outcome.status,
    });
  }

  const publishedOf = (slug: string) =>
    service.getPublishedStatement(ctx, { siteId: deps.siteId(), slug });

  // A comment's edit and delete forms (its author's, or a moderator's), and the comment alone as
  // HTML for the island that posts in place and shows new comments live.
  app.post(
    '/s/:slug/comments/:commentId/edit',
    {
      schema: { ...pageSchema, params: SlugCommentParams, body: CommentEditFormBody },
      onSend: discussion.onSend,
    },
    async (request, reply) => {
      const published = await publishedOf(request.params.slug);
      const outcome = await discussion.edit(request, reply, {
        thread: published.thread,
        basePath: `/s/${published.statement.slug}`,
        commentId: request.params.commentId,
        form: request.body,
      });
      return finish(request, reply, published, outcome);
    },
  );

  app.post(
    '/s/:slug/comments/:commentId/delete',
    {
      schema: { ...pageSchema, params: SlugCommentParams, body: CommentRemoveFormBody },
      onSend: discussion.onSend,
    },
    async (request, reply) => {
      const published = await publishedOf(request.params.slug);
      const outcome = await discussion.remove(request, reply, {
        thread: published.thread,
        basePath: `/s/${published.statement.slug}`,
        commentId: request.params.commentId,
        form: request.body,
      });
      return finish(request, reply, published, outcome);
    },
  );

  app.get(
    '/s/:slug/comments/:commentId/fragment',
    { schema: { ...pageSchema, params: SlugCommentParams, querystring: ViewQuery } },
    async (request, reply) => {
      const published = await publishedOf(request.params.slug);
      return discussion.fragment(request, reply, {
        thread: published.thread,
        basePath: `/s/${published.statement.slug}`,
        commentId: request.params.commentId,
        view: viewOf(request.query),
      });
    },
  );

  app.get(
    '/s/:slug/comments.atom',
    { schema: { ...pageSchema, params: SlugParams } },
    async (request, reply) => {
      const { statement, thread } = await service.getPublishedStatement(ctx, {
        siteId: deps.siteId(),
        slug: request.params.slug,
      });
      const pageUrl = new URL(`s/${statement.slug}`, deps.baseUrl).toString();
      return sendThreadFeed(request, reply, {
        ctx: ctx.discussion,
        thread,
        pageUrl,
        feedUrl: `${pageUrl}/comments.atom`,
        siteName: deps.siteName(),
      });
    },
  );

  // The address a refused form leaves in the browser's bar: reloading or bookmarking it, or
  // signing in from that page, comes back to the discussion.
  app.get(
    '/s/:slug/comments',
    { schema: { ...pageSchema, params: SlugParams } },
    async (request, reply) =>
      reply.redirect(`/s/${encodeURIComponent(request.params.slug)}#comments`, 303),
  );
}
