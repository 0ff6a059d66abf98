/**
 * The moderation pages besides the queue (members with `comments.moderate`): the audit log with
 * its filter and CSV link, the rules form, the bans with their lift buttons, and a moderator's
 * link from the log to where a comment is read. Thin: validate, call one use case, render.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { memberOf, requirePermission } from '../accounts/auth.js';
import { listMembers } from '../accounts/service.js';
import type { Member } from '../accounts/store.js';
import { AppError, BadRequestError, NotFoundError } from '../platform/errors.js';
import type { HttpServer } from '../platform/http/server.js';
import type { AuditFilterValues, AuditRow } from './audit-views.js';
import { AuditPage, auditQuery } from './audit-views.js';
import type { ModerationPagesDeps } from './pages.js';
import { findComment } from './queue-store.js';
import { RulesError } from './rules.js';
import type { FieldProblem, RulesField, RulesFormValues } from './rules-views.js';
import { BansPage, RulesPage } from './rules-views.js';
import type { Moderator, RulesView } from './service.js';
import * as service from './service.js';
import type { AuditEntry, Ban } from './store.js';
import { ACTOR_KINDS } from './store.js';

const pageSchema = { hide: true } as const;
const Cursor = Type.String({ maxLength: 400 });
const FormText = (maxLength: number) => Type.String({ maxLength, default: '' });

const AuditPageQuery = Type.Object({
  action: Type.Optional(Type.String({ maxLength: 100 })),
  actor: Type.Optional(Type.String({ maxLength: 100 })),
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
  comment: Type.Optional(Type.String({ maxLength: 100 })),
  cursor: Type.Optional(Cursor),
});

// Term lists may be long (the API allows as much); other forms keep the server's limit.
const RULES_BODY_LIMIT = 512 * 1024;
const RulesForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  blockedTerms: FormText(RULES_BODY_LIMIT),
  suspectTerms: FormText(RULES_BODY_LIMIT),
  blockedDomains: FormText(RULES_BODY_LIMIT),
  maxLinks: FormText(20),
  firstTime: FormText(40),
  floodPerMinute: FormText(20),
  reportsToHold: FormText(20),
  digestAfterMinutes: FormText(20),
  version: Type.Optional(Type.Integer({ minimum: 0 })),
});
const ResetForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  list: Type.Union([Type.Literal('blockedTerms'), Type.Literal('suspectTerms')]),
});

/** Which field a refused number or choice belongs to (the use case's error codes). */
const FIELD_OF_CODE: Record<string, RulesField> = {
  'invalid-max-links': 'maxLinks',
  'invalid-flood-per-minute': 'floodPerMinute',
  'invalid-reports-to-hold': 'reportsToHold',
  'invalid-digest-after-minutes': 'digestAfterMinutes',
  'invalid-first-time': 'firstTime',
};

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A date from the filter (`YYYY-MM-DD`, UTC); `to` counts through the end of that day. */
function filterDate(field: 'From' | 'To', text: string, endOfDay: boolean): Date | undefined {
  if (text === '') return undefined;
  const time = DATE_ONLY.test(text) ? new Date(`${text}T00:00:00.000Z`) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime()))
    throw new BadRequestError(
      `${field} must be a date such as 2026-11-24; got "${text}".`,
      'invalid-date',
    );
  return endOfDay ? new Date(time.getTime() + 86_400_000) : time;
}

function auditRowOf(entry: AuditEntry): AuditRow {
  return {
    id: entry.id,
    at: entry.at,
    actorKind: entry.actorKind,
    actorName: entry.actorName,
    action: entry.action,
    commentId: entry.commentId,
    threadId: entry.threadId,
    commentHref: entry.commentId
      ? `/admin/moderation/comments/${encodeURIComponent(entry.commentId)}`
      : undefined,
    target: entry.target,
    reason: entry.reason,
    reasonCodes: entry.reasonCodes,
    statusBefore: entry.statusBefore,
    statusAfter: entry.statusAfter,
  };
}

function rulesValuesOf(rules: RulesView): RulesFormValues {
  const { settings } = rules;
  return {
    blockedTerms: settings.blockedTerms,
    suspectTerms: settings.suspectTerms,
    blockedDefault: rules.blockedTermsDefault,
    suspectDefault: rules.suspectTermsDefault,
    blockedDomains: settings.blockedDomains,
    maxLinks: String(settings.maxLinks),
    firstTime: settings.firstTime,
    floodPerMinute: String(settings.floodPerMinute),
    reportsToHold: String(settings.reportsToHold),
    digestAfterMinutes: String(settings.digestAfterMinutes),
  };
}

