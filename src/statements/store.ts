/**
 * The SQL of statements and their revisions. Rows are mapped to domain types here and nowhere
 * else. The `statements` row carries the text the public sees — its published revision's, or its
 * current revision's until it is first published — so lists and pages read one row.
 */
import type { Kysely, Selectable } from 'kysely';
import type { AccountsTables } from '../accounts/store.js';
import { locksRows } from '../platform/database/index.js';
import type { ClearanceRecord } from './clearance.js';
import { parseClearanceRecord } from './clearance.js';
import type { StatementStatus } from './lifecycle.js';
import { isStatementStatus } from './lifecycle.js';
import type { ListCursor } from './model.js';
import type { BasedOn } from './provenance.js';
import type { RevisionContent } from './revisions.js';
import type { ReviewTables } from './review-store.js';
import type { SignaturesTable } from './signature-store.js';

export interface StatementsTable {
  id: string;
  site_id: string;
  slug: string;
  status: string;
  title: string;
  subtitle: string | null;
  body: string;
  html: string;
  author_account_id: string | null;
  author_name: string;
  clearance_note: string | null;
  current_revision_id: string | null;
  published_revision_id: string | null;
  event_name: string | null;
  event_date: string | null;
  based_on_revision_id: string | null;
  based_on_source_id: string | null;
  signing: string;
  published_at: string | null;
  corrected_at: string | null;
  withdrawn_at: string | null;
  withdrawn_reason: string | null;
  created_at: string;
  updated_at: string | null;
}

export interface RevisionsTable {
  id: string;
  statement_id: string;
  number: number;
  title: string;
  subtitle: string | null;
  body: string;
  html: string;
  content_hash: string;
  author_account_id: string | null;
  author_name: string;
  note: string | null;
  created_at: string;
  published_at: string | null;
  clearance: string | null;
  correction_note: string | null;
}

export interface StatementsTables extends ReviewTables {
  statements: StatementsTable;
  statement_revisions: RevisionsTable;
  statement_signatures: SignaturesTable;
  sites: AccountsTables['sites'];
  accounts: AccountsTables['accounts'];
  memberships: AccountsTables['memberships'];
}

export type StatementsDb = Kysely<StatementsTables>;

export interface Statement {
  id: string;
  siteId: string;
  slug: string;
  status: StatementStatus;
  /** The public text: the published revision's, or the current revision's before publication. */
  title: string;
  subtitle: string | undefined;
  /** Markdown. */
  body: string;
  /** Rendered once, when the revision was written. */
  html: string;
  /** Who started the statement; their comments in its thread get the "author" badge. */
  authorAccountId: string | undefined;
  authorName: string;
  /** How the published text was cleared, in words: "Cleared by 2 editors on 14 November 2015". */
  clearanceNote: string | undefined;
  /** The event it answers. */
  eventName: string | undefined;
  /** `YYYY-MM-DD`. */
  eventDate: string | undefined;
  /** The newest revision: what editors edit and approvers approve. */
  currentRevisionId: string;
  /** The revision the public reads; undefined until published. */
  publishedRevisionId: string | undefined;
  basedOn: BasedOn | undefined;
  signingOpen: boolean;
  /** First publication (a later time schedules it). */
  publishedAt: Date | undefined;
  /** The latest correction, if any. */
  correctedAt: Date | undefined;
  withdrawnAt: Date | undefined;
  withdrawnReason: string | undefined;
  createdAt: Date;
  updatedAt: Date;
}

/** What lists show: no body. */
export interface StatementSummary {
  id: string;
  slug: string;
  status: StatementStatus;
  title: string;
  subtitle: string | undefined;
  authorName: string;
  clearanceNote: string | undefined;
  publishedAt: Date;
  correctedAt: Date | undefined;
  withdrawnAt: Date | undefined;
  withdrawnReason: string | undefined;
  updatedAt: Date;
}

/** An admin list row: any status. */
export interface StatementListing extends Omit<StatementSummary, 'publishedAt'> {
  publishedAt: Date | undefined;
  currentRevisionId: string;
  publishedRevisionId: string | undefined;
}

