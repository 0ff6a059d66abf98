// Imports from WordPress and Disqus: what each imported record became, so that running an import
// again creates nothing new, and the kind of a comment (pingbacks and trackbacks are kept apart
// from comments). Written once for SQLite and PostgreSQL: text, integer, ISO-8601 UTC text.
import type { Kysely } from 'kysely';

// Migrations are frozen in time and must not depend on today's table types, hence `any`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // 'comment' | 'pingback' | 'trackback'. Existing rows are ordinary comments.
  await db.schema
    .alterTable('comments')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('comment'))
    .execute();

  // One row per imported record that is not a comment (comments keep their external id in
  // comments.external_id, unique per thread): e.g. the WordPress post 42 of
  // https://blog.example.org → the statement it became.
  await db.schema
    .createTable('import_origins')
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    // Where the record came from: a WordPress site's address, a Disqus forum's name.
    .addColumn('source', 'text', (c) => c.notNull())
    // The record's id there, prefixed with its format: 'wxr:42'.
    .addColumn('external_id', 'text', (c) => c.notNull())
    // What it became here: 'statement'; and that row's id.
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_origins_pk', ['site_id', 'source', 'external_id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('import_origins').execute();
  await db.schema.alterTable('comments').dropColumn('kind').execute();
}
