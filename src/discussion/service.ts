/**
 * Use cases of discussions: one function per user action, one transaction each. Every new comment
 * passes the moderation verdict; every change bumps the thread's version and is announced on the
 * event bus after it commits.
 */
import { isValidEmail, normaliseEmail } from '../accounts/model.js';
import type { Clock } from '../platform/clock.js';
import { inTransaction } from '../platform/database/index.js';
import type { EventBus } from '../platform/event-bus.js';
import {
  AppError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
} from '../platform/errors.js';
import type { Ids } from '../platform/ids.js';
import { hashToken, safeEqual } from '../platform/ids.js';
import type { CommentUnderReview, Decision, Verdict } from '../moderation/model.js';
import { NO_HISTORY } from '../moderation/model.js';
import type {
  CommentModeration,
  CommentStatusChange,
  CommentStatusChanged,
  ModeratedComments,
  SharedTransaction,
} from '../moderation/ports.js';
import { renderMarkdown } from './markdown.js';
import type { CommentOrigin, CommentSort, CommentStatus, DiscussionSettings } from './model.js';
import {
  ancestorPaths,
  bodyProblem,
  hasNonText,
  childPath,
  effectiveParent,
  isPublicStatus,
  MAX_ORDINAL,
  inDisplayOrder,
  numbersOnPage,
  pageCount,
  pathRangeOfNumbers,
  statusAfterEdit,
  statusAfterRemoval,
  TOP_LEVEL_PER_PAGE,
  withinEditWindow,
  editWindowText,
} from './model.js';
import type { ReplyNotificationState, ReplySubscriptionSettings } from './notifications.js';
import {
  COMMENTS_TOPIC,
  endSubscriptionOfComment,
  isConfirmedAddress,
  requireSubscribable,
  subscribeToReplies,
} from './notifications.js';
import * as store from './store.js';
import type { Comment, DiscussionDb, Thread } from './store.js';

export interface DiscussionContext {
  db: DiscussionDb;
  clock: Clock;
  ids: Ids;
  bus: EventBus;
  settings: DiscussionSettings;
  /** Reply notifications by e-mail; without it (or with it disabled) `notifyReplies` is refused. */
  replyNotifications?: ReplySubscriptionSettings;
  /** The verdict every new comment and every edit gets, and the audit log of it. */
  moderation: CommentModeration;
}

const STATUS_OF: Record<Decision, CommentStatus> = {
  approve: 'approved',
  hold: 'pending',
  reject: 'rejected',
  spam: 'spam',
};

// --- threads -------------------------------------------------------------------------------

/**
 * Opens a thread. It is one insert, so it needs no transaction of its own: a caller that creates
 * the thread together with something else (a statement) passes a context whose `db` is its
 * transaction, and both commit or neither does.
 */
export async function createThread(
  ctx: DiscussionContext,
  input: {
    siteId: string;
    title: string;
    statementId?: string;
    url?: string;
    authorAccountId?: string;
    authorName?: string;
  },
): Promise<Thread> {
  const now = ctx.clock.now();
  const thread: Thread = {
    id: ctx.ids.id(),
    siteId: input.siteId,
    statementId: input.statementId,
    url: input.url,
    title: input.title,
    authorAccountId: input.authorAccountId,
    authorName: input.authorName,
    status: 'open',
    version: 1,
    topLevelCount: 0,
    commentCount: 0,
    createdAt: now,
    updatedAt: now,
  };
  await store.insertThread(ctx.db, thread);
  return thread;
}

export async function getThread(ctx: DiscussionContext, threadId: string): Promise<Thread> {
  const thread = await store.findThread(ctx.db, threadId);
  if (!thread) throw new NotFoundError(`There is no thread ${threadId}.`, 'thread-not-found');
  return thread;
}

/** The thread under a statement (every published statement has one). */
export async function getThreadOfStatement(
  ctx: DiscussionContext,
  statementId: string,
): Promise<Thread> {
  const thread = await store.findThreadByStatement(ctx.db, statementId);
  if (!thread)
    throw new NotFoundError(`Statement ${statementId} has no discussion.`, 'thread-not-found');
  return thread;
}

