/**
 * The SQL of personal-data requests: everything stored about one e-mail address, and erasing it.
 * A person's comments are those posted with the address, and those posted by the member whose
 * account has it.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { AccountsTables } from '../accounts/store.js';
import type { NotificationTables } from '../discussion/notification-store.js';
import type { StatementsTables } from '../statements/store.js';

type PersonalDataTables = AccountsTables & StatementsTables & NotificationTables;
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
