/**
 * Reply notifications: a commenter who gave an e-mail address may ask to be mailed when someone
 * replies to their comment. The address is confirmed by a link before anything else is sent to it;
 * every notification carries a one-click unsubscribe link (RFC 8058).
 *
 * Every subscription is confirmed by its own link, whatever the address did before: the only
 * exception is a signed-in member asking for mail at their own account's address. So nobody can
 * subscribe an address that did not agree, and the answer to a poster never tells whether an
 * address is known here. The link's page only shows a button; the button's POST confirms (mail
 * scanners and link previews open links, and must not confirm for anyone).
 *
 * The subscription is recorded in the comment's own transaction (`subscribeToReplies`, called by
 * `postComment`); everything that sends mail happens later, in a bus listener (`listenForReplies`),
 * once the comment is public — so a held or spam comment never makes us mail anyone, and a failing
 * mail server never fails a comment.
 *
 * Tokens are derived from the server secret and the subscription's id (an HMAC), and only their
 * SHA-256 is stored: a leaked database holds no usable link, yet every mail can carry the same
 * stable unsubscribe link. Changing SECRET invalidates the links already sent.
 */
import { normaliseEmail } from '../accounts/model.js';
import type { AccountsDb } from '../accounts/store.js';
import { findAccountById } from '../accounts/store.js';
import type { Clock } from '../platform/clock.js';
import { NotFoundError, UnprocessableError } from '../platform/errors.js';
import type { BusEvent, EventBus } from '../platform/event-bus.js';
import type { Ids } from '../platform/ids.js';
import { hashToken, keyedHash } from '../platform/ids.js';
import type { Logger } from '../platform/logger.js';
import type { MailMessage, Mailer } from '../platform/mail.js';
import { plainText } from './markdown.js';
import { isPublicStatus } from './model.js';
import type { NotificationDb, Subscription } from './notification-store.js';
import * as notificationStore from './notification-store.js';
import * as store from './store.js';
import type { Comment, DiscussionDb, Thread } from './store.js';

/** The bus topic that carries every comment event of every thread (besides `thread:<id>`). */
export const COMMENTS_TOPIC = 'comments';

/** Comment events that can make a comment public, and so trigger mail. */
const PUBLISHING_EVENTS = new Set(['comment.created', 'comment.approved']);

/** A confirmation link works this long after it was mailed. */
export const CONFIRMATION_TTL_MS = 7 * 24 * 60 * 60_000;
/** At most this many confirmation mails go to one address a day, however many comments ask. */
export const MAX_CONFIRMATIONS_PER_DAY = 3;
const DAY_MS = 24 * 60 * 60_000;
/** Longest excerpt of a reply quoted in a notification, in characters. */
export const EXCERPT_LENGTH = 500;

/** What `postComment` needs to record a subscription: present only where the site can mail. */
export interface ReplySubscriptionSettings {
  /** False when SMTP_URL is not set: subscriptions are refused, since nothing could be sent. */
  enabled: boolean;
  secret: string;
}

/** What sending needs: the listener and the confirm/unsubscribe pages. */
export interface NotificationsContext {
  db: DiscussionDb;
  clock: Clock;
  ids: Ids;
  mailer: Mailer;
  logger: Logger;
  secret: string;
  /** BASE_URL, ending in `/`: every link in a mail starts with it. */
  baseUrl: URL;
}

const notificationDb = (db: DiscussionDb) => db as unknown as NotificationDb;

// --- rules (pure) ----------------------------------------------------------------------------

/** The keyed hash under which an address is looked up; the same however it was capitalised. */
export function addressKey(secret: string, email: string): string {
  return keyedHash(secret, `subscriber:${normaliseEmail(email)}`);
}

/** Whether `email` has proven to be its writer's: it confirmed a subscription by its link once. */
export async function isConfirmedAddress(
  db: DiscussionDb,
  secret: string,
  email: string,
): Promise<boolean> {
  return notificationStore.hasConfirmedSubscription(notificationDb(db), addressKey(secret, email));
}

