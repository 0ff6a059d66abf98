/** The SQL of discussions. Rows are mapped to domain types here and nowhere else. */
import type { Generated, Kysely, Selectable } from 'kysely';
import type { VerdictReason } from '../moderation/model.js';
import type { CommentKind, CommentOrigin, CommentStatus } from './model.js';

export interface ThreadsTable {
  id: string;
  site_id: string;
  statement_id: string | null;
  url: string | null;
  title: string;
  author_account_id: string | null;
  author_name: string | null;
  status: string;
  version: number;
  top_level_count: number;
  comment_count: number;
  created_at: string;
  updated_at: string;
}

export interface CommentsTable {
  id: string;
  thread_id: string;
  parent_id: string | null;
  path: string;
  depth: number;
  number: number | null;
  reply_count: number;
  author_account_id: string | null;
  author_name: string;
  author_email: string | null;
  author_url: string | null;
  is_statement_author: number;
  body: string;
  html: string;
  status: string;
  reasons: string;
  origin: string;
  external_id: string | null;
  ip_hash: string | null;
  edit_token_hash: string | null;
  created_at: string;
  edited_at: string | null;
  kind: Generated<string>; // 'comment' unless given (imports)
  /** 1 while a moderator should look at it whatever its status (flagged on import). */
  flagged: number;
}

export interface CommentEditsTable {
  id: string;
  comment_id: string;
  body: string;
  html: string;
  replaced_at: string;
}

export interface DiscussionTables {
  threads: ThreadsTable;
  comments: CommentsTable;
  comment_edits: CommentEditsTable;
}

export type DiscussionDb = Kysely<DiscussionTables>;

