/** The SQL of the WXR export: published statements, their threads and comments, page by page. */
import type { Kysely } from 'kysely';
import type { AccountsTables } from '../accounts/store.js';
import type { CommentStatus } from '../discussion/model.js';
import type { DiscussionTables } from '../discussion/store.js';
import type { StatementsTables } from '../statements/store.js';

export type WxrDb = Kysely<AccountsTables & StatementsTables & DiscussionTables>;

export interface StatementAuthorRow {
  accountId: string | undefined;
  name: string;
  email: string | undefined;
}

/** Everyone who wrote a statement of the site (drafts too: they are exported as drafts), once each. */
export async function listStatementAuthors(
  db: WxrDb,
  siteId: string,
): Promise<StatementAuthorRow[]> {
  const rows = await db
    .selectFrom('statements')
    .leftJoin('accounts', 'accounts.id', 'statements.author_account_id')
    .select(['statements.author_account_id', 'statements.author_name', 'accounts.email'])
    .where('statements.site_id', '=', siteId)
    .groupBy(['statements.author_account_id', 'statements.author_name', 'accounts.email'])
    .orderBy('statements.author_name')
    .orderBy('statements.author_account_id')
    .execute();
  return rows.map((row) => ({
    accountId: row.author_account_id ?? undefined,
    name: row.author_name,
    email: row.email ?? undefined,
  }));
}

export interface StatementRow {
  id: string;
  slug: string;
  title: string;
  subtitle: string | undefined;
  html: string;
  authorAccountId: string | undefined;
  authorName: string;
  clearanceNote: string | undefined;
  /** draft, in-review, cleared, published, withdrawn (see src/statements/lifecycle.ts). */
  status: string;
  /** Undefined until it is first published. */
  publishedAt: Date | undefined;
  createdAt: Date;
  threadId: string | undefined;
  threadStatus: string | undefined;
}

/**
 * The next statements after `afterId`, by id, with their threads. The text is the statements
 * row's: the published revision's once published (a correction waiting keeps it), the current
 * revision's before (see src/statements/store.ts).
 */
export async function listStatements(
  db: WxrDb,
  input: { siteId: string; afterId: string | undefined; limit: number },
): Promise<StatementRow[]> {
  let query = db
    .selectFrom('statements')
    .leftJoin('threads', 'threads.statement_id', 'statements.id')
    .select([
      'statements.id',
      'statements.slug',
      'statements.title',
      'statements.subtitle',
      'statements.html',
      'statements.author_account_id',
      'statements.author_name',
      'statements.clearance_note',
      'statements.status',
      'statements.published_at',
      'statements.created_at',
      'threads.id as thread_id',
      'threads.status as thread_status',
    ])
    .where('statements.site_id', '=', input.siteId);
  if (input.afterId !== undefined) query = query.where('statements.id', '>', input.afterId);
  const rows = await query.orderBy('statements.id').limit(input.limit).execute();
  return rows.map((row) => ({
    id: row.id,
    slug: row.slug,
    title: row.title,
    subtitle: row.subtitle ?? undefined,
    html: row.html,
    authorAccountId: row.author_account_id ?? undefined,
    authorName: row.author_name,
    clearanceNote: row.clearance_note ?? undefined,
    status: row.status,
    publishedAt: row.published_at === null ? undefined : new Date(row.published_at),
    createdAt: new Date(row.created_at),
    threadId: row.thread_id ?? undefined,
    threadStatus: row.thread_status ?? undefined,
  }));
}

export interface WxrCommentRow {
  id: string;
  parentId: string | undefined;
  path: string;
  authorName: string;
  authorEmail: string | undefined;
  authorUrl: string | undefined;
  html: string;
  status: CommentStatus;
  createdAt: Date;
  /** `comment`, `pingback` or `trackback`: WordPress's comment types. */
  kind: string;
}

/** The next comments of a thread after `afterPath`, in tree order (parents first). */
export async function listThreadComments(
  db: WxrDb,
  input: { threadId: string; afterPath: string | undefined; limit: number },
): Promise<WxrCommentRow[]> {
  let query = db
    .selectFrom('comments')
    .select([
      'id',
      'parent_id',
      'path',
      'author_name',
      'author_email',
      'author_url',
      'html',
      'status',
      'created_at',
      'kind',
    ])
    .where('thread_id', '=', input.threadId);
  if (input.afterPath !== undefined) query = query.where('path', '>', input.afterPath);
  const rows = await query.orderBy('path').limit(input.limit).execute();
  return rows.map((row) => ({
    id: row.id,
    parentId: row.parent_id ?? undefined,
    path: row.path,
    authorName: row.author_name,
    authorEmail: row.author_email ?? undefined,
    authorUrl: row.author_url ?? undefined,
    html: row.html,
    status: row.status as CommentStatus,
    createdAt: new Date(row.created_at),
    kind: row.kind,
  }));
}

/** Discussions of other sites' pages (the embed), which have no post to go under. */
export async function countPageThreads(db: WxrDb, siteId: string): Promise<number> {
  const row = await db
    .selectFrom('threads')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('site_id', '=', siteId)
    .where('statement_id', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The statements of the site and the comments of their discussions: what the export writes. */
export async function countExported(
  db: WxrDb,
  siteId: string,
): Promise<{ posts: number; comments: number }> {
  const posts = await db
    .selectFrom('statements')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('site_id', '=', siteId)
    .executeTakeFirstOrThrow();
  const comments = await db
    .selectFrom('comments')
    .innerJoin('threads', 'threads.id', 'comments.thread_id')
    .innerJoin('statements', 'statements.id', 'threads.statement_id')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('statements.site_id', '=', siteId)
    .executeTakeFirstOrThrow();
  return { posts: Number(posts.n), comments: Number(comments.n) };
}
