// Reply notifications: who asked to be e-mailed about replies to their comment, whether their
// address is confirmed, and which replies they have been told of (so that no reply is mailed
// twice, even when several instances hear of it). Written once for SQLite and PostgreSQL.
import type { Kysely } from 'kysely';

// Migrations are frozen in time and must not depend on today's table types, hence `any`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // The comment whose replies are mailed; one subscription per comment (its author's).
    .addColumn('comment_id', 'text', (c) =>
      c.notNull().unique().references('comments.id').onDelete('cascade'),
    )
    // The address mail goes to; cleared when the subscription ends, while the keyed hash stays
    // for look-ups ("has this address confirmed before?") without keeping the address.
    .addColumn('email', 'text')
    .addColumn('email_hash', 'text', (c) => c.notNull())
    // SHA-256 of the secret tokens in the confirmation and unsubscribe links.
    .addColumn('confirm_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('unsubscribe_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('confirmation_sent_at', 'text')
    .addColumn('confirmed_at', 'text')
    .addColumn('unsubscribed_at', 'text')
    .execute();
  await db.schema
    .createIndex('subscriptions_email_hash')
    .on('subscriptions')
    .column('email_hash')
    .execute();

  await db.schema
    .createTable('subscription_deliveries')
    .addColumn('subscription_id', 'text', (c) =>
      c.notNull().references('subscriptions.id').onDelete('cascade'),
    )
    // The reply that was mailed.
    .addColumn('comment_id', 'text', (c) =>
      c.notNull().references('comments.id').onDelete('cascade'),
    )
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('subscription_deliveries_pk', ['subscription_id', 'comment_id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('subscription_deliveries').execute();
  await db.schema.dropTable('subscriptions').execute();
}
