/**
 * The members' pages of statements (`/admin/statements…`): the list with status filters, a new
 * statement (from nothing, an earlier statement or an external source), the editor with its
 * preview (and the JSON preview the editor island uses), the history with diffs of any two
 * revisions, the provenance diff, and internal comments on paragraphs. Every page needs
 * `statements.write`; forms carry the CSRF token. Review and signatures have their own files.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { requirePermission } from '../accounts/auth.js';
import { ErrorResponse } from '../platform/http/schemas.js';
import type { HttpServer } from '../platform/http/server.js';
import type { BasisChoice, BasisOption, NewStatementValues } from './admin-views.js';
import {
  EMPTY_NEW_STATEMENT,
  NewStatementPage,
  STATUS_LABELS,
  StatementListPage,
  adminPath,
} from './admin-views.js';
import type { CommentProblem } from './comment-views.js';
import { CommentsPage } from './comment-views.js';
import type { DiffMode } from './diff-views.js';
import type { EditorValues } from './editor-views.js';
import { EditorPage, editorValuesOf } from './editor-views.js';
import { HistoryPage, ProvenancePage, RevisionPage } from './history-views.js';
import { STATEMENT_STATUSES } from './lifecycle.js';
import type { StatementPagesDeps } from './page-support.js';
import {
  EDITOR_BODY_LIMIT,
  FormText,
  IdParams,
  ModeQuery,
  actorOf,
  memberCan,
  refusalOf,
} from './page-support.js';
import { paragraphsHtml, previewBody } from './page-service.js';
import * as review from './review-service.js';
import type { RevisionComparison } from './history-views.js';
import * as service from './service.js';
import type { BasedOnInput } from './service.js';
import type { Statement } from './store.js';

const LIST_PAGE_SIZE = 30;
/** How many earlier statements the "New statement" form offers to start from. */
const BASIS_OPTIONS = 200;

const StatusQuery = Type.Optional(Type.Enum([...STATEMENT_STATUSES]));
const ListQuery = Type.Object({
  status: StatusQuery,
  before: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  notice: Type.Optional(Type.Literal('withdrawn')),
});

const NewQuery = Type.Object({
  /** Start from this revision (with `statement`, the statement it belongs to). */
  revision: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  statement: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});

const NewStatementForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  title: FormText(2000),
  subtitle: FormText(3000),
  eventName: FormText(2000),
  eventDate: FormText(100),
  body: FormText(1_000_000),
  note: FormText(10_000),
  basis: Type.Union([Type.Literal('none'), Type.Literal('revision'), Type.Literal('source')], {
    default: 'none',
  }),
  /** `statementId:revisionId` of the earlier statement chosen. */
  basedOn: FormText(300),
  sourceTitle: FormText(3000),
  sourceAuthor: FormText(2000),
  sourceDate: FormText(100),
  sourceUrl: FormText(20_000),
  sourceText: FormText(1_000_000),
});
type NewStatementForm = Static<typeof NewStatementForm>;

const EditorForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  title: FormText(2000),
  subtitle: FormText(3000),
  eventName: FormText(2000),
  eventDate: FormText(100),
  body: FormText(1_000_000),
  note: FormText(10_000),
  baseRevisionId: FormText(100),
  intent: Type.Union([Type.Literal('save'), Type.Literal('preview')], { default: 'save' }),
});

const EditorQuery = Type.Object({
  created: Type.Optional(Type.Literal('1')),
  saved: Type.Optional(Type.Integer({ minimum: 1 })),
  unchanged: Type.Optional(Type.Literal('1')),
});

const HistoryQuery = Type.Object({
  from: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  mode: ModeQuery,
});

const RevisionParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  revisionId: Type.String({ minLength: 1, maxLength: 100 }),
});

const CommentForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  revisionId: FormText(100),
  paragraphIndex: Type.Integer({ minimum: 0, maximum: 100_000 }),
  body: FormText(100_000),
});

/** `statementId:revisionId`, the value of an earlier statement in the new-statement form. */
const basisValue = (statementId: string, revisionId: string) => `${statementId}:${revisionId}`;

