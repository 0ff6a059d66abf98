/**
 * Read-only SQL over discussion's `comments` and `threads`, for the moderation queue, reports
 * and bans. Moderation never writes these tables (it changes comments through the
 * `ModeratedComments` port) and never imports discussion: the columns it reads are declared here.
 */
import type { ExpressionBuilder, Selectable } from 'kysely';
import type { VerdictReason } from './model.js';
import type { Keyset, ModerationDb, ModerationTables } from './store.js';

/** The columns of `comments` moderation reads. */
export interface CommentsView {
  id: string;
  thread_id: string;
  parent_id: string | null;
  author_account_id: string | null;
  author_name: string;
  author_email: string | null;
  author_url: string | null;
  body: string;
  html: string;
  status: string;
  reasons: string;
  flagged: number;
  origin: string;
  ip_hash: string | null;
  created_at: string;
  edited_at: string | null;
}

/** The columns of `threads` moderation reads. */
export interface ThreadsView {
  id: string;
  site_id: string;
  statement_id: string | null;
  url: string | null;
  title: string;
  status: string;
}

export type ModeratedStatus = 'pending' | 'approved' | 'rejected' | 'spam' | 'deleted';

/** A comment as a moderator sees it (its address only as the keyed hash). */
export interface ReviewedComment {
  id: string;
  siteId: string;
  threadId: string;
  parentId: string | undefined;
  authorAccountId: string | undefined;
  authorName: string;
  authorEmail: string | undefined;
  authorUrl: string | undefined;
  body: string;
  html: string;
  status: ModeratedStatus;
  reasons: VerdictReason[];
  /** Waits for a moderator although its status may be public (flagged on import, say). */
  flagged: boolean;
  origin: 'local' | 'import' | 'federation';
  ipHash: string | undefined;
  createdAt: Date;
  editedAt: Date | undefined;
}

export interface ThreadSummary {
  id: string;
  siteId: string;
  statementId: string | undefined;
  url: string | undefined;
  title: string;
  status: 'open' | 'closed';
}

export const QUEUE_TABS = ['pending', 'reported', 'rejected', 'spam', 'all'] as const;
export type QueueTab = (typeof QUEUE_TABS)[number];

/** Pending and Reported show what waited longest first; the others what is newest. */
export function oldestFirst(tab: QueueTab): boolean {
  return tab === 'pending' || tab === 'reported';
}

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

const commentColumns = [
  'c.id',
  'c.thread_id',
  'c.parent_id',
  'c.author_account_id',
  'c.author_name',
  'c.author_email',
  'c.author_url',
  'c.body',
  'c.html',
  'c.status',
  'c.reasons',
  'c.flagged',
  'c.origin',
  'c.ip_hash',
  'c.created_at',
  'c.edited_at',
  't.site_id',
] as const;

function toReviewedComment(row: Selectable<CommentsView> & { site_id: string }): ReviewedComment {
  return {
    id: row.id,
    siteId: row.site_id,
    threadId: row.thread_id,
    parentId: orUndefined(row.parent_id),
    authorAccountId: orUndefined(row.author_account_id),
    authorName: row.author_name,
    authorEmail: orUndefined(row.author_email),
    authorUrl: orUndefined(row.author_url),
    body: row.body,
    html: row.html,
    status: row.status as ModeratedStatus,
    reasons: JSON.parse(row.reasons) as VerdictReason[],
    flagged: Number(row.flagged) === 1,
    origin: row.origin as ReviewedComment['origin'],
    ipHash: orUndefined(row.ip_hash),
    createdAt: new Date(row.created_at),
    editedAt: row.edited_at === null ? undefined : new Date(row.edited_at),
  };
}

function toThreadSummary(row: Selectable<ThreadsView>): ThreadSummary {
  return {
    id: row.id,
    siteId: row.site_id,
    statementId: orUndefined(row.statement_id),
    url: orUndefined(row.url),
    title: row.title,
    status: row.status === 'closed' ? 'closed' : 'open',
  };
}

