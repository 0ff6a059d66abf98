// Moderation: a site's rules, bans, readers' reports, the audit log, and a flag on comments that
// need a moderator's look although they are public (flagged on import). Written once for SQLite
// and PostgreSQL.
import type { Kysely } from 'kysely';

// Migrations are frozen in time and must not depend on today's table types, hence `any`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // 1 while a comment waits for a moderator whatever its status (imported ones the rules would
  // hold keep their status and are flagged instead).
  await db.schema
    .alterTable('comments')
    .addColumn('flagged', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // The queue's tabs read comments by status (and flag), newest first.
  await db.schema
    .createIndex('comments_status_created')
    .on('comments')
    .columns(['status', 'created_at'])
    .execute();
  await db.schema
    .createIndex('comments_flagged_created')
    .on('comments')
    .columns(['flagged', 'created_at'])
    .execute();
  // The author history the rules read: an address's recent comments.
  await db.schema
    .createIndex('comments_ip_hash_created')
    .on('comments')
    .columns(['ip_hash', 'created_at'])
    .execute();
  await db.schema
    .createIndex('comments_author_email_created')
    .on('comments')
    .columns(['author_email', 'created_at'])
    .execute();

  // One row per site once a moderator changes anything; no row means the defaults.
  await db.schema
    .createTable('moderation_rules')
    .addColumn('site_id', 'text', (c) => c.primaryKey().references('sites.id').onDelete('cascade'))
    .addColumn('blocked_terms', 'text') // null: the shipped default list
    .addColumn('suspect_terms', 'text')
    .addColumn('settings', 'text', (c) => c.notNull()) // JSON: the rest of ModerationSettings
    .addColumn('version', 'integer', (c) => c.notNull()) // bumped on every change (caches)
    .addColumn('digest_sent_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .execute();

  await db.schema
    .createTable('bans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull()) // 'account' | 'email' | 'address'
    .addColumn('value', 'text', (c) => c.notNull()) // account id, normalised e-mail, address hash
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('comment_id', 'text') // the comment that led to it, if any (kept if it goes)
    .addColumn('created_by', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text') // null: for ever
    .addColumn('lifted_at', 'text')
    .execute();
  await db.schema
    .createIndex('bans_site_kind_value')
    .on('bans')
    .columns(['site_id', 'kind', 'value'])
    .execute();

  await db.schema
    .createTable('reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('comment_id', 'text', (c) =>
      c.notNull().references('comments.id').onDelete('cascade'),
    )
    .addColumn('reason', 'text', (c) => c.notNull()) // abuse | hate | spam | off-topic | other
    .addColumn('note', 'text')
    // Who reported, for "distinct people": the account id, else the address hash.
    .addColumn('reporter_key', 'text', (c) => c.notNull())
    .addColumn('reporter_account_id', 'text', (c) =>
      c.references('accounts.id').onDelete('set null'),
    )
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('resolution', 'text') // the moderator's action that settled it
    .addUniqueConstraint('reports_comment_reporter', ['comment_id', 'reporter_key'])
    .execute();
  await db.schema
    .createIndex('reports_site_open')
    .on('reports')
    .columns(['site_id', 'resolved_at', 'created_at'])
    .execute();
  await db.schema
    .createIndex('reports_reporter_created')
    .on('reports')
    .columns(['reporter_key', 'created_at'])
    .execute();

  // The audit log: every moderator action and every automatic decision. No foreign keys to
  // comments or threads: the record outlives what it is about.
  await db.schema
    .createTable('moderation_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull()) // 'member' | 'rules' | 'import' | 'reports' | 'system'
    .addColumn('actor_account_id', 'text') // no FK: the log keeps who it was
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('comment_id', 'text')
    .addColumn('thread_id', 'text')
    .addColumn('target', 'text') // e.g. what was banned
    .addColumn('reason', 'text') // words shown in the log
    .addColumn('reason_codes', 'text', (c) => c.notNull()) // JSON array of codes
    .addColumn('status_before', 'text')
    .addColumn('status_after', 'text')
    .execute();
  await db.schema
    .createIndex('moderation_actions_site_at')
    .on('moderation_actions')
    .columns(['site_id', 'at'])
    .execute();
  await db.schema
    .createIndex('moderation_actions_comment')
    .on('moderation_actions')
    .column('comment_id')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of ['moderation_actions', 'reports', 'bans', 'moderation_rules']) {
    await db.schema.dropTable(table).execute();
  }
  for (const index of [
    'comments_author_email_created',
    'comments_ip_hash_created',
    'comments_flagged_created',
    'comments_status_created',
  ]) {
    await db.schema.dropIndex(index).execute();
  }
  await db.schema.alterTable('comments').dropColumn('flagged').execute();
}