// --- posting -------------------------------------------------------------------------------

export interface CommentAuthor {
  accountId?: string;
  name: string;
  email?: string;
  url?: string;
}

export interface PostCommentInput {
  threadId: string;
  parentId?: string;
  author: CommentAuthor;
  body: string;
  origin?: CommentOrigin;
  /** A keyed hash of the poster's address; never the address itself. */
  ipHash?: string;
  /** For imports: the id in the system it came from, and its original time. */
  externalId?: string;
  createdAt?: Date;
  /**
   * For imports of top-level comments: the number the comment had where it came from, kept as it
   * was (gaps allowed) instead of the next one; it must be above every number the thread has.
   */
  number?: number;
  /** For imports: the status the comment had where it came from (default approved). */
  status?: CommentStatus;
  /**
   * "E-mail me replies" (form field `notifyReplies=on`, JSON `notifyReplies: true`): needs an
   * author e-mail and a site that can send mail, or the comment is refused before anything is
   * written. Records a subscription in the same transaction; the mail goes out later.
   */
  notifyReplies?: boolean;
}

export interface PostedComment {
  comment: Comment;
  /** For anonymous authors: the secret that lets them edit or delete, shown to them once. */
  editToken: string | undefined;
  /**
   * Set when `notifyReplies` was asked: `pending-confirmation` (a confirmation link is mailed
   * once the comment is public) or `active` (the address had confirmed before).
   */
  replyNotifications?: ReplyNotificationState;
}

function validAuthor(author: CommentAuthor): CommentAuthor {
  const name = author.name.trim().replace(/\s+/g, ' ');
  if (!name) throw new UnprocessableError('Give a name to comment under.', 'name-missing');
  if (hasNonText(name)) {
    throw new UnprocessableError(
      'The name contains characters that are not text (control characters or broken Unicode); type it again.',
      'name-invalid',
    );
  }
  if (name.length > 100)
    throw new UnprocessableError('A name can be at most 100 characters.', 'name-too-long');
  const email = author.email?.trim() ? normaliseEmail(author.email) : undefined;
  if (email !== undefined && !isValidEmail(email)) {
    throw new UnprocessableError(
      `"${author.email}" is not a valid e-mail address.`,
      'invalid-email',
    );
  }
  const given = author.url?.trim() || undefined;
  let url: string | undefined;
  if (given !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(given);
    } catch {
      parsed = undefined;
    }
    if (
      !parsed ||
      (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ||
      given.length > 500 ||
      parsed.href.length > 500
    ) {
      throw new UnprocessableError(
        `"${given}" is not a web address; it must start with http:// or https://.`,
        'invalid-url',
      );
    }
    if (parsed.username !== '' || parsed.password !== '') {
      throw new UnprocessableError(
        'A web address with a user name or password in it (user:password@) is not accepted; give the address without it.',
        'url-has-credentials',
      );
    }
    // The parsed form: control characters are dropped or percent-encoded, the host normalised.
    url = parsed.href;
  }
  return { accountId: author.accountId, name, email, url };
}

function requireValidBody(body: string, ctx: DiscussionContext, origin: CommentOrigin) {
  const problem = bodyProblem(body, ctx.settings, origin);
  if (!problem) return;
  if (problem.code === 'body-too-long') throw new AppError(413, problem.code, problem.message);
  throw new UnprocessableError(problem.message, problem.code);
}

/**
 * Posts a comment or a reply, judged by moderation, in one transaction (the caller's, when
 * `ctx.db` is one: see `inTransaction`).
 */