/** The site's comments among `ids`, whatever their status; unknown ids are simply absent. */
export async function findComments(
  db: ModerationDb,
  siteId: string,
  ids: readonly string[],
): Promise<ReviewedComment[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('comments as c')
    .innerJoin('threads as t', 't.id', 'c.thread_id')
    .select(commentColumns)
    .where('t.site_id', '=', siteId)
    .where('c.id', 'in', [...ids])
    .execute();
  return rows.map(toReviewedComment);
}

export async function findComment(
  db: ModerationDb,
  siteId: string,
  id: string,
): Promise<ReviewedComment | undefined> {
  const [found] = await findComments(db, siteId, [id]);
  return found;
}

type QueueScope = ExpressionBuilder<ModerationTables & { c: CommentsView; t: ThreadsView }, 'c'>;

/** What puts a comment in a tab. Each waiting comment is in exactly one of Pending and Reported. */
function inTab(eb: QueueScope, tab: QueueTab) {
  switch (tab) {
    case 'pending':
      return eb.and([
        eb('c.status', '<>', 'deleted'),
        eb.or([eb('c.status', '=', 'pending'), eb('c.flagged', '=', 1)]),
      ]);
    case 'reported':
      return eb.and([
        eb('c.status', '=', 'approved'),
        eb('c.flagged', '=', 0),
        eb.exists(
          eb
            .selectFrom('reports as r')
            .select('r.id')
            .whereRef('r.comment_id', '=', 'c.id')
            .where('r.resolved_at', 'is', null),
        ),
      ]);
    case 'rejected':
      return eb('c.status', '=', 'rejected');
    case 'spam':
      return eb('c.status', '=', 'spam');
    case 'all':
      return eb('c.status', '<>', 'deleted');
  }
}

