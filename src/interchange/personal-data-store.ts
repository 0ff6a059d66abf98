/**
 * The SQL of personal-data requests: everything stored about one e-mail address, and erasing it.
 * A person's comments are those posted with the address, and those posted by the member whose
 * account has it; their co-signatures are those given with the address; the bans on them are those
 * on the address or the account; their reports are those the member made (a reader without an
 * account reports by network address, which says nothing about an e-mail address).
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import { sql } from 'kysely';
import type { AccountsTables } from '../accounts/store.js';
import type { NotificationTables } from '../discussion/notification-store.js';
import type { ModerationTables } from '../moderation/store.js';
import type { StatementsTables } from '../statements/store.js';

type PersonalDataTables = AccountsTables &
  StatementsTables &
  NotificationTables &
  Pick<ModerationTables, 'bans' | 'reports' | 'moderation_actions'>;
export type PersonalDataDb = Kysely<PersonalDataTables>;

/** Whose data: the address (lower-cased), its subscription key, and the account that has it. */
export interface Person {
  email: string;
  /** The keyed hash subscriptions are looked up by (discussion's `addressKey`). */
  subscriptionKey: string;
  accountId: string | undefined;
}

export interface AccountRecord {
  id: string;
  email: string;
  displayName: string;
  createdAt: string;
  memberships: { siteId: string; role: string; since: string }[];
}

export async function findAccountRecord(
  db: PersonalDataDb,
  email: string,
): Promise<AccountRecord | undefined> {
  const account = await db
    .selectFrom('accounts')
    .select(['id', 'email', 'display_name', 'created_at'])
    .where('email', '=', email)
    .executeTakeFirst();
  if (!account) return undefined;
  const memberships = await db
    .selectFrom('memberships')
    .select(['site_id', 'role', 'created_at'])
    .where('account_id', '=', account.id)
    .orderBy('site_id')
    .execute();
  return {
    id: account.id,
    email: account.email,
    displayName: account.display_name,
    createdAt: account.created_at,
    memberships: memberships.map((m) => ({
      siteId: m.site_id,
      role: m.role,
      since: m.created_at,
    })),
  };
}

export interface CommentRecord {
  id: string;
  threadId: string;
  threadTitle: string;
  /** The page the discussion is on: an embedding site's URL, or the statement's slug. */
  pageUrl: string | undefined;
  statementSlug: string | undefined;
  parentId: string | undefined;
  status: string;
  authorName: string;
  authorEmail: string | undefined;
  authorUrl: string | undefined;
  body: string;
  createdAt: string;
  editedAt: string | undefined;
  addressHash: string | undefined;
  earlierVersions: { body: string; replacedAt: string }[];
}

/** The condition that a comment is the person's: posted with their address or by their account. */
function ofPerson(person: Person) {
  return (eb: ExpressionBuilder<PersonalDataTables, 'comments'>) =>
    eb.or([
      eb('comments.author_email', '=', person.email),
      ...(person.accountId === undefined
        ? []
        : [eb('comments.author_account_id', '=', person.accountId)]),
    ]);
}

/** The person's comments, oldest first, with the page each is on and its earlier versions. */
export async function findComments(db: PersonalDataDb, person: Person): Promise<CommentRecord[]> {
  const rows = await db
    .selectFrom('comments')
    .innerJoin('threads', 'threads.id', 'comments.thread_id')
    .leftJoin('statements', 'statements.id', 'threads.statement_id')
    .select([
      'comments.id',
      'comments.thread_id',
      'threads.title as thread_title',
      'threads.url as page_url',
      'statements.slug as statement_slug',
      'comments.parent_id',
      'comments.status',
      'comments.author_name',
      'comments.author_email',
      'comments.author_url',
      'comments.body',
      'comments.created_at',
      'comments.edited_at',
      'comments.ip_hash',
    ])
    .where(ofPerson(person))
    .orderBy('comments.created_at')
    .orderBy('comments.id')
    .execute();
  const edits = new Map<string, { body: string; replacedAt: string }[]>();
  const ids = rows.map((row) => row.id);
  for (let start = 0; start < ids.length; start += 500) {
    const found = await db
      .selectFrom('comment_edits')
      .select(['comment_id', 'body', 'replaced_at'])
      .where('comment_id', 'in', ids.slice(start, start + 500))
      .orderBy('replaced_at')
      .orderBy('id')
      .execute();
    for (const edit of found) {
      const list = edits.get(edit.comment_id) ?? [];
      list.push({ body: edit.body, replacedAt: edit.replaced_at });
      edits.set(edit.comment_id, list);
    }
  }
  return rows.map((row) => ({
    id: row.id,
    threadId: row.thread_id,
    threadTitle: row.thread_title,
    pageUrl: row.page_url ?? undefined,
    statementSlug: row.statement_slug ?? undefined,
    parentId: row.parent_id ?? undefined,
    status: row.status,
    authorName: row.author_name,
    authorEmail: row.author_email ?? undefined,
    authorUrl: row.author_url ?? undefined,
    body: row.body,
    createdAt: row.created_at,
    editedAt: row.edited_at ?? undefined,
    addressHash: row.ip_hash ?? undefined,
    earlierVersions: edits.get(row.id) ?? [],
  }));
}

