/**
 * The review page of a statement and its forms: submit for review (`statements.write`), approve,
 * object and withdraw an objection (`statements.approve`), publish, publish a correction and
 * withdraw (`statements.publish`). A refused action — publishing before clearance is complete,
 * deciding on a text that has changed since the page was loaded — shows the page again with the
 * reason, and changes nothing.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import { requirePermission } from '../accounts/auth.js';
import type { HttpServer } from '../platform/http/server.js';
import { adminPath } from './admin-views.js';
import { lifecycleProblem } from './lifecycle.js';
import type { StatementPagesDeps } from './page-support.js';
import { FormText, IdParams, ModeQuery, actorOf, memberCan, refusalOf } from './page-support.js';
import * as review from './review-service.js';
import type { ReviewBaseline, ReviewPageProps } from './review-views.js';
import { ReviewPage } from './review-views.js';
import * as service from './service.js';
import type { RevisionSummary, Statement } from './store.js';

const DONE = {
  submitted: 'Submitted for review: approvers can now approve this revision or object to it.',
  approved: 'Your approval is recorded. It counts for as long as the text stays as it is.',
  objected: 'Your objection is recorded: publication is blocked until you withdraw it.',
  'objection-withdrawn': 'Your objection is withdrawn.',
  published: 'Published. The public page now shows this text and how it was cleared.',
  corrected: 'The correction is published; the earlier text stays readable in the public history.',
  withdrawn: 'The statement is withdrawn. Its page stays, marked withdrawn with your reason.',
} as const;
type Done = keyof typeof DONE;

const ReviewQuery = Type.Object({
  mode: ModeQuery,
  done: Type.Optional(Type.Enum(Object.keys(DONE) as Done[])),
});

const RevisionForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  revisionId: FormText(100),
});
const DecisionForm = Type.Object({
  ...RevisionForm.properties,
  comment: Type.Optional(FormText(10_000)),
  reason: Type.Optional(FormText(10_000)),
});
const CorrectionForm = Type.Object({ ...RevisionForm.properties, note: FormText(10_000) });
const WithdrawForm = Type.Object({ _csrf: Type.Optional(Type.String()), reason: FormText(10_000) });

export function registerStatementReviewRoutes(app: HttpServer, deps: StatementPagesDeps): void {
  const { ctx, page } = deps;
  const siteId = () => deps.siteId();
  const schema = { hide: true, params: IdParams } as const;

  /** The text to compare the current one with: the newest other revision someone approved. */
  function baselineOf(
    statement: Statement,
    current: RevisionSummary,
    revisions: readonly RevisionSummary[],
    approvals: readonly { revisionId: string; accountName: string }[],
  ): { from: RevisionSummary; description: string } | undefined {
    const byId = new Map(revisions.map((revision) => [revision.id, revision]));
    const approved = approvals
      .filter((approval) => approval.revisionId !== current.id)
      .map((approval) => ({ approval, revision: byId.get(approval.revisionId) }))
      .filter(
        (entry): entry is { approval: (typeof approvals)[number]; revision: RevisionSummary } =>
          entry.revision !== undefined,
      )
      .sort((a, b) => b.revision.number - a.revision.number);
    const newest = approved[0];
    if (newest) {
      const names = approved
        .filter((entry) => entry.revision.id === newest.revision.id)
        .map((entry) => entry.approval.accountName);
      return {
        from: newest.revision,
        description: `the last approved text, which ${[...new Set(names)].join(' and ')} approved`,
      };
    }
    const published =
      statement.publishedRevisionId !== undefined && statement.publishedRevisionId !== current.id
        ? byId.get(statement.publishedRevisionId)
        : undefined;
    return published && { from: published, description: 'the published text' };
  }

  async function sendReview(
    request: FastifyRequest,
    reply: FastifyReply,
    statementId: string,
    input: {
      problem?: string;
      status?: number;
      notice?: string;
      values?: ReviewPageProps['values'];
      mode?: 'side' | 'inline';
    } = {},
  ) {
    const statement = await service.getStatement(ctx, { siteId: siteId(), statementId });
    const [clearance, revisions, provenance] = await Promise.all([
      review.getClearance(ctx, { siteId: siteId(), statementId: statement.id }),
      service.listRevisions(ctx, { siteId: siteId(), statementId: statement.id }),
      review.getProvenance(ctx, { siteId: siteId(), statementId: statement.id }),
    ]);
    const current = clearance.revision;
    const found = baselineOf(statement, current, revisions, [
      ...clearance.counted,
      ...clearance.stale,
    ]);
    let baseline: ReviewBaseline | undefined;
    if (found) {
      const { diff } = await review.diffRevisions(ctx, {
        siteId: siteId(),
        statementId: statement.id,
        fromRevisionId: found.from.id,
        toRevisionId: current.id,
      });
      baseline = { ...found, diff };
    }
    const facts = {
      status: statement.status,
      hasUnpublishedRevision: statement.currentRevisionId !== statement.publishedRevisionId,
      signingOpen: statement.signingOpen,
    };
    const mayApprove = memberCan(request, 'statements.approve');
    const mayPublish = memberCan(request, 'statements.publish');
    const decideProblem = lifecycleProblem(facts, 'decide');
    const correctionWaiting = statement.status === 'published' && facts.hasUnpublishedRevision;
    const member = actorOf(request);
    return page.send(request, reply, {
      title: `Review: ${statement.title}`,
      status: input.status,
      body: (pageCtx) =>
        ReviewPage({
          ctx: pageCtx,
          statement,
          revision: current,
          revisionNumbers: new Map(revisions.map((revision) => [revision.id, revision.number])),
          clearance,
          viewerAccountId: member.accountId,
          can: {
            submit: memberCan(request, 'statements.write') && statement.status === 'draft',
            decide: mayApprove && decideProblem === undefined,
            decideBlockedBecause:
              mayApprove && decideProblem && statement.status !== 'withdrawn'
                ? decideProblem.message
                : undefined,
            publish:
              mayPublish &&
              (statement.status === 'draft' ||
                statement.status === 'in-review' ||
                statement.status === 'cleared'),
            correct: mayPublish && correctionWaiting,
            withdraw: mayPublish && statement.status === 'published',
          },
          baseline,
          provenance: provenance && {
            wording: provenance.wording,
            reuse: provenance.reuse,
            diff: provenance.diff,
          },
          mode: input.mode ?? 'side',
          problem: input.problem,
          notice: input.notice,
          values: input.values,
          showSignatures: memberCan(request, 'signatures.moderate'),
        }),
    });
  }

  app.get(
    '/admin/statements/:id/review',
    {
      schema: { ...schema, querystring: ReviewQuery },
      preHandler: requirePermission('statements.write'),
    },
    async (request, reply) =>
      sendReview(request, reply, request.params.id, {
        mode: request.query.mode,
        notice: request.query.done && DONE[request.query.done],
      }),
  );

  /**
   * A review form's route: runs `act`, then back to the review page with what was done, or the
   * page again with the reason for a refusal and what was typed.
   */
  function reviewAction<Body extends { _csrf?: string }>(
    path: string,
    options: {
      body: TSchema;
      permission: Parameters<typeof requirePermission>[0];
      done: Done;
      act: (request: FastifyRequest, statementId: string, body: Body) => Promise<unknown>;
      values?: (body: Body) => ReviewPageProps['values'];
    },
  ) {
    app.post(
      `/admin/statements/:id/${path}`,
      {
        schema: { ...schema, body: options.body },
        preHandler: requirePermission(options.permission),
      },
      async (request, reply) => {
        const statementId = request.params.id;
        const body = request.body as Body;
        try {
          await options.act(request, statementId, body);
        } catch (error) {
          const { status, message } = refusalOf(error);
          return sendReview(request, reply, statementId, {
            problem: message,
            status,
            values: options.values?.(body),
          });
        }
        const statement = await service.getStatement(ctx, { siteId: siteId(), statementId });
        return reply.redirect(`${adminPath(statement.id, '/review')}?done=${options.done}`, 303);
      },
    );
  }

  const common = (request: FastifyRequest, statementId: string) => ({
    siteId: siteId(),
    statementId,
    actor: actorOf(request),
  });

  reviewAction<{ _csrf?: string }>('submit', {
    body: Type.Object({ _csrf: Type.Optional(Type.String()) }),
    permission: 'statements.write',
    done: 'submitted',
    act: (request, statementId) => service.submitForReview(ctx, common(request, statementId)),
  });

  type DecisionBody = { _csrf?: string; revisionId: string; comment?: string; reason?: string };
  reviewAction<DecisionBody>('approve', {
    body: DecisionForm,
    permission: 'statements.approve',
    done: 'approved',
    act: (request, statementId, body) =>
      review.approveRevision(ctx, {
        ...common(request, statementId),
        revisionId: body.revisionId,
        comment: body.comment,
      }),
    values: (body) => ({ comment: body.comment }),
  });

  reviewAction<DecisionBody>('object', {
    body: DecisionForm,
    permission: 'statements.approve',
    done: 'objected',
    act: (request, statementId, body) =>
      review.objectToRevision(ctx, {
        ...common(request, statementId),
        revisionId: body.revisionId,
        comment: body.reason,
      }),
    values: (body) => ({ reason: body.reason }),
  });

  reviewAction<{ _csrf?: string }>('objection/withdraw', {
    body: Type.Object({ _csrf: Type.Optional(Type.String()) }),
    permission: 'statements.approve',
    done: 'objection-withdrawn',
    act: (request, statementId) => review.withdrawObjection(ctx, common(request, statementId)),
  });

  reviewAction<{ _csrf?: string; revisionId: string }>('publish', {
    body: RevisionForm,
    permission: 'statements.publish',
    done: 'published',
    act: (request, statementId, body) =>
      service.publishRevision(ctx, {
        ...common(request, statementId),
        revisionId: body.revisionId || undefined,
      }),
  });

  reviewAction<{ _csrf?: string; revisionId: string; note: string }>('correct', {
    body: CorrectionForm,
    permission: 'statements.publish',
    done: 'corrected',
    act: (request, statementId, body) =>
      service.correctStatement(ctx, {
        ...common(request, statementId),
        revisionId: body.revisionId || undefined,
        note: body.note,
      }),
    values: (body) => ({ note: body.note }),
  });

  reviewAction<{ _csrf?: string; reason: string }>('withdraw', {
    body: WithdrawForm,
    permission: 'statements.publish',
    done: 'withdrawn',
    act: (request, statementId, body) =>
      service.withdrawStatement(ctx, { ...common(request, statementId), reason: body.reason }),
    values: (body) => ({ withdrawReason: body.reason }),
  });
}