/** One page of a tab, in the tab's order, after the keyset `after` (created_at, id). */
export async function listQueue(
  db: ModerationDb,
  input: { siteId: string; tab: QueueTab; after?: Keyset; limit: number },
): Promise<ReviewedComment[]> {
  const ascending = oldestFirst(input.tab);
  const direction = ascending ? 'asc' : 'desc';
  const beyond = ascending ? '>' : '<';
  let query = db
    .selectFrom('comments as c')
    .innerJoin('threads as t', 't.id', 'c.thread_id')
    .select(commentColumns)
    .where('t.site_id', '=', input.siteId)
    .where((eb) => inTab(eb as QueueScope, input.tab));
  const after = input.after;
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('c.created_at', beyond, after.at),
        eb.and([eb('c.created_at', '=', after.at), eb('c.id', beyond, after.id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy('c.created_at', direction)
    .orderBy('c.id', direction)
    .limit(input.limit)
    .execute();
  return rows.map(toReviewedComment);
}

export type QueueCounts = Record<QueueTab, number>;

/**
 * How many comments each tab holds, in one statement: the site's comments counted by status and
 * flag, and the reported ones counted from the open reports.
 */
export async function countQueue(db: ModerationDb, siteId: string): Promise<QueueCounts> {
  const rows = await db
    .selectFrom('comments as c')
    .innerJoin('threads as t', 't.id', 'c.thread_id')
    .select((eb) => ['c.status as status', 'c.flagged as flagged', eb.fn.countAll().as('count')])
    .where('t.site_id', '=', siteId)
    .groupBy(['c.status', 'c.flagged'])
    .unionAll((eb) =>
      eb
        .selectFrom('reports as r')
        .innerJoin('comments as c', 'c.id', 'r.comment_id')
        .select((inner) => [
          inner.val('reported').as('status'),
          inner.val(0).as('flagged'),
          inner.fn.count('r.comment_id').distinct().as('count'),
        ])
        .where('r.site_id', '=', siteId)
        .where('r.resolved_at', 'is', null)
        .where('c.status', '=', 'approved')
        .where('c.flagged', '=', 0),
    )
    .execute();
  const counts: QueueCounts = { pending: 0, reported: 0, rejected: 0, spam: 0, all: 0 };
  for (const row of rows) {
    const count = Number(row.count);
    const status = String(row.status);
    if (status === 'reported') {
      counts.reported = count;
      continue;
    }
    if (status === 'deleted') continue;
    counts.all += count;
    if (status === 'pending' || Number(row.flagged) === 1) counts.pending += count;
    if (status === 'rejected') counts.rejected += count;
    if (status === 'spam') counts.spam += count;
  }
  return counts;
}

/**
 * When the longest-waiting item started waiting: the oldest comment in Pending, or the oldest
 * open report on a comment in Reported. `undefined` when the queue is empty.
 */
export async function oldestWaiting(db: ModerationDb, siteId: string): Promise<Date | undefined> {
  const pending = await db
    .selectFrom('comments as c')
    .innerJoin('threads as t', 't.id', 'c.thread_id')
    .select('c.created_at')
    .where('t.site_id', '=', siteId)
    .where((eb) => inTab(eb as QueueScope, 'pending'))
    .orderBy('c.created_at')
    .limit(1)
    .executeTakeFirst();
  const reported = await db
    .selectFrom('reports as r')
    .innerJoin('comments as c', 'c.id', 'r.comment_id')
    .select('r.created_at')
    .where('r.site_id', '=', siteId)
    .where('r.resolved_at', 'is', null)
    .where('c.status', '=', 'approved')
    .where('c.flagged', '=', 0)
    .orderBy('r.created_at')
    .limit(1)
    .executeTakeFirst();
  const times = [pending?.created_at, reported?.created_at].filter(
    (at): at is string => at !== undefined,
  );
  return times.length === 0 ? undefined : new Date(times.sort()[0] as string);
}

export async function findThreads(
  db: ModerationDb,
  ids: readonly string[],
): Promise<Map<string, ThreadSummary>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('threads')
    .select(['id', 'site_id', 'statement_id', 'url', 'title', 'status'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, toThreadSummary(row)]));
}

export async function findThread(
  db: ModerationDb,
  siteId: string,
  id: string,
): Promise<ThreadSummary | undefined> {
  const thread = (await findThreads(db, [id])).get(id);
  return thread?.siteId === siteId ? thread : undefined;
}

export interface ParentSummary {
  id: string;
  authorName: string;
  body: string;
  status: ModeratedStatus;
}

export async function findParents(
  db: ModerationDb,
  ids: readonly string[],
): Promise<Map<string, ParentSummary>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('comments')
    .select(['id', 'author_name', 'body', 'status'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        authorName: row.author_name,
        body: row.body,
        status: row.status as ModeratedStatus,
      },
    ]),
  );
}

/** Counts of an author's comments: approved, and rejected or marked spam. */
export interface HistoryCounts {
  approved: number;
  rejected: number;
}

export type AuthorKey = 'account' | 'email' | 'address';

const authorColumn = {
  account: 'c.author_account_id',
  email: 'c.author_email',
  address: 'c.ip_hash',
} as const;

/**
 * The site's approved and rejected (or spam) comments by each of `values`, an author's account
 * ids, e-mails or address hashes: one grouped read over that column's index.
 */
export async function historiesBy(
  db: ModerationDb,
  siteId: string,
  key: AuthorKey,
  values: readonly string[],
): Promise<Map<string, HistoryCounts>> {
  const histories = new Map<string, HistoryCounts>();
  if (values.length === 0) return histories;
  const column = authorColumn[key];
  const rows = await db
    .selectFrom('comments as c')
    .innerJoin('threads as t', 't.id', 'c.thread_id')
    .select((eb) => [`${column} as author`, 'c.status as status', eb.fn.countAll().as('count')])
    .where('t.site_id', '=', siteId)
    .where(column, 'in', [...new Set(values)])
    .where('c.status', 'in', ['approved', 'rejected', 'spam'])
    .groupBy([column, 'c.status'])
    .execute();
  for (const row of rows) {
    if (row.author === null) continue;
    const counts = histories.get(row.author) ?? { approved: 0, rejected: 0 };
    if (row.status === 'approved') counts.approved += Number(row.count);
    else counts.rejected += Number(row.count);
    histories.set(row.author, counts);
  }
  return histories;
}
