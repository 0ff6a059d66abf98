/** Reading imported discussions back from the database, for comparing whole trees. */
import type { Kysely } from 'kysely';

export interface TreeRow {
  external_id: string;
  parent: string | null;
  path: string;
  depth: number;
  number: number | null;
  author_name: string;
  author_email: string | null;
  author_url: string | null;
  author_account_id: string | null;
  is_statement_author: number;
  status: string;
  kind: string;
  body: string;
  html: string;
  origin: string;
  ip_hash: string | null;
  created_at: string;
  reply_count: number;
}

/**
 * Every comment of the discussion of the statement with slug `statement`, or of the page `url`,
 * in display (path) order, with its parent's external id.
 */
export async function treeOf(
  // Tests read every table; the row type is declared above.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  where: { statement: string } | { url: string },
): Promise<TreeRow[]> {
  let query = db
    .selectFrom('comments as c')
    .innerJoin('threads as t', 't.id', 'c.thread_id')
    .leftJoin('statements as s', 's.id', 't.statement_id')
    .leftJoin('comments as p', 'p.id', 'c.parent_id')
    .select([
      'c.external_id',
      'p.external_id as parent',
      'c.path',
      'c.depth',
      'c.number',
      'c.author_name',
      'c.author_email',
      'c.author_url',
      'c.author_account_id',
      'c.is_statement_author',
      'c.status',
      'c.kind',
      'c.body',
      'c.html',
      'c.origin',
      'c.ip_hash',
      'c.created_at',
      'c.reply_count',
    ])
    .orderBy('c.path');
  query =
    'statement' in where
      ? query.where('s.slug', '=', where.statement)
      : query.where('t.url', '=', where.url);
  return ((await query.execute()) as TreeRow[]).map((row) => ({
    ...row,
    depth: Number(row.depth),
    number: row.number === null ? null : Number(row.number),
    is_statement_author: Number(row.is_statement_author),
    reply_count: Number(row.reply_count),
  }));
}

/** A tree's shape: external id, parent, depth, number, author, status (and kind, time). */
export function shapeOf(rows: readonly TreeRow[]): unknown[][] {
  return rows.map((r) => [r.external_id, r.parent, r.depth, r.number, r.author_name, r.status]);
}
