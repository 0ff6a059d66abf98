/**
 * The moderation queue: tabs Pending, Reported, Rejected, Spam and All with their counts, and
 * each item with what a moderator needs to decide at a glance — the comment and why it is
 * there, its thread and place in it, the comment it answers, the author's record and the reports.
 */
import type { ModerationContext } from './context.js';
import type { VerdictReason } from './model.js';
import { decodeCursor, pageOf } from './paging.js';
import type {
  AuthorKey,
  HistoryCounts,
  ModeratedStatus,
  ParentSummary,
  QueueCounts,
  QueueTab,
  ReviewedComment,
  ThreadSummary,
} from './queue-store.js';
import { countQueue, findParents, findThreads, historiesBy, listQueue } from './queue-store.js';
import type { ReportSummary } from './store.js';
import { summariseOpenReports } from './store.js';

export type { QueueCounts, QueueTab } from './queue-store.js';
export { QUEUE_TABS } from './queue-store.js';

export const QUEUE_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;
const EXCERPT_LENGTH = 160;

export interface QueueItem {
  id: string;
  status: ModeratedStatus;
  /** Waits for a moderator although its status may be public (flagged on import, say). */
  flagged: boolean;
  origin: ReviewedComment['origin'];
  body: string;
  html: string;
  /** Why it is here, with what matched (for highlighting in `body`). */
  reasons: VerdictReason[];
  createdAt: Date;
  editedAt: Date | undefined;
  author: {
    name: string;
    email: string | undefined;
    url: string | undefined;
    accountId: string | undefined;
    /** Whether the author's network address (as a keyed hash) is known, so it can be banned. */
    hasAddress: boolean;
  };
  thread: {
    id: string;
    title: string;
    status: 'open' | 'closed';
    /** Where the thread is read, or undefined (e.g. a statement not published yet). */
    pageUrl: string | undefined;
    /** The comment on that page (`…#comment-<id>`), when it is public there. */
    permalink: string | undefined;
  };
  /** The comment it answers, for context. */
  parent: { id: string; authorName: string; excerpt: string; removed: boolean } | undefined;
  /** The author's other comments on this site, by account, else e-mail, else address. */
  history: (HistoryCounts & { by: AuthorKey }) | undefined;
  reports: ReportSummary;
}

export interface QueuePage {
  tab: QueueTab;
  counts: QueueCounts;
  items: QueueItem[];
  /** Pass as `cursor` for the next page; undefined on the last. */
  nextCursor: string | undefined;
}

/**
 * One page of a tab with the counts of every tab. Pending and Reported list what waited longest
 * first, the other tabs what is newest. A cursor from another tab is refused (400).
 */