export async function postComment(
  ctx: DiscussionContext,
  input: PostCommentInput,
): Promise<PostedComment> {
  const origin = input.origin ?? 'local';
  const author = validAuthor(input.author);
  requireValidBody(input.body, ctx, origin);
  if (input.notifyReplies) requireSubscribable(ctx.replyNotifications, author.email);
  if (input.number !== undefined) requireImportedNumber(input, origin);
  if (input.status !== undefined && origin === 'local') {
    throw new BadRequestError(
      'Only imported comments keep a status of their own; new ones are judged by moderation.',
      'status-not-allowed',
    );
  }
  let replyNotifications: ReplyNotificationState | undefined;
  const html = renderMarkdown(input.body);
  const editToken = author.accountId || origin !== 'local' ? undefined : ctx.ids.token('bse_');
  // Outside classifiers are slow and remote: asked before the transaction, never inside it.
  const classifier =
    origin === 'local'
      ? await ctx.moderation.consult({
          body: input.body,
          authorName: author.name,
          authorEmail: author.email,
          authorUrl: author.url,
          ipHash: input.ipHash,
          origin,
        })
      : undefined;

  const { comment, version } = await inTransaction(ctx.db, async (trx) => {
    const now = input.createdAt ?? ctx.clock.now();
    const thread = await store.findThread(trx, input.threadId);
    if (!thread)
      throw new NotFoundError(`There is no thread ${input.threadId}.`, 'thread-not-found');
    if (thread.status === 'closed' && origin === 'local') {
      throw new ConflictError('This discussion is closed to new comments.', 'thread-closed');
    }
    const review = await underReview(ctx, trx, {
      thread,
      body: input.body,
      author,
      ipHash: input.ipHash,
      origin,
      now,
    });
    const verdict = await ctx.moderation.judge(shared(trx), review, classifier);
    const { status, flagged } = judgedStatus(verdict, origin, input.status);

    let parent: Comment | undefined;
    if (input.parentId !== undefined) {
      const requested = await store.findComment(trx, input.parentId);
      // A comment readers cannot see cannot be replied to (imports keep their trees as they were).
      if (!requested || (origin === 'local' && !isPublicStatus(requested.status)))
        throw new NotFoundError(
          `There is no comment ${input.parentId} to reply to.`,
          'parent-not-found',
        );
      if (requested.threadId !== thread.id) {
        throw new UnprocessableError(
          'The comment replied to belongs to another thread.',
          'parent-in-other-thread',
        );
      }
      const ancestors = await store.findCommentsByPaths(
        trx,
        thread.id,
        ancestorPaths(requested.path),
      );
      parent = effectiveParent(requested, ancestors, ctx.settings.maxDepth);
    }

    const change = { publicDelta: isPublicStatus(status) ? 1 : 0, now };
    // A new top-level comment takes its number and bumps the thread in one UPDATE.
    let bumped: number | undefined;
    let ordinal: number;
    if (parent) ordinal = await store.takeReplyOrdinal(trx, parent.id);
    else if (input.number !== undefined)
      ordinal = await takeImportedNumber(trx, thread, input.number);
    else ({ ordinal, version: bumped } = await store.takeTopLevelOrdinal(trx, thread.id, change));
    const isStatementAuthor =
      (author.accountId !== undefined && author.accountId === thread.authorAccountId) ||
      (origin !== 'local' && thread.authorName !== undefined && author.name === thread.authorName);
    const created: Comment = {
      id: ctx.ids.id(),
      threadId: thread.id,
      parentId: parent?.id,
      path: childPath(parent?.path, ordinal),
      depth: parent ? parent.depth + 1 : 1,
      number: parent ? undefined : ordinal,
      replyCount: 0,
      authorAccountId: author.accountId,
      authorName: author.name,
      authorEmail: author.email,
      authorUrl: author.url,
      isStatementAuthor,
      body: input.body,
      html,
      status,
      reasons: verdict.reasons,
      flagged,
      origin,
      externalId: input.externalId,
      editTokenHash: editToken ? hashToken(editToken) : undefined,
      createdAt: now,
      editedAt: undefined,
    };
    await store.insertComment(trx, created, input.ipHash);
    // Every decision of the rules is in the audit log; of an import's, only what it flagged.
    if (origin === 'local' || flagged) {
      await ctx.moderation.record(shared(trx), {
        siteId: thread.siteId,
        commentId: created.id,
        threadId: thread.id,
        source: origin === 'local' ? 'rules' : 'import',
        verdict,
        statusAfter: status,
        flagged,
      });
    }
    if (input.notifyReplies && ctx.replyNotifications && author.email !== undefined) {
      replyNotifications = await subscribeToReplies(trx, ctx.replyNotifications, {
        id: ctx.ids.id(),
        commentId: created.id,
        email: author.email,
        now,
      });
    }
    bumped ??= await store.bumpThread(trx, thread.id, change.publicDelta, now);
    return { comment: created, version: bumped };
  });

  await announce(ctx, 'comment.created', comment, version);
  return { comment, editToken, replyNotifications };
}