/** The secret in a subscription's link; derived, so it need not be stored (only its hash is). */
export function subscriptionToken(
  secret: string,
  subscriptionId: string,
  purpose: 'confirm' | 'unsubscribe',
): string {
  const prefix = purpose === 'confirm' ? 'bsc_' : 'bsu_';
  return prefix + keyedHash(secret, `subscription-${purpose}:${subscriptionId}`);
}

/**
 * Whether a subscription may start confirmed: only when its comment is by a signed-in member and
 * the address is that member's own account address (which the member cannot set themselves).
 * Anyone else confirms every subscription by its link, even for an address that confirmed before.
 */
export function isMembersOwnAddress(
  email: string,
  authorAccount: { email: string } | undefined,
): boolean {
  return (
    authorAccount !== undefined && normaliseEmail(authorAccount.email) === normaliseEmail(email)
  );
}

/** A reply is its author's own when the address matches, or both are the same member. */
export function isOwnReply(
  secret: string,
  subscription: Pick<Subscription, 'emailHash'>,
  parent: Pick<Comment, 'authorAccountId'>,
  reply: Pick<Comment, 'authorAccountId' | 'authorEmail'>,
): boolean {
  if (
    reply.authorEmail !== undefined &&
    addressKey(secret, reply.authorEmail) === subscription.emailHash
  )
    return true;
  return reply.authorAccountId !== undefined && reply.authorAccountId === parent.authorAccountId;
}

export function linkTo(baseUrl: URL, path: string): string {
  return new URL(path, baseUrl).toString();
}

/** Headers and text must stay on one line: user-given names and titles may hold anything. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

export function confirmationMail(input: {
  to: string;
  threadTitle: string;
  authorName: string;
  confirmUrl: string;
}): MailMessage {
  const title = oneLine(input.threadTitle);
  return {
    to: input.to,
    subject: `Confirm e-mails about replies on “${title}”`,
    text: [
      `A comment by ${oneLine(input.authorName)} on “${title}” asked to be told of replies by e-mail, at this address.`,
      '',
      'To confirm that this is your address and that you want these e-mails, open this link:',
      '',
      input.confirmUrl,
      '',
      'If it was not you, ignore this message: nothing more will be sent to you about it.',
      `The link works for ${Math.round(CONFIRMATION_TTL_MS / DAY_MS)} days.`,
    ].join('\n'),
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

export function replyMail(input: {
  to: string;
  threadTitle: string;
  replierName: string;
  excerpt: string;
  commentUrl: string;
  unsubscribeUrl: string;
}): MailMessage {
  const title = oneLine(input.threadTitle);
  const replier = oneLine(input.replierName);
  return {
    to: input.to,
    subject: `${replier} replied to your comment on “${title}”`,
    text: [
      `${replier} replied to your comment on “${title}”:`,
      '',
      input.excerpt || '(The reply has no text.)',
      '',
      `Read it and answer: ${input.commentUrl}`,
      '',
      '-- ',
      'You get this because you asked to be e-mailed about replies to your comment.',
      `Stop these e-mails with one click: ${input.unsubscribeUrl}`,
    ].join('\n'),
    headers: {
      'List-Unsubscribe': `<${input.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'Auto-Submitted': 'auto-generated',
    },
  };
}

// --- subscribing, inside postComment's transaction ------------------------------------------

/**
 * How a reply subscription stands right after posting, for the poster to be told:
 * `pending-confirmation` for everyone but a member asking at their own account's address, so that
 * the answer tells nothing about what the address did before.
 */
export type ReplyNotificationState = 'pending-confirmation' | 'active';

/**
 * Refuses, before anything is written, a request for reply notifications that cannot be met.
 * Call with the author's normalised address (or undefined).
 */
export function requireSubscribable(
  settings: ReplySubscriptionSettings | undefined,
  email: string | undefined,
): asserts settings is ReplySubscriptionSettings {
  if (!settings?.enabled) {
    throw new UnprocessableError(
      'This site cannot send e-mail, so it cannot tell you of replies. Post without asking for e-mails.',
      'notifications-unavailable',
    );
  }
  if (email === undefined) {
    throw new UnprocessableError(
      'Give your e-mail address to be told of replies by e-mail.',
      'email-required-for-notifications',
    );
  }
}

