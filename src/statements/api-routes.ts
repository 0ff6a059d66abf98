/**
 * The statements JSON API under /api/v1/statements: list, create, revise, diff, submit, approve,
 * object, publish, correct, withdraw, internal comments, the clearance policy, and co-signatures.
 * Each route validates (TypeBox, so it is in the OpenAPI document), checks the permission, calls
 * one service function and presents the result. Cookie-authenticated writes need the
 * `X-CSRF-Token` header (checked for every route by the HTTP server); bearer tokens are exempt.
 *
 * `:statement` is a statement's id or its slug. Members who may write statements see every
 * status; everyone else sees only published (and withdrawn) statements and published revisions.
 */
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { memberOf, requirePermission } from '../accounts/auth.js';
import type { Permission } from '../accounts/model.js';
import { can } from '../accounts/model.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../platform/errors.js';
import { ErrorResponse } from '../platform/http/schemas.js';
import type { HttpServer } from '../platform/http/server.js';
import {
  ClearanceSchema,
  DecisionSchema,
  InternalCommentSchema,
  PolicySchema,
  ProvenanceSchema,
  RevisionDiffSchema,
  RevisionSchema,
  RevisionSummarySchema,
  SignatoryCountsSchema,
  SignatorySchema,
  SignatureSchema,
  StatementListItemSchema,
  StatementSchema,
  presentClearance,
  presentCounts,
  presentDecision,
  presentInternalComment,
  presentListItem,
  presentPolicy,
  presentProvenance,
  presentRevision,
  presentRevisionDiff,
  presentRevisionSummary,
  presentSignatory,
  presentSignature,
  presentStatement,
} from './api-schemas.js';
import { clearanceWording } from './clearance.js';
import type { StatementStatus } from './lifecycle.js';
import { STATEMENT_STATUSES } from './lifecycle.js';
import { correctionWording } from './model.js';
import * as review from './review-service.js';
import type { Actor, StatementsContext } from './service.js';
import * as service from './service.js';
import { isPublic } from './service.js';
import * as signatures from './signature-service.js';
import { SIGNATURE_KINDS, SIGNATURE_STATUSES } from './signatures-model.js';
import type { Statement } from './store.js';

export interface StatementApiDeps {
  ctx: StatementsContext;
  siteId: () => string;
}

const tags = ['statements'];
/**
 * Bodies that carry a statement's text: up to 200,000 characters of it, which UTF-8 and JSON
 * escaping can make several times as many bytes (the server's default limit is 64 KiB).
 */
const TEXT_BODY_LIMIT = 1024 * 1024;
/** Signatures one client address may send a minute (each one mails a confirmation link). */
const SIGNATURES_PER_MINUTE = 10;
/** Anyone may call these; a session or a bearer token makes the caller a member. */
const anyone: Record<string, string[]>[] = [{}, { bearer: [] }];
/** Members only (a session cookie with the CSRF header, or a bearer token). */
const members: Record<string, string[]>[] = [{ bearer: [] }];

const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ErrorResponse]));
const Id = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });
const StatementParams = Type.Object({ statement: Id('The statement’s id or slug.') });
const RevisionParams = Type.Object({
  ...StatementParams.properties,
  revisionId: Id('The revision’s id.'),
});
const SignatureParams = Type.Object({
  ...StatementParams.properties,
  signatureId: Id('The signature’s id.'),
});
const Cursor = Type.String({ minLength: 1, maxLength: 300 });
const Text = (maxLength: number, description?: string) =>
  Type.String({ maxLength, ...(description ? { description } : {}) });