export async function getQueue(
  ctx: Pick<ModerationContext, 'db' | 'threadPage'>,
  input: {
    siteId: string;
    tab: QueueTab;
    cursor?: string | undefined;
    limit?: number | undefined;
  },
): Promise<QueuePage> {
  const limit = Math.min(Math.max(input.limit ?? QUEUE_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  const list = `queue-${input.tab}`;
  const after = input.cursor ? decodeCursor(list, input.cursor) : undefined;
  const counts = await countQueue(ctx.db, input.siteId);
  const rows = await listQueue(ctx.db, {
    siteId: input.siteId,
    tab: input.tab,
    after,
    limit: limit + 1,
  });
  const page = pageOf(rows, limit, list, (c) => ({ at: c.createdAt.toISOString(), id: c.id }));
  return {
    tab: input.tab,
    counts,
    items: await describeItems(ctx, input.siteId, page.items),
    nextCursor: page.nextCursor,
  };
}

/** Gathers the context of a page of comments: a handful of batched reads, not one per item. */
export async function describeItems(
  ctx: Pick<ModerationContext, 'db' | 'threadPage'>,
  siteId: string,
  comments: readonly ReviewedComment[],
): Promise<QueueItem[]> {
  if (comments.length === 0) return [];
  const ids = comments.map((c) => c.id);
  const threads = await findThreads(
    ctx.db,
    comments.map((c) => c.threadId),
  );
  const parents = await findParents(
    ctx.db,
    comments.flatMap((c) => (c.parentId ? [c.parentId] : [])),
  );
  const reports = await summariseOpenReports(ctx.db, ids);
  const histories = await gatherHistories(ctx, siteId, comments);
  const pages = new Map<string, string | undefined>();
  for (const thread of threads.values()) pages.set(thread.id, await ctx.threadPage(thread));

  return comments.map((comment) => {
    const thread = threads.get(comment.threadId) as ThreadSummary; // a comment has its thread
    const pageUrl = pages.get(thread.id);
    const parent = comment.parentId ? parents.get(comment.parentId) : undefined;
    return {
      id: comment.id,
      status: comment.status,
      flagged: comment.flagged,
      origin: comment.origin,
      body: comment.body,
      html: comment.html,
      reasons: comment.reasons,
      createdAt: comment.createdAt,
      editedAt: comment.editedAt,
      author: {
        name: comment.authorName,
        email: comment.authorEmail,
        url: comment.authorUrl,
        accountId: comment.authorAccountId,
        hasAddress: comment.ipHash !== undefined,
      },
      thread: {
        id: thread.id,
        title: thread.title,
        status: thread.status,
        pageUrl,
        permalink:
          pageUrl !== undefined && comment.status === 'approved'
            ? `${pageUrl}#comment-${comment.id}`
            : undefined,
      },
      parent: parent && parentSummary(parent),
      history: historyOf(comment, histories),
      reports: reports.get(comment.id) ?? { open: 0, byReason: {}, notes: [] },
    };
  });
}

function parentSummary(parent: ParentSummary): NonNullable<QueueItem['parent']> {
  const removed = parent.status === 'deleted';
  return {
    id: parent.id,
    authorName: removed ? '' : parent.authorName,
    excerpt: removed ? '' : excerpt(parent.body),
    removed,
  };
}

/** The start of a text on one line, cut at a word where it can be. */
export function excerpt(text: string, length = EXCERPT_LENGTH): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= length) return line;
  const cut = line.slice(0, length);
  const space = cut.lastIndexOf(' ');
  return `${(space > length * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

type Histories = Record<AuthorKey, Map<string, HistoryCounts>>;

function authorKeyOf(comment: ReviewedComment): [AuthorKey, string] | undefined {
  if (comment.authorAccountId) return ['account', comment.authorAccountId];
  if (comment.authorEmail) return ['email', comment.authorEmail];
  if (comment.ipHash) return ['address', comment.ipHash];
  return undefined;
}

async function gatherHistories(
  ctx: Pick<ModerationContext, 'db'>,
  siteId: string,
  comments: readonly ReviewedComment[],
): Promise<Histories> {
  const wanted: Record<AuthorKey, string[]> = { account: [], email: [], address: [] };
  for (const comment of comments) {
    const key = authorKeyOf(comment);
    if (key) wanted[key[0]].push(key[1]);
  }
  return {
    account: await historiesBy(ctx.db, siteId, 'account', wanted.account),
    email: await historiesBy(ctx.db, siteId, 'email', wanted.email),
    address: await historiesBy(ctx.db, siteId, 'address', wanted.address),
  };
}

/** The author's record without the comment itself. */
function historyOf(comment: ReviewedComment, histories: Histories): QueueItem['history'] {
  const key = authorKeyOf(comment);
  if (!key) return undefined;
  const counts = histories[key[0]].get(key[1]) ?? { approved: 0, rejected: 0 };
  return {
    by: key[0],
    approved: counts.approved - (comment.status === 'approved' ? 1 : 0),
    rejected:
      counts.rejected - (comment.status === 'rejected' || comment.status === 'spam' ? 1 : 0),
  };
}
