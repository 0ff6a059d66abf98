// Statements grow a life: immutable revisions, external sources, approvals and objections bound
// to a revision's content hash, internal comments anchored to paragraphs, and co-signatures.
// The `statements` row keeps the text the public sees (its published revision, or its current
// one until it is published) so that the read paths stay one query. Existing statements (all
// published by the first cut) get their text as revision 1. Written once for SQLite and
// PostgreSQL: text ids, ISO-8601 UTC text times, JSON as text.
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';

// Migrations are frozen in time and must not depend on today's table types, hence `any`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('statement_sources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('author', 'text') // a person or an organisation
    .addColumn('date', 'text') // YYYY, YYYY-MM or YYYY-MM-DD
    .addColumn('url', 'text')
    .addColumn('text', 'text', (c) => c.notNull()) // pasted in, normalised
    .addColumn('created_by_account_id', 'text', (c) =>
      c.references('accounts.id').onDelete('set null'),
    )
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // The statement's own columns. `status` defaults to 'published' for the rows that exist (the
  // first cut only published); new rows always say theirs.
  await db.schema
    .alterTable('statements')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('published'))
    .execute();
  for (const column of [
    'current_revision_id',
    'published_revision_id',
    'event_name',
    'event_date', // YYYY-MM-DD
    'based_on_revision_id',
    'based_on_source_id',
    'corrected_at',
    'withdrawn_at',
    'withdrawn_reason',
    'updated_at',
  ]) {
    await db.schema.alterTable('statements').addColumn(column, 'text').execute();
  }
  await db.schema
    .alterTable('statements')
    .addColumn('signing', 'text', (c) => c.notNull().defaultTo('open')) // 'open' | 'closed'
    .execute();
  await db.schema
    .createIndex('statements_site_status')
    .on('statements')
    .columns(['site_id', 'status', 'updated_at'])
    .execute();

  await db.schema
    .createTable('statement_revisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('statement_id', 'text', (c) =>
      c.notNull().references('statements.id').onDelete('cascade'),
    )
    .addColumn('number', 'integer', (c) => c.notNull()) // 1, 2, 3 … per statement
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('subtitle', 'text')
    .addColumn('body', 'text', (c) => c.notNull()) // Markdown, normalised
    .addColumn('html', 'text', (c) => c.notNull()) // rendered once, at write time
    .addColumn('content_hash', 'text', (c) => c.notNull()) // see src/statements/revisions.ts
    .addColumn('author_account_id', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('note', 'text') // the author's note on this revision
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Set when this revision became the published text: the public history.
    .addColumn('published_at', 'text')
    .addColumn('clearance', 'text') // JSON: how it was cleared when published
    .addColumn('correction_note', 'text') // shown publicly when published as a correction
    .addUniqueConstraint('statement_revisions_number', ['statement_id', 'number'])
    .execute();

  await db.schema
    .createTable('statement_approvals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('statement_id', 'text', (c) =>
      c.notNull().references('statements.id').onDelete('cascade'),
    )
    .addColumn('revision_id', 'text', (c) =>
      c.notNull().references('statement_revisions.id').onDelete('cascade'),
    )
    .addColumn('content_hash', 'text', (c) => c.notNull()) // of the revision, when decided
    .addColumn('account_id', 'text', (c) =>
      c.notNull().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('decision', 'text', (c) => c.notNull()) // 'approve' | 'object'
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('withdrawn_at', 'text') // withdrawn, or replaced by the member's later decision
    .execute();
  await db.schema
    .createIndex('statement_approvals_statement')
    .on('statement_approvals')
    .columns(['statement_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('statement_comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('statement_id', 'text', (c) =>
      c.notNull().references('statements.id').onDelete('cascade'),
    )
    .addColumn('revision_id', 'text', (c) =>
      c.notNull().references('statement_revisions.id').onDelete('cascade'),
    )
    .addColumn('paragraph_index', 'integer', (c) => c.notNull())
    .addColumn('paragraph_hash', 'text', (c) => c.notNull())
    .addColumn('excerpt', 'text', (c) => c.notNull())
    .addColumn('author_account_id', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('statement_comments_statement')
    .on('statement_comments')
    .columns(['statement_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('statement_signatures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('statement_id', 'text', (c) =>
      c.notNull().references('statements.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) => c.notNull()) // 'person' | 'organisation'
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('organisation', 'text')
    .addColumn('role_title', 'text')
    .addColumn('email', 'text', (c) => c.notNull()) // normalised: trimmed, lower-case
    .addColumn('country', 'text')
    .addColumn('status', 'text', (c) => c.notNull()) // unverified | verified | approved | rejected
    .addColumn('token_hash', 'text', (c) => c.notNull().unique()) // SHA-256 of the link's token
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decided_by_account_id', 'text', (c) =>
      c.references('accounts.id').onDelete('set null'),
    )
    .addUniqueConstraint('statement_signatures_email', ['statement_id', 'email'])
    .execute();
  await db.schema
    .createIndex('statement_signatures_listing')
    .on('statement_signatures')
    .columns(['statement_id', 'status'])
    .execute();

  await giveExistingStatementsARevision(db);
}

/**
 * Every statement of the first cut was published: its text becomes revision 1, published when
 * the statement was, with the clearance it stated in words (or "not recorded").
 */
async function giveExistingStatementsARevision(db: AnyDb): Promise<void> {
  const rows = (await db
    .selectFrom('statements')
    .select([
      'id',
      'title',
      'subtitle',
      'body',
      'html',
      'author_account_id',
      'author_name',
      'clearance_note',
      'published_at',
      'created_at',
    ])
    .execute()) as {
    id: string;
    title: string;
    subtitle: string | null;
    body: string;
    html: string;
    author_account_id: string | null;
    author_name: string;
    clearance_note: string | null;
    published_at: string | null;
    created_at: string;
  }[];
  for (const row of rows) {
    const revisionId = randomUUID();
    const content = normaliseContentV1(row.title, row.subtitle, row.body);
    const publishedAt = row.published_at ?? row.created_at;
    await db
      .insertInto('statement_revisions')
      .values({
        id: revisionId,
        statement_id: row.id,
        number: 1,
        title: content.title,
        subtitle: content.subtitle,
        body: content.body,
        html: row.html,
        content_hash: contentHashV1(content),
        author_account_id: row.author_account_id,
        author_name: row.author_name,
        note: null,
        created_at: row.created_at,
        published_at: publishedAt,
        clearance: JSON.stringify(
          row.clearance_note === null
            ? { kind: 'unrecorded' }
            : { kind: 'declared', note: row.clearance_note },
        ),
        correction_note: null,
      })
      .execute();
    await db
      .updateTable('statements')
      .set({
        status: 'published',
        clearance_note: row.clearance_note ?? 'Imported — clearance not recorded',
        current_revision_id: revisionId,
        published_revision_id: revisionId,
        published_at: publishedAt,
        updated_at: publishedAt,
      })
      .where('id', '=', row.id)
      .execute();
  }
}

// A frozen copy of the normalisation and hash of src/statements/revisions.ts, version 1 (a test
// checks that both agree): later versions of that module must not change what this wrote.
function normaliseContentV1(title: string, subtitle: string | null, body: string) {
  const line = (text: string) => text.normalize('NFC').replace(/\s+/g, ' ').trim();
  const sub = subtitle === null ? '' : line(subtitle);
  return {
    title: line(title),
    subtitle: sub === '' ? null : sub,
    body: body
      .normalize('NFC')
      .replace(/\r\n?/g, '\n')
      .replace(/[ \t\f\v\u00a0]+$/gm, '')
      .replace(/^\n+|\n+$/g, ''),
  };
}

function contentHashV1(content: { title: string; subtitle: string | null; body: string }) {
  return createHash('sha256')
    .update(
      JSON.stringify(['broadside-content-v1', content.title, content.subtitle ?? '', content.body]),
      'utf8',
    )
    .digest('hex');
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    'statement_signatures',
    'statement_comments',
    'statement_approvals',
    'statement_revisions',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropIndex('statements_site_status').execute();
  for (const column of [
    'signing',
    'updated_at',
    'withdrawn_reason',
    'withdrawn_at',
    'corrected_at',
    'based_on_source_id',
    'based_on_revision_id',
    'event_date',
    'event_name',
    'published_revision_id',
    'current_revision_id',
    'status',
  ]) {
    await db.schema.alterTable('statements').dropColumn(column).execute();
  }
  await db.schema.dropTable('statement_sources').execute();
}