/**
 * Records that the author of `commentId` wants replies mailed to `email`. Runs inside the
 * comment's transaction, after the comment is written (its author's account is read from it);
 * sends nothing (the listener mails the confirmation once the comment is public).
 */
export async function subscribeToReplies(
  db: DiscussionDb,
  settings: ReplySubscriptionSettings,
  input: { id: string; commentId: string; email: string; now: Date },
): Promise<ReplyNotificationState> {
  const active = isMembersOwnAddress(input.email, await authorAccountOf(db, input.commentId));
  await notificationStore.insertSubscription(notificationDb(db), {
    id: input.id,
    commentId: input.commentId,
    email: normaliseEmail(input.email),
    emailHash: addressKey(settings.secret, input.email),
    confirmTokenHash: hashToken(subscriptionToken(settings.secret, input.id, 'confirm')),
    unsubscribeTokenHash: hashToken(subscriptionToken(settings.secret, input.id, 'unsubscribe')),
    createdAt: input.now,
    confirmationSentAt: undefined,
    confirmedAt: active ? input.now : undefined,
    unsubscribedAt: undefined,
  });
  return active ? 'active' : 'pending-confirmation';
}

/** The account of a comment's signed-in author, read from the database, never from the request. */
async function authorAccountOf(db: DiscussionDb, commentId: string) {
  const comment = await store.findComment(db, commentId);
  if (comment?.authorAccountId === undefined) return undefined;
  return findAccountById(db as unknown as AccountsDb, comment.authorAccountId);
}

/**
 * Ends the subscription of a comment that is being removed, forgetting its address; call it in
 * the removal's own transaction. True when there was one to end.
 */
export async function endSubscriptionOfComment(
  db: DiscussionDb,
  commentId: string,
  now: Date,
): Promise<boolean> {
  return notificationStore.endSubscriptionOfComment(notificationDb(db), commentId, now);
}

// --- the links' pages -------------------------------------------------------------------------

export interface SubscriptionSummary {
  state: 'pending' | 'active' | 'ended';
  threadTitle: string;
  /** The comment the subscription is for. */
  commentId: string;
}

function stateOf(subscription: Subscription): SubscriptionSummary['state'] {
  if (subscription.unsubscribedAt) return 'ended';
  return subscription.confirmedAt ? 'active' : 'pending';
}

async function summarise(
  ctx: NotificationsContext,
  subscription: Subscription,
): Promise<SubscriptionSummary> {
  const comment = await store.findComment(ctx.db, subscription.commentId);
  const thread = comment && (await store.findThread(ctx.db, comment.threadId));
  return {
    state: stateOf(subscription),
    threadTitle: thread?.title ?? 'a discussion',
    commentId: subscription.commentId,
  };
}

async function requireByToken(
  ctx: NotificationsContext,
  kind: 'confirm' | 'unsubscribe',
  token: string,
): Promise<Subscription> {
  const subscription = await notificationStore.findSubscriptionByToken(
    notificationDb(ctx.db),
    kind,
    hashToken(token),
  );
  if (!subscription) {
    throw new NotFoundError(
      `This ${kind === 'confirm' ? 'confirmation' : 'unsubscribe'} link is not valid. Check that it was copied whole from the e-mail.`,
      'subscription-link-invalid',
    );
  }
  return subscription;
}

/**
 * The subscription behind a confirmation link that may still be used. An unknown link, or one
 * older than CONFIRMATION_TTL_MS and never used, is a 404.
 */
async function requireConfirmationLink(
  ctx: NotificationsContext,
  token: string,
  now: Date,
): Promise<Subscription> {
  const subscription = await requireByToken(ctx, 'confirm', token);
  const sentAt = subscription.confirmationSentAt ?? subscription.createdAt;
  if (
    stateOf(subscription) === 'pending' &&
    now.getTime() - sentAt.getTime() > CONFIRMATION_TTL_MS
  ) {
    throw new NotFoundError(
      'This confirmation link has expired. Ask for e-mails about replies again on your next comment.',
      'subscription-link-expired',
    );
  }
  return subscription;
}

