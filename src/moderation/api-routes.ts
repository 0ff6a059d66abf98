/**
 * The moderation JSON API under /api/v1/moderation (members who may moderate: the queue,
 * actions, bans, closing threads, the audit log and its CSV, the rules) and the readers' report
 * route. Each route validates, calls one use case and presents the result. Cookie-authenticated
 * writes need the `X-CSRF-Token` header (the server's CSRF hook); bearer tokens are exempt.
 */
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { memberOf, requirePermission } from '../accounts/auth.js';
import { BadRequestError } from '../platform/errors.js';
import { ErrorResponse } from '../platform/http/schemas.js';
import type { HttpServer } from '../platform/http/server.js';
import { hashAddress } from '../platform/address-hash.js';
import {
  ActionBody,
  ActionResult,
  AuditPage,
  AuditQuerySchema,
  BanBody,
  BanPage,
  BanSchema,
  BansQuery,
  QueuePageSchema,
  QueueQuery,
  ReportBody,
  ReportReceivedSchema,
  RulesChange,
  RulesSchema,
  presentActions,
  presentAuditEntry,
  presentBan,
  presentQueue,
  presentRules,
} from './api-schemas.js';
import type { AuditQuery, ModerationContext, Moderator } from './service.js';
import * as service from './service.js';

export interface ModerationRoutesDeps {
  ctx: ModerationContext;
  siteId: () => string;
  /** The server's secret: a reporter's address is kept only as a keyed hash made with it. */
  secret: string;
  /** IP_HASH_SALT_DAYS: how long the hash's salt lasts (the same hash as discussion's). */
  addressSaltDays?: number;
}

const tags = ['moderation'];
const moderatorSecurity: Record<string, string[]>[] = [{ bearer: [] }];
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ErrorResponse]));
const Id = (description: string) => Type.String({ minLength: 1, maxLength: 100, description });
const COOKIE_NOTE = ' With a session cookie, send the `X-CSRF-Token` header.';
/** Term lists may be long; the rest of the API keeps the server's default body limit. */
const RULES_BODY_LIMIT = 512 * 1024;

