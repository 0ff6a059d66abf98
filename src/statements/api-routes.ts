/**
 * The statements JSON API under /api/v1/statements: list, create, revise, diff, submit, approve,
 * object, publish, correct, withdraw, internal comments, the clearance policy, and co-signatures.
 * Each route validates (TypeBox, so it is in the OpenAPI document), checks the permission, calls
 * one service function and presents the result. Cookie-authenticated writes need the
 * `X-CSRF-Token` header (checked for every route by the HTTP server); bearer tokens are exempt.
 * This file has the statements and their revisions; review and publication are in
 * api-review-routes.ts, co-signatures in api-signature-routes.ts, what they share in
 * api-support.ts.
 *
 * `:statement` is a statement's id or its slug. Members who may write statements see every
 * status; everyone else sees only published (and withdrawn) statements and published revisions.
 */
import { Type } from 'typebox';
import { requirePermission } from '../accounts/auth.js';
import { BadRequestError } from '../platform/errors.js';
import type { HttpServer } from '../platform/http/server.js';
import {
  PolicySchema,
  ProvenanceSchema,
  RevisionDiffSchema,
  RevisionSchema,
  RevisionSummarySchema,
  StatementListItemSchema,
  StatementSchema,
  presentListItem,
  presentPolicy,
  presentProvenance,
  presentRevision,
  presentRevisionDiff,
  presentRevisionSummary,
} from './api-schemas.js';
import { clearanceWording } from './clearance.js';
import type { StatementStatus } from './lifecycle.js';
import { STATEMENT_STATUSES } from './lifecycle.js';
import * as review from './review-service.js';
import type { StatementsContext } from './service.js';
import * as service from './service.js';
import {
  anyone,
  members,
  errors,
  Id,
  StatementParams,
  RevisionParams,
  Cursor,
  Text,
  tags,
  TEXT_BODY_LIMIT,
  RevisionQuery,
  mayWrite,
  requireCan,
  actorOf,
  notFound,
  apiSupport,
} from './api-support.js';
import { registerReviewApi } from './api-review-routes.js';
import { registerSignatureApi } from './api-signature-routes.js';

export interface StatementApiDeps {
  ctx: StatementsContext;
  siteId: () => string;
}

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
const DiffQuery = Type.Object({
  from: Id('The older revision’s id.'),
  to: Id('The newer revision’s id.'),
});

export function registerStatementApi(app: HttpServer, deps: StatementApiDeps): void {
  const { ctx, site, present, readable } = apiSupport(deps);
  const write = requirePermission('statements.write');
  const manage = requirePermission('settings.manage');

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

  registerReviewApi(app, deps);
  registerSignatureApi(app, deps);
}
