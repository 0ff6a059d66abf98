/**
 * The moderation queue's pages (members with `comments.moderate`): the queue at
 * `/admin/moderation`, and its actions as plain form posts that call the same use cases as the
 * JSON API and come back to the queue (post/redirect/get), so that moderating works without
 * JavaScript. The audit log, rules and bans pages are in `record-pages.ts`; readers' report
 * pages in `report-pages.ts`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { memberOf, requirePermission } from '../accounts/auth.js';
import type { AccountsContext } from '../accounts/service.js';
import { AppError } from '../platform/errors.js';
import type { HttpServer } from '../platform/http/server.js';
import type { PageRenderer } from '../web/page.js';
import type { ModerationContext, Moderator, QueueItem, QueuePage } from './service.js';
import * as service from './service.js';
import { registerRecordPages } from './record-pages.js';
import { registerReportPages } from './report-pages.js';
import type { QueueEntry, QueueTabName } from './views.js';
import { BAN_DURATIONS, QueuePage as QueuePageView, queueHref } from './views.js';

export interface ModerationPagesDeps {
  ctx: ModerationContext;
  /** For the members named in the audit log's filter. */
  accounts: AccountsContext;
  page: PageRenderer;
  siteId: () => string;
  /** The server's secret: a reporter's address is kept only as a keyed hash made with it. */
  secret: string;
  /** IP_HASH_SALT_DAYS: how long the hash's salt lasts (the same hash as discussion's). */
  addressSaltDays?: number;
}

const pageSchema = { hide: true } as const;
const Tab = Type.Union(service.QUEUE_TABS.map((tab) => Type.Literal(tab)));
const Cursor = Type.String({ maxLength: 400 });

/** What the last action did, for the notice after the redirect. */
const DONE = ['approve', 'reject', 'spam', 'ban', 'close'] as const;
type Done = (typeof DONE)[number];

const QueueQuery = Type.Object({
  tab: Type.Optional(Tab),
  cursor: Type.Optional(Cursor),
  done: Type.Optional(Type.Union(DONE.map((done) => Type.Literal(done)))),
  count: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  select: Type.Optional(Type.Literal('all')),
});

/** Every action form carries the view to come back to. */
const BackFields = {
  _csrf: Type.Optional(Type.String()),
  tab: Type.Optional(Tab),
  cursor: Type.Optional(Cursor),
};
// Generous: the service checks the real limits and says what they are.
const FormText = (maxLength: number) => Type.String({ maxLength, default: '' });
const ActionForm = Type.Object({ ...BackFields, reason: Type.Optional(FormText(5000)) });
const BanForm = Type.Object({
  ...BackFields,
  duration: Type.Union(BAN_DURATIONS.map((duration) => Type.Literal(duration))),
  reason: FormText(5000),
});
const BulkForm = Type.Object({
  ...BackFields,
  action: Type.Union(service.MODERATION_ACTIONS.map((action) => Type.Literal(action))),
  // A browser sends one `ids` per ticked box; none when nothing is ticked.
  ids: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 1000 })),
  reason: Type.Optional(FormText(5000)),
});
const CommentParams = Type.Object({ commentId: Type.String({ minLength: 1, maxLength: 100 }) });
const ThreadParams = Type.Object({ threadId: Type.String({ minLength: 1, maxLength: 100 }) });

const BAN_DAYS: Record<(typeof BAN_DURATIONS)[number], number | undefined> = {
  '1d': 1,
  '7d': 7,
  '30d': 30,
  forever: undefined,
};

const KIND_NOUNS = { account: 'account', email: 'e-mail address', address: 'network address' };

/** A queue item as the page shows it. */
function queueEntryOf(item: QueueItem): QueueEntry {
  const { author, thread } = item;
  return {
    id: item.id,
    status: item.status,
    flagged: item.flagged,
    origin: item.origin,
    body: item.body,
    createdAt: item.createdAt,
    reasons: item.reasons,
    reports: Object.entries(item.reports.byReason).map(([reason, count]) => ({
      reason,
      count: count ?? 0,
    })),
    reportNotes: item.reports.notes,
    author: {
      name: author.name,
      email: author.email,
      url: author.url,
      member: author.accountId !== undefined,
      history: item.history && {
        approved: item.history.approved,
        rejected: item.history.rejected,
        by: KIND_NOUNS[item.history.by],
      },
      bannable: [
        ...(author.accountId ? [KIND_NOUNS.account] : []),
        ...(author.email ? [KIND_NOUNS.email] : []),
        ...(author.hasAddress ? [KIND_NOUNS.address] : []),
      ],
    },
    thread: { id: thread.id, title: thread.title, status: thread.status },
    href: thread.permalink ?? thread.pageUrl,
    parent: item.parent && {
      authorName: item.parent.authorName,
      excerpt: item.parent.excerpt,
      removed: item.parent.removed,
    },
  };
}

