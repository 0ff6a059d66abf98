/** The statements API: review (submit, clearance, approve, object) and publication. */
import { Type } from 'typebox';
import { requirePermission } from '../accounts/auth.js';
import type { HttpServer } from '../platform/http/server.js';
import {
  ClearanceSchema,
  DecisionSchema,
  InternalCommentSchema,
  presentClearance,
  presentDecision,
  presentInternalComment,
} from './api-schemas.js';
import * as review from './review-service.js';
import * as service from './service.js';
import {
  members,
  errors,
  Id,
  StatementParams,
  Text,
  tags,
  TEXT_BODY_LIMIT,
  RevisionQuery,
  StatementOutcome,
  actorOf,
  apiSupport,
} from './api-support.js';
import type { StatementApiDeps } from './api-routes.js';

const DecisionBody = (commentRequired: boolean) =>
  Type.Object(
    {
      revisionId: Id('The revision decided on: it must be the current one.'),
      comment: commentRequired ? Text(2000, 'What you object to.') : Type.Optional(Text(2000)),
    },
    { additionalProperties: false },
  );
const PublishBody = Type.Object(
  {
    revisionId: Type.Optional(
      Id('The revision meant: refused (409 `not-current-revision`) if it is not the current one.'),
    ),
  },
  { additionalProperties: false },
);
const CorrectBody = Type.Object(
  {
    note: Text(2000, 'What the correction changes; shown on the page.'),
    revisionId: Type.Optional(Id('The (current) revision to publish as the correction.')),
    title: Type.Optional(Text(1000)),
    subtitle: Type.Optional(Text(1000)),
    body: Type.Optional(Text(200_000)),
  },
  {
    additionalProperties: false,
    description:
      'Publishes the current revision as a correction, or, with `title`/`subtitle`/`body`, saves the corrected text first (possible only under the policy "none": nobody has approved the new text).',
  },
);
const WithdrawBody = Type.Object(
  { reason: Text(2000, 'Shown on the page.') },
  { additionalProperties: false },
);
const CommentBody = Type.Object(
  {
    revisionId: Id('The revision the paragraph is in.'),
    paragraphIndex: Type.Integer({ minimum: 0, maximum: 100_000, description: '0-based.' }),
    body: Text(20_000),
  },
  { additionalProperties: false },
);