export interface Thread {
  id: string;
  siteId: string;
  statementId: string | undefined;
  url: string | undefined;
  title: string;
  authorAccountId: string | undefined;
  authorName: string | undefined;
  status: 'open' | 'closed';
  version: number;
  topLevelCount: number;
  commentCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Why moderation held (or flagged) a comment: moderation's reasons, as stored. */
export type Reason = VerdictReason;

export interface Comment {
  id: string;
  threadId: string;
  parentId: string | undefined;
  path: string;
  depth: number;
  number: number | undefined;
  replyCount: number;
  authorAccountId: string | undefined;
  authorName: string;
  authorEmail: string | undefined;
  authorUrl: string | undefined;
  isStatementAuthor: boolean;
  body: string;
  html: string;
  status: CommentStatus;
  reasons: Reason[];
  /** Waits for a moderator although its status says otherwise (flagged on import). */
  flagged: boolean;
  origin: CommentOrigin;
  externalId: string | undefined;
  editTokenHash: string | undefined;
  createdAt: Date;
  editedAt: Date | undefined;
  /** As read from the database; undefined (an ordinary comment) on one not yet stored. */
  kind?: CommentKind;
}

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

function toThread(row: Selectable<ThreadsTable>): Thread {
  return {
    id: row.id,
    siteId: row.site_id,
    statementId: orUndefined(row.statement_id),
    url: orUndefined(row.url),
    title: row.title,
    authorAccountId: orUndefined(row.author_account_id),
    authorName: orUndefined(row.author_name),
    status: row.status === 'closed' ? 'closed' : 'open',
    version: Number(row.version),
    topLevelCount: Number(row.top_level_count),
    commentCount: Number(row.comment_count),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function toComment(row: Pick<Selectable<CommentsTable>, CommentColumn>): Comment {
  return {
    id: row.id,
    threadId: row.thread_id,
    parentId: orUndefined(row.parent_id),
    path: row.path,
    depth: Number(row.depth),
    number: row.number === null ? undefined : Number(row.number),
    replyCount: Number(row.reply_count),
    authorAccountId: orUndefined(row.author_account_id),
    authorName: row.author_name,
    authorEmail: orUndefined(row.author_email),
    authorUrl: orUndefined(row.author_url),
    isStatementAuthor: Number(row.is_statement_author) === 1,
    body: row.body,
    html: row.html,
    status: row.status as CommentStatus,
    reasons: JSON.parse(row.reasons) as Reason[],
    flagged: Number(row.flagged) === 1,
    origin: row.origin as CommentOrigin,
    externalId: orUndefined(row.external_id),
    editTokenHash: orUndefined(row.edit_token_hash),
    createdAt: new Date(row.created_at),
    editedAt: row.edited_at === null ? undefined : new Date(row.edited_at),
    kind: row.kind as CommentKind,
  };
}

const threadColumns = [
  'id',
  'site_id',
  'statement_id',
  'url',
  'title',
  'author_account_id',
  'author_name',
  'status',
  'version',
  'top_level_count',
  'comment_count',
  'created_at',
  'updated_at',
] as const;

/** Every column a `Comment` is read from; not the poster's address hash, which is only written. */
export const commentColumns = [
  'id',
  'thread_id',
  'parent_id',
  'path',
  'depth',
  'number',
  'reply_count',
  'author_account_id',
  'author_name',
  'author_email',
  'author_url',
  'is_statement_author',
  'body',
  'html',
  'status',
  'reasons',
  'flagged',
  'origin',
  'external_id',
  'edit_token_hash',
  'created_at',
  'edited_at',
  'kind',
] as const;
type CommentColumn = (typeof commentColumns)[number];

// --- threads -------------------------------------------------------------------------------

export async function insertThread(db: DiscussionDb, thread: Thread): Promise<void> {
  await db
    .insertInto('threads')
    .values({
      id: thread.id,
      site_id: thread.siteId,
      statement_id: thread.statementId ?? null,
      url: thread.url ?? null,
      title: thread.title,
      author_account_id: thread.authorAccountId ?? null,
      author_name: thread.authorName ?? null,
      status: thread.status,
      version: thread.version,
      top_level_count: thread.topLevelCount,
      comment_count: thread.commentCount,
      created_at: thread.createdAt.toISOString(),
      updated_at: thread.updatedAt.toISOString(),
    })
    .execute();
}

export async function findThread(db: DiscussionDb, id: string): Promise<Thread | undefined> {
  const row = await db
    .selectFrom('threads')
    .select(threadColumns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toThread(row);
}

export async function findThreadByStatement(
  db: DiscussionDb,
  statementId: string,
): Promise<Thread | undefined> {
  const row = await db
    .selectFrom('threads')
    .select(threadColumns)
    .where('statement_id', '=', statementId)
    .executeTakeFirst();
  return row && toThread(row);
}

export async function findThreadByUrl(
  db: DiscussionDb,
  siteId: string,
  url: string,
): Promise<Thread | undefined> {
  const row = await db
    .selectFrom('threads')
    .select(threadColumns)
    .where('site_id', '=', siteId)
    .where('url', '=', url)
    .executeTakeFirst();
  return row && toThread(row);
}

/**
 * Takes the next top-level number atomically (a row lock on PostgreSQL, the write lock on SQLite)
 * and records the change as `bumpThread` does, in the same one UPDATE.
 */
export async function takeTopLevelOrdinal(
  db: DiscussionDb,
  threadId: string,
  change: { publicDelta: number; now: Date },
): Promise<{ ordinal: number; version: number }> {
  const row = await db
    .updateTable('threads')
    .set((eb) => ({
      top_level_count: eb('top_level_count', '+', 1),
      version: eb('version', '+', 1),
      comment_count: eb('comment_count', '+', change.publicDelta),
      updated_at: change.now.toISOString(),
    }))
    .where('id', '=', threadId)
    .returning(['top_level_count', 'version'])
    .executeTakeFirstOrThrow();
  return { ordinal: Number(row.top_level_count), version: Number(row.version) };
}

/**
 * Gives a top-level comment the number it had where it came from (imports; gaps allowed): raises
 * the thread's last number to `number`. False, changing nothing, unless `number` is above every
 * number the thread has given.
 */
export async function takeTopLevelNumber(
  db: DiscussionDb,
  threadId: string,
  number: number,
): Promise<boolean> {
  const row = await db
    .updateTable('threads')
    .set({ top_level_count: number })
    .where('id', '=', threadId)
    .where('top_level_count', '<', number)
    .returning('top_level_count')
    .executeTakeFirst();
  return row !== undefined;
}

/** Records a change: bumps the version (caches and live listeners key on it) and the public count. */
export async function bumpThread(
  db: DiscussionDb,
  threadId: string,
  publicDelta: number,
  now: Date,
): Promise<number> {
  const row = await db
    .updateTable('threads')
    .set((eb) => ({
      version: eb('version', '+', 1),
      comment_count: eb('comment_count', '+', publicDelta),
      updated_at: now.toISOString(),
    }))
    .where('id', '=', threadId)
    .returning('version')
    .executeTakeFirstOrThrow();
  return Number(row.version);
}

export async function setThreadStatus(
  db: DiscussionDb,
  threadId: string,
  status: 'open' | 'closed',
): Promise<void> {
  await db.updateTable('threads').set({ status }).where('id', '=', threadId).execute();
}

// --- comments ------------------------------------------------------------------------------

/** Takes the next sibling ordinal under `commentId` atomically. */
export async function takeReplyOrdinal(db: DiscussionDb, commentId: string): Promise<number> {
  const row = await db
    .updateTable('comments')
    .set((eb) => ({ reply_count: eb('reply_count', '+', 1) }))
    .where('id', '=', commentId)
    .returning('reply_count')
    .executeTakeFirstOrThrow();
  return Number(row.reply_count);
}

export async function insertComment(
  db: DiscussionDb,
  comment: Comment,
  ipHash: string | undefined,
): Promise<void> {
  await db
    .insertInto('comments')
    .values({
      id: comment.id,
      thread_id: comment.threadId,
      parent_id: comment.parentId ?? null,
      path: comment.path,
      depth: comment.depth,
      number: comment.number ?? null,
      reply_count: comment.replyCount,
      author_account_id: comment.authorAccountId ?? null,
      author_name: comment.authorName,
      author_email: comment.authorEmail ?? null,
      author_url: comment.authorUrl ?? null,
      is_statement_author: comment.isStatementAuthor ? 1 : 0,
      body: comment.body,
      html: comment.html,
      status: comment.status,
      reasons: JSON.stringify(comment.reasons),
      flagged: comment.flagged ? 1 : 0,
      origin: comment.origin,
      external_id: comment.externalId ?? null,
      ip_hash: ipHash ?? null,
      edit_token_hash: comment.editTokenHash ?? null,
      created_at: comment.createdAt.toISOString(),
      edited_at: comment.editedAt?.toISOString() ?? null,
    })
    .execute();
}

export async function findComment(db: DiscussionDb, id: string): Promise<Comment | undefined> {
  const row = await db
    .selectFrom('comments')
    .select(commentColumns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toComment(row);
}

/** The comments of a thread that came from elsewhere: external id → comment id. */
export async function listExternalIds(
  db: DiscussionDb,
  threadId: string,
): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('comments')
    .select(['id', 'external_id'])
    .where('thread_id', '=', threadId)
    .where('external_id', 'is not', null)
    .execute();
  return new Map(rows.map((row) => [row.external_id ?? '', row.id]));
}

export async function findCommentsByPaths(
  db: DiscussionDb,
  threadId: string,
  paths: string[],
): Promise<Comment[]> {
  if (paths.length === 0) return [];
  const rows = await db
    .selectFrom('comments')
    .select(commentColumns)
    .where('thread_id', '=', threadId)
    .where('path', 'in', paths)
    .orderBy('path')
    .execute();
  return rows.map(toComment);
}

export interface CommentRange {
  /** Only comments whose path is at least this (inclusive). */
  fromPath?: string;
  /** Only comments whose path is below this (exclusive). */
  beforePath?: string;
  statuses: readonly CommentStatus[];
  limit: number;
}

/** A slice of a thread in display order: one indexed range scan over (thread_id, path). */
export async function listComments(
  db: DiscussionDb,
  threadId: string,
  range: CommentRange,
): Promise<Comment[]> {
  let query = db
    .selectFrom('comments')
    .select(commentColumns)
    .where('thread_id', '=', threadId)
    .where('status', 'in', [...range.statuses]);
  if (range.fromPath !== undefined) query = query.where('path', '>=', range.fromPath);
  if (range.beforePath !== undefined) query = query.where('path', '<', range.beforePath);
  const rows = await query.orderBy('path').limit(range.limit).execute();
  return rows.map(toComment);
}

/** The newest comments of a thread, newest first (feeds): by time of posting, not by tree. */
export async function listRecentComments(
  db: DiscussionDb,
  threadId: string,
  range: { statuses: readonly CommentStatus[]; limit: number },
): Promise<Comment[]> {
  const rows = await db
    .selectFrom('comments')
    .select(commentColumns)
    .where('thread_id', '=', threadId)
    .where('status', 'in', [...range.statuses])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(range.limit)
    .execute();
  return rows.map(toComment);
}

/** Replaces a comment's text, with the status and reasons moderation gave the new text. */
export async function updateCommentBody(
  db: DiscussionDb,
  comment: {
    id: string;
    body: string;
    html: string;
    status: CommentStatus;
    reasons: Reason[];
    editedAt: Date;
  },
): Promise<void> {
  await db
    .updateTable('comments')
    .set({
      body: comment.body,
      html: comment.html,
      status: comment.status,
      reasons: JSON.stringify(comment.reasons),
      edited_at: comment.editedAt.toISOString(),
    })
    .where('id', '=', comment.id)
    .execute();
}

export async function insertCommentEdit(
  db: DiscussionDb,
  edit: { id: string; commentId: string; body: string; html: string; replacedAt: Date },
): Promise<void> {
  await db
    .insertInto('comment_edits')
    .values({
      id: edit.id,
      comment_id: edit.commentId,
      body: edit.body,
      html: edit.html,
      replaced_at: edit.replacedAt.toISOString(),
    })
    .execute();
}

/**
 * Removal keeps the node (and so its replies' places) but not its words, its author's data or its
 * earlier versions; `status` is the one it is left with (model.ts, `statusAfterRemoval`).
 */
export async function markCommentDeleted(
  db: DiscussionDb,
  id: string,
  status: CommentStatus,
  now: Date,
): Promise<void> {
  await db
    .updateTable('comments')
    .set({
      status,
      body: '',
      html: '',
      author_email: null,
      author_url: null,
      edit_token_hash: null,
      edited_at: now.toISOString(),
    })
    .where('id', '=', id)
    .execute();
  await db.deleteFrom('comment_edits').where('comment_id', '=', id).execute();
}

/** A moderator's decision: the comment's status, whether it still waits, and (maybe) its reasons. */
export async function updateCommentStatus(
  db: DiscussionDb,
  change: { id: string; status: CommentStatus; flagged: boolean; reasons?: Reason[] },
): Promise<void> {
  await db
    .updateTable('comments')
    .set({
      status: change.status,
      flagged: change.flagged ? 1 : 0,
      ...(change.reasons ? { reasons: JSON.stringify(change.reasons) } : {}),
    })
    .where('id', '=', change.id)
    .execute();
}

// --- author history ------------------------------------------------------------------------

/** Who wrote a comment, as the history look-ups see it: account, else e-mail, else address. */
export type AuthorKey =
  | { column: 'author_account_id'; value: string }
  | { column: 'author_email'; value: string }
  | { column: 'ip_hash'; value: string };

/** The most earlier comments counted; moderation only needs "none", "some" and "many". */
const HISTORY_COUNT_CAP = 100;

/**
 * What moderation's rules ask of an author's past, in three small indexed reads: earlier approved
 * and rejected comments (counted up to a cap), whether this body was posted before, and how many
 * comments came in the last minute from the author and from the address.
 */
export async function readAuthorHistory(
  db: DiscussionDb,
  input: { author: AuthorKey | undefined; ipHash: string | undefined; body: string; since: Date },
): Promise<{
  approved: number;
  rejected: number;
  sameBodyBefore: boolean;
  lastMinuteByAuthor: number;
  lastMinuteByAddress: number;
}> {
  const since = input.since.toISOString();
  const countCapped = async (
    key: AuthorKey,
    where: (query: ReturnType<typeof fromAuthor>) => ReturnType<typeof fromAuthor>,
  ): Promise<number> => {
    const rows = await where(fromAuthor(db, key)).select('id').limit(HISTORY_COUNT_CAP).execute();
    return rows.length;
  };
  const author = input.author;
  if (!author) {
    const byAddress = input.ipHash
      ? await countCapped({ column: 'ip_hash', value: input.ipHash }, (q) =>
          q.where('created_at', '>', since),
        )
      : 0;
    return {
      approved: 0,
      rejected: 0,
      sameBodyBefore: false,
      lastMinuteByAuthor: 0,
      lastMinuteByAddress: byAddress,
    };
  }
  // An address is not a person: what was approved from it says nothing of who writes now.
  const known = author.column !== 'ip_hash';
  const [approved, rejected, sameBody, lastMinuteByAuthor, lastMinuteByAddress] = await Promise.all(
    [
      known ? countCapped(author, (q) => q.where('status', '=', 'approved')) : 0,
      known ? countCapped(author, (q) => q.where('status', 'in', ['rejected', 'spam'])) : 0,
      fromAuthor(db, author).where('body', '=', input.body).select('id').limit(1).execute(),
      countCapped(author, (q) => q.where('created_at', '>', since)),
      input.ipHash
        ? countCapped({ column: 'ip_hash', value: input.ipHash }, (q) =>
            q.where('created_at', '>', since),
          )
        : Promise.resolve(0),
    ],
  );
  return {
    approved,
    rejected,
    sameBodyBefore: sameBody.length > 0,
    lastMinuteByAuthor,
    lastMinuteByAddress,
  };
}

function fromAuthor(db: DiscussionDb, key: AuthorKey) {
  return db.selectFrom('comments').where(key.column, '=', key.value);
}
