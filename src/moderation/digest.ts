/**
 * The moderators' digest: when comments have waited longer than the site's `digestAfterMinutes`,
 * one e-mail to every member who can moderate, with the counts and the longest-waiting items —
 * at most once per that many minutes, however many processes run the timer.
 */
import { can } from '../accounts/model.js';
import type { AccountsDb } from '../accounts/store.js';
import { listMembers } from '../accounts/store.js';
import type { ModerationContext } from './context.js';
import type { QueueItem } from './queue.js';
import { describeItems, excerpt } from './queue.js';
import { countQueue, listQueue, oldestWaiting } from './queue-store.js';
import { currentSettings } from './site-rules.js';
import { claimDigest, ensureRulesRow, findRules, releaseDigest } from './store.js';

/** The path of the queue page (admin), which the digest links to. */
export const QUEUE_PATH = '/admin/moderation';
/** How many of the longest-waiting items the digest lists. */
const LISTED = 10;

export type DigestOutcome =
  | { sent: true; recipients: number; waiting: number }
  | { sent: false; why: 'off' | 'nothing-waiting' | 'not-yet' | 'no-moderators' };

/**
 * Sends the digest if it is due, and says what happened. Due: the digest is on, something has
 * waited longer than `digestAfterMinutes`, and the last digest went out at least that long ago.
 * The right to send is claimed with a conditional UPDATE before sending (so two processes never
 * both send) and given back if no mail could be sent.
 */
export async function sendModerationDigestIfDue(
  ctx: ModerationContext,
  siteId: string,
): Promise<DigestOutcome> {
  const { digestAfterMinutes } = await currentSettings(ctx.db, siteId);
  if (digestAfterMinutes <= 0) return { sent: false, why: 'off' };
  const now = ctx.clock.now();
  const threshold = new Date(now.getTime() - digestAfterMinutes * 60_000);
  const oldest = await oldestWaiting(ctx.db, siteId);
  if (!oldest || oldest > threshold) return { sent: false, why: 'nothing-waiting' };

  const moderators = (await listMembers(ctx.db as unknown as AccountsDb, siteId)).filter((member) =>
    can(member.role, 'comments.moderate'),
  );
  if (moderators.length === 0) return { sent: false, why: 'no-moderators' };

  await ensureRulesRow(ctx.db, siteId, now);
  const previous = (await findRules(ctx.db, siteId)).digestSentAt;
  if (!(await claimDigest(ctx.db, siteId, now, threshold))) return { sent: false, why: 'not-yet' };

  try {
    const counts = await countQueue(ctx.db, siteId);
    const waiting = counts.pending + counts.reported;
    const pending = await listQueue(ctx.db, { siteId, tab: 'pending', limit: LISTED });
    const reported = await listQueue(ctx.db, { siteId, tab: 'reported', limit: LISTED });
    const items = await describeItems(
      ctx,
      siteId,
      [...pending, ...reported]
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
        .slice(0, LISTED),
    );
    const mail = digestMail({
      baseUrl: ctx.baseUrl,
      now,
      afterMinutes: digestAfterMinutes,
      pending: counts.pending,
      reported: counts.reported,
      items,
    });
    let delivered = 0;
    for (const moderator of moderators) {
      try {
        await ctx.mailer.send({ to: moderator.email, ...mail });
        delivered += 1;
      } catch (error) {
        ctx.logger.error({ err: error, to: moderator.email }, 'moderation digest not sent');
      }
    }
    if (delivered === 0) {
      await releaseDigest(ctx.db, siteId, now, previous);
      return { sent: false, why: 'not-yet' };
    }
    return { sent: true, recipients: delivered, waiting };
  } catch (error) {
    await releaseDigest(ctx.db, siteId, now, previous);
    throw error;
  }
}

/** The digest's subject and text. Pure, so it can be read in tests. */
export function digestMail(input: {
  baseUrl: URL;
  now: Date;
  afterMinutes: number;
  pending: number;
  reported: number;
  items: readonly QueueItem[];
}): { subject: string; text: string } {
  const waiting = input.pending + input.reported;
  const queue = (tab: string) => new URL(`${QUEUE_PATH}?tab=${tab}`, input.baseUrl).toString();
  const lines = [
    `${plural(waiting, 'comment waits', 'comments wait')} for a moderator, some for more than ${plural(input.afterMinutes, 'minute', 'minutes')}.`,
    '',
    `Pending: ${input.pending}    ${queue('pending')}`,
    `Reported: ${input.reported}    ${queue('reported')}`,
    '',
    'Waiting longest:',
    '',
  ];
  for (const item of input.items) {
    const where = item.reports.open > 0 && item.status === 'approved' ? 'reported' : 'pending';
    lines.push(
      `- ${item.author.name} on “${item.thread.title}”, ${ago(item.createdAt, input.now)}:`,
      `  “${excerpt(item.body, 120)}”`,
      `  Why: ${item.reasons.map((r) => r.message).join('; ') || 'flagged for review'}`,
      `  ${queue(where)}`,
      '',
    );
  }
  lines.push(
    '—',
    `You receive this because you can moderate comments on this site. At most one digest is sent every ${plural(input.afterMinutes, 'minute', 'minutes')}; the moderation rules page sets how long comments wait before it is sent, or turns it off.`,
  );
  return {
    subject: `Moderation: ${plural(waiting, 'comment waits', 'comments wait')} for review`,
    text: lines.join('\n'),
  };
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function ago(then: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - then.getTime()) / 60_000));
  if (minutes < 60) return `${plural(minutes, 'minute', 'minutes')} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${plural(hours, 'hour', 'hours')} ago`;
  return `${plural(Math.round(hours / 24), 'day', 'days')} ago`;
}

/**
 * Runs the digest every `intervalMs` (a minute) for the site; the timer does not keep the process
 * alive, and the returned function stops it. Failures are logged, never thrown.
 */
export function startDigestTimer(
  ctx: ModerationContext,
  siteId: () => string,
  intervalMs = 60_000,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return; // a slow SMTP server must not pile up runs
    running = true;
    sendModerationDigestIfDue(ctx, siteId())
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'moderation digest failed'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