export function registerStatementAdminRoutes(app: HttpServer, deps: StatementPagesDeps): void {
  const { ctx, page } = deps;
  const pageSchema = { hide: true } as const;
  const write = requirePermission('statements.write');
  const siteId = () => deps.siteId();
  const showSignatures = (request: FastifyRequest) => memberCan(request, 'signatures.moderate');

  // --- the list ---------------------------------------------------------------------------------

  app.get(
    '/admin/statements',
    { schema: { ...pageSchema, querystring: ListQuery }, preHandler: write },
    async (request, reply) => {
      const { status, before } = request.query;
      const list = await service.listStatements(ctx, siteId(), {
        statuses: status ? [status] : undefined,
        limit: LIST_PAGE_SIZE,
        before,
      });
      const query = (cursor: string) =>
        `/admin/statements?${status ? `status=${status}&` : ''}before=${encodeURIComponent(cursor)}`;
      return page.send(request, reply, {
        title: status ? `Statements: ${STATUS_LABELS[status].toLowerCase()}` : 'Statements',
        body: (pageCtx) =>
          StatementListPage({
            ctx: pageCtx,
            status,
            counts: list.counts,
            items: list.items,
            olderHref: list.nextCursor && query(list.nextCursor),
            notice:
              request.query.notice === 'withdrawn'
                ? 'The statement has been withdrawn. Its page stays, marked withdrawn.'
                : undefined,
          }),
      });
    },
  );

  // --- a new statement --------------------------------------------------------------------------

  async function basisOptions(): Promise<BasisOption[]> {
    const list = await service.listStatements(ctx, siteId(), { limit: BASIS_OPTIONS });
    return list.items.map((item) => {
      const revisionId = item.publishedRevisionId ?? item.currentRevisionId;
      const which = item.publishedRevisionId ? 'published text' : STATUS_LABELS[item.status];
      return {
        revisionId: basisValue(item.id, revisionId),
        label: `${item.title || 'Untitled statement'} (${which.toLowerCase()})`,
      };
    });
  }

  function sendNewPage(
    request: FastifyRequest,
    reply: FastifyReply,
    input: {
      values: NewStatementValues;
      options: BasisOption[];
      problem?: string;
      status?: number;
    },
  ) {
    return page.send(request, reply, {
      title: 'New statement',
      status: input.status,
      body: (pageCtx) =>
        NewStatementPage({
          ctx: pageCtx,
          values: input.values,
          basisOptions: input.options,
          problem: input.problem,
        }),
    });
  }

  app.get(
    '/admin/statements/new',
    { schema: { ...pageSchema, querystring: NewQuery }, preHandler: write },
    async (request, reply) => {
      const options = await basisOptions();
      let values = EMPTY_NEW_STATEMENT;
      const { revision: revisionId, statement: statementId } = request.query;
      if (revisionId && statementId) {
        // "Start a new statement from this revision": its text is the starting point.
        const { statement, revision } = await service.getRevision(ctx, {
          siteId: siteId(),
          statementId,
          revisionId,
        });
        const value = basisValue(statement.id, revision.id);
        if (!options.some((option) => option.revisionId === value))
          options.unshift({
            revisionId: value,
            label: `${revision.title} (revision ${revision.number})`,
          });
        values = { ...values, basis: 'revision', revisionId: value, body: revision.body };
      }
      return sendNewPage(request, reply, { values, options });
    },
  );

  app.post(
    '/admin/statements',
    {
      schema: { ...pageSchema, body: NewStatementForm },
      preHandler: write,
      bodyLimit: EDITOR_BODY_LIMIT,
    },
    async (request, reply) => {
      const form = request.body;
      const values = newValuesOf(form);
      try {
        const { basedOn, body } = await basisOf(form);
        const { statement } = await service.createStatement(ctx, {
          siteId: siteId(),
          actor: actorOf(request),
          title: form.title,
          subtitle: form.subtitle,
          body,
          note: form.note,
          eventName: form.eventName,
          eventDate: form.eventDate,
          basedOn,
        });
        return reply.redirect(`${adminPath(statement.id)}?created=1`, 303);
      } catch (error) {
        const { status, message } = refusalOf(error);
        return sendNewPage(request, reply, {
          values,
          options: await basisOptions(),
          problem: message,
          status,
        });
      }
    },
  );

  /** What the new statement is based on, and its text (that of its basis when left empty). */
  async function basisOf(
    form: NewStatementForm,
  ): Promise<{ basedOn: BasedOnInput | undefined; body: string }> {
    const typed = form.body.trim() === '' ? undefined : form.body;
    if (form.basis === 'source') {
      const source = {
        title: form.sourceTitle,
        author: form.sourceAuthor,
        date: form.sourceDate,
        url: form.sourceUrl,
        text: form.sourceText,
      };
      return { basedOn: { kind: 'source', source }, body: typed ?? form.sourceText };
    }
    if (form.basis === 'revision') {
      const [statementId = '', revisionId = ''] = form.basedOn.split(':');
      const { revision } = await service.getRevision(ctx, {
        siteId: siteId(),
        statementId,
        revisionId,
      });
      return {
        basedOn: { kind: 'revision', revisionId: revision.id },
        body: typed ?? revision.body,
      };
    }
    return { basedOn: undefined, body: form.body };
  }

  // --- the editor -------------------------------------------------------------------------------

  app.post(
    '/admin/statements/preview',
    {
      schema: {
        ...pageSchema,
        body: Type.Object({ body: Type.String({ maxLength: 1_000_000 }) }),
        response: { 200: Type.Object({ html: Type.String() }), 422: ErrorResponse },
      },
      preHandler: write,
      bodyLimit: EDITOR_BODY_LIMIT,
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { html: previewBody(request.body.body) };
    },
  );

  async function sendEditor(
    request: FastifyRequest,
    reply: FastifyReply,
    statement: Statement,
    input: {
      values?: EditorValues;
      previewHtml?: string;
      problem?: string;
      notice?: string;
      status?: number;
    } = {},
  ) {
    const { revision } = await service.getRevision(ctx, {
      siteId: siteId(),
      statementId: statement.id,
      revisionId: statement.currentRevisionId,
    });
    const provenance = await review.getProvenance(ctx, {
      siteId: siteId(),
      statementId: statement.id,
    });
    return page.send(request, reply, {
      title: `Edit: ${statement.title || 'untitled statement'}`,
      status: input.status,
      body: (pageCtx) =>
        EditorPage({
          ctx: pageCtx,
          statement,
          revision,
          values: input.values ?? editorValuesOf(statement, revision),
          previewHtml: input.previewHtml ?? revision.html,
          previewIsUnsaved: input.previewHtml !== undefined,
          provenance: provenance && {
            wording: provenance.wording,
            reuse: provenance.reuse,
            diff: provenance.diff,
          },
          problem: input.problem,
          notice: input.notice,
          readOnly: statement.status === 'withdrawn',
          showSignatures: showSignatures(request),
        }),
    });
  }

  const statementOf = (id: string) =>
    service.getStatement(ctx, { siteId: siteId(), statementId: id });

  app.get(
    '/admin/statements/:id',
    { schema: { ...pageSchema, params: IdParams, querystring: EditorQuery }, preHandler: write },
    async (request, reply) => {
      const statement = await statementOf(request.params.id);
      const { created, saved, unchanged } = request.query;
      const notice = created
        ? 'Draft created. Edit it here; every save keeps the earlier text in the history.'
        : saved
          ? `Saved as revision ${saved}.`
          : unchanged
            ? 'Nothing in the text changed, so no new revision was made.'
            : undefined;
      return sendEditor(request, reply, statement, { notice });
    },
  );

  app.post(
    '/admin/statements/:id',
    {
      schema: { ...pageSchema, params: IdParams, body: EditorForm },
      preHandler: write,
      bodyLimit: EDITOR_BODY_LIMIT,
    },
    async (request, reply) => {
      const form = request.body;
      const statement = await statementOf(request.params.id);
      const values: EditorValues = {
        title: form.title,
        subtitle: form.subtitle,
        eventName: form.eventName,
        eventDate: form.eventDate,
        body: form.body,
        note: form.note,
        baseRevisionId: form.baseRevisionId,
      };
      if (form.intent === 'preview') {
        try {
          return await sendEditor(request, reply, statement, {
            values,
            previewHtml: previewBody(form.body),
          });
        } catch (error) {
          const { status, message } = refusalOf(error);
          return sendEditor(request, reply, statement, { values, problem: message, status });
        }
      }
      try {
        const { revision, created } = await service.reviseStatement(ctx, {
          siteId: siteId(),
          statementId: statement.id,
          actor: actorOf(request),
          title: form.title,
          subtitle: form.subtitle,
          body: form.body,
          note: form.note,
          eventName: form.eventName,
          eventDate: form.eventDate,
          baseRevisionId: form.baseRevisionId || undefined,
        });
        const query = created ? `saved=${revision.number}` : 'unchanged=1';
        return reply.redirect(`${adminPath(statement.id)}?${query}`, 303);
      } catch (error) {
        const { status, message } = refusalOf(error);
        return sendEditor(request, reply, statement, { values, problem: message, status });
      }
    },
  );

  // --- history and provenance -------------------------------------------------------------------

  app.get(
    '/admin/statements/:id/history',
    { schema: { ...pageSchema, params: IdParams, querystring: HistoryQuery }, preHandler: write },
    async (request, reply) => {
      const statement = await statementOf(request.params.id);
      const revisions = await service.listRevisions(ctx, {
        siteId: siteId(),
        statementId: statement.id,
      });
      const mode: DiffMode = request.query.mode ?? 'side';
      // By default the newest change: the last revision against the one before it.
      const from = request.query.from ?? revisions.at(-2)?.id;
      const to = request.query.to ?? revisions.at(-1)?.id;
      let comparison: RevisionComparison | undefined;
      let problem: { status: number; message: string } | undefined;
      if (from && to && revisions.length > 1) {
        try {
          comparison = await review.diffRevisions(ctx, {
            siteId: siteId(),
            statementId: statement.id,
            fromRevisionId: from,
            toRevisionId: to,
          });
        } catch (error) {
          problem = refusalOf(error);
        }
      }
      return page.send(request, reply, {
        title: `History: ${statement.title}`,
        status: problem?.status,
        body: (pageCtx) =>
          HistoryPage({
            ctx: pageCtx,
            statement,
            revisions,
            comparison,
            mode,
            problem: problem?.message,
            showSignatures: showSignatures(request),
          }),
      });
    },
  );

  app.get(
    '/admin/statements/:id/revisions/:revisionId',
    { schema: { ...pageSchema, params: RevisionParams }, preHandler: write },
    async (request, reply) => {
      const { statement, revision } = await service.getRevision(ctx, {
        siteId: siteId(),
        statementId: request.params.id,
        revisionId: request.params.revisionId,
      });
      return page.send(request, reply, {
        title: `Revision ${revision.number}: ${statement.title}`,
        body: (pageCtx) =>
          RevisionPage({
            ctx: pageCtx,
            statement,
            revision,
            showSignatures: showSignatures(request),
          }),
      });
    },
  );

  app.get(
    '/admin/statements/:id/provenance',
    {
      schema: { ...pageSchema, params: IdParams, querystring: Type.Object({ mode: ModeQuery }) },
      preHandler: write,
    },
    async (request, reply) => {
      const statement = await statementOf(request.params.id);
      const [provenance, { revision }] = await Promise.all([
        review.getProvenance(ctx, { siteId: siteId(), statementId: statement.id }),
        service.getRevision(ctx, {
          siteId: siteId(),
          statementId: statement.id,
          revisionId: statement.currentRevisionId,
        }),
      ]);
      return page.send(request, reply, {
        title: `Based on: ${statement.title}`,
        body: (pageCtx) =>
          ProvenancePage({
            ctx: pageCtx,
            statement,
            revision,
            provenance,
            mode: request.query.mode ?? 'side',
            showSignatures: showSignatures(request),
          }),
      });
    },
  );

  // --- internal comments ------------------------------------------------------------------------

  async function sendComments(
    request: FastifyRequest,
    reply: FastifyReply,
    statement: Statement,
    input: { problem?: CommentProblem; notice?: string; status?: number } = {},
  ) {
    const [{ revision }, { comments }] = await Promise.all([
      service.getRevision(ctx, {
        siteId: siteId(),
        statementId: statement.id,
        revisionId: statement.currentRevisionId,
      }),
      review.listInternalComments(ctx, { siteId: siteId(), statementId: statement.id }),
    ]);
    return page.send(request, reply, {
      title: `Comments: ${statement.title}`,
      status: input.status,
      body: (pageCtx) =>
        CommentsPage({
          ctx: pageCtx,
          statement,
          revision,
          paragraphs: paragraphsHtml(revision.body),
          comments,
          problem: input.problem,
          notice: input.notice,
          showSignatures: showSignatures(request),
        }),
    });
  }

  app.get(
    '/admin/statements/:id/comments',
    {
      schema: {
        ...pageSchema,
        params: IdParams,
        querystring: Type.Object({ added: Type.Optional(Type.Literal('1')) }),
      },
      preHandler: write,
    },
    async (request, reply) =>
      sendComments(request, reply, await statementOf(request.params.id), {
        notice: request.query.added ? 'Your comment is added beside its paragraph.' : undefined,
      }),
  );

  app.post(
    '/admin/statements/:id/comments',
    { schema: { ...pageSchema, params: IdParams, body: CommentForm }, preHandler: write },
    async (request, reply) => {
      const statement = await statementOf(request.params.id);
      const form = request.body;
      try {
        const comment = await review.addInternalComment(ctx, {
          siteId: siteId(),
          statementId: statement.id,
          revisionId: form.revisionId,
          paragraphIndex: form.paragraphIndex,
          body: form.body,
          actor: actorOf(request),
        });
        return reply.redirect(
          `${adminPath(statement.id, '/comments')}?added=1#paragraph-${comment.paragraphIndex + 1}`,
          303,
        );
      } catch (error) {
        const { status, message } = refusalOf(error);
        return sendComments(request, reply, statement, {
          problem: { paragraphIndex: form.paragraphIndex, message, body: form.body },
          status,
        });
      }
    },
  );
}

function newValuesOf(form: NewStatementForm): NewStatementValues {
  const basis: BasisChoice = form.basis;
  return {
    title: form.title,
    subtitle: form.subtitle,
    eventName: form.eventName,
    eventDate: form.eventDate,
    body: form.body,
    note: form.note,
    basis,
    revisionId: form.basedOn,
    sourceTitle: form.sourceTitle,
    sourceAuthor: form.sourceAuthor,
    sourceDate: form.sourceDate,
    sourceUrl: form.sourceUrl,
    sourceText: form.sourceText,
  };
}
