/** The SQL of reply notifications: subscriptions and the record of what was mailed. */
import type { Kysely, Selectable } from 'kysely';
import type { DiscussionTables } from './store.js';

export interface SubscriptionsTable {
  id: string;
  comment_id: string;
  email: string | null;
  email_hash: string;
  confirm_token_hash: string;
  unsubscribe_token_hash: string;
  created_at: string;
  confirmation_sent_at: string | null;
  confirmed_at: string | null;
  unsubscribed_at: string | null;
}

export interface SubscriptionDeliveriesTable {
  subscription_id: string;
  comment_id: string;
  sent_at: string;
}

export interface NotificationTables extends DiscussionTables {
  subscriptions: SubscriptionsTable;
  subscription_deliveries: SubscriptionDeliveriesTable;
}

export type NotificationDb = Kysely<NotificationTables>;

export interface Subscription {
  id: string;
  commentId: string;
  /** Undefined once the subscription has ended: the address is not kept beyond its use. */
  email: string | undefined;
  emailHash: string;
  confirmTokenHash: string;
  unsubscribeTokenHash: string;
  createdAt: Date;
  confirmationSentAt: Date | undefined;
  confirmedAt: Date | undefined;
  unsubscribedAt: Date | undefined;
}

const columns = [
  'id',
  'comment_id',
  'email',
  'email_hash',
  'confirm_token_hash',
  'unsubscribe_token_hash',
  'created_at',
  'confirmation_sent_at',
  'confirmed_at',
  'unsubscribed_at',
] as const;

const date = (value: string | null) => (value === null ? undefined : new Date(value));

function toSubscription(row: Selectable<SubscriptionsTable>): Subscription {
  return {
    id: row.id,
    commentId: row.comment_id,
    email: row.email ?? undefined,
    emailHash: row.email_hash,
    confirmTokenHash: row.confirm_token_hash,
    unsubscribeTokenHash: row.unsubscribe_token_hash,
    createdAt: new Date(row.created_at),
    confirmationSentAt: date(row.confirmation_sent_at),
    confirmedAt: date(row.confirmed_at),
    unsubscribedAt: date(row.unsubscribed_at),
  };
}

export async function insertSubscription(db: NotificationDb, s: Subscription): Promise<void> {
  await db
    .insertInto('subscriptions')
    .values({
      id: s.id,
      comment_id: s.commentId,
      email: s.email ?? null,
      email_hash: s.emailHash,
      confirm_token_hash: s.confirmTokenHash,
      unsubscribe_token_hash: s.unsubscribeTokenHash,
      created_at: s.createdAt.toISOString(),
      confirmation_sent_at: s.confirmationSentAt?.toISOString() ?? null,
      confirmed_at: s.confirmedAt?.toISOString() ?? null,
      unsubscribed_at: s.unsubscribedAt?.toISOString() ?? null,
    })
    .execute();
}

export async function findSubscriptionByComment(
  db: NotificationDb,
  commentId: string,
): Promise<Subscription | undefined> {
  const row = await db
    .selectFrom('subscriptions')
    .select(columns)
    .where('comment_id', '=', commentId)
    .executeTakeFirst();
  return row && toSubscription(row);
}

/**
 * The subscriptions a new comment may concern: its own and its parent's. One indexed query, which
 * finds nothing for most comments, so listening to every comment costs little.
 */
export async function findSubscriptionsTouching(
  db: NotificationDb,
  commentId: string,
): Promise<Subscription[]> {
  const rows = await db
    .selectFrom('subscriptions')
    .select(columns)
    .where((eb) =>
      eb.or([
        eb('comment_id', '=', commentId),
        eb(
          'comment_id',
          '=',
          eb.selectFrom('comments').select('parent_id').where('id', '=', commentId),
        ),
      ]),
    )
    .execute();
  return rows.map(toSubscription);
}

export async function findSubscriptionByToken(
  db: NotificationDb,
  kind: 'confirm' | 'unsubscribe',
  tokenHash: string,
): Promise<Subscription | undefined> {
  const row = await db
    .selectFrom('subscriptions')
    .select(columns)
    .where(kind === 'confirm' ? 'confirm_token_hash' : 'unsubscribe_token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row && toSubscription(row);
}

/** Whether an address (by its keyed hash) has ever confirmed a subscription by its link. */
export async function hasConfirmedSubscription(
  db: NotificationDb,
  emailHash: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('subscriptions')
    .select('id')
    .where('email_hash', '=', emailHash)
    .where('confirmed_at', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** How many confirmation mails went to an address since `since`. */
export async function countConfirmationsSent(
  db: NotificationDb,
  emailHash: string,
  since: Date,
): Promise<number> {
  const row = await db
    .selectFrom('subscriptions')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('email_hash', '=', emailHash)
    .where('confirmation_sent_at', '>=', since.toISOString())
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/**
 * Marks the confirmation mail as being sent; true only for the one caller that did it, so that
 * several instances hearing of the same comment send one mail between them.
 */
export async function claimConfirmation(
  db: NotificationDb,
  subscriptionId: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('subscriptions')
    .set({ confirmation_sent_at: now.toISOString() })
    .where('id', '=', subscriptionId)
    .where('confirmation_sent_at', 'is', null)
    .where('confirmed_at', 'is', null)
    .where('unsubscribed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Confirms, unless already confirmed or ended; true when this call confirmed it. */
export async function markConfirmed(
  db: NotificationDb,
  subscriptionId: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('subscriptions')
    .set({ confirmed_at: now.toISOString() })
    .where('id', '=', subscriptionId)
    .where('confirmed_at', 'is', null)
    .where('unsubscribed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends a subscription and forgets its address (the keyed hash stays); true when this call did. */
export async function markUnsubscribed(
  db: NotificationDb,
  subscriptionId: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('subscriptions')
    .set({ unsubscribed_at: now.toISOString(), email: null })
    .where('id', '=', subscriptionId)
    .where('unsubscribed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends the subscription of a comment, if it has one still going; true when this call did. */
export async function endSubscriptionOfComment(
  db: NotificationDb,
  commentId: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('subscriptions')
    .set({ unsubscribed_at: now.toISOString(), email: null })
    .where('comment_id', '=', commentId)
    .where('unsubscribed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Records that `commentId` is being mailed to a subscriber; true only for the first caller, so a
 * reply is never mailed twice (several instances, or an approval announced again).
 */
export async function claimDelivery(
  db: NotificationDb,
  subscriptionId: string,
  commentId: string,
  now: Date,
): Promise<boolean> {
  const row = await db
    .insertInto('subscription_deliveries')
    .values({ subscription_id: subscriptionId, comment_id: commentId, sent_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['subscription_id', 'comment_id']).doNothing())
    .returning('subscription_id')
    .executeTakeFirst();
  return row !== undefined;
}