export function registerModerationRoutes(app: HttpServer, deps: ModerationRoutesDeps): void {
  const { ctx } = deps;
  const moderate = requirePermission('comments.moderate');
  const actor = (request: FastifyRequest): Moderator => {
    const member = memberOf(request);
    return { accountId: member.id, name: member.displayName };
  };

  // --- the queue and actions ---------------------------------------------------------------

  app.get(
    '/api/v1/moderation/queue',
    {
      schema: {
        tags,
        summary: 'A tab of the moderation queue, with the counts of every tab',
        description:
          'Tabs: `pending` (held, or flagged for review although public), `reported` (public ' +
          'comments with unresolved reports), `rejected`, `spam`, `all`. Pending and Reported ' +
          'list the longest-waiting first, the others the newest first.',
        security: moderatorSecurity,
        querystring: QueueQuery,
        response: { 200: QueuePageSchema, ...errors(400, 401, 403) },
      },
      preHandler: moderate,
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return presentQueue(
        await service.getQueue(ctx, {
          siteId: deps.siteId(),
          tab: request.query.tab ?? 'pending',
          cursor: request.query.cursor,
          limit: request.query.limit,
        }),
      );
    },
  );

  app.post(
    '/api/v1/moderation/actions',
    {
      schema: {
        tags,
        summary: 'Approve, reject or mark as spam one comment or many',
        description:
          'All or nothing: an unknown id is a 404 `comment-not-found` naming it, and no comment ' +
          'changes. The comments’ open reports are settled, and every change is in the audit ' +
          'log.' +
          COOKIE_NOTE,
        security: moderatorSecurity,
        body: ActionBody,
        response: { 200: ActionResult, ...errors(400, 401, 403, 404, 422) },
      },
      preHandler: moderate,
    },
    async (request) =>
      presentActions(
        await service.moderateComments(ctx, {
          siteId: deps.siteId(),
          actor: actor(request),
          action: request.body.action,
          commentIds: request.body.commentIds,
          reason: request.body.reason,
        }),
      ),
  );

  for (const [verb, status] of [
    ['close', 'closed'],
    ['open', 'open'],
  ] as const) {
    app.post(
      `/api/v1/moderation/threads/:threadId/${verb}`,
      {
        schema: {
          tags,
          summary: verb === 'close' ? 'Close a thread, logged' : 'Open a closed thread, logged',
          description:
            'As `POST /api/v1/threads/{threadId}/' +
            verb +
            '`, and recorded in the moderation audit log. Asking for the status the thread ' +
            'already has changes and logs nothing (`changed: false`). No request body.' +
            COOKIE_NOTE,
          security: moderatorSecurity,
          params: Type.Object({ threadId: Id('The thread’s id.') }),
          response: {
            200: Type.Object({
              threadId: Type.String(),
              status: Type.Enum(['open', 'closed']),
              changed: Type.Boolean(),
            }),
            ...errors(401, 403, 404),
          },
        },
        preHandler: moderate,
      },
      async (request) =>
        service.setThreadStatus(ctx, {
          siteId: deps.siteId(),
          actor: actor(request),
          threadId: request.params.threadId,
          status,
        }),
    );
  }

  // --- bans ----------------------------------------------------------------------------------

  app.get(
    '/api/v1/moderation/bans',
    {
      schema: {
        tags,
        summary: 'The site’s bans, newest first',
        security: moderatorSecurity,
        querystring: BansQuery,
        response: { 200: BanPage, ...errors(400, 401, 403) },
      },
      preHandler: moderate,
    },
    async (request) => {
      const page = await service.listSiteBans(ctx, {
        siteId: deps.siteId(),
        state: request.query.state,
        cursor: request.query.cursor,
        limit: request.query.limit,
      });
      const now = ctx.clock.now();
      return {
        items: page.items.map((ban) => presentBan(ban, now)),
        nextCursor: page.nextCursor ?? null,
      };
    },
  );

  app.post(
    '/api/v1/moderation/bans',
    {
      schema: {
        tags,
        summary: 'Ban an author, for a time or for ever',
        description:
          'From a comment (`commentId`: its account, e-mail and/or network address, as `kinds` ' +
          'says, all by default) or an e-mail address (`email`). A banned author’s new comments ' +
          'are rejected with a neutral message. An active ban on the same identity is replaced.' +
          COOKIE_NOTE,
        security: moderatorSecurity,
        body: BanBody,
        response: {
          201: Type.Object({ bans: Type.Array(BanSchema) }),
          ...errors(400, 401, 403, 404, 422),
        },
      },
      preHandler: moderate,
    },
    async (request, reply) => {
      const { hours, days } = request.body;
      if (hours !== undefined && days !== undefined) {
        throw new BadRequestError(
          'Give the duration in `hours` or in `days`, not both; neither bans for ever.',
          'invalid-ban-duration',
        );
      }
      const bans = await service.banAuthor(ctx, {
        siteId: deps.siteId(),
        actor: actor(request),
        commentId: request.body.commentId,
        kinds: request.body.kinds,
        email: request.body.email,
        reason: request.body.reason,
        durationHours: days !== undefined ? days * 24 : hours,
      });
      const now = ctx.clock.now();
      return reply.status(201).send({ bans: bans.map((ban) => presentBan(ban, now)) });
    },
  );

  app.delete(
    '/api/v1/moderation/bans/:banId',
    {
      schema: {
        tags,
        summary: 'Lift a ban',
        description: 'Logged. A ban lifted already is a 409 `ban-already-lifted`.' + COOKIE_NOTE,
        security: moderatorSecurity,
        params: Type.Object({ banId: Id('The ban’s id.') }),
        response: { 200: BanSchema, ...errors(401, 403, 404, 409) },
      },
      preHandler: moderate,
    },
    async (request) =>
      presentBan(
        await service.liftBanById(ctx, {
          siteId: deps.siteId(),
          actor: actor(request),
          banId: request.params.banId,
        }),
        ctx.clock.now(),
      ),
  );

  // --- the audit log -----------------------------------------------------------------------

  app.get(
    '/api/v1/moderation/audit',
    {
      schema: {
        tags,
        summary: 'The moderation audit log, newest first, filtered',
        description:
          'Every moderator action and every automatic decision (the rules’, an import’s, ' +
          'readers’ reports’), with the status before and after.',
        security: moderatorSecurity,
        querystring: AuditQuerySchema,
        response: { 200: AuditPage, ...errors(400, 401, 403) },
      },
      preHandler: moderate,
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const page = await service.listAudit(ctx, {
        ...auditQuery(deps.siteId(), request.query),
        cursor: request.query.cursor,
        limit: request.query.limit,
      });
      return { items: page.items.map(presentAuditEntry), nextCursor: page.nextCursor ?? null };
    },
  );

  app.get(
    '/api/v1/moderation/audit.csv',
    {
      schema: {
        tags,
        summary: 'The audit log as CSV (filtered as the list is)',
        description:
          'RFC 4180, UTF-8, a header row; cells that a spreadsheet would run as a formula ' +
          '(starting with = + - @) are prefixed with an apostrophe.',
        security: moderatorSecurity,
        querystring: Type.Omit(AuditQuerySchema, ['cursor', 'limit']),
        response: {
          200: {
            description: 'The log, streamed.',
            content: { 'text/csv': { schema: Type.String() } },
          },
          ...errors(400, 401, 403),
        },
      },
      preHandler: moderate,
    },
    async (request, reply) => {
      const query = auditQuery(deps.siteId(), request.query);
      const day = ctx.clock.now().toISOString().slice(0, 10);
      return (
        reply
          .type('text/csv; charset=utf-8')
          .header('cache-control', 'no-store')
          .header('content-disposition', `attachment; filename="moderation-log-${day}.csv"`)
          // Fastify streams a Readable as it is; the schema's `string` only documents the body.
          .send(Readable.from(service.exportAuditCsv(ctx, query)) as unknown as string)
      );
    },
  );

  // --- rules ---------------------------------------------------------------------------------

  app.get(
    '/api/v1/moderation/rules',
    {
      schema: {
        tags,
        summary: 'The site’s moderation rules',
        description: 'Term lists that were never changed are given as the shipped default text.',
        security: moderatorSecurity,
        response: { 200: RulesSchema, ...errors(401, 403) },
      },
      preHandler: moderate,
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return presentRules(await service.getRules(ctx, deps.siteId()));
    },
  );

  app.put(
    '/api/v1/moderation/rules',
    {
      bodyLimit: RULES_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Change the site’s moderation rules',
        description:
          'Only the settings given change. Every line of every list is checked first: a bad ' +
          'line is a 422 `invalid-term-list` (or `invalid-domain-list`) naming each line, in ' +
          '`details.problems` too, and nothing changes. Logged as `rules-updated`.' +
          COOKIE_NOTE,
        security: moderatorSecurity,
        body: RulesChange,
        response: { 200: RulesSchema, ...errors(400, 401, 403, 409, 413, 422) },
      },
      preHandler: moderate,
    },
    async (request) => {
      const { expectedVersion, ...changes } = request.body;
      return presentRules(
        await service.updateSiteRules(ctx, {
          siteId: deps.siteId(),
          actor: actor(request),
          changes,
          expectedVersion,
        }),
      );
    },
  );

  // --- readers' reports ----------------------------------------------------------------------

  app.post(
    '/api/v1/comments/:commentId/reports',
    {
      schema: {
        tags,
        summary: 'Report a comment to the moderators',
        description:
          'Anyone may report a public comment once. Reports from several readers (the site’s ' +
          '`reportsToHold`, 3 by default) hold it for a moderator. A reader may send ' +
          `${service.REPORTS_PER_WINDOW} reports an hour (429 \`too-many-reports\`, with ` +
          '`Retry-After`); reporting again is a 409 `already-reported`.' +
          COOKIE_NOTE,
        security: [{}, { bearer: [] }],
        params: Type.Object({ commentId: Id('The comment’s id.') }),
        body: ReportBody,
        response: {
          201: ReportReceivedSchema,
          ...errors(400, 403, 404, 409, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const received = await service.reportComment(ctx, {
        siteId: deps.siteId(),
        commentId: request.params.commentId,
        reason: request.body.reason,
        note: request.body.note,
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
      return reply.status(201).send({
        id: received.id,
        message: 'Thank you. The moderators will look at this comment.',
      });
    },
  );
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The filters of the audit routes; dates are checked here (400 `invalid-date`). */
function auditQuery(
  siteId: string,
  query: { action?: string; actor?: string; commentId?: string; from?: string; to?: string },
): AuditQuery {
  return {
    siteId,
    action: query.action || undefined,
    actor: query.actor || undefined,
    commentId: query.commentId || undefined,
    from: query.from ? parseTime('from', query.from, false) : undefined,
    to: query.to ? parseTime('to', query.to, true) : undefined,
  };
}

/** An ISO date or date-time; a bare date as `to` means through the end of that day (UTC). */
function parseTime(field: string, text: string, endOfDay: boolean): Date {
  const time = new Date(DATE_ONLY.test(text) ? `${text}T00:00:00.000Z` : text);
  if (Number.isNaN(time.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new BadRequestError(
      `\`${field}\` must be a date (2026-11-24) or a date and time (2026-11-24T09:30:00Z); got "${text}".`,
      'invalid-date',
    );
  }
  return DATE_ONLY.test(text) && endOfDay ? new Date(time.getTime() + 86_400_000) : time;
}
