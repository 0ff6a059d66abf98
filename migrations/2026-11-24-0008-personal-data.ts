// Personal-data requests find a person's comments by the e-mail address they gave: an index on
// comments.author_email (migration 0004 dropped the first one when nothing looked comments up by
// address) makes the export and the erasure of one address an index look-up, not a scan of every
// comment while the erasure holds its write lock. Written once for SQLite and PostgreSQL.
import type { Kysely } from 'kysely';

// Migrations are frozen in time and must not depend on today's table types, hence `any`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('comments_author_email')
    .on('comments')
    .column('author_email')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('comments_author_email').execute();
}