export interface SubscriptionRecord {
  id: string;
  commentId: string;
  email: string | undefined;
  createdAt: string;
  confirmedAt: string | undefined;
  unsubscribedAt: string | undefined;
  repliesMailed: number;
}

/** Reply subscriptions of the address, and of the person's comments, ended ones included. */
export async function findSubscriptions(
  db: PersonalDataDb,
  person: Person,
): Promise<SubscriptionRecord[]> {
  const rows = await db
    .selectFrom('subscriptions')
    .select((eb) => [
      'subscriptions.id',
      'subscriptions.comment_id',
      'subscriptions.email',
      'subscriptions.created_at',
      'subscriptions.confirmed_at',
      'subscriptions.unsubscribed_at',
      eb
        .selectFrom('subscription_deliveries')
        .select((inner) => inner.fn.countAll<number | string>().as('n'))
        .whereRef('subscription_deliveries.subscription_id', '=', 'subscriptions.id')
        .as('mailed'),
    ])
    .where((eb) =>
      eb.or([
        eb('subscriptions.email_hash', '=', person.subscriptionKey),
        eb(
          'subscriptions.comment_id',
          'in',
          eb.selectFrom('comments').select('comments.id').where(ofPerson(person)),
        ),
      ]),
    )
    .orderBy('subscriptions.created_at')
    .orderBy('subscriptions.id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    commentId: row.comment_id,
    email: row.email ?? undefined,
    createdAt: row.created_at,
    confirmedAt: row.confirmed_at ?? undefined,
    unsubscribedAt: row.unsubscribed_at ?? undefined,
    repliesMailed: Number(row.mailed ?? 0),
  }));
}

/** Deletes the subscriptions (their deliveries go with them); returns how many. */
export async function deleteSubscriptions(db: PersonalDataDb, person: Person): Promise<number> {
  const result = await db
    .deleteFrom('subscriptions')
    .where((eb) =>
      eb.or([
        eb('subscriptions.email_hash', '=', person.subscriptionKey),
        eb(
          'subscriptions.comment_id',
          'in',
          eb.selectFrom('comments').select('comments.id').where(ofPerson(person)),
        ),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Takes the person out of their comments: the name becomes `authorName`, and the address, website,
 * account, address hash and edit token go. The comments keep their place, text and status.
 */
export async function eraseCommentAuthors(
  db: PersonalDataDb,
  person: Person,
  authorName: string,
): Promise<{ id: string; threadId: string; status: string }[]> {
  const rows = await db
    .updateTable('comments')
    .set({
      author_name: authorName,
      author_email: null,
      author_url: null,
      author_account_id: null,
      ip_hash: null,
      edit_token_hash: null,
    })
    .where(ofPerson(person))
    .returning(['comments.id', 'comments.thread_id', 'comments.status'])
    .execute();
  return rows.map((row) => ({ id: row.id, threadId: row.thread_id, status: row.status }));
}

/** Gives each thread a new version (cached pages and ETags change with it). */
export async function bumpThreadVersions(
  db: PersonalDataDb,
  threadIds: readonly string[],
  now: Date,
): Promise<Map<string, number>> {
  const versions = new Map<string, number>();
  for (const threadId of threadIds) {
    const row = await db
      .updateTable('threads')
      .set((eb) => ({ version: eb('version', '+', 1), updated_at: now.toISOString() }))
      .where('id', '=', threadId)
      .returning('version')
      .executeTakeFirstOrThrow();
    versions.set(threadId, Number(row.version));
  }
  return versions;
}

export interface SignatureRecord {
  id: string;
  statementId: string;
  statementTitle: string;
  statementSlug: string;
  kind: string;
  name: string;
  organisation: string | undefined;
  roleTitle: string | undefined;
  email: string;
  country: string | undefined;
  status: string;
  createdAt: string;
  verifiedAt: string | undefined;
}

/** The co-signatures given with the address, oldest first. */
export async function findSignatures(
  db: PersonalDataDb,
  person: Person,
): Promise<SignatureRecord[]> {
  const rows = await db
    .selectFrom('statement_signatures')
    .innerJoin('statements', 'statements.id', 'statement_signatures.statement_id')
    .select([
      'statement_signatures.id',
      'statement_signatures.statement_id',
      'statements.title as statement_title',
      'statements.slug as statement_slug',
      'statement_signatures.kind',
      'statement_signatures.name',
      'statement_signatures.organisation',
      'statement_signatures.role_title',
      'statement_signatures.email',
      'statement_signatures.country',
      'statement_signatures.status',
      'statement_signatures.created_at',
      'statement_signatures.verified_at',
    ])
    .where('statement_signatures.email', '=', person.email)
    .orderBy('statement_signatures.created_at')
    .orderBy('statement_signatures.id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    statementId: row.statement_id,
    statementTitle: row.statement_title,
    statementSlug: row.statement_slug,
    kind: row.kind,
    name: row.name,
    organisation: row.organisation ?? undefined,
    roleTitle: row.role_title ?? undefined,
    email: row.email,
    country: row.country ?? undefined,
    status: row.status,
    createdAt: row.created_at,
    verifiedAt: row.verified_at ?? undefined,
  }));
}

/**
 * Deletes the co-signatures given with the address: a signature is a name put under a text, and
 * with the name and address gone nothing of it would be left to show or count.
 */
export async function deleteSignatures(db: PersonalDataDb, person: Person): Promise<number> {
  const result = await db
    .deleteFrom('statement_signatures')
    .where('email', '=', person.email)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface BanRecord {
  id: string;
  siteId: string;
  /** `email` or `account`. */
  kind: string;
  reason: string;
  createdAt: string;
  expiresAt: string | undefined;
  liftedAt: string | undefined;
}

function bansOf(person: Person) {
  return (eb: ExpressionBuilder<PersonalDataTables, 'bans'>) =>
    eb.or([
      eb.and([eb('bans.kind', '=', 'email'), eb('bans.value', '=', person.email)]),
      ...(person.accountId === undefined
        ? []
        : [eb.and([eb('bans.kind', '=', 'account'), eb('bans.value', '=', person.accountId)])]),
    ]);
}

/** The bans on the address or on the account that has it, lifted and expired ones included. */
export async function findBans(db: PersonalDataDb, person: Person): Promise<BanRecord[]> {
  const rows = await db
    .selectFrom('bans')
    .select(['id', 'site_id', 'kind', 'reason', 'created_at', 'expires_at', 'lifted_at'])
    .where(bansOf(person))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    siteId: row.site_id,
    kind: row.kind,
    reason: row.reason,
    createdAt: row.created_at,
    expiresAt: row.expires_at ?? undefined,
    liftedAt: row.lifted_at ?? undefined,
  }));
}