export function registerReviewApi(app: HttpServer, deps: StatementApiDeps): void {
  const { ctx, site, present, currentHash } = apiSupport(deps);
  const write = requirePermission('statements.write');
  const approve = requirePermission('statements.approve');
  const publish = requirePermission('statements.publish');

  // --- review ---------------------------------------------------------------------------------

  app.post(
    '/api/v1/statements/:statement/submit',
    {
      schema: {
        tags,
        summary: 'Submit a draft for review',
        security: members,
        params: StatementParams,
        response: { 200: StatementOutcome, ...errors(401, 403, 404, 409, 422) },
      },
      preHandler: write,
    },
    async (request) => {
      const statement = await service.submitForReview(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        actor: actorOf(request),
      });
      return { statement: await present(request, statement) };
    },
  );

  app.get(
    '/api/v1/statements/:statement/clearance',
    {
      schema: {
        tags,
        summary: 'Where clearance stands for the current revision (or `revision`)',
        security: members,
        params: StatementParams,
        querystring: RevisionQuery,
        response: { 200: ClearanceSchema, ...errors(401, 403, 404, 422) },
      },
      preHandler: write,
    },
    async (request) => {
      const state = await review.getClearance(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        revisionId: request.query.revision,
      });
      return presentClearance(state, state.revision);
    },
  );

  for (const [action, summary, decide] of [
    [
      'approve',
      'Approve the current revision (its content hash is recorded)',
      review.approveRevision,
    ],
    [
      'object',
      'Object to the current revision: publication is blocked until the objection is withdrawn',
      review.objectToRevision,
    ],
  ] as const) {
    app.post(
      `/api/v1/statements/:statement/${action}`,
      {
        schema: {
          tags,
          summary,
          description:
            'Needs `statements.approve`. `revisionId` must be the current revision: deciding on a revision that was replaced is refused (409 `not-current-revision`), on one that does not exist 404. A member’s new decision replaces their earlier one.',
          security: members,
          params: StatementParams,
          body: DecisionBody(action === 'object'),
          response: { 200: StatementOutcome, ...errors(400, 401, 403, 404, 409, 422) },
        },
        preHandler: approve,
      },
      async (request) => {
        const outcome = await decide(ctx, {
          siteId: site(),
          statementId: request.params.statement,
          actor: actorOf(request),
          revisionId: request.body.revisionId,
          comment: request.body.comment,
        });
        return {
          statement: await present(request, outcome.statement),
          clearance: presentClearance(outcome.clearance, {
            id: outcome.statement.currentRevisionId,
            contentHash: await currentHash(outcome.statement),
          }),
        };
      },
    );
  }

  app.post(
    '/api/v1/statements/:statement/withdraw-objection',
    {
      schema: {
        tags,
        summary: 'Withdraw your objection',
        security: members,
        params: StatementParams,
        response: { 200: StatementOutcome, ...errors(401, 403, 404) },
      },
      preHandler: approve,
    },
    async (request) => {
      const outcome = await review.withdrawObjection(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        actor: actorOf(request),
      });
      return {
        statement: await present(request, outcome.statement),
        clearance: presentClearance(outcome.clearance, {
          id: outcome.statement.currentRevisionId,
          contentHash: await currentHash(outcome.statement),
        }),
      };
    },
  );

  app.get(
    '/api/v1/statements/:statement/decisions',
    {
      schema: {
        tags,
        summary: 'Every approval and objection recorded, oldest first',
        security: members,
        params: StatementParams,
        response: {
          200: Type.Object({ items: Type.Array(DecisionSchema) }),
          ...errors(401, 403, 404),
        },
      },
      preHandler: write,
    },
    async (request) => {
      const { decisions } = await review.getReview(ctx, {
        siteId: site(),
        statementId: request.params.statement,
      });
      return { items: decisions.map(presentDecision) };
    },
  );

  // --- publication ----------------------------------------------------------------------------

  app.post(
    '/api/v1/statements/:statement/publish',
    {
      schema: {
        tags,
        summary: 'Publish the current revision',
        description:
          'Needs `statements.publish` and the clearance policy met for the current revision: otherwise 409 `clearance-incomplete`, naming the missing approvals and any objection (also in `details`).',
        security: members,
        params: StatementParams,
        body: PublishBody,
        response: { 200: StatementOutcome, ...errors(400, 401, 403, 404, 409, 422) },
      },
      preHandler: publish,
      // A POST without a body publishes the current revision.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const published = await service.publishRevision(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        actor: actorOf(request),
        revisionId: request.body.revisionId,
      });
      return { statement: await present(request, published.statement) };
    },
  );

  app.post(
    '/api/v1/statements/:statement/correct',
    {
      schema: {
        tags,
        summary: 'Publish a correction',
        security: members,
        params: StatementParams,
        body: CorrectBody,
        response: { 200: StatementOutcome, ...errors(400, 401, 403, 404, 409, 413, 422) },
      },
      preHandler: publish,
      bodyLimit: TEXT_BODY_LIMIT,
    },
    async (request) => {
      const { note, revisionId, ...content } = request.body;
      const hasContent = Object.values(content).some((value) => value !== undefined);
      const corrected = await service.correctStatement(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        actor: actorOf(request),
        note,
        revisionId,
        content: hasContent ? content : undefined,
      });
      return { statement: await present(request, corrected.statement) };
    },
  );

  app.post(
    '/api/v1/statements/:statement/withdraw',
    {
      schema: {
        tags,
        summary: 'Withdraw a published statement (its page stays, marked, with the reason)',
        security: members,
        params: StatementParams,
        body: WithdrawBody,
        response: { 200: StatementOutcome, ...errors(400, 401, 403, 404, 409, 422) },
      },
      preHandler: publish,
    },
    async (request) => {
      const statement = await service.withdrawStatement(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        actor: actorOf(request),
        reason: request.body.reason,
      });
      return { statement: await present(request, statement) };
    },
  );

  // --- internal comments ----------------------------------------------------------------------

  app.get(
    '/api/v1/statements/:statement/comments',
    {
      schema: {
        tags,
        summary: 'Internal comments on paragraphs (members only, never public)',
        description:
          'Anchored in the current revision (or `revision`): a comment stays attached to an identical paragraph, else it is "on an earlier revision".',
        security: members,
        params: StatementParams,
        querystring: RevisionQuery,
        response: {
          200: Type.Object({
            revisionId: Type.String(),
            items: Type.Array(InternalCommentSchema),
          }),
          ...errors(401, 403, 404, 422),
        },
      },
      preHandler: write,
    },
    async (request) => {
      const listed = await review.listInternalComments(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        revisionId: request.query.revision,
      });
      return {
        revisionId: listed.revision.id,
        items: listed.comments.map(presentInternalComment),
      };
    },
  );

  app.post(
    '/api/v1/statements/:statement/comments',
    {
      schema: {
        tags,
        summary: 'Comment on a paragraph of a revision (members only)',
        security: members,
        params: StatementParams,
        body: CommentBody,
        response: { 201: InternalCommentSchema, ...errors(400, 401, 403, 404, 409, 422) },
      },
      preHandler: write,
    },
    async (request, reply) => {
      const comment = await review.addInternalComment(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        actor: actorOf(request),
        ...request.body,
      });
      return reply.status(201).send(presentInternalComment(comment));
    },
  );
}
