/**
 * The SQL of a statement's review: external sources, approvals and objections, and internal
 * comments on paragraphs. Rows are mapped to domain types here.
 */
import type { Selectable } from 'kysely';
import type { AccountsTables } from '../accounts/store.js';
import { isRole } from '../accounts/model.js';
import type { ApprovalRecord, Decision } from './clearance.js';
import type { Source } from './provenance.js';
import type { StatementsDb } from './store.js';

export interface SourcesTable {
  id: string;
  site_id: string;
  title: string;
  author: string | null;
  date: string | null;
  url: string | null;
  text: string;
  created_by_account_id: string | null;
  created_at: string;
}

export interface ApprovalsTable {
  id: string;
  statement_id: string;
  revision_id: string;
  content_hash: string;
  account_id: string;
  decision: string;
  comment: string | null;
  created_at: string;
  withdrawn_at: string | null;
}

export interface InternalCommentsTable {
  id: string;
  statement_id: string;
  revision_id: string;
  paragraph_index: number;
  paragraph_hash: string;
  excerpt: string;
  author_account_id: string | null;
  author_name: string;
  body: string;
  created_at: string;
}

export interface ReviewTables {
  statement_sources: SourcesTable;
  statement_approvals: ApprovalsTable;
  statement_comments: InternalCommentsTable;
  accounts: AccountsTables['accounts'];
  memberships: AccountsTables['memberships'];
}

// The whole schema of statements: Kysely's types do not let a narrower view take a wider handle.
type ReviewDb = StatementsDb;

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

// --- sources ---------------------------------------------------------------------------------

function toSource(row: Selectable<SourcesTable>): Source {
  return {
    id: row.id,
    siteId: row.site_id,
    title: row.title,
    author: orUndefined(row.author),
    date: orUndefined(row.date),
    url: orUndefined(row.url),
    text: row.text,
    createdAt: new Date(row.created_at),
    createdByAccountId: orUndefined(row.created_by_account_id),
  };
}

export async function insertSource(db: ReviewDb, source: Source): Promise<void> {
  await db
    .insertInto('statement_sources')
    .values({
      id: source.id,
      site_id: source.siteId,
      title: source.title,
      author: source.author ?? null,
      date: source.date ?? null,
      url: source.url ?? null,
      text: source.text,
      created_by_account_id: source.createdByAccountId ?? null,
      created_at: source.createdAt.toISOString(),
    })
    .execute();
}

export async function findSource(db: ReviewDb, id: string): Promise<Source | undefined> {
  const row = await db
    .selectFrom('statement_sources')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toSource(row);
}

// --- approvals and objections ----------------------------------------------------------------

export interface NewDecision {
  id: string;
  statementId: string;
  revisionId: string;
  contentHash: string;
  accountId: string;
  decision: Decision;
  comment: string | undefined;
  createdAt: Date;
}

export async function insertDecision(db: ReviewDb, decision: NewDecision): Promise<void> {
  await db
    .insertInto('statement_approvals')
    .values({
      id: decision.id,
      statement_id: decision.statementId,
      revision_id: decision.revisionId,
      content_hash: decision.contentHash,
      account_id: decision.accountId,
      decision: decision.decision,
      comment: decision.comment ?? null,
      created_at: decision.createdAt.toISOString(),
      withdrawn_at: null,
    })
    .execute();
}

/**
 * Ends the standing decisions of a member on a statement (`decision` narrows it to approvals or
 * objections). Returns how many ended.
 */
