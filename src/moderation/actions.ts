/**
 * What a moderator does to comments and threads: approve, reject (with words the author sees),
 * mark as spam — one comment or many, all or nothing — and close or open a thread. Each is one
 * transaction with its audit entries; live readers are told after it commits.
 */
import { inTransaction } from '../platform/database/index.js';
import { NotFoundError, UnprocessableError } from '../platform/errors.js';
import { moderatorEntry } from './audit.js';
import type { ModerationContext, Moderator } from './context.js';
import type { VerdictReason } from './model.js';
import type { CommentStatusChange, SharedTransaction } from './ports.js';
import { findComments, findThread } from './queue-store.js';
import { insertAuditEntries, resolveReports } from './store.js';
import type { AuditEntry } from './store.js';

export const MODERATION_ACTIONS = ['approve', 'reject', 'spam'] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

const STATUS_AFTER: Record<ModerationAction, CommentStatusChange['status']> = {
  approve: 'approved',
  reject: 'rejected',
  spam: 'spam',
};

/** The most comments one bulk action takes. */
export const MAX_BULK = 200;
export const MAX_REASON_LENGTH = 500;

export interface ModerateCommentsInput {
  siteId: string;
  actor: Moderator;
  action: ModerationAction;
  commentIds: readonly string[];
  /**
   * Why. For `reject` it is shown to the author (it replaces the comment's reasons); for the
   * others it is kept in the audit log only.
   */
  reason?: string | undefined;
}

export interface ModeratedComment {
  commentId: string;
  threadId: string;
  statusBefore: string;
  statusAfter: string;
}

/**
 * Approves, rejects or marks as spam every comment in `commentIds`, or none: an id that is not a
 * comment of the site (or one removed) is a 404 `comment-not-found` naming it, and nothing
 * changes. The comments' open reports are settled by the same action.
 */
export async function moderateComments(
  ctx: ModerationContext,
  input: ModerateCommentsInput,
): Promise<ModeratedComment[]> {
  const ids = [...new Set(input.commentIds)];
  if (ids.length === 0)
    throw new UnprocessableError('Choose at least one comment.', 'no-comments-chosen');
  if (ids.length > MAX_BULK) {
    throw new UnprocessableError(
      `At most ${MAX_BULK} comments can be moderated at once; ${ids.length} were chosen.`,
      'too-many-comments',
    );
  }
  const reason = cleanReason(input.reason);
  const status = STATUS_AFTER[input.action];
  const reasons: VerdictReason[] | undefined =
    input.action === 'reject' && reason ? [{ code: 'moderator', message: reason }] : undefined;

  const { changed, announcements } = await inTransaction(ctx.db, async (trx) => {
    const found = await findComments(trx, input.siteId, ids);
    const byId = new Map(found.filter((c) => c.status !== 'deleted').map((c) => [c.id, c]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      throw new NotFoundError(
        missing.length === 1
          ? `There is no comment ${missing[0]} (or it was removed); nothing was changed.`
          : `There are no comments ${missing.join(', ')} (or they were removed); nothing was changed.`,
        'comment-not-found',
      );
    }
    const changed: ModeratedComment[] = [];
    const entries: AuditEntry[] = [];
    const announcements: (() => Promise<void>)[] = [];
    for (const id of ids) {
      const comment = byId.get(id);
      if (!comment) continue; // checked above
      const result = await ctx.comments.setStatus(trx as SharedTransaction, {
        commentId: id,
        status,
        flagged: false,
        ...(reasons ? { reasons } : {}),
      });
      announcements.push(result.announce);
      changed.push({
        commentId: id,
        threadId: result.threadId,
        statusBefore: result.statusBefore,
        statusAfter: result.statusAfter,
      });
      entries.push(
        moderatorEntry(ctx, input.siteId, input.actor, {
          action: input.action,
          commentId: id,
          threadId: result.threadId,
          reason,
          // Why it was where the moderator found it: what the decision confirms or overrules.
          reasonCodes: comment.reasons.map((r) => r.code),
          statusBefore: result.statusBefore,
          statusAfter: result.statusAfter,
        }),
      );
    }
    await insertAuditEntries(trx, entries);
    await resolveReports(trx, ids, input.action, ctx.clock.now());
    return { changed, announcements };
  });
  await announceAll(ctx, announcements);
  return changed;
}

/**
 * Closes a thread to new comments, or opens it again, logged. Asking for the status it has
 * changes nothing and logs nothing. Unknown thread (or another site's) → 404 `thread-not-found`.
 */
export async function setThreadStatus(
  ctx: ModerationContext,
  input: { siteId: string; actor: Moderator; threadId: string; status: 'open' | 'closed' },
): Promise<{ threadId: string; status: 'open' | 'closed'; changed: boolean }> {
  const { changed, announce } = await inTransaction(ctx.db, async (trx) => {
    const thread = await findThread(trx, input.siteId, input.threadId);
    if (!thread)
      throw new NotFoundError(`There is no thread ${input.threadId}.`, 'thread-not-found');
    const result = await ctx.comments.setThreadStatus(trx as SharedTransaction, {
      threadId: thread.id,
      status: input.status,
    });
    const changed = result.statusBefore !== input.status;
    if (changed) {
      await insertAuditEntries(trx, [
        moderatorEntry(ctx, input.siteId, input.actor, {
          action: input.status === 'closed' ? 'close-thread' : 'open-thread',
          threadId: thread.id,
          target: `thread:${thread.title}`,
          statusBefore: result.statusBefore,
          statusAfter: input.status,
        }),
      ]);
    }
    return { changed, announce: result.announce };
  });
  if (changed) await announceAll(ctx, [announce]);
  return { threadId: input.threadId, status: input.status, changed };
}

/** A moderator's words: trimmed, empty as none, and not longer than the log keeps. */
export function cleanReason(reason: string | undefined): string | undefined {
  const trimmed = reason?.trim();
  if (!trimmed) return undefined;
  if (trimmed.length > MAX_REASON_LENGTH) {
    throw new UnprocessableError(
      `A reason can be at most ${MAX_REASON_LENGTH} characters; this one has ${trimmed.length}.`,
      'reason-too-long',
    );
  }
  return trimmed;
}

/**
 * Tells live readers, once the change is committed. A failure here cannot undo the change, so it
 * is logged rather than reported to the moderator as a failed action.
 */
export async function announceAll(
  ctx: Pick<ModerationContext, 'logger'>,
  announcements: readonly (() => Promise<void>)[],
): Promise<void> {
  for (const announce of announcements) {
    try {
      await announce();
    } catch (error) {
      ctx.logger.error({ err: error }, 'announcing a moderation change failed');
    }
  }
}
