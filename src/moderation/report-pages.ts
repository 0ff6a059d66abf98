/**
 * Readers' report pages, linked from every public comment ("Report"): the form at
 * `/comments/:commentId/report`, which works without JavaScript and calls the same use case as
 * `POST /api/v1/comments/:commentId/reports`, and the thank-you page it leads to.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  AppError,
  NotFoundError,
  TooManyRequestsError,
  UnprocessableError,
} from '../platform/errors.js';
import type { HttpServer } from '../platform/http/server.js';
import { hashAddress } from '../platform/address-hash.js';
import type { ModerationContext } from './context.js';
import type { ModerationPagesDeps } from './pages.js';
import { findComment, findThreads } from './queue-store.js';
import type { ReportFormValues, ReportedComment } from './report-views.js';
import { ReportPage, ReportThanksPage } from './report-views.js';
import * as service from './service.js';
import type { ReportReason } from './store.js';
import { REPORT_REASONS } from './store.js';

const pageSchema = { hide: true } as const;
const CommentParams = Type.Object({ commentId: Type.String({ minLength: 1, maxLength: 100 }) });
// Generous: the use case checks the real limits and says what they are.
const ReportForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  reason: Type.String({ maxLength: 40, default: '' }),
  note: Type.String({ maxLength: 10_000, default: '' }),
});

/**
 * The public comment a reader may report, with its thread's title; anything else (unknown, held,
 * rejected, removed) is the same 404 the use case gives, so the form never shows what is hidden.
 */
async function reportableComment(
  ctx: Pick<ModerationContext, 'db'>,
  siteId: string,
  commentId: string,
): Promise<ReportedComment> {
  const comment = await findComment(ctx.db, siteId, commentId);
  if (!comment || comment.status !== 'approved')
    throw new NotFoundError(`There is no comment ${commentId}.`, 'comment-not-found');
  const thread = (await findThreads(ctx.db, [comment.threadId])).get(comment.threadId);
  return {
    id: comment.id,
    authorName: comment.authorName,
    createdAt: comment.createdAt,
    excerpt: service.excerpt(comment.body, 280),
    threadTitle: thread?.title ?? '',
  };
}

/**
 * Where to go back to after a report: the comment on its page while it is public, else (the
 * report may have held it) the page of its thread; undefined when neither is known.
 */
async function discussionOf(
  ctx: Pick<ModerationContext, 'db' | 'threadPage'>,
  siteId: string,
  commentId: string,
): Promise<string | undefined> {
  const comment = await findComment(ctx.db, siteId, commentId);
  const thread = comment && (await findThreads(ctx.db, [comment.threadId])).get(comment.threadId);
  const pageUrl = thread && (await ctx.threadPage(thread));
  if (!comment || !pageUrl) return undefined;
  return comment.status === 'approved'
    ? `${pageUrl}#comment-${encodeURIComponent(comment.id)}`
    : `${pageUrl}#comments`;
}

const isReason = (value: string): value is ReportReason =>
  (REPORT_REASONS as readonly string[]).includes(value);

export function registerReportPages(app: HttpServer, deps: ModerationPagesDeps): void {
  const { ctx, page } = deps;

  function showForm(
    request: FastifyRequest,
    reply: FastifyReply,
    comment: ReportedComment,
    view: { values?: ReportFormValues; problem?: AppError } = {},
  ) {
    // A report form's token is the reader's own: never cached by anyone.
    reply.header('cache-control', 'private, no-store');
    return page.send(request, reply, {
      title: 'Report a comment',
      status: view.problem?.status,
      body: (pageCtx) =>
        ReportPage({
          ctx: pageCtx,
          comment,
          values: view.values,
          problem: view.problem?.message,
        }),
    });
  }

  app.get(
    '/comments/:commentId/report',
    { schema: { ...pageSchema, params: CommentParams } },
    async (request, reply) =>
      showForm(
        request,
        reply,
        await reportableComment(ctx, deps.siteId(), request.params.commentId),
      ),
  );

  app.post(
    '/comments/:commentId/report',
    { schema: { ...pageSchema, params: CommentParams, body: ReportForm } },
    async (request, reply) => {
      const { commentId } = request.params;
      const values = { reason: request.body.reason, note: request.body.note };
      try {
        if (!isReason(values.reason)) {
          throw new UnprocessableError(
            'Choose what is wrong with the comment, then send the report.',
            'invalid-report-reason',
          );
        }
        await service.reportComment(ctx, {
          siteId: deps.siteId(),
          commentId,
          reason: values.reason,
          note: values.note,
          reporter: {
            accountId: request.member?.id,
            ipHash: hashAddress({
              secret: deps.secret,
              address: request.ip,
              now: ctx.clock.now(),
              saltDays: deps.addressSaltDays,
            }),
          },
        });
        return reply.redirect(`/comments/${encodeURIComponent(commentId)}/report/thanks`, 303);
      } catch (error) {
        // An unknown or hidden comment is the error page; anything else is said on the form.
        if (!(error instanceof AppError) || error.status === 404 || error.status >= 500)
          throw error;
        if (error instanceof TooManyRequestsError)
          reply.header('retry-after', String(error.retryAfterSeconds));
        const comment = await reportableComment(ctx, deps.siteId(), commentId);
        return showForm(request, reply, comment, { values, problem: error });
      }
    },
  );

  app.get(
    '/comments/:commentId/report/thanks',
    { schema: { ...pageSchema, params: CommentParams } },
    async (request, reply) => {
      const back = await discussionOf(ctx, deps.siteId(), request.params.commentId);
      return page.send(request, reply, {
        title: 'Thank you',
        body: () => ReportThanksPage({ back }),
      });
    },
  );
}