/** One saved version of a statement's text. Never changed once written, except to publish it. */
export interface Revision extends RevisionContent {
  id: string;
  statementId: string;
  /** 1, 2, 3 … within the statement. */
  number: number;
  html: string;
  /** See revisions.ts: SHA-256 of the normalised title, subtitle and body. */
  contentHash: string;
  authorAccountId: string | undefined;
  authorName: string;
  note: string | undefined;
  createdAt: Date;
  /** When it became the published text (it stays in the public history afterwards). */
  publishedAt: Date | undefined;
  /** How it was cleared, recorded when it was published. */
  clearance: ClearanceRecord | undefined;
  /** The public note of a correction: "Corrected on …: the date of the attack". */
  correctionNote: string | undefined;
}

export type RevisionSummary = Omit<Revision, 'body' | 'html'>;

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);
const dateOrUndefined = (value: string | null) => (value === null ? undefined : new Date(value));

const statementColumns = [
  'id',
  'site_id',
  'slug',
  'status',
  'title',
  'subtitle',
  'body',
  'html',
  'author_account_id',
  'author_name',
  'clearance_note',
  'current_revision_id',
  'published_revision_id',
  'event_name',
  'event_date',
  'based_on_revision_id',
  'based_on_source_id',
  'signing',
  'published_at',
  'corrected_at',
  'withdrawn_at',
  'withdrawn_reason',
  'created_at',
  'updated_at',
] as const;

function statusOf(value: string): StatementStatus {
  if (!isStatementStatus(value)) throw new Error(`unknown statement status "${value}"`);
  return value;
}

function toStatement(row: Selectable<StatementsTable>): Statement {
  const basedOn: BasedOn | undefined =
    row.based_on_revision_id !== null
      ? { kind: 'revision', revisionId: row.based_on_revision_id }
      : row.based_on_source_id !== null
        ? { kind: 'source', sourceId: row.based_on_source_id }
        : undefined;
  return {
    id: row.id,
    siteId: row.site_id,
    slug: row.slug,
    status: statusOf(row.status),
    title: row.title,
    subtitle: orUndefined(row.subtitle),
    body: row.body,
    html: row.html,
    authorAccountId: orUndefined(row.author_account_id),
    authorName: row.author_name,
    clearanceNote: orUndefined(row.clearance_note),
    eventName: orUndefined(row.event_name),
    eventDate: orUndefined(row.event_date),
    // Every row has one: set in the transaction that creates the statement.
    currentRevisionId: row.current_revision_id ?? '',
    publishedRevisionId: orUndefined(row.published_revision_id),
    basedOn,
    signingOpen: row.signing === 'open',
    publishedAt: dateOrUndefined(row.published_at),
    correctedAt: dateOrUndefined(row.corrected_at),
    withdrawnAt: dateOrUndefined(row.withdrawn_at),
    withdrawnReason: orUndefined(row.withdrawn_reason),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at ?? row.created_at),
  };
}

function statementRow(statement: Statement): StatementsTable {
  return {
    id: statement.id,
    site_id: statement.siteId,
    slug: statement.slug,
    status: statement.status,
    title: statement.title,
    subtitle: statement.subtitle ?? null,
    body: statement.body,
    html: statement.html,
    author_account_id: statement.authorAccountId ?? null,
    author_name: statement.authorName,
    clearance_note: statement.clearanceNote ?? null,
    current_revision_id: statement.currentRevisionId,
    published_revision_id: statement.publishedRevisionId ?? null,
    event_name: statement.eventName ?? null,
    event_date: statement.eventDate ?? null,
    based_on_revision_id:
      statement.basedOn?.kind === 'revision' ? statement.basedOn.revisionId : null,
    based_on_source_id: statement.basedOn?.kind === 'source' ? statement.basedOn.sourceId : null,
    signing: statement.signingOpen ? 'open' : 'closed',
    published_at: statement.publishedAt?.toISOString() ?? null,
    corrected_at: statement.correctedAt?.toISOString() ?? null,
    withdrawn_at: statement.withdrawnAt?.toISOString() ?? null,
    withdrawn_reason: statement.withdrawnReason ?? null,
    created_at: statement.createdAt.toISOString(),
    updated_at: statement.updatedAt.toISOString(),
  };
}

