// Readers' reports on a real database: distinct reporters, a second report refused politely,
// reports from enough people holding a public comment (logged as the reports' decision), the
// hourly limit per reporter, and comments that cannot be reported.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReportInput } from '../../src/moderation/service.js';
import {
  REPORTS_PER_WINDOW,
  getQueue,
  listAudit,
  moderateComments,
  reportComment,
  updateSiteRules,
} from '../../src/moderation/service.js';
import type { TooManyRequestsError } from '../../src/platform/errors.js';
import { databaseKinds } from '../helpers/databases.js';
import { failure } from '../helpers/failure.js';
import type { ModerationFixture } from './fixture.js';
import { moderationFixture, stored } from './fixture.js';

describe.each(databaseKinds)('readers’ reports on $name', (kind) => {
  let f: ModerationFixture;
  beforeEach(async () => {
    f = await moderationFixture(kind);
  });
  afterEach(async () => {
    await f.close();
  });

  const report = (
    commentId: string,
    reporter: ReportInput['reporter'],
    reason: ReportInput['reason'] = 'hate',
  ) => reportComment(f.ctx, { siteId: f.siteId, commentId, reason, reporter });
  const reportRows = (commentId: string) =>
    f.test.runtime.db
      .selectFrom('reports')
      .select(['reason', 'note', 'reporter_key', 'reporter_account_id', 'resolved_at'])
      .where('comment_id', '=', commentId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();

  it('files a report with its reason and note; the comment stays public below the threshold', async () => {
    const thread = await f.openThread();
    const id = await f.post(thread, 'A heated remark.');
    const received = await reportComment(f.ctx, {
      siteId: f.siteId,
      commentId: id,
      reason: 'abuse',
      note: '  Insults another reader.  ',
      reporter: { ipHash: 'reader-a' },
    });
    expect(received).toEqual({ id: expect.any(String), held: false });
    expect(await reportRows(id)).toEqual([
      {
        reason: 'abuse',
        note: 'Insults another reader.',
        reporter_key: 'address:reader-a',
        reporter_account_id: null,
        resolved_at: null,
      },
    ]);
    expect(await stored(f, id)).toMatchObject({ status: 'approved', flagged: false });
    expect((await getQueue(f.ctx, { siteId: f.siteId, tab: 'reported' })).counts.reported).toBe(1);
  });

  it('refuses a second report by the same person (by account, else address), changing nothing', async () => {
    const thread = await f.openThread();
    const id = await f.post(thread, 'Disputed.');
    const member = await f.addMember('reader@example.org', 'author');
    await report(id, { ipHash: 'reader-a' });
    const again = await failure(report(id, { ipHash: 'reader-a' }, 'spam'));
    expect([again.status, again.code]).toEqual([409, 'already-reported']);
    expect(again.message).toMatch(/already reported/);
    // A member is one person wherever they are; the address they share is not them.
    await report(id, { accountId: member.accountId, ipHash: 'reader-a' });
    const memberAgain = await failure(
      report(id, { accountId: member.accountId, ipHash: 'elsewhere' }),
    );
    expect(memberAgain.code).toBe('already-reported');
    expect((await reportRows(id)).map((r) => r.reporter_key)).toEqual([
      'address:reader-a',
      `account:${member.accountId}`,
    ]);
  });

  it('holds a public comment once three distinct readers reported it, logged as the reports’', async () => {
    const thread = await f.openThread();
    const id = await f.post(thread, 'Something hateful.');
    f.events.length = 0;
    expect((await report(id, { ipHash: 'r1' }, 'hate')).held).toBe(false);
    expect((await report(id, { ipHash: 'r2' }, 'hate')).held).toBe(false);
    expect((await report(id, { ipHash: 'r3' }, 'abuse')).held).toBe(true);
    const after = await stored(f, id);
    expect(after).toMatchObject({ status: 'pending', flagged: true });
    expect(after.reasons).toEqual([
      { code: 'reported', message: 'Reported by 3 readers (hate, abuse).' },
    ]);
    expect(f.events.map((e) => e.type)).toEqual(['comment.moderated']);
    const { items } = await listAudit(f.ctx, { siteId: f.siteId });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      actorKind: 'reports',
      actorName: 'Readers’ reports',
      action: 'auto-hold',
      commentId: id,
      reasonCodes: ['reported'],
      statusBefore: 'approved',
      statusAfter: 'pending',
    });
    // Held, it is in Pending (with its reports), no longer in Reported; and no longer reportable.
    const queue = await getQueue(f.ctx, { siteId: f.siteId, tab: 'pending' });
    expect(queue.counts).toMatchObject({ pending: 1, reported: 0 });
    expect(queue.items[0]?.reports).toMatchObject({ open: 3, byReason: { hate: 2, abuse: 1 } });
    expect((await failure(report(id, { ipHash: 'r4' }))).code).toBe('comment-not-found');
  });

  it('follows the site’s threshold, and counts only reports not yet settled', async () => {
    await updateSiteRules(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      changes: { reportsToHold: 2 },
    });
    const thread = await f.openThread();
    const id = await f.post(thread, 'Borderline.');
    await report(id, { ipHash: 'r1' });
    // A moderator looks and keeps it: that report is settled.
    await moderateComments(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      action: 'approve',
      commentIds: [id],
    });
    expect((await report(id, { ipHash: 'r2' })).held).toBe(false);
    expect((await report(id, { ipHash: 'r3' })).held).toBe(true);
  });

  it('limits each reporter to ten reports an hour, saying when to try again', async () => {
    const thread = await f.openThread();
    const ids: string[] = [];
    for (let i = 0; i < REPORTS_PER_WINDOW + 1; i++)
      ids.push(await f.post(thread, `Comment ${i}.`));
    for (const id of ids.slice(0, REPORTS_PER_WINDOW)) {
      await report(id, { ipHash: 'busy-reader' });
      f.clock.advance(60_000);
    }
    const last = ids.at(-1) as string;
    const limited = (await failure(
      report(last, { ipHash: 'busy-reader' }),
    )) as TooManyRequestsError;
    expect([limited.status, limited.code]).toEqual([429, 'too-many-reports']);
    // The first report (made 10 minutes ago) leaves the window in 50 minutes.
    expect(limited.retryAfterSeconds).toBe(50 * 60);
    expect(limited.message).toMatch(/try again in 50 minutes/);
    expect(await reportRows(last)).toEqual([]);
    // Others are not limited by it; and after the hour the reader may report again.
    await report(last, { ipHash: 'another-reader' });
    f.clock.advance(50 * 60_000);
    await report(last, { ipHash: 'busy-reader' });
    expect(await reportRows(last)).toHaveLength(2);
  });

  it('cannot report what readers cannot see, or what does not exist', async () => {
    const thread = await f.openThread();
    const held = await f.post(thread, 'Held [hold]');
    for (const commentId of [held, 'no-such-comment']) {
      const error = await failure(report(commentId, { ipHash: 'r1' }));
      expect([error.status, error.code]).toEqual([404, 'comment-not-found']);
    }
    const id = await f.post(thread, 'Visible.');
    const otherSite = await reportComment(f.ctx, {
      siteId: 'another-site',
      commentId: id,
      reason: 'spam',
      reporter: { ipHash: 'r1' },
    }).catch((e: unknown) => e);
    expect(otherSite).toMatchObject({ code: 'comment-not-found' });
    const long = await failure(
      reportComment(f.ctx, {
        siteId: f.siteId,
        commentId: id,
        reason: 'other',
        note: 'x'.repeat(1001),
        reporter: { ipHash: 'r1' },
      }),
    );
    expect([long.status, long.code]).toEqual([422, 'note-too-long']);
    expect(await reportRows(id)).toEqual([]);
  });
});
