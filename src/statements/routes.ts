/**
 * The public pages of statements: the home page's list, a statement's page (its text, how it was
 * cleared, what it is based on, its correction or withdrawal, its signatories and the form to
 * sign, then its discussion — all usable without JavaScript), its public history with each text it
 * has had, and the Atom feeds (`/statements.atom`, and each statement's comments). The JSON API is
 * in api-routes.ts; the members' pages in admin-routes.ts, review-routes.ts and
 * signature-routes.ts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { sendThreadFeed } from '../discussion/feed.js';
import { plainText } from '../discussion/markdown.js';
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
import type { HeadMeta } from '../web/page.js';
import { clearanceWording } from './clearance.js';
import { correctionWording, statementStamp } from './model.js';
import type { StatementPagesDeps } from './page-support.js';
import { ModeQuery, refusalOf } from './page-support.js';
import { feedStatements, publicCitation } from './page-service.js';
import { diffRevisions } from './review-service.js';
import type { PublishedStatement } from './service.js';
import * as service from './service.js';
import { listSignatories, signStatement } from './signature-service.js';
import { SignForm } from './signature-routes.js';
import type { SignFormValues, SignaturesSectionProps } from './signature-views.js';
import { EMPTY_SIGN_FORM } from './signature-views.js';
import { sendStatementFeed } from './statement-feed.js';
import type { Statement } from './store.js';
import type { PublicComparison } from './views.js';
import {
  PublicHistoryPage,
  PublicRevisionPage,
  StatementPage,
  historyHref,
  statementHref,
} from './views.js';

export interface StatementRoutesDeps extends StatementPagesDeps {
  discussion: DiscussionPages;
  /** The limit on new comments per client address, shared with the API and the embed. */
  postingLimit: SharedRateLimit;
}

const Cursor = Type.String({ minLength: 1, maxLength: 300 });
const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200 }) });
const SlugCommentParams = Type.Object({ ...SlugParams.properties, ...CommentParams.properties });
const ViewQuery = Type.Pick(DiscussionQuery, ['page', 'sort']);
const HistoryQuery = Type.Object({
  from: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  mode: ModeQuery,
});
const RevisionParams = Type.Object({
  ...SlugParams.properties,
  revisionId: Type.String({ minLength: 1, maxLength: 100 }),
});

/** How many statements the home page lists at a time. */
const HOME_PAGE_SIZE = 20;
/** The longest description a page gives search engines and link previews. */
const DESCRIPTION_LENGTH = 200;

const FEED_TITLE = 'Statements (Atom)';

