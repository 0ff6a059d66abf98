/**
 * Readers' reports: anyone may report a public comment once, with a reason; reports from
 * `reportsToHold` distinct people hold it for a moderator (status pending, flagged, reason
 * `reported`); each reporter may send only so many reports an hour.
 */
import { inTransaction, isUniqueViolation } from '../platform/database/index.js';
import {
  ConflictError,
  NotFoundError,
  TooManyRequestsError,
  UnprocessableError,
} from '../platform/errors.js';
import { announceAll } from './actions.js';
import { automaticEntry } from './audit.js';
import type { ModerationContext } from './context.js';
import type { VerdictReason } from './model.js';
import type { SharedTransaction } from './ports.js';
import { findComment } from './queue-store.js';
import { currentSettings } from './site-rules.js';
import type { ReportReason } from './store.js';
import {
  REPORT_REASONS,
  hasReported,
  insertAuditEntries,
  insertReport,
  openReportsOf,
  recentReportsBy,
} from './store.js';

/** How many reports one reporter may send in {@link REPORT_WINDOW_MS}. */
export const REPORTS_PER_WINDOW = 10;
export const REPORT_WINDOW_MS = 60 * 60_000;
export const MAX_NOTE_LENGTH = 1000;

const REASON_WORDS: Record<ReportReason, string> = {
  abuse: 'abuse',
  hate: 'hate',
  spam: 'spam',
  'off-topic': 'off topic',
  other: 'other',
};

/** Who reports: a member by account, anyone else by the keyed hash of their address. */
export interface Reporter {
  accountId?: string | undefined;
  ipHash: string;
}

export interface ReportInput {
  siteId: string;
  commentId: string;
  reason: ReportReason;
  note?: string | undefined;
  reporter: Reporter;
}

export interface ReportReceived {
  id: string;
  /** Whether this report was the one that held the comment. */
  held: boolean;
}

/** One key per person for "distinct reporters" and for the rate limit. */
export function reporterKey(reporter: Reporter): string {
  return reporter.accountId ? `account:${reporter.accountId}` : `address:${reporter.ipHash}`;
}

/**
 * Files a report, in one transaction. Unknown or not public comment → 404 `comment-not-found`;
 * reported by this person before → 409 `already-reported`; too many reports from them this hour
 * → 429 `too-many-reports` (with when to try again). Nothing is written in any of these cases.
 */
export async function reportComment(
  ctx: ModerationContext,
  input: ReportInput,
): Promise<ReportReceived> {
  if (!(REPORT_REASONS as readonly string[]).includes(input.reason)) {
    throw new UnprocessableError(
      `"${input.reason}" is not a reason for a report; choose one of ${REPORT_REASONS.join(', ')}.`,
      'invalid-report-reason',
    );
  }
  const note = input.note?.trim() || undefined;
  if (note && note.length > MAX_NOTE_LENGTH) {
    throw new UnprocessableError(
      `A note can be at most ${MAX_NOTE_LENGTH} characters; this one has ${note.length}.`,
      'note-too-long',
    );
  }
  const key = reporterKey(input.reporter);

  const { received, announce } = await inTransaction(ctx.db, async (trx) => {
    const now = ctx.clock.now();
    const comment = await findComment(trx, input.siteId, input.commentId);
    if (!comment || comment.status !== 'approved') {
      throw new NotFoundError(`There is no comment ${input.commentId}.`, 'comment-not-found');
    }
    if (await hasReported(trx, comment.id, key)) throw alreadyReported();
    const recent = await recentReportsBy(trx, key, new Date(now.getTime() - REPORT_WINDOW_MS));
    if (recent.count >= REPORTS_PER_WINDOW) {
      const freeAt = (recent.earliest?.getTime() ?? now.getTime()) + REPORT_WINDOW_MS;
      const seconds = Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000));
      throw new TooManyRequestsError(
        `You have sent ${REPORTS_PER_WINDOW} reports in the last hour, as many as one person may. Thank you — please try again in ${waitText(seconds)}.`,
        seconds,
        'too-many-reports',
      );
    }
    const id = ctx.ids.id();
    try {
      await insertReport(trx, {
        id,
        siteId: input.siteId,
        commentId: comment.id,
        reason: input.reason,
        note,
        reporterKey: key,
        reporterAccountId: input.reporter.accountId,
        createdAt: now,
      });
    } catch (error) {
      // The same person reporting twice at once: the unique key decided.
      if (isUniqueViolation(error)) throw alreadyReported();
      throw error;
    }

    const open = await openReportsOf(trx, comment.id);
    const reporters = [...open.values()].reduce((sum, count) => sum + count, 0);
    const { reportsToHold } = await currentSettings(trx, input.siteId);
    if (reporters < reportsToHold) {
      return { received: { id, held: false }, announce: undefined };
    }
    const held: VerdictReason = {
      code: 'reported',
      message: `Reported by ${reporters} readers (${reasonsByWeight(open).join(', ')}).`,
    };
    const result = await ctx.comments.setStatus(trx as SharedTransaction, {
      commentId: comment.id,
      status: 'pending',
      flagged: true,
      reasons: [...comment.reasons.filter((r) => r.code !== 'reported'), held],
    });
    await insertAuditEntries(trx, [
      automaticEntry(ctx, input.siteId, 'reports', {
        action: 'auto-hold',
        commentId: comment.id,
        threadId: comment.threadId,
        reason: held.message,
        reasonCodes: ['reported'],
        statusBefore: result.statusBefore,
        statusAfter: result.statusAfter,
      }),
    ]);
    return { received: { id, held: true }, announce: result.announce };
  });
  if (announce) await announceAll(ctx, [announce]);
  return received;
}

/** The reasons given, the most given first (ties in the order of `REPORT_REASONS`). */
function reasonsByWeight(open: Map<ReportReason, number>): string[] {
  return [...open.entries()]
    .sort(
      ([a, countA], [b, countB]) =>
        countB - countA || REPORT_REASONS.indexOf(a) - REPORT_REASONS.indexOf(b),
    )
    .map(([reason]) => REASON_WORDS[reason]);
}

function alreadyReported(): ConflictError {
  return new ConflictError(
    'You have already reported this comment — thank you. A moderator will look at it.',
    'already-reported',
  );
}

function waitText(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