function requireImportedNumber(input: PostCommentInput, origin: CommentOrigin): void {
  const number = input.number ?? 0;
  if (origin === 'local' || input.parentId !== undefined) {
    throw new BadRequestError(
      'Only imported top-level comments keep a number of their own.',
      'number-not-allowed',
    );
  }
  if (!Number.isInteger(number) || number < 1 || number > MAX_ORDINAL) {
    throw new UnprocessableError(
      `Comment number ${number} is out of range; use a whole number from 1 to ${MAX_ORDINAL.toLocaleString('en')}.`,
      'number-out-of-range',
    );
  }
}

/** The transaction as moderation sees it: the same one, read as its own tables. */
const shared = (trx: DiscussionDb): SharedTransaction => trx as unknown as SharedTransaction;

/** The history look-ups' author: the account, else the e-mail, else the address. */
function authorKey(author: CommentAuthor, ipHash: string | undefined): store.AuthorKey | undefined {
  if (author.accountId !== undefined)
    return { column: 'author_account_id', value: author.accountId };
  if (author.email !== undefined) return { column: 'author_email', value: author.email };
  if (ipHash !== undefined) return { column: 'ip_hash', value: ipHash };
  return undefined;
}

const MINUTE = 60_000;

/**
 * Everything moderation's rules may look at, gathered in the posting transaction: the thread, the
 * author's history (imports have none that means anything: they are judged on their words alone).
 */
async function underReview(
  ctx: DiscussionContext,
  trx: DiscussionDb,
  input: {
    thread: Thread;
    body: string;
    author: CommentAuthor;
    ipHash: string | undefined;
    origin: CommentOrigin;
    now: Date;
    isEdit?: boolean;
  },
): Promise<CommentUnderReview> {
  const { thread, author } = input;
  const history =
    input.origin === 'local'
      ? {
          ...(await store.readAuthorHistory(trx, {
            author: authorKey(author, input.ipHash),
            ipHash: input.ipHash,
            body: input.body,
            since: new Date(input.now.getTime() - MINUTE),
          })),
          emailVerified:
            author.email !== undefined && ctx.replyNotifications !== undefined
              ? await isConfirmedAddress(trx, ctx.replyNotifications.secret, author.email)
              : false,
        }
      : NO_HISTORY;
  return {
    siteId: thread.siteId,
    threadId: thread.id,
    body: input.body,
    authorName: author.name,
    authorEmail: author.email,
    authorAccountId: author.accountId,
    authorUrl: author.url,
    ipHash: input.ipHash,
    threadStatus: thread.status,
    origin: input.origin,
    isEdit: input.isEdit ?? false,
    history,
    now: input.now,
  };
}

/**
 * The status a judged comment is stored with. New comments take the verdict's; imported ones keep
 * the status they had where they came from, and what the rules would have held is flagged for a
 * moderator instead.
 */
function judgedStatus(
  verdict: Verdict,
  origin: CommentOrigin,
  importedStatus: CommentStatus | undefined,
): { status: CommentStatus; flagged: boolean } {
  if (origin === 'local') return { status: STATUS_OF[verdict.decision], flagged: false };
  return { status: importedStatus ?? 'approved', flagged: verdict.decision !== 'approve' };
}