/** What a confirmation link is for, without acting on it (GET must not confirm). */
export async function describeConfirmationLink(
  ctx: NotificationsContext,
  token: string,
): Promise<SubscriptionSummary> {
  return summarise(ctx, await requireConfirmationLink(ctx, token, ctx.clock.now()));
}

/**
 * Confirms the subscription behind a confirmation link. Idempotent: a second use reports the same
 * (and an ended subscription stays ended). Unknown and expired links are 404s.
 */
export async function confirmSubscription(
  ctx: NotificationsContext,
  token: string,
): Promise<SubscriptionSummary> {
  const now = ctx.clock.now();
  const subscription = await requireConfirmationLink(ctx, token, now);
  if (stateOf(subscription) !== 'pending') return summarise(ctx, subscription);
  if (await notificationStore.markConfirmed(notificationDb(ctx.db), subscription.id, now))
    return summarise(ctx, { ...subscription, confirmedAt: now });
  // Confirmed or ended by another request just now: say how it stands.
  return summarise(ctx, await requireByToken(ctx, 'confirm', token));
}

/** What an unsubscribe link is for, without acting on it (GET must not unsubscribe). */
export async function describeUnsubscribeLink(
  ctx: NotificationsContext,
  token: string,
): Promise<SubscriptionSummary> {
  return summarise(ctx, await requireByToken(ctx, 'unsubscribe', token));
}

/** Ends the subscription behind an unsubscribe link and forgets its address. Idempotent. */
export async function unsubscribe(
  ctx: NotificationsContext,
  token: string,
): Promise<SubscriptionSummary & { alreadyEnded: boolean }> {
  const subscription = await requireByToken(ctx, 'unsubscribe', token);
  const now = ctx.clock.now();
  const ended = await notificationStore.markUnsubscribed(
    notificationDb(ctx.db),
    subscription.id,
    now,
  );
  const summary = await summarise(ctx, { ...subscription, unsubscribedAt: now });
  return { ...summary, alreadyEnded: !ended };
}

// --- sending, on the bus ----------------------------------------------------------------------

/** Acts on one comment event: confirmation and reply mails, and ending removed comments' subscriptions. */
export async function handleCommentEvent(
  ctx: NotificationsContext,
  event: BusEvent,
): Promise<void> {
  const commentId = event.payload.commentId;
  if (typeof commentId !== 'string') return;
  if (event.type === 'comment.removed') {
    // The comment's author data is gone; the subscription (and its address) goes with it. Until
    // `deleteComment` calls `endSubscriptionOfComment` in its transaction, this does it after the
    // fact; afterwards it finds nothing left to end.
    await endSubscriptionOfComment(ctx.db, commentId, ctx.clock.now());
    return;
  }
  if (!PUBLISHING_EVENTS.has(event.type) || event.payload.status !== 'approved') return;
  const touching = await notificationStore.findSubscriptionsTouching(
    notificationDb(ctx.db),
    commentId,
  );
  if (touching.length === 0) return;
  const comment = await store.findComment(ctx.db, commentId);
  // Imported comments are history: nobody is told of them.
  if (!comment || comment.status !== 'approved' || comment.origin === 'import') return;
  const thread = await store.findThread(ctx.db, comment.threadId);
  if (!thread) return;
  await sendConfirmationIfDue(ctx, thread, comment);
  if (comment.parentId !== undefined) await notifyParent(ctx, thread, comment, comment.parentId);
}