/** A refused rules change as problems next to the fields they are about. */
function rulesProblemsOf(error: AppError): {
  fields: Partial<Record<RulesField, FieldProblem>>;
  general?: string;
} {
  if (error instanceof RulesError) {
    const fields: Partial<Record<RulesField, FieldProblem>> = {};
    for (const problem of error.problems) {
      const field = fields[problem.field] ?? { messages: [] };
      field.messages.push(`Line ${problem.line}: ${problem.message}`);
      fields[problem.field] = field;
    }
    return { fields };
  }
  const field = FIELD_OF_CODE[error.code];
  if (field) return { fields: { [field]: { messages: [error.message] } } };
  return { fields: {}, general: error.message };
}

export function registerRecordPages(app: HttpServer, deps: ModerationPagesDeps): void {
  const { ctx, page } = deps;
  const moderate = requirePermission('comments.moderate');
  const actor = (request: FastifyRequest): Moderator => {
    const member = memberOf(request);
    return { accountId: member.id, name: member.displayName };
  };
  const membersById = async () =>
    new Map<string, Member>(
      (await listMembers(deps.accounts, deps.siteId())).map((member) => [member.id, member]),
    );

  // --- the audit log -------------------------------------------------------------------------

  app.get(
    '/admin/moderation/audit',
    { schema: { ...pageSchema, querystring: AuditPageQuery }, preHandler: moderate },
    async (request, reply) => {
      const query = request.query;
      const filter: AuditFilterValues = {
        action: query.action ?? '',
        actor: query.actor ?? '',
        from: query.from ?? '',
        to: query.to ?? '',
      };
      const members = await membersById();
      const actors = [
        ...ACTOR_KINDS.flatMap((kind) =>
          kind === 'member' ? [] : [{ value: kind, label: service.ACTOR_NAMES[kind] }],
        ),
        { value: 'member', label: 'any member' },
        ...[...members.values()].map((member) => ({
          value: member.id,
          label: member.displayName,
        })),
      ];
      const csvHref = `/api/v1/moderation/audit.csv${auditQuery(filter)}`;
      let rows: AuditRow[] = [];
      let nextCursor: string | undefined;
      let problem: AppError | undefined;
      try {
        const found = await service.listAudit(ctx, {
          siteId: deps.siteId(),
          action: filter.action || undefined,
          actor: filter.actor || undefined,
          commentId: query.comment || undefined,
          from: filterDate('From', filter.from, false),
          to: filterDate('To', filter.to, true),
          cursor: query.cursor,
        });
        rows = found.items.map(auditRowOf);
        nextCursor = found.nextCursor;
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        problem = error;
      }
      return page.send(request, reply, {
        title: 'Moderation audit log',
        status: problem?.status,
        body: (pageCtx) =>
          AuditPage({
            ctx: pageCtx,
            rows,
            filter,
            actions: service.AUDIT_ACTIONS,
            actors,
            commentId: query.comment,
            cursor: query.cursor,
            nextCursor,
            csvHref,
            problem: problem?.message,
          }),
      });
    },
  );

  // Where a comment named in the log (or anywhere in the admin) is read: its place on its
  // thread's page, also while it is held (the page then shows where it would be).
  app.get(
    '/admin/moderation/comments/:commentId',
    {
      schema: {
        ...pageSchema,
        params: Type.Object({ commentId: Type.String({ minLength: 1, maxLength: 100 }) }),
      },
      preHandler: moderate,
    },
    async (request, reply) => {
      const { commentId } = request.params;
      const comment = await findComment(ctx.db, deps.siteId(), commentId);
      if (!comment)
        throw new NotFoundError(`There is no comment ${commentId}.`, 'comment-not-found');
      const [item] = await service.describeItems(ctx, deps.siteId(), [comment]);
      const target = item?.thread.permalink ?? item?.thread.pageUrl;
      if (!target) {
        throw new NotFoundError(
          `Comment ${commentId} is on “${item?.thread.title ?? 'a thread'}”, which is not shown on any page yet.`,
          'comment-page-unknown',
        );
      }
      return reply.redirect(target, 302);
    },
  );

  // --- the rules -----------------------------------------------------------------------------

  async function showRules(
    request: FastifyRequest,
    reply: FastifyReply,
    view: {
      values?: RulesFormValues;
      version?: number;
      problem?: AppError;
      notice?: string;
    },
  ) {
    const rules = await service.getRules(ctx, deps.siteId());
    const members = rules.updatedBy ? await membersById() : undefined;
    const problems = view.problem ? rulesProblemsOf(view.problem) : undefined;
    return page.send(request, reply, {
      title: 'Moderation rules',
      status: view.problem?.status,
      body: (pageCtx) =>
        RulesPage({
          ctx: pageCtx,
          values: view.values ?? rulesValuesOf(rules),
          version: view.version ?? rules.version,
          problems: problems?.fields,
          problem: problems?.general,
          notice: view.notice,
          updatedAt: rules.updatedAt,
          updatedBy: rules.updatedBy && members?.get(rules.updatedBy)?.displayName,
        }),
    });
  }

  app.get(
    '/admin/moderation/rules',
    {
      schema: {
        ...pageSchema,
        querystring: Type.Object({ saved: Type.Optional(Type.Literal('1')) }),
      },
      preHandler: moderate,
    },
    async (request, reply) =>
      showRules(request, reply, {
        notice: request.query.saved
          ? 'The rules are saved. New comments meet them now.'
          : undefined,
      }),
  );

  app.post(
    '/admin/moderation/rules',
    {
      bodyLimit: RULES_BODY_LIMIT,
      schema: { ...pageSchema, body: RulesForm },
      preHandler: moderate,
    },
    async (request, reply) => {
      const body: Static<typeof RulesForm> = request.body;
      const { _csrf: _token, version, ...changes } = body;
      try {
        await service.updateSiteRules(ctx, {
          siteId: deps.siteId(),
          actor: actor(request),
          changes,
          expectedVersion: version,
        });
        return reply.redirect('/admin/moderation/rules?saved=1', 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        const rules = await service.getRules(ctx, deps.siteId());
        return showRules(request, reply, {
          problem: error,
          version,
          values: {
            ...changes,
            blockedDefault: rules.blockedTermsDefault,
            suspectDefault: rules.suspectTermsDefault,
          },
        });
      }
    },
  );

  app.post(
    '/admin/moderation/rules/reset',
    { schema: { ...pageSchema, body: ResetForm }, preHandler: moderate },
    async (request, reply) => {
      try {
        await service.updateSiteRules(ctx, {
          siteId: deps.siteId(),
          actor: actor(request),
          changes: { [request.body.list]: null },
        });
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        return showRules(request, reply, { problem: error });
      }
      return reply.redirect('/admin/moderation/rules?saved=1', 303);
    },
  );

  // --- bans ----------------------------------------------------------------------------------

  app.get(
    '/admin/moderation/bans',
    {
      schema: {
        ...pageSchema,
        querystring: Type.Object({
          cursor: Type.Optional(Cursor),
          lifted: Type.Optional(Type.Literal('1')),
        }),
      },
      preHandler: moderate,
    },
    async (request, reply) => {
      const found = await service.listSiteBans(ctx, {
        siteId: deps.siteId(),
        state: 'active',
        cursor: request.query.cursor,
      });
      const members = await membersById();
      return page.send(request, reply, {
        title: 'Bans',
        body: (pageCtx) =>
          BansPage({
            ctx: pageCtx,
            bans: found.items.map((ban) => banRowOf(ban, members)),
            cursor: request.query.cursor,
            nextCursor: found.nextCursor,
            notice: request.query.lifted ? 'The ban is lifted.' : undefined,
          }),
      });
    },
  );

  app.post(
    '/admin/moderation/bans/:banId/lift',
    {
      schema: {
        ...pageSchema,
        params: Type.Object({ banId: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Object({ _csrf: Type.Optional(Type.String()) }),
      },
      preHandler: moderate,
    },
    async (request, reply) => {
      await service.liftBanById(ctx, {
        siteId: deps.siteId(),
        actor: actor(request),
        banId: request.params.banId,
      });
      return reply.redirect('/admin/moderation/bans?lifted=1', 303);
    },
  );
}

/** A ban as the page names it: a member by name, an e-mail as is, an address by its hash's start. */
function banRowOf(ban: Ban, members: ReadonlyMap<string, Member>) {
  const member = ban.kind === 'account' ? members.get(ban.value) : undefined;
  return {
    id: ban.id,
    kind: ban.kind,
    value:
      ban.kind === 'account'
        ? (member?.displayName ?? `account ${ban.value.slice(0, 8)}`)
        : ban.kind === 'email'
          ? ban.value
          : `${ban.value.slice(0, 12)}…`,
    reason: ban.reason,
    createdBy: ban.createdBy && members.get(ban.createdBy)?.displayName,
    createdAt: ban.createdAt,
    expiresAt: ban.expiresAt,
  };
}