async function takeImportedNumber(trx: DiscussionDb, thread: Thread, number: number) {
  if (!(await store.takeTopLevelNumber(trx, thread.id, number))) {
    throw new ConflictError(
      `Comment number ${number} cannot be given: this discussion already has numbers up to ${thread.topLevelCount}.`,
      'number-taken',
    );
  }
  return number;
}

/** Comments of a thread that came from elsewhere (imports), by their external id → comment id. */
export async function findImportedComments(
  ctx: DiscussionContext,
  threadId: string,
): Promise<Map<string, string>> {
  return store.listExternalIds(ctx.db, threadId);
}

// --- editing and removing ------------------------------------------------------------------

/** Who is asking to change a comment: a member, or the holder of an anonymous edit token. */
export interface Editor {
  accountId?: string;
  editToken?: string;
  /** Moderators may remove any comment, at any time. */
  isModerator?: boolean;
}

/**
 * Whether `editor` wrote `comment`: the member by account, or the holder of its edit token. (Not
 * whether they may still edit it: see the edit window.)
 */
export function mayChange(comment: Comment, editor: Editor): boolean {
  if (editor.accountId !== undefined && editor.accountId === comment.authorAccountId) return true;
  if (editor.editToken !== undefined && comment.editTokenHash !== undefined) {
    return safeEqual(hashToken(editor.editToken), comment.editTokenHash);
  }
  return false;
}

async function requireComment(db: DiscussionDb, commentId: string): Promise<Comment> {
  const comment = await store.findComment(db, commentId);
  if (!comment || comment.status === 'deleted') {
    throw new NotFoundError(`There is no comment ${commentId}.`, 'comment-not-found');
  }
  return comment;
}

/**
 * Replaces a comment's text within the edit window, keeping the old text in its history. The new
 * text is judged like a new comment: a held edit takes the comment out of view until approved.
 */
export async function editComment(
  ctx: DiscussionContext,
  input: { commentId: string; body: string; editor: Editor },
): Promise<Comment> {
  requireValidBody(input.body, ctx, 'local');
  const html = renderMarkdown(input.body);
  const { updated, version } = await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const comment = await requireComment(trx, input.commentId);
    if (!mayChange(comment, input.editor))
      throw new ForbiddenError('Only the author can edit this comment.', 'not-author');
    if (!withinEditWindow(comment.createdAt, now, ctx.settings)) {
      throw new ForbiddenError(
        `Comments can be edited for ${editWindowText(ctx.settings)} after posting; this one no longer can.`,
        'edit-window-over',
      );
    }
    const thread = await store.findThread(trx, comment.threadId);
    if (thread?.status === 'closed') {
      throw new ConflictError(
        'This discussion is closed: its comments can no longer be edited.',
        'thread-closed',
      );
    }
    await store.insertCommentEdit(trx, {
      id: ctx.ids.id(),
      commentId: comment.id,
      body: comment.body,
      html: comment.html,
      replacedAt: now,
    });
    if (!thread)
      throw new NotFoundError(`There is no thread ${comment.threadId}.`, 'thread-not-found');
    const review = await underReview(ctx, trx, {
      thread,
      body: input.body,
      author: {
        accountId: comment.authorAccountId,
        name: comment.authorName,
        email: comment.authorEmail,
        url: comment.authorUrl,
      },
      ipHash: undefined,
      origin: 'local',
      now,
      isEdit: true,
    });
    const verdict = await ctx.moderation.judge(shared(trx), review, undefined);
    const status = statusAfterEdit(comment.status, STATUS_OF[verdict.decision]);
    const reasons = status === comment.status ? comment.reasons : verdict.reasons;
    const changed = { body: input.body, html, status, reasons, editedAt: now };
    await store.updateCommentBody(trx, { id: comment.id, ...changed });
    if (status !== comment.status) {
      await ctx.moderation.record(shared(trx), {
        siteId: thread.siteId,
        commentId: comment.id,
        threadId: thread.id,
        source: 'rules',
        verdict,
        statusAfter: status,
        flagged: comment.flagged,
      });
    }
    const publicDelta = Number(isPublicStatus(status)) - Number(isPublicStatus(comment.status));
    const bumped = await store.bumpThread(trx, comment.threadId, publicDelta, now);
    return { updated: { ...comment, ...changed }, version: bumped };
  });
  await announce(ctx, 'comment.edited', updated, version);
  return updated;
}