async function sendConfirmationIfDue(ctx: NotificationsContext, thread: Thread, comment: Comment) {
  const db = notificationDb(ctx.db);
  const subscription = await notificationStore.findSubscriptionByComment(db, comment.id);
  if (!subscription?.email || stateOf(subscription) !== 'pending') return;
  if (subscription.confirmationSentAt) return;
  const now = ctx.clock.now();
  const recent = await notificationStore.countConfirmationsSent(
    db,
    subscription.emailHash,
    new Date(now.getTime() - DAY_MS),
  );
  if (recent >= MAX_CONFIRMATIONS_PER_DAY) {
    ctx.logger.warn(
      { subscriptionId: subscription.id },
      `confirmation not mailed: the address had ${recent} in the last day`,
    );
    return;
  }
  if (!(await notificationStore.claimConfirmation(db, subscription.id, now))) return;
  const token = subscriptionToken(ctx.secret, subscription.id, 'confirm');
  await send(
    ctx,
    confirmationMail({
      to: subscription.email,
      threadTitle: thread.title,
      authorName: comment.authorName,
      confirmUrl: linkTo(ctx.baseUrl, `notifications/confirm/${token}`),
    }),
    { subscriptionId: subscription.id, kind: 'confirmation' },
  );
}

async function notifyParent(
  ctx: NotificationsContext,
  thread: Thread,
  reply: Comment,
  parentId: string,
) {
  const db = notificationDb(ctx.db);
  const parent = await store.findComment(ctx.db, parentId);
  if (!parent || parent.status !== 'approved') return;
  const subscription = await notificationStore.findSubscriptionByComment(db, parent.id);
  if (!subscription?.email || stateOf(subscription) !== 'active') return;
  if (isOwnReply(ctx.secret, subscription, parent, reply)) return;
  if (!(await notificationStore.claimDelivery(db, subscription.id, reply.id, ctx.clock.now())))
    return;
  const token = subscriptionToken(ctx.secret, subscription.id, 'unsubscribe');
  await send(
    ctx,
    replyMail({
      to: subscription.email,
      threadTitle: thread.title,
      replierName: reply.authorName,
      excerpt: plainText(reply.body, EXCERPT_LENGTH),
      commentUrl: linkTo(ctx.baseUrl, `c/${reply.id}`),
      unsubscribeUrl: linkTo(ctx.baseUrl, `notifications/unsubscribe/${token}`),
    }),
    { subscriptionId: subscription.id, kind: 'reply', commentId: reply.id },
  );
}

/** Sends one mail; a failure is logged (without the address) and never thrown. */
async function send(ctx: NotificationsContext, message: MailMessage, about: object) {
  try {
    await ctx.mailer.send(message);
  } catch (error) {
    ctx.logger.error({ err: error, ...about }, 'reply notification e-mail could not be sent');
  }
}

export interface ReplyListener {
  /** Resolves once every event heard so far has been handled (its mail sent or given up). */
  settled(): Promise<void>;
  /** Stops listening, then waits for the work under way. */
  stop(): Promise<void>;
}

/**
 * Listens on COMMENTS_TOPIC and mails confirmations and reply notifications. Work runs after the
 * publisher has moved on; failures are logged, never thrown into the bus.
 */
export function listenForReplies(ctx: NotificationsContext, bus: EventBus): ReplyListener {
  const inFlight = new Set<Promise<void>>();
  const unsubscribeFromBus = bus.subscribe(COMMENTS_TOPIC, (event) => {
    const work: Promise<void> = handleCommentEvent(ctx, event)
      .catch((error: unknown) =>
        ctx.logger.error({ err: error, event: event.type }, 'reply notifications failed'),
      )
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  });
  const settled = async () => {
    while (inFlight.size > 0) await Promise.all(inFlight);
  };
  return {
    settled,
    async stop() {
      unsubscribeFromBus();
      await settled();
    },
  };
}

// --- permalinks -------------------------------------------------------------------------------

/**
 * A public comment and its thread, for the permalink `/c/:commentId` that notification mails
 * link to. Held, rejected and spam comments are not found.
 */
export async function locateComment(
  ctx: Pick<NotificationsContext, 'db'>,
  commentId: string,
): Promise<{ comment: Comment; thread: Thread }> {
  const comment = await store.findComment(ctx.db, commentId);
  const thread =
    comment && isPublicStatus(comment.status) && (await store.findThread(ctx.db, comment.threadId));
  if (!comment || !thread)
    throw new NotFoundError(`There is no comment ${commentId}.`, 'comment-not-found');
  return { comment, thread };
}