/**
 * Takes the address out of the bans on it: the ban stays on record (moderators' log refers to
 * it) but ends now, and keeps out nobody, since what it matched is gone. Bans on the account are
 * left: the account is not erased (see README).
 */
export async function eraseEmailBans(
  db: PersonalDataDb,
  person: Person,
  now: Date,
): Promise<number> {
  const rows = await db
    .updateTable('bans')
    .set((eb) => ({
      value: sql<string>`${'erased:'} || ${eb.ref('id')}`,
      lifted_at: eb.fn.coalesce('lifted_at', eb.val(now.toISOString())),
    }))
    .where('kind', '=', 'email')
    .where('value', '=', person.email)
    .returning('id')
    .execute();
  return rows.length;
}

/** The audit log's entries that name the address (a ban's target, `email:ADDRESS`). */
export async function findAuditEntriesNaming(
  db: PersonalDataDb,
  person: Person,
): Promise<{ id: string; at: string; action: string; target: string }[]> {
  const rows = await db
    .selectFrom('moderation_actions')
    .select(['id', 'at', 'action', 'target'])
    .where('target', '=', `email:${person.email}`)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    action: row.action,
    target: row.target ?? '',
  }));
}

/** Replaces the address where the audit log names it; the entries themselves stay. */
export async function eraseAuditTargets(db: PersonalDataDb, person: Person): Promise<number> {
  const result = await db
    .updateTable('moderation_actions')
    .set({ target: 'email:(erased)' })
    .where('target', '=', `email:${person.email}`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface ReportRecord {
  id: string;
  commentId: string;
  reason: string;
  note: string | undefined;
  createdAt: string;
  resolvedAt: string | undefined;
  resolution: string | undefined;
}

/** The reports the member who has the address made. */
export async function findReports(db: PersonalDataDb, person: Person): Promise<ReportRecord[]> {
  if (person.accountId === undefined) return [];
  const rows = await db
    .selectFrom('reports')
    .select(['id', 'comment_id', 'reason', 'note', 'created_at', 'resolved_at', 'resolution'])
    .where('reporter_account_id', '=', person.accountId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    commentId: row.comment_id,
    reason: row.reason,
    note: row.note ?? undefined,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at ?? undefined,
    resolution: row.resolution ?? undefined,
  }));
}

/**
 * Unlinks the member's reports from their account: they keep counting for the comment (a key of
 * their own each), and their notes stay, like the text of erased comments.
 */
export async function eraseReporters(db: PersonalDataDb, person: Person): Promise<number> {
  if (person.accountId === undefined) return 0;
  const rows = await db
    .updateTable('reports')
    .set((eb) => ({
      reporter_account_id: null,
      reporter_key: sql<string>`${'erased:'} || ${eb.ref('id')}`,
    }))
    .where('reporter_account_id', '=', person.accountId)
    .returning('id')
    .execute();
  return rows.length;
}

/** The ids of the installation's sites (a personal-data request concerns all of them). */
export async function allSiteIds(db: PersonalDataDb): Promise<string[]> {
  const rows = await db.selectFrom('sites').select('id').orderBy('id').execute();
  return rows.map((row) => row.id);
}