/**
 * Removes a comment but keeps its place in the tree, so its replies stay where they were: a public
 * one becomes a "comment removed" placeholder, a hidden one stays hidden. Its earlier versions go
 * with it, and so does its reply subscription, in the same transaction.
 */
export async function deleteComment(
  ctx: DiscussionContext,
  input: { commentId: string; editor: Editor },
): Promise<Comment> {
  const { removed, version } = await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const comment = await requireComment(trx, input.commentId);
    if (!input.editor.isModerator && !mayChange(comment, input.editor)) {
      throw new ForbiddenError(
        'Only the author or a moderator can remove this comment.',
        'not-author',
      );
    }
    const status = statusAfterRemoval(comment.status);
    await store.markCommentDeleted(trx, comment.id, status, now);
    await endSubscriptionOfComment(trx, comment.id, now);
    // The count is of comments readers can read: a placeholder is not one.
    const wasCounted = comment.status === 'approved' ? 1 : 0;
    const bumped = await store.bumpThread(trx, comment.threadId, -wasCounted, now);
    const placeholder: Comment = {
      ...comment,
      status,
      body: '',
      html: '',
      authorEmail: undefined,
      authorUrl: undefined,
      editTokenHash: undefined,
      editedAt: now,
    };
    return { removed: placeholder, version: bumped };
  });
  await announce(ctx, 'comment.removed', removed, version);
  return removed;
}

// --- closing -------------------------------------------------------------------------------

/** Closes or opens a thread in the caller's transaction; announcing is the caller's, after it. */
async function changeThreadStatus(
  ctx: DiscussionContext,
  trx: DiscussionDb,
  input: { threadId: string; status: Thread['status'] },
): Promise<{ thread: Thread; statusBefore: Thread['status']; announce(): Promise<void> }> {
  const current = await store.findThread(trx, input.threadId);
  if (!current)
    throw new NotFoundError(`There is no thread ${input.threadId}.`, 'thread-not-found');
  if (current.status === input.status) {
    return { thread: current, statusBefore: current.status, announce: () => Promise.resolve() };
  }
  const now = ctx.clock.now();
  await store.setThreadStatus(trx, current.id, input.status);
  const version = await store.bumpThread(trx, current.id, 0, now);
  const thread: Thread = { ...current, status: input.status, version, updatedAt: now };
  return {
    thread,
    statusBefore: current.status,
    announce: () =>
      ctx.bus.publish({
        type: input.status === 'closed' ? 'thread.closed' : 'thread.opened',
        topic: `thread:${thread.id}`,
        payload: { threadId: thread.id, status: thread.status, version },
      }),
  };
}

// --- moderation's decisions ------------------------------------------------------------------

/**
 * What moderation may do to comments and threads, in its own transaction (so that a decision and
 * its audit entry commit together); every change bumps the thread and reaches live readers.
 */
export function moderatedComments(ctx: DiscussionContext): ModeratedComments {
  return {
    async setStatus(db, change) {
      return changeCommentStatus(ctx, db as unknown as DiscussionDb, change);
    },
    async setThreadStatus(db, input) {
      return changeThreadStatus(ctx, db as unknown as DiscussionDb, input);
    },
  };
}