export function registerStatementRoutes(app: HttpServer, deps: StatementRoutesDeps) {
  const { ctx, page, discussion } = deps;
  const pageSchema = { hide: true } as const;
  // Links in <head> are paths, as every link of our pages is (a browser resolves them against the
  // page); Open Graph wants absolute URLs, and gets them from BASE_URL.
  const absolute = (path: string) => new URL(path.replace(/^\//, ''), deps.baseUrl).href;
  const statementsFeed = () => ({
    type: 'application/atom+xml',
    href: '/statements.atom',
    title: `${FEED_TITLE} · ${deps.siteName()}`,
  });

  // --- the home page ----------------------------------------------------------------------------

  app.get(
    '/',
    { schema: { ...pageSchema, querystring: Type.Object({ before: Type.Optional(Cursor) }) } },
    async (request, reply) => {
      const list = await service.listPublishedStatements(ctx, deps.siteId(), {
        limit: HOME_PAGE_SIZE,
        before: request.query.before,
      });
      const first = request.query.before === undefined;
      return page.send(request, reply, {
        title: deps.siteName(),
        head: {
          canonical: first ? '/' : undefined,
          robots: first ? undefined : 'noindex, follow',
          alternates: [statementsFeed()],
          openGraph: [
            ['og:type', 'website'],
            ['og:site_name', deps.siteName()],
            ['og:title', deps.siteName()],
            ['og:url', absolute('/')],
          ],
        },
        body: (pageCtx) =>
          HomePage({
            ctx: pageCtx,
            statements: list.items.map((item) => ({
              href: statementHref(item.slug),
              title: item.title,
              subtitle: item.subtitle,
              publishedAt: item.publishedAt,
              correctedAt: item.correctedAt,
              withdrawnAt: item.status === 'withdrawn' ? item.withdrawnAt : undefined,
            })),
            olderHref: list.nextCursor && `/?before=${encodeURIComponent(list.nextCursor)}`,
            isFirstPage: first,
            feedHref: '/statements.atom',
          }),
      });
    },
  );

  // --- a statement's page -----------------------------------------------------------------------

  /** `<head>` of a statement's page: description, canonical URL, feeds and Open Graph. */
  function statementHead(statement: Statement): HeadMeta {
    const path = statementHref(statement.slug);
    // The subtitle, else the start of the text (only its start is parsed: this runs on every read).
    const description =
      statement.subtitle ??
      plainText(statement.body.slice(0, DESCRIPTION_LENGTH * 8), DESCRIPTION_LENGTH, {
        headings: true,
      });
    const modified = statement.withdrawnAt ?? statement.correctedAt;
    return {
      description,
      canonical: path,
      alternates: [
        statementsFeed(),
        {
          type: 'application/atom+xml',
          href: `${path}/comments.atom`,
          title: `Comments on “${statement.title}” (Atom)`,
        },
      ],
      openGraph: [
        ['og:type', 'article'],
        ['og:site_name', deps.siteName()],
        ['og:title', statement.title],
        ['og:description', description],
        ['og:url', absolute(path)],
        ...(statement.publishedAt
          ? [['article:published_time', statement.publishedAt.toISOString()] as [string, string]]
          : []),
        ...(modified
          ? [['article:modified_time', modified.toISOString()] as [string, string]]
          : []),
      ],
    };
  }

  async function sendStatementPage(
    request: FastifyRequest,
    reply: FastifyReply,
    input: PublishedStatement & {
      view: DiscussionView;
      notices?: readonly DiscussionNotice[];
      problem?: FormProblem;
      sign?: { values: SignFormValues; problem: string };
      status?: number;
    },
  ) {
    const { statement, thread } = input;
    const section = await discussion.show(request, reply, {
      thread,
      basePath: statementHref(statement.slug),
      view: input.view,
      pageStamp: statementStamp(statement),
      notices: input.notices,
      problem: input.problem,
      commentActions: true,
    });
    if (!section) return reply; // 304: the viewer's copy is current
    // Only now, for a page that is sent: the published revision, the citation, the signatories.
    const [{ revision }, citation, signatories] = await Promise.all([
      service.getRevision(ctx, {
        siteId: deps.siteId(),
        statementId: statement.id,
        revisionId: statement.publishedRevisionId ?? statement.currentRevisionId,
      }),
      publicCitation(ctx, statement),
      listSignatories(ctx, { siteId: deps.siteId(), statementId: statement.id }),
    ]);
    const signatures: SignaturesSectionProps = {
      basePath: statementHref(statement.slug),
      signatories,
      form:
        statement.status === 'withdrawn'
          ? 'withdrawn'
          : !statement.signingOpen
            ? 'closed'
            : ctx.mail?.mailer.enabled
              ? 'open'
              : 'unavailable',
      values: input.sign?.values ?? EMPTY_SIGN_FORM,
      problem: input.sign?.problem,
    };
    return page.send(request, reply, {
      title: statement.status === 'withdrawn' ? `Withdrawn: ${statement.title}` : statement.title,
      status: input.status,
      head: statementHead(statement),
      body: (pageCtx) =>
        StatementPage({
          article: {
            statement,
            revision,
            clearance: statement.clearanceNote,
            correction:
              statement.correctedAt && revision.correctionNote !== undefined
                ? correctionWording(statement.correctedAt, revision.correctionNote)
                : undefined,
            citation,
            historyHref: historyHref(statement.slug),
          },
          signatures,
          discussion: section(pageCtx),
        }),
    });
  }

  const publishedOf = (slug: string) =>
    service.getPublishedStatement(ctx, { siteId: deps.siteId(), slug });

  app.get(
    '/s/:slug',
    {
      schema: { ...pageSchema, params: SlugParams, querystring: DiscussionQuery },
      onSend: discussion.onSend,
    },
    async (request, reply) => {
      const published = await publishedOf(request.params.slug);
      return sendStatementPage(request, reply, {
        ...published,
        view: viewOf(request.query),
        notices: noticesOf(request.query),
      });
    },
  );

  // The sign form: to "check your e-mail", or the page again with the reason and what was typed.
  app.post(
    '/s/:slug/signatures',
    {
      schema: { ...pageSchema, params: SlugParams, body: SignForm },
      onSend: discussion.onSend,
      // The page carries no per-visitor token for this form (it would make every public page
      // private); the browser's own Origin header says the form was sent from this site.
      config: { csrf: 'same-origin', rateLimit: { max: 10, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const published = await publishedOf(request.params.slug);
      const values: SignFormValues = request.body;
      try {
        await signStatement(ctx, {
          siteId: deps.siteId(),
          statementId: published.statement.id,
          signature: values,
        });
      } catch (error) {
        const { status, message } = refusalOf(error);
        return sendStatementPage(request, reply, {
          ...published,
          view: viewOf({}),
          sign: { values, problem: message },
          status,
        });
      }
      return reply.redirect(`${statementHref(published.statement.slug)}/signatures/sent`, 303);
    },
  );

  // --- the discussion's forms -------------------------------------------------------------------

  app.post(
    '/s/:slug/comments',
    {
      schema: { ...pageSchema, params: SlugParams, body: CommentFormBody },
      onSend: discussion.onSend,
      onRequest: deps.postingLimit,
      config: { rateLimit: false },
    },
    async (request, reply) => {
      const published = await publishedOf(request.params.slug);
      const outcome = await discussion.post(request, {
        thread: published.thread,
        basePath: statementHref(published.statement.slug),
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
        basePath: statementHref(published.statement.slug),
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
        basePath: statementHref(published.statement.slug),
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
        basePath: statementHref(published.statement.slug),
        commentId: request.params.commentId,
        view: viewOf(request.query),
      });
    },
  );

  // The address a refused form leaves in the browser's bar: reloading or bookmarking it, or
  // signing in from that page, comes back to the discussion (or the signatories).
  app.get(
    '/s/:slug/comments',
    { schema: { ...pageSchema, params: SlugParams } },
    async (request, reply) =>
      reply.redirect(`/s/${encodeURIComponent(request.params.slug)}#comments`, 303),
  );
  app.get(
    '/s/:slug/signatures',
    { schema: { ...pageSchema, params: SlugParams } },
    async (request, reply) =>
      reply.redirect(`/s/${encodeURIComponent(request.params.slug)}#signatories`, 303),
  );

  // --- the public history -----------------------------------------------------------------------

  app.get(
    '/s/:slug/history',
    { schema: { ...pageSchema, params: SlugParams, querystring: HistoryQuery } },
    async (request, reply) => {
      const { statement } = await publishedOf(request.params.slug);
      const history = await service.listRevisions(ctx, {
        siteId: deps.siteId(),
        statementId: statement.id,
        publicOnly: true,
      });
      const { from, to } = request.query;
      let comparison: PublicComparison | undefined;
      if (from && to) {
        comparison = await diffRevisions(ctx, {
          siteId: deps.siteId(),
          statementId: statement.id,
          fromRevisionId: from,
          toRevisionId: to,
          publicOnly: true,
        });
      }
      return page.send(request, reply, {
        title: `History: ${statement.title}`,
        head: { canonical: historyHref(statement.slug), alternates: [statementsFeed()] },
        body: () =>
          PublicHistoryPage({
            statement,
            history,
            comparison,
            mode: request.query.mode ?? 'inline',
          }),
      });
    },
  );

  app.get(
    '/s/:slug/revisions/:revisionId',
    { schema: { ...pageSchema, params: RevisionParams } },
    async (request, reply) => {
      const { statement } = await publishedOf(request.params.slug);
      const [{ revision }, history] = await Promise.all([
        service.getRevision(ctx, {
          siteId: deps.siteId(),
          statementId: statement.id,
          revisionId: request.params.revisionId,
          publicOnly: true,
        }),
        service.listRevisions(ctx, {
          siteId: deps.siteId(),
          statementId: statement.id,
          publicOnly: true,
        }),
      ]);
      const replacedBy = history.find((entry) => entry.number > revision.number);
      return page.send(request, reply, {
        title: `${revision.title} (as published${revision.publishedAt ? ` ${revision.publishedAt.toISOString().slice(0, 10)}` : ''})`,
        // The current text is the one to find; this one stays readable for the record.
        head: { canonical: statementHref(statement.slug), robots: 'noindex, follow' },
        body: () =>
          PublicRevisionPage({
            statement,
            revision,
            replacedBy,
            clearance: revision.clearance && clearanceWording(revision.clearance),
          }),
      });
    },
  );

  // --- feeds ------------------------------------------------------------------------------------

  app.get('/statements.atom', { schema: pageSchema }, async (request, reply) => {
    const { stamp, load } = await feedStatements(ctx, deps.siteId());
    return sendStatementFeed(request, reply, {
      siteName: deps.siteName(),
      baseUrl: deps.baseUrl,
      stamp,
      load,
    });
  });

  app.get(
    '/s/:slug/comments.atom',
    { schema: { ...pageSchema, params: SlugParams } },
    async (request, reply) => {
      const { statement, thread } = await publishedOf(request.params.slug);
      const pageUrl = absolute(statementHref(statement.slug));
      return sendThreadFeed(request, reply, {
        ctx: ctx.discussion,
        thread,
        pageUrl,
        feedUrl: `${pageUrl}/comments.atom`,
        siteName: deps.siteName(),
      });
    },
  );
}