const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: Type.Optional(Cursor),
  status: Type.Optional(
    Type.Array(Type.Enum([...STATEMENT_STATUSES, 'all']), {
      description:
        'Members who may write statements: list these statuses (repeat the parameter, or `all`), most recently changed first. Without it: the published statements, newest first, for anyone.',
    }),
  ),
});
const ListResponse = Type.Object({
  items: Type.Array(StatementListItemSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  counts: Type.Optional(
    Type.Record(Type.String(), Type.Integer(), {
      description: 'With `status`: how many statements have each status.',
    }),
  ),
});

const SourceBody = Type.Object(
  {
    title: Text(300),
    author: Type.Optional(Text(200, 'The person or organisation that wrote it.')),
    date: Type.Optional(Text(10, '`YYYY`, `YYYY-MM` or `YYYY-MM-DD`.')),
    url: Type.Optional(Text(2000)),
    text: Text(200_000, 'The source’s text, pasted in.'),
  },
  { additionalProperties: false },
);
const NewStatement = Type.Object(
  {
    title: Text(1000),
    subtitle: Type.Optional(Text(1000)),
    body: Text(200_000, 'Markdown: headings and lists allowed. May be empty in a draft.'),
    note: Type.Optional(Text(2000, 'A note on this first revision.')),
    eventName: Type.Optional(Text(400, 'The event the statement answers.')),
    eventDate: Type.Optional(Text(10, '`YYYY-MM-DD`.')),
    slug: Type.Optional(Text(200, 'Its address, /s/<slug>; made from the title when absent.')),
    basedOn: Type.Optional(
      Type.Object(
        {
          source: Type.Optional(SourceBody),
          revisionId: Type.Optional(Id('A revision of another statement of this site.')),
        },
        {
          additionalProperties: false,
          description: 'Exactly one of `source` (an external text) and `revisionId`.',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
const Revise = Type.Object(
  {
    title: Type.Optional(Text(1000)),
    subtitle: Type.Optional(Text(1000, 'An empty string removes the subtitle.')),
    body: Type.Optional(Text(200_000)),
    note: Type.Optional(Text(2000)),
    eventName: Type.Optional(Text(400, 'An empty string removes it.')),
    eventDate: Type.Optional(Text(10, '`YYYY-MM-DD`; an empty string removes it.')),
    baseRevisionId: Type.Optional(
      Id('The revision the edit started from: refused (409) if a newer one has been saved.'),
    ),
  },
  { additionalProperties: false },
);
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
const SignBody = Type.Object(
  {
    kind: Type.Enum([...SIGNATURE_KINDS], { default: 'person' }),
    name: Text(400, 'The person’s name, or the organisation’s.'),
    organisation: Type.Optional(Text(400)),
    roleTitle: Type.Optional(Text(400)),
    email: Text(400, 'A confirmation link is sent here; never shown publicly.'),
    country: Type.Optional(Text(200)),
  },
  { additionalProperties: false },
);
const DiffQuery = Type.Object({
  from: Id('The older revision’s id.'),
  to: Id('The newer revision’s id.'),
});
const RevisionQuery = Type.Object({
  revision: Type.Optional(Id('A revision of the statement; default: the current one.')),
});
const SignaturesQuery = Type.Object({
  status: Type.Optional(Type.Array(Type.Enum([...SIGNATURE_STATUSES]))),
});

const StatementOutcome = Type.Object({
  statement: StatementSchema,
  clearance: Type.Optional(ClearanceSchema),
});

export function registerStatementApi(app: HttpServer, deps: StatementApiDeps): void {
  const { ctx } = deps;
  const site = deps.siteId;
  const write = requirePermission('statements.write');
  const approve = requirePermission('statements.approve');
  const publish = requirePermission('statements.publish');
  const moderate = requirePermission('signatures.moderate');
  const manage = requirePermission('settings.manage');

  /** The statement as the caller may see it: members who write see every status. */
  async function present(request: FastifyRequest, statement: Statement) {
    const member = mayWrite(request);
    const published = statement.publishedRevisionId
      ? (
          await service.getRevision(ctx, {
            siteId: site(),
            statementId: statement.id,
            revisionId: statement.publishedRevisionId,
          })
        ).revision
      : undefined;
    const current = member
      ? (
          await service.getRevision(ctx, {
            siteId: site(),
            statementId: statement.id,
            revisionId: statement.currentRevisionId,
          })
        ).revision
      : undefined;
    const shown = published ?? current;
    const provenance =
      shown && (await review.provenanceOf(ctx, statement, shown, !member || !current));
    return presentStatement(statement, {
      publishedRevision: published,
      currentRevision: current,
      provenance,
      correction:
        statement.correctedAt && published?.correctionNote !== undefined
          ? correctionWording(statement.correctedAt, published.correctionNote)
          : undefined,
      member,
    });
  }

  /** A statement the caller may read: any for members who write, else only public ones. */
  async function readable(request: FastifyRequest, reference: string): Promise<Statement> {
    const statement = await service.getStatement(ctx, { siteId: site(), statementId: reference });
    if (!mayWrite(request) && !isPublic(statement, ctx.clock.now())) throw notFound(reference);
    return statement;
  }

  // --- statements -----------------------------------------------------------------------------

  app.get(
    '/api/v1/statements',
    {
      schema: {
        tags,
        summary: 'List statements',
        description:
          'Without `status`: the published statements, newest first, for anyone. With `status` (members who may write statements): statements of those statuses, most recently changed first, with counts per status. Pass `nextCursor` back as `cursor` for the next page; it is null on the last page.',
        security: anyone,
        querystring: ListQuery,
        response: { 200: ListResponse, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { limit, cursor, status } = request.query;
      if (status === undefined) {
        const list = await service.listPublishedStatements(ctx, site(), { limit, before: cursor });
        return { items: list.items.map(presentListItem), nextCursor: list.nextCursor ?? null };
      }
      requireCan(request, 'statements.write');
      const statuses = status.includes('all')
        ? undefined
        : (status.filter((s) => s !== 'all') as StatementStatus[]);
      const list = await service.listStatements(ctx, site(), { statuses, limit, before: cursor });
      return {
        items: list.items.map(presentListItem),
        nextCursor: list.nextCursor ?? null,
        counts: list.counts,
      };
    },
  );

  app.post(
    '/api/v1/statements',
    {
      schema: {
        tags,
        summary: 'Start a statement (a draft), optionally based on a source or another revision',
        security: members,
        body: NewStatement,
        response: { 201: StatementSchema, ...errors(400, 401, 403, 409, 413, 422) },
      },
      preHandler: write,
      bodyLimit: TEXT_BODY_LIMIT * 2, // a body and a pasted source
    },
    async (request, reply) => {
      const { basedOn, ...fields } = request.body;
      if (basedOn && (basedOn.source === undefined) === (basedOn.revisionId === undefined))
        throw new BadRequestError(
          '`basedOn` takes exactly one of `source` (an external text) and `revisionId`.',
          'invalid-based-on',
        );
      const { statement } = await service.createStatement(ctx, {
        siteId: site(),
        actor: actorOf(request),
        ...fields,
        basedOn: basedOn?.source
          ? { kind: 'source', source: basedOn.source }
          : basedOn?.revisionId
            ? { kind: 'revision', revisionId: basedOn.revisionId }
            : undefined,
      });
      reply.header('location', `/api/v1/statements/${statement.id}`);
      return reply.status(201).send(await present(request, statement));
    },
  );

  // --- the clearance policy (static paths first: they are not statements) --------------------

  app.get(
    '/api/v1/statements/clearance-policy',
    {
      schema: {
        tags,
        summary: 'The site’s clearance policy',
        security: members,
        response: { 200: PolicySchema, ...errors(401, 403) },
      },
      preHandler: write,
    },
    async () => presentPolicy(await review.getClearancePolicy(ctx, site())),
  );

  app.put(
    '/api/v1/statements/clearance-policy',
    {
      schema: {
        tags,
        summary: 'Set the site’s clearance policy (owners)',
        description:
          'Applies from the next decision or publication; approvals already given are judged against the new policy.',
        security: members,
        body: PolicySchema,
        response: { 200: PolicySchema, ...errors(400, 401, 403, 422) },
      },
      preHandler: manage,
    },
    async (request) =>
      presentPolicy(await review.setClearancePolicy(ctx, { siteId: site(), policy: request.body })),
  );

  app.post(
    '/api/v1/statements/signatures/verify',
    {
      schema: {
        tags,
        summary: 'Confirm a signature with the token from its confirmation e-mail',
        description:
          'The e-mailed link opens a page whose button does the same; this is for clients of the API. Idempotent.',
        security: anyone,
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            state: Type.Enum(['pending', 'confirmed', 'rejected']),
            statementId: Type.String(),
            signatory: SignatorySchema,
            listed: Type.Boolean(),
          }),
          ...errors(400, 404),
        },
      },
      // The token is the authority, as for the link's own page; no session is read.
      config: { csrf: false },
    },
    async (request) => {
      const link = await signatures.verifySignature(ctx, request.body.token);
      return {
        state: link.state,
        statementId: link.statement.id,
        signatory: presentSignatory(link.signature),
        listed:
          link.signature.kind === 'organisation'
            ? link.signature.status === 'approved'
            : link.state === 'confirmed',
      };
    },
  );

  app.get(
    '/api/v1/statements/:statement',
    {
      schema: {
        tags,
        summary: 'A statement',
        description:
          'The public sees published and withdrawn statements with their published revision, how they were cleared and what they are based on. Members who may write statements also see drafts and the current revision.',
        security: anyone,
        params: StatementParams,
        response: { 200: StatementSchema, ...errors(404) },
      },
    },
    async (request) => present(request, await readable(request, request.params.statement)),
  );

  // --- revisions ------------------------------------------------------------------------------

  app.get(
    '/api/v1/statements/:statement/revisions',
    {
      schema: {
        tags,
        summary: 'A statement’s revisions, oldest first',
        description:
          'The public sees the revisions that have been the published text (the public history); members who may write statements see all of them.',
        security: anyone,
        params: StatementParams,
        response: {
          200: Type.Object({ items: Type.Array(RevisionSummarySchema) }),
          ...errors(404),
        },
      },
    },
    async (request) => {
      const items = await service.listRevisions(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        publicOnly: !mayWrite(request),
      });
      return {
        items: items.map((r) =>
          presentRevisionSummary(r, r.clearance && clearanceWording(r.clearance)),
        ),
      };
    },
  );

  app.get(
    '/api/v1/statements/:statement/revisions/:revisionId',
    {
      schema: {
        tags,
        summary: 'One revision with its text',
        security: anyone,
        params: RevisionParams,
        response: { 200: RevisionSchema, ...errors(404, 422) },
      },
    },
    async (request) => {
      const { revision } = await service.getRevision(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        revisionId: request.params.revisionId,
        publicOnly: !mayWrite(request),
      });
      return presentRevision(revision, revision.clearance && clearanceWording(revision.clearance));
    },
  );

  app.post(
    '/api/v1/statements/:statement/revisions',
    {
      schema: {
        tags,
        summary: 'Save a new revision',
        description:
          'Fields left out keep their value. Every change of text makes a new immutable revision (approvals given to the old text stop counting); saving the same text changes only the event. On a published statement the new revision waits to be published as a correction.',
        security: members,
        params: StatementParams,
        body: Revise,
        response: {
          201: Type.Object({ revision: RevisionSchema, statement: StatementSchema }),
          200: Type.Object({ revision: RevisionSchema, statement: StatementSchema }),
          ...errors(400, 401, 403, 404, 409, 413, 422),
        },
      },
      preHandler: write,
      bodyLimit: TEXT_BODY_LIMIT,
    },
    async (request, reply) => {
      const saved = await service.reviseStatement(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        actor: actorOf(request),
        ...request.body,
      });
      return reply.status(saved.created ? 201 : 200).send({
        revision: presentRevision(saved.revision),
        statement: await present(request, saved.statement),
      });
    },
  );

  app.get(
    '/api/v1/statements/:statement/diff',
    {
      schema: {
        tags,
        summary: 'The word-level diff between two revisions',
        description:
          '404 `revision-not-found` for an unknown revision; 422 `revisions-of-different-statements` for revisions of two statements. The public may compare published revisions.',
        security: anyone,
        params: StatementParams,
        querystring: DiffQuery,
        response: { 200: RevisionDiffSchema, ...errors(400, 404, 422) },
      },
    },
    async (request) =>
      presentRevisionDiff(
        await review.diffRevisions(ctx, {
          siteId: site(),
          statementId: request.params.statement,
          fromRevisionId: request.query.from,
          toRevisionId: request.query.to,
          publicOnly: !mayWrite(request),
        }),
      ),
  );

  app.get(
    '/api/v1/statements/:statement/provenance',
    {
      schema: {
        tags,
        summary: 'What the statement is based on, with the word diff and the reuse share',
        description:
          'Compared with the current revision (members) or the published one (the public); `revision` picks another (members). 404 `no-provenance` when it is based on nothing.',
        security: anyone,
        params: StatementParams,
        querystring: RevisionQuery,
        response: { 200: ProvenanceSchema, ...errors(404, 422) },
      },
    },
    async (request) => {
      const statement = await readable(request, request.params.statement);
      const member = mayWrite(request);
      const provenance = await review.getProvenance(ctx, {
        siteId: site(),
        statementId: statement.id,
        revisionId: member
          ? request.query.revision
          : (statement.publishedRevisionId ?? statement.currentRevisionId),
        publicOnly: !member,
      });
      if (!provenance) throw notFound(request.params.statement, 'no-provenance');
      return presentProvenance(provenance, { withDiff: true });
    },
  );

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

  async function currentHash(statement: Statement): Promise<string> {
    const { revision } = await service.getRevision(ctx, {
      siteId: site(),
      statementId: statement.id,
      revisionId: statement.currentRevisionId,
    });
    return revision.contentHash;
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

  // --- co-signatures --------------------------------------------------------------------------

  app.post(
    '/api/v1/statements/:statement/signatures',
    {
      schema: {
        tags,
        summary: 'Sign a published statement',
        description:
          'A confirmation link is e-mailed; the signature is listed once confirmed (an organisation’s also needs a moderator’s approval). 422 `invalid-email` for an address we cannot mail; 409 `already-signed` when the address has signed before; 409 `signing-closed`.',
        security: anyone,
        params: StatementParams,
        body: SignBody,
        response: {
          202: Type.Object({
            signatory: SignatorySchema,
            status: Type.Enum([...SIGNATURE_STATUSES]),
            message: Type.String(),
          }),
          ...errors(400, 404, 409, 422, 429, 503),
        },
      },
      // Each signature mails an address someone typed: a tighter limit than the global one.
      config: { rateLimit: { max: SIGNATURES_PER_MINUTE, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const statement = await readable(request, request.params.statement);
      const signature = await signatures.signStatement(ctx, {
        siteId: site(),
        statementId: statement.id,
        signature: request.body,
      });
      return reply.status(202).send({
        signatory: presentSignatory(signature),
        status: signature.status,
        message: `Thank you. We have sent a link to ${signature.email}: open it to confirm the signature.`,
      });
    },
  );

  app.get(
    '/api/v1/statements/:statement/signatories',
    {
      schema: {
        tags,
        summary: 'The listed signatories: organisations first, with counts',
        security: anyone,
        params: StatementParams,
        response: {
          200: Type.Object({ items: Type.Array(SignatorySchema), counts: SignatoryCountsSchema }),
          ...errors(404),
        },
      },
    },
    async (request) => {
      const list = await signatures.listSignatories(ctx, {
        siteId: site(),
        statementId: request.params.statement,
      });
      return { items: list.items.map(presentSignatory), counts: presentCounts(list.counts) };
    },
  );

  app.get(
    '/api/v1/statements/:statement/signatures',
    {
      schema: {
        tags,
        summary: 'Every signature with its address and status (moderators and editors)',
        security: members,
        params: StatementParams,
        querystring: SignaturesQuery,
        response: {
          200: Type.Object({ items: Type.Array(SignatureSchema) }),
          ...errors(401, 403, 404),
        },
      },
      preHandler: moderate,
    },
    async (request) => {
      const items = await signatures.listSignatures(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        statuses: request.query.status,
      });
      return { items: items.map(presentSignature) };
    },
  );

  app.get(
    '/api/v1/statements/:statement/signatures.csv',
    {
      schema: {
        tags,
        summary: 'CSV export of the signatures (moderators and editors)',
        description:
          'Every signature with its status, or only the listed ones with `listed=true`. Cells a spreadsheet would run as formulas are prefixed with an apostrophe.',
        security: members,
        params: StatementParams,
        querystring: Type.Object({ listed: Type.Optional(Type.Boolean()) }),
        response: {
          200: { description: 'CSV', content: { 'text/csv': { schema: Type.String() } } },
          ...errors(401, 403, 404),
        },
      },
      preHandler: moderate,
    },
    async (request, reply) => {
      const { statement, csv } = await signatures.exportSignaturesCsv(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        listedOnly: request.query.listed === true,
      });
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${statement.slug}-signatures.csv"`)
        .header('cache-control', 'no-store')
        .send(csv);
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post(
      `/api/v1/statements/:statement/signatures/:signatureId/${decision}`,
      {
        schema: {
          tags,
          summary:
            decision === 'approve'
              ? 'Approve an organisation’s confirmed signature (moderators)'
              : 'Reject a signature: it is not listed (moderators)',
          security: members,
          params: SignatureParams,
          response: { 200: SignatureSchema, ...errors(401, 403, 404, 409) },
        },
        preHandler: moderate,
      },
      async (request) =>
        presentSignature(
          await signatures.decideSignature(ctx, {
            siteId: site(),
            statementId: request.params.statement,
            signatureId: request.params.signatureId,
            decision,
            actor: actorOf(request),
          }),
        ),
    );
  }

  for (const [action, open] of [
    ['close', false],
    ['open', true],
  ] as const) {
    app.post(
      `/api/v1/statements/:statement/signing/${action}`,
      {
        schema: {
          tags,
          summary: open ? 'Open signing again' : 'Close signing',
          security: members,
          params: StatementParams,
          response: { 200: StatementOutcome, ...errors(401, 403, 404, 409) },
        },
        preHandler: publish,
      },
      async (request) => {
        const statement = await signatures.setSigning(ctx, {
          siteId: site(),
          statementId: request.params.statement,
          open,
          actor: actorOf(request),
        });
        return { statement: await present(request, statement) };
      },
    );
  }
}

function mayWrite(request: FastifyRequest): boolean {
  return can(request.member?.role, 'statements.write');
}

/** The same refusal `requirePermission` gives, for a route that is public without a parameter. */
function requireCan(request: FastifyRequest, permission: Permission): void {
  const member = memberOf(request);
  if (!can(member.role, permission))
    throw new ForbiddenError(`Your role (${member.role}) does not allow this (${permission}).`);
}

function actorOf(request: FastifyRequest): Actor {
  const member = memberOf(request);
  return { accountId: member.id, name: member.displayName, role: member.role };
}

function notFound(reference: string, code = 'statement-not-found') {
  return code === 'no-provenance'
    ? new NotFoundError(`Statement "${reference}" is not based on anything recorded.`, code)
    : new NotFoundError(`There is no statement "${reference}".`, code);
}