async function changeCommentStatus(
  ctx: DiscussionContext,
  trx: DiscussionDb,
  change: CommentStatusChange,
): Promise<CommentStatusChanged> {
  const comment = await requireComment(trx, change.commentId);
  await store.updateCommentStatus(trx, {
    id: comment.id,
    status: change.status,
    flagged: change.flagged,
    reasons: change.reasons,
  });
  const publicDelta =
    Number(isPublicStatus(change.status)) - Number(isPublicStatus(comment.status));
  const version = await store.bumpThread(trx, comment.threadId, publicDelta, ctx.clock.now());
  const updated: Comment = {
    ...comment,
    status: change.status,
    flagged: change.flagged,
    reasons: change.reasons ?? comment.reasons,
  };
  return {
    threadId: comment.threadId,
    statusBefore: comment.status,
    statusAfter: change.status,
    announce: () => announce(ctx, 'comment.moderated', updated, version),
  };
}

// --- reading -------------------------------------------------------------------------------

/** One comment as stored, whatever its status (callers decide who may see it). */
export async function findComment(
  ctx: DiscussionContext,
  commentId: string,
): Promise<Comment | undefined> {
  return store.findComment(ctx.db, commentId);
}

/** The most comments one page of a thread reads: 200 top-level ones with a great many replies. */
const MAX_COMMENTS_PER_PAGE = 100_000;

/**
 * One page of a thread as the public sees it (approved comments and "comment removed"
 * placeholders), in display order for `sort`: whole top-level comments with all their replies,
 * read in one indexed range scan. See {@link numbersOnPage}.
 */
export async function readThreadPage(
  ctx: DiscussionContext,
  input: { thread: Thread; page: number; sort: CommentSort; perPage?: number },
): Promise<{ comments: Comment[]; pageCount: number }> {
  const perPage = input.perPage ?? TOP_LEVEL_PER_PAGE;
  const pages = pageCount(input.thread.topLevelCount, perPage);
  if (input.page > pages) {
    throw new NotFoundError(
      `This discussion has ${pages} page${pages === 1 ? '' : 's'} of comments; there is no page ${input.page}.`,
      'page-not-found',
    );
  }
  const numbers = numbersOnPage(input.page, input.sort, input.thread.topLevelCount, perPage);
  if (!numbers) return { comments: [], pageCount: pages };
  const inPathOrder = await store.listComments(ctx.db, input.thread.id, {
    ...pathRangeOfNumbers(numbers),
    statuses: ['approved', 'deleted'],
    limit: MAX_COMMENTS_PER_PAGE,
  });
  return { comments: inDisplayOrder(inPathOrder, input.sort), pageCount: pages };
}

/** The newest public comments of a thread, newest first (feeds). Removed ones are left out. */
export async function listRecentComments(
  ctx: DiscussionContext,
  input: { threadId: string; limit: number },
): Promise<Comment[]> {
  return store.listRecentComments(ctx.db, input.threadId, {
    statuses: ['approved'],
    limit: input.limit,
  });
}

/** A page of a thread in display order; moderators also see comments the public does not. */
export async function listComments(
  ctx: DiscussionContext,
  input: { threadId: string; afterPath?: string; limit: number; includeHidden?: boolean },
): Promise<Comment[]> {
  const statuses: CommentStatus[] = input.includeHidden
    ? ['approved', 'deleted', 'pending', 'rejected', 'spam']
    : ['approved', 'deleted'];
  const comments = await store.listComments(ctx.db, input.threadId, {
    fromPath: input.afterPath === undefined ? undefined : `${input.afterPath}0`,
    statuses,
    limit: input.limit,
  });
  return comments;
}

/**
 * Tells live listeners what changed. `version` is the thread's version after the change. The
 * comment itself is not in the payload: a cross-process bus (PostgreSQL NOTIFY) carries at most
 * 8,000 bytes, so listeners load it.
 */
async function announce(
  ctx: DiscussionContext,
  type: string,
  comment: Comment,
  version: number,
): Promise<void> {
  const payload = { commentId: comment.id, status: comment.status, path: comment.path, version };
  await ctx.bus.publish({ type, topic: `thread:${comment.threadId}`, payload });
  // Every thread's events also go to one topic, for listeners that follow them all (reply mail).
  await ctx.bus.publish({ type, topic: COMMENTS_TOPIC, payload });
}
