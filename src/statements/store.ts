/** The SQL of statements. Rows are mapped to domain types here and nowhere else. */
import type { Kysely, Selectable } from 'kysely';
import type { ListCursor } from './model.js';

export interface StatementsTable {
  id: string;
  site_id: string;
  slug: string;
  title: string;
  subtitle: string | null;
  body: string;
  html: string;
  author_account_id: string | null;
  author_name: string;
  clearance_note: string | null;
  published_at: string | null;
  created_at: string;
}

export interface StatementsTables {
  statements: StatementsTable;
}

export type StatementsDb = Kysely<StatementsTables>;

export interface Statement {
  id: string;
  siteId: string;
  slug: string;
  title: string;
  subtitle: string | undefined;
  /** Markdown. */
  body: string;
  /** Rendered once, when the statement was written. */
  html: string;
  authorAccountId: string | undefined;
  authorName: string;
  /** How the statement was cleared, in words: "Personal statement, not cleared". */
  clearanceNote: string | undefined;
  publishedAt: Date | undefined;
  createdAt: Date;
}

/** What lists of published statements show: no body. */
export interface StatementSummary {
  id: string;
  slug: string;
  title: string;
  subtitle: string | undefined;
  authorName: string;
  publishedAt: Date;
}

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

const statementColumns = [
  'id',
  'site_id',
  'slug',
  'title',
  'subtitle',
  'body',
  'html',
  'author_account_id',
  'author_name',
  'clearance_note',
  'published_at',
  'created_at',
] as const;

function toStatement(row: Selectable<StatementsTable>): Statement {
  return {
    id: row.id,
    siteId: row.site_id,
    slug: row.slug,
    title: row.title,
    subtitle: orUndefined(row.subtitle),
    body: row.body,
    html: row.html,
    authorAccountId: orUndefined(row.author_account_id),
    authorName: row.author_name,
    clearanceNote: orUndefined(row.clearance_note),
    publishedAt: row.published_at === null ? undefined : new Date(row.published_at),
    createdAt: new Date(row.created_at),
  };
}

export async function insertStatement(db: StatementsDb, statement: Statement): Promise<void> {
  await db
    .insertInto('statements')
    .values({
      id: statement.id,
      site_id: statement.siteId,
      slug: statement.slug,
      title: statement.title,
      subtitle: statement.subtitle ?? null,
      body: statement.body,
      html: statement.html,
      author_account_id: statement.authorAccountId ?? null,
      author_name: statement.authorName,
      clearance_note: statement.clearanceNote ?? null,
      published_at: statement.publishedAt?.toISOString() ?? null,
      created_at: statement.createdAt.toISOString(),
    })
    .execute();
}

export async function findStatementBySlug(
  db: StatementsDb,
  siteId: string,
  slug: string,
): Promise<Statement | undefined> {
  const row = await db
    .selectFrom('statements')
    .select(statementColumns)
    .where('site_id', '=', siteId)
    .where('slug', '=', slug)
    .executeTakeFirst();
  return row && toStatement(row);
}

export async function findStatement(db: StatementsDb, id: string): Promise<Statement | undefined> {
  const row = await db
    .selectFrom('statements')
    .select(statementColumns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toStatement(row);
}

export async function hasStatements(db: StatementsDb, siteId: string): Promise<boolean> {
  const row = await db
    .selectFrom('statements')
    .select('id')
    .where('site_id', '=', siteId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The slugs of a site that are `base` or `base-…`: what a new slug made from `base` must avoid. */
export async function slugsLike(db: StatementsDb, siteId: string, base: string): Promise<string[]> {
  // Slugs hold only [a-z0-9-], so `base` has no LIKE wildcards to escape.
  const rows = await db
    .selectFrom('statements')
    .select('slug')
    .where('site_id', '=', siteId)
    .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
    .execute();
  return rows.map((row) => row.slug);
}

/**
 * Published statements of a site, newest first (ties by id), after `before` when given: one range
 * scan of the (site_id, published_at) index.
 */
export async function listPublishedStatements(
  db: StatementsDb,
  siteId: string,
  options: { now: Date; limit: number; before?: ListCursor },
): Promise<StatementSummary[]> {
  let query = db
    .selectFrom('statements')
    .select(['id', 'slug', 'title', 'subtitle', 'author_name', 'published_at'])
    .where('site_id', '=', siteId)
    .where('published_at', '<=', options.now.toISOString()); // also excludes null
  const before = options.before;
  if (before) {
    const at = before.publishedAt.toISOString();
    query = query.where((eb) =>
      eb.or([
        eb('published_at', '<', at),
        eb.and([eb('published_at', '=', at), eb('id', '<', before.id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    slug: row.slug,
    title: row.title,
    subtitle: orUndefined(row.subtitle),
    authorName: row.author_name,
    publishedAt: new Date(row.published_at ?? 0),
  }));
}
