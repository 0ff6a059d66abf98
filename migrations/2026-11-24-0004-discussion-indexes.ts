// Indexes for the discussion's read paths: a thread's newest comments (the Atom feed), a member's
// comments, and a comment's deliveries (removing a comment cascades to them). The index on
// comments.author_email goes: nothing looks comments up by address. Written once for SQLite and
// PostgreSQL.
import type { Kysely } from 'kysely';

// Migrations are frozen in time and must not depend on today's table types, hence `any`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('comments_thread_created')
    .on('comments')
    .columns(['thread_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('comments_author_account')
    .on('comments')
    .column('author_account_id')
    .execute();
  await db.schema
    .createIndex('subscription_deliveries_comment')
    .on('subscription_deliveries')
    .column('comment_id')
    .execute();
  await db.schema.dropIndex('comments_author_email').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('comments_author_email')
    .on('comments')
    .column('author_email')
    .execute();
  await db.schema.dropIndex('subscription_deliveries_comment').execute();
  await db.schema.dropIndex('comments_author_account').execute();
  await db.schema.dropIndex('comments_thread_created').execute();
}