export async function withdrawDecisions(
  db: ReviewDb,
  input: { statementId: string; accountId: string; decision?: Decision; at: Date },
): Promise<number> {
  const result = await db
    .updateTable('statement_approvals')
    .set({ withdrawn_at: input.at.toISOString() })
    .where('statement_id', '=', input.statementId)
    .where('account_id', '=', input.accountId)
    .where('withdrawn_at', 'is', null)
    .$if(input.decision !== undefined, (q) => q.where('decision', '=', input.decision ?? ''))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Every decision recorded on a statement, oldest first, with each member's name and their role on
 * `siteId` now (a role policy counts current roles).
 */
export async function listDecisions(
  db: ReviewDb,
  siteId: string,
  statementId: string,
): Promise<ApprovalRecord[]> {
  const rows = await db
    .selectFrom('statement_approvals as a')
    .innerJoin('accounts as account', 'account.id', 'a.account_id')
    .leftJoin('memberships as m', (join) =>
      join.onRef('m.account_id', '=', 'a.account_id').on('m.site_id', '=', siteId),
    )
    .select([
      'a.id',
      'a.statement_id',
      'a.revision_id',
      'a.content_hash',
      'a.account_id',
      'a.decision',
      'a.comment',
      'a.created_at',
      'a.withdrawn_at',
      'account.display_name',
      'm.role',
    ])
    .where('a.statement_id', '=', statementId)
    .orderBy('a.created_at', 'asc')
    .orderBy('a.id', 'asc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    statementId: row.statement_id,
    revisionId: row.revision_id,
    contentHash: row.content_hash,
    accountId: row.account_id,
    accountName: row.display_name,
    accountRole: row.role !== null && isRole(row.role) ? row.role : undefined,
    decision: row.decision === 'object' ? 'object' : 'approve',
    comment: orUndefined(row.comment),
    createdAt: new Date(row.created_at),
    withdrawnAt: row.withdrawn_at === null ? undefined : new Date(row.withdrawn_at),
  }));
}

/** Display names of accounts, by id (for named approvers who have not decided yet). */
export async function accountNames(
  db: ReviewDb,
  accountIds: readonly string[],
): Promise<Map<string, string>> {
  if (accountIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('accounts')
    .select(['id', 'display_name'])
    .where('id', 'in', [...accountIds])
    .execute();
  return new Map(rows.map((row) => [row.id, row.display_name]));
}

/** The roles of members of a site, by account id (absent: not a member). */
export async function memberRoles(
  db: ReviewDb,
  siteId: string,
  accountIds: readonly string[],
): Promise<Map<string, string>> {
  if (accountIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('memberships')
    .select(['account_id', 'role'])
    .where('site_id', '=', siteId)
    .where('account_id', 'in', [...accountIds])
    .execute();
  return new Map(rows.map((row) => [row.account_id, row.role]));
}

// --- internal comments -----------------------------------------------------------------------

/** A member's comment on one paragraph of one revision. Never public. */
export interface InternalComment {
  id: string;
  statementId: string;
  revisionId: string;
  paragraphIndex: number;
  paragraphHash: string;
  /** The start of the paragraph as it was, to show what the comment was about. */
  excerpt: string;
  authorAccountId: string | undefined;
  authorName: string;
  body: string;
  createdAt: Date;
}

export async function insertInternalComment(db: ReviewDb, comment: InternalComment): Promise<void> {
  await db
    .insertInto('statement_comments')
    .values({
      id: comment.id,
      statement_id: comment.statementId,
      revision_id: comment.revisionId,
      paragraph_index: comment.paragraphIndex,
      paragraph_hash: comment.paragraphHash,
      excerpt: comment.excerpt,
      author_account_id: comment.authorAccountId ?? null,
      author_name: comment.authorName,
      body: comment.body,
      created_at: comment.createdAt.toISOString(),
    })
    .execute();
}

export async function listInternalComments(
  db: ReviewDb,
  statementId: string,
): Promise<InternalComment[]> {
  const rows = await db
    .selectFrom('statement_comments')
    .selectAll()
    .where('statement_id', '=', statementId)
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    statementId: row.statement_id,
    revisionId: row.revision_id,
    paragraphIndex: Number(row.paragraph_index),
    paragraphHash: row.paragraph_hash,
    excerpt: row.excerpt,
    authorAccountId: orUndefined(row.author_account_id),
    authorName: row.author_name,
    body: row.body,
    createdAt: new Date(row.created_at),
  }));
}