/**
 * Inserts the statement row. Its `current_revision_id` must name a revision inserted right after
 * in the same transaction (revisions reference their statement, so the statement comes first).
 */
export async function insertStatement(db: StatementsDb, statement: Statement): Promise<void> {
  await db.insertInto('statements').values(statementRow(statement)).execute();
}

/** Writes every column of the statement back (the service changes the domain object). */
export async function updateStatement(db: StatementsDb, statement: Statement): Promise<void> {
  const { id: _id, site_id: _site, created_at: _created, ...row } = statementRow(statement);
  await db.updateTable('statements').set(row).where('id', '=', statement.id).execute();
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

/**
 * The statement, its row locked until the transaction ends on PostgreSQL (SQLite serialises
 * writers anyway): two actions on one statement at once take turns.
 */
export async function lockStatement(db: StatementsDb, id: string): Promise<Statement | undefined> {
  const row = await db
    .selectFrom('statements')
    .select(statementColumns)
    .where('id', '=', id)
    .$if(locksRows(db), (q) => q.forUpdate())
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

const summaryColumns = [
  'id',
  'slug',
  'status',
  'title',
  'subtitle',
  'author_name',
  'clearance_note',
  'published_at',
  'corrected_at',
  'withdrawn_at',
  'withdrawn_reason',
  'updated_at',
  'created_at',
] as const;

/** The fields every listing of statements shows, from the {@link summaryColumns}. */
function summaryOf(row: Pick<Selectable<StatementsTable>, (typeof summaryColumns)[number]>) {
  return {
    id: row.id,
    slug: row.slug,
    status: statusOf(row.status),
    title: row.title,
    subtitle: orUndefined(row.subtitle),
    authorName: row.author_name,
    clearanceNote: orUndefined(row.clearance_note),
    publishedAt: dateOrUndefined(row.published_at),
    correctedAt: dateOrUndefined(row.corrected_at),
    withdrawnAt: dateOrUndefined(row.withdrawn_at),
    withdrawnReason: orUndefined(row.withdrawn_reason),
    updatedAt: new Date(row.updated_at ?? row.created_at),
  };
}

/**
 * Published (and withdrawn: their pages stay) statements of a site, newest first (ties by id),
 * after `before` when given: one range scan of the (site_id, published_at) index.
 */
export async function listPublishedStatements(
  db: StatementsDb,
  siteId: string,
  options: { now: Date; limit: number; before?: ListCursor },
): Promise<StatementSummary[]> {
  let query = db
    .selectFrom('statements')
    .select(summaryColumns)
    .where('site_id', '=', siteId)
    .where('published_at', '<=', options.now.toISOString()) // also excludes null
    .where('status', 'in', ['published', 'withdrawn']);
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
  // Published ones only: published_at is set.
  return rows.map((row) => ({ ...summaryOf(row), publishedAt: new Date(row.published_at ?? 0) }));
}

/**
 * Every statement of a site, or those with one of `statuses`, most recently changed first,
 * after `before` (a cursor over `updated_at`, id) when given. For the admin list.
 */
export async function listStatements(
  db: StatementsDb,
  siteId: string,
  options: { statuses?: readonly StatementStatus[]; limit: number; before?: ListCursor },
): Promise<StatementListing[]> {
  let query = db
    .selectFrom('statements')
    .select([...summaryColumns, 'current_revision_id', 'published_revision_id'])
    .where('site_id', '=', siteId);
  if (options.statuses && options.statuses.length > 0)
    query = query.where('status', 'in', [...options.statuses]);
  const before = options.before;
  if (before) {
    const at = before.publishedAt.toISOString();
    query = query.where((eb) =>
      eb.or([
        eb('updated_at', '<', at),
        eb.and([eb('updated_at', '=', at), eb('id', '<', before.id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map((row) => ({
    ...summaryOf(row),
    currentRevisionId: row.current_revision_id ?? '',
    publishedRevisionId: orUndefined(row.published_revision_id),
  }));
}

/** How many statements of a site have each status. */
export async function countByStatus(
  db: StatementsDb,
  siteId: string,
): Promise<Record<StatementStatus, number>> {
  const rows = await db
    .selectFrom('statements')
    .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('site_id', '=', siteId)
    .groupBy('status')
    .execute();
  const counts: Record<StatementStatus, number> = {
    draft: 0,
    'in-review': 0,
    cleared: 0,
    published: 0,
    withdrawn: 0,
  };
  for (const row of rows) counts[statusOf(row.status)] = Number(row.n);
  return counts;
}

// --- revisions -------------------------------------------------------------------------------

const revisionColumns = [
  'id',
  'statement_id',
  'number',
  'title',
  'subtitle',
  'body',
  'html',
  'content_hash',
  'author_account_id',
  'author_name',
  'note',
  'created_at',
  'published_at',
  'clearance',
  'correction_note',
] as const;

function toRevision(row: Selectable<RevisionsTable>): Revision {
  return {
    id: row.id,
    statementId: row.statement_id,
    number: Number(row.number),
    title: row.title,
    subtitle: orUndefined(row.subtitle),
    body: row.body,
    html: row.html,
    contentHash: row.content_hash,
    authorAccountId: orUndefined(row.author_account_id),
    authorName: row.author_name,
    note: orUndefined(row.note),
    createdAt: new Date(row.created_at),
    publishedAt: dateOrUndefined(row.published_at),
    clearance: parseClearanceRecord(row.clearance),
    correctionNote: orUndefined(row.correction_note),
  };
}

export async function insertRevision(db: StatementsDb, revision: Revision): Promise<void> {
  await db
    .insertInto('statement_revisions')
    .values({
      id: revision.id,
      statement_id: revision.statementId,
      number: revision.number,
      title: revision.title,
      subtitle: revision.subtitle ?? null,
      body: revision.body,
      html: revision.html,
      content_hash: revision.contentHash,
      author_account_id: revision.authorAccountId ?? null,
      author_name: revision.authorName,
      note: revision.note ?? null,
      created_at: revision.createdAt.toISOString(),
      published_at: revision.publishedAt?.toISOString() ?? null,
      clearance: revision.clearance ? JSON.stringify(revision.clearance) : null,
      correction_note: revision.correctionNote ?? null,
    })
    .execute();
}

/** Marks a revision as the published text, with how it was cleared (the only change ever made). */
export async function markRevisionPublished(
  db: StatementsDb,
  revisionId: string,
  input: { publishedAt: Date; clearance: ClearanceRecord; correctionNote: string | undefined },
): Promise<void> {
  await db
    .updateTable('statement_revisions')
    .set({
      published_at: input.publishedAt.toISOString(),
      clearance: JSON.stringify(input.clearance),
      correction_note: input.correctionNote ?? null,
    })
    .where('id', '=', revisionId)
    .execute();
}

export async function findRevision(db: StatementsDb, id: string): Promise<Revision | undefined> {
  const row = await db
    .selectFrom('statement_revisions')
    .select(revisionColumns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toRevision(row);
}

/** A statement's revisions, oldest first, without their text (or only the published ones). */
export async function listRevisions(
  db: StatementsDb,
  statementId: string,
  options: { publishedOnly?: boolean } = {},
): Promise<RevisionSummary[]> {
  const rows = await db
    .selectFrom('statement_revisions')
    .select(revisionColumns.filter((c) => c !== 'body' && c !== 'html'))
    .where('statement_id', '=', statementId)
    .$if(options.publishedOnly === true, (q) => q.where('published_at', 'is not', null))
    .orderBy('number', 'asc')
    .execute();
  return rows.map((row) => {
    const { body: _body, html: _html, ...summary } = toRevision({ ...row, body: '', html: '' });
    return summary;
  });
}

/** The highest revision number of a statement (0 when it has none). */
export async function lastRevisionNumber(db: StatementsDb, statementId: string): Promise<number> {
  const row = await db
    .selectFrom('statement_revisions')
    .select((eb) => eb.fn.max('number').as('n'))
    .where('statement_id', '=', statementId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