function noticeOf(done: Done | undefined, count: number | undefined): string | undefined {
  const comments = (n: number) => `${n.toLocaleString('en')} ${n === 1 ? 'comment' : 'comments'}`;
  const n = count ?? 1;
  switch (done) {
    case 'approve':
      return `Approved ${comments(n)}.`;
    case 'reject':
      return `Rejected ${comments(n)}.`;
    case 'spam':
      return `Marked ${comments(n)} as spam.`;
    case 'ban':
      return 'The author is banned: their new comments will be refused. Decide on this comment too.';
    case 'close':
      return 'The thread is closed to new comments.';
    case undefined:
      return undefined;
  }
}

export function registerModerationPages(app: HttpServer, deps: ModerationPagesDeps): void {
  const { ctx, page } = deps;
  const moderate = requirePermission('comments.moderate');
  const actor = (request: FastifyRequest): Moderator => {
    const member = memberOf(request);
    return { accountId: member.id, name: member.displayName };
  };

  /** Renders the queue (a tab's page, the counts); with `problem`, at the error's status. */
  async function showQueue(
    request: FastifyRequest,
    reply: FastifyReply,
    view: {
      tab: QueueTabName;
      cursor?: string | undefined;
      notice?: string | undefined;
      problem?: AppError | undefined;
      allSelected?: boolean;
    },
  ) {
    const queue: QueuePage = await service.getQueue(ctx, {
      siteId: deps.siteId(),
      tab: view.tab,
      cursor: view.cursor,
    });
    return page.send(request, reply, {
      title: 'Moderation',
      status: view.problem?.status,
      body: (pageCtx) =>
        QueuePageView({
          ctx: pageCtx,
          tab: view.tab,
          counts: queue.counts,
          entries: queue.items.map(queueEntryOf),
          cursor: view.cursor,
          nextCursor: queue.nextCursor,
          notice: view.notice,
          problem: view.problem?.message,
          allSelected: view.allSelected,
        }),
    });
  }

  app.get(
    '/admin/moderation',
    { schema: { ...pageSchema, querystring: QueueQuery }, preHandler: moderate },
    async (request, reply) => {
      const { tab = 'pending', cursor, done, count, select } = request.query;
      return showQueue(request, reply, {
        tab,
        cursor,
        notice: noticeOf(done, count),
        allSelected: select === 'all',
      });
    },
  );

  /**
   * Runs a form's action and goes back to the queue (303) saying what it did; a refused action
   * shows the queue again with the reason, at the error's status, nothing changed.
   */
  async function actAndReturn(
    request: FastifyRequest,
    reply: FastifyReply,
    back: { tab?: QueueTabName | undefined; cursor?: string | undefined },
    work: () => Promise<{ done: Done; count?: number }>,
  ) {
    const tab = back.tab ?? 'pending';
    try {
      const { done, count } = await work();
      const extra = [`done=${done}`, ...(count !== undefined ? [`count=${count}`] : [])];
      return reply.redirect(queueHref(tab, back.cursor, extra), 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return showQueue(request, reply, { tab, cursor: back.cursor, problem: error });
    }
  }

  for (const action of service.MODERATION_ACTIONS) {
    app.post(
      `/admin/moderation/comments/:commentId/${action}`,
      {
        schema: { ...pageSchema, params: CommentParams, body: ActionForm },
        preHandler: moderate,
      },
      async (request, reply) =>
        actAndReturn(request, reply, request.body, async () => {
          const changed = await service.moderateComments(ctx, {
            siteId: deps.siteId(),
            actor: actor(request),
            action,
            commentIds: [request.params.commentId],
            reason: request.body.reason,
          });
          return { done: action, count: changed.length };
        }),
    );
  }

  app.post(
    '/admin/moderation/bulk',
    { schema: { ...pageSchema, body: BulkForm }, preHandler: moderate },
    async (request, reply) => {
      const body: Static<typeof BulkForm> = request.body;
      return actAndReturn(request, reply, body, async () => {
        const changed = await service.moderateComments(ctx, {
          siteId: deps.siteId(),
          actor: actor(request),
          action: body.action,
          commentIds: body.ids ?? [],
          reason: body.reason,
        });
        return { done: body.action, count: changed.length };
      });
    },
  );

  app.post(
    '/admin/moderation/comments/:commentId/ban',
    {
      schema: { ...pageSchema, params: CommentParams, body: BanForm },
      preHandler: moderate,
    },
    async (request, reply) =>
      actAndReturn(request, reply, request.body, async () => {
        const days = BAN_DAYS[request.body.duration];
        await service.banAuthor(ctx, {
          siteId: deps.siteId(),
          actor: actor(request),
          commentId: request.params.commentId,
          reason: request.body.reason,
          durationHours: days === undefined ? undefined : days * 24,
        });
        return { done: 'ban' };
      }),
  );

  app.post(
    '/admin/moderation/threads/:threadId/close',
    {
      schema: { ...pageSchema, params: ThreadParams, body: Type.Object(BackFields) },
      preHandler: moderate,
    },
    async (request, reply) =>
      actAndReturn(request, reply, request.body, async () => {
        await service.setThreadStatus(ctx, {
          siteId: deps.siteId(),
          actor: actor(request),
          threadId: request.params.threadId,
          status: 'closed',
        });
        return { done: 'close' };
      }),
  );

  registerRecordPages(app, deps);
  registerReportPages(app, deps);
}
