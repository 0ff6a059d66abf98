// Threads and comments, and the first cut of published statements that threads hang on.
// Written once for SQLite and PostgreSQL: text, integer, ISO-8601 UTC text for times.
import type { Kysely } from 'kysely';

// Migrations are frozen in time and must not depend on today's table types, hence `any`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('statements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('subtitle', 'text')
    .addColumn('body', 'text', (c) => c.notNull()) // Markdown
    .addColumn('html', 'text', (c) => c.notNull()) // rendered once, at write time
    .addColumn('author_account_id', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('clearance_note', 'text') // e.g. "Personal statement, not cleared"
    .addColumn('published_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('statements_site_slug', ['site_id', 'slug'])
    .execute();
  await db.schema
    .createIndex('statements_published')
    .on('statements')
    .columns(['site_id', 'published_at'])
    .execute();

  await db.schema
    .createTable('threads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('statement_id', 'text', (c) =>
      c.unique().references('statements.id').onDelete('cascade'),
    )
    .addColumn('url', 'text') // normalised page URL, for embeds
    .addColumn('title', 'text', (c) => c.notNull())
    // Whose comments get the "author" badge: the statement's author (discussion never reads
    // statements, so the thread keeps its own note of them).
    .addColumn('author_account_id', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('author_name', 'text')
    .addColumn('status', 'text', (c) => c.notNull()) // 'open' | 'closed'
    .addColumn('version', 'integer', (c) => c.notNull()) // bumped on every change
    .addColumn('top_level_count', 'integer', (c) => c.notNull()) // the last number given
    .addColumn('comment_count', 'integer', (c) => c.notNull()) // public comments
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('threads_site_url', ['site_id', 'url'])
    .execute();

  await db.schema
    .createTable('comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.id').onDelete('cascade'))
    .addColumn('parent_id', 'text', (c) => c.references('comments.id'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('number', 'integer') // top-level ordinal ("1.", "2." …), null for replies
    .addColumn('reply_count', 'integer', (c) => c.notNull()) // the last sibling ordinal given to a child
    .addColumn('author_account_id', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('author_email', 'text')
    .addColumn('author_url', 'text')
    .addColumn('is_statement_author', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull()) // JSON array of {code, message}
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('ip_hash', 'text')
    .addColumn('edit_token_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'text')
    .addUniqueConstraint('comments_thread_path', ['thread_id', 'path'])
    .addUniqueConstraint('comments_thread_external', ['thread_id', 'external_id'])
    .execute();
  await db.schema.createIndex('comments_parent').on('comments').column('parent_id').execute();
  await db.schema
    .createIndex('comments_author_email')
    .on('comments')
    .column('author_email')
    .execute();

  await db.schema
    .createTable('comment_edits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('comment_id', 'text', (c) =>
      c.notNull().references('comments.id').onDelete('cascade'),
    )
    .addColumn('body', 'text', (c) => c.notNull()) // the text before this edit
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('replaced_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('comment_edits_comment')
    .on('comment_edits')
    .column('comment_id')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of ['comment_edits', 'comments', 'threads', 'statements']) {
    await db.schema.dropTable(table).execute();
  }
}
