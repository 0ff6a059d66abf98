// What discussion hands to moderation and does with its verdicts, on a real database: the author's
// history gathered in the posting transaction, classifiers asked before it, imports flagged
// instead of held, every decision recorded, and moderators' status changes through the port.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as accounts from '../../src/accounts/service.js';
import { accountsContext } from '../../src/runtime.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/discussion/model.js';
import type { DiscussionContext } from '../../src/discussion/service.js';
import * as discussion from '../../src/discussion/service.js';
import type { Thread } from '../../src/discussion/store.js';
import type { ClassifiedComment, CommentUnderReview, Verdict } from '../../src/moderation/model.js';
import type { AutomaticDecision, CommentModeration } from '../../src/moderation/ports.js';
import { fixedClock } from '../../src/platform/clock.js';
import type { BusEvent } from '../../src/platform/event-bus.js';
import { databaseKinds } from '../helpers/databases.js';
import { failure } from '../helpers/failure.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { createTestRuntime } from '../helpers/runtime.js';

/** A moderation that remembers what it was shown and answers what the test says. */
function recordingModeration(decide: (comment: CommentUnderReview) => Verdict) {
  const seen = {
    consulted: [] as ClassifiedComment[],
    judged: [] as CommentUnderReview[],
    recorded: [] as AutomaticDecision[],
  };
  const moderation: CommentModeration = {
    consult: (comment) => {
      seen.consulted.push(comment);
      return Promise.resolve(undefined);
    },
    judge: (_db, comment) => {
      seen.judged.push(comment);
      return Promise.resolve(decide(comment));
    },
    record: (_db, decision) => {
      seen.recorded.push(decision);
      return Promise.resolve();
    },
  };
  return { moderation, seen };
}

const approve: Verdict = { decision: 'approve', reasons: [] };
const suspect: Verdict = {
  decision: 'hold',
  reasons: [
    {
      code: 'suspect-term',
      message: 'Contains “yid”, a term on the suspect list.',
      matches: [{ start: 0, end: 4, term: 'yid' }],
    },
  ],
};

describe.each(databaseKinds)('discussion and moderation on $name', (kind) => {
  let test: TestRuntime;
  let ctx: DiscussionContext;
  let thread: Thread;
  let siteId: string;
  let seen: ReturnType<typeof recordingModeration>['seen'];
  let verdictFor: (comment: CommentUnderReview) => Verdict;
  const events: BusEvent[] = [];
  const clock = fixedClock('2026-11-24T10:00:00Z');

  beforeEach(async () => {
    clock.set('2026-11-24T10:00:00Z');
    events.length = 0;
    verdictFor = () => approve;
    test = await createTestRuntime({ kind, clock });
    const recording = recordingModeration((comment) => verdictFor(comment));
    seen = recording.seen;
    ctx = {
      db: test.runtime.db,
      clock,
      ids: test.runtime.ids,
      bus: test.runtime.bus,
      settings: DEFAULT_DISCUSSION_SETTINGS,
      moderation: recording.moderation,
    };
    siteId = (await accounts.ensureSite(accountsContext(test.runtime), { name: 'Test' })).id;
    thread = await discussion.createThread(ctx, { siteId, title: 'On Paris' });
    test.runtime.bus.subscribe(`thread:${thread.id}`, (event) => events.push(event));
  });
  afterEach(async () => {
    await test.close();
  });

  const post = (body: string, author: discussion.CommentAuthor, ipHash?: string) =>
    discussion.postComment(ctx, { threadId: thread.id, author, body, ipHash });

  it('shows moderation the thread, the author and their history, counted in the last minute', async () => {
    await post('First words.', { name: 'Ann', email: 'ann@example.org' }, 'address-1');
    clock.advance(30_000);
    await post('Second words.', { name: 'Ann', email: 'ANN@example.org' }, 'address-1');
    clock.advance(20_000);
    await post('From the same place.', { name: 'Bob' }, 'address-1');
    clock.advance(20_000);
    await post('First words.', { name: 'Ann', email: 'ann@example.org' }, 'address-2');

    const last = seen.judged.at(-1);
    expect(last).toMatchObject({
      siteId,
      threadId: thread.id,
      body: 'First words.',
      authorName: 'Ann',
      authorEmail: 'ann@example.org',
      ipHash: 'address-2',
      threadStatus: 'open',
      origin: 'local',
      isEdit: false,
      now: clock.now(),
    });
    // Both earlier comments by the address were approved; one of them in the last minute (the
    // first is 70 s old); the same body was posted before; address-2 is new.
    expect(last?.history).toEqual({
      approved: 2,
      rejected: 0,
      sameBodyBefore: true,
      lastMinuteByAuthor: 1,
      lastMinuteByAddress: 0,
      emailVerified: false,
    });
    // Bob, anonymous, is known by his address only: two comments from it in the minute before,
    // but what was approved from an address says nothing of who writes from it now.
    expect(seen.judged[2]?.history).toMatchObject({
      approved: 0,
      sameBodyBefore: false,
      lastMinuteByAuthor: 2,
      lastMinuteByAddress: 2,
    });
    expect(seen.consulted).toHaveLength(4);
    expect(seen.consulted[0]).toEqual({
      body: 'First words.',
      authorName: 'Ann',
      authorEmail: 'ann@example.org',
      authorUrl: undefined,
      ipHash: 'address-1',
      origin: 'local',
    });
  });

  it('counts rejected comments and members by their account, not the name they show', async () => {
    verdictFor = (comment) =>
      comment.body.includes('spam') ? { decision: 'spam', reasons: [] } : approve;
    await post('buy spam', { accountId: undefined, name: 'Cat', email: 'cat@example.org' });
    await post('more spam', { name: 'Cat', email: 'cat@example.org' });
    await post('a real comment', { name: 'Cat', email: 'cat@example.org' });
    expect(seen.judged.at(-1)?.history).toMatchObject({ approved: 0, rejected: 2 });
  });

  it('stores the verdict: a held comment is pending with its reasons, and the decision is recorded', async () => {
    verdictFor = () => suspect;
    const { comment } = await post('Yids, they said.', { name: 'Glasgow' }, 'address-1');
    expect(comment).toMatchObject({ status: 'pending', flagged: false, reasons: suspect.reasons });
    const stored = await discussion.findComment(ctx, comment.id);
    expect(stored).toMatchObject({ status: 'pending', reasons: suspect.reasons });
    expect((await discussion.getThread(ctx, thread.id)).commentCount).toBe(0);
    expect(seen.recorded).toEqual([
      {
        siteId,
        commentId: comment.id,
        threadId: thread.id,
        source: 'rules',
        verdict: suspect,
        statusAfter: 'pending',
        flagged: false,
      },
    ]);
  });

  it('keeps an import’s status and flags what the rules would hold, asking no classifier', async () => {
    verdictFor = (comment) => (comment.body.startsWith('Yids') ? suspect : approve);
    const imported = (body: string, externalId: string) =>
      discussion.postComment(ctx, {
        threadId: thread.id,
        author: { name: 'Glasgow' },
        body,
        origin: 'import',
        externalId,
        createdAt: new Date('2015-11-14T10:00:00Z'),
      });
    const slur = await imported('Yids, they said.', 'x:1');
    const fine = await imported('Fine words.', 'x:2');
    expect(slur.comment).toMatchObject({ status: 'approved', flagged: true });
    expect(fine.comment).toMatchObject({ status: 'approved', flagged: false });
    expect(seen.consulted).toEqual([]);
    expect(seen.judged.map((c) => [c.origin, c.history.approved])).toEqual([
      ['import', 0],
      ['import', 0],
    ]);
    // Only what was flagged is in the audit log, as the import's.
    expect(seen.recorded).toMatchObject([
      { commentId: slur.comment.id, source: 'import', flagged: true, statusAfter: 'approved' },
    ]);
    const status = await failure(
      discussion.postComment(ctx, {
        threadId: thread.id,
        author: { name: 'Ann' },
        body: 'Mine.',
        status: 'approved',
      }),
    );
    expect(status.code).toBe('status-not-allowed');
  });

  it('judges edits as edits and records a change of status', async () => {
    const { comment, editToken } = await post('harmless', { name: 'Ann' });
    verdictFor = () => suspect;
    await discussion.editComment(ctx, {
      commentId: comment.id,
      body: 'Yids now',
      editor: { editToken },
    });
    expect(seen.judged.at(-1)).toMatchObject({ isEdit: true, body: 'Yids now' });
    expect(seen.recorded.at(-1)).toMatchObject({ commentId: comment.id, statusAfter: 'pending' });
  });

  it('lets moderation change a status through the port: counted, bumped and announced after commit', async () => {
    verdictFor = () => suspect;
    const { comment } = await post('Yids, they said.', { name: 'Glasgow' });
    const before = await discussion.getThread(ctx, thread.id);
    const port = discussion.moderatedComments(ctx);
    const changed = await ctx.db
      .transaction()
      .execute((trx) =>
        port.setStatus(trx, { commentId: comment.id, status: 'approved', flagged: false }),
      );
    expect(changed).toMatchObject({
      threadId: thread.id,
      statusBefore: 'pending',
      statusAfter: 'approved',
    });
    const after = await discussion.getThread(ctx, thread.id);
    expect(after.commentCount).toBe(1);
    expect(after.version).toBe(before.version + 1);
    expect(events.map((e) => e.type)).not.toContain('comment.moderated');
    await changed.announce();
    expect(events.at(-1)).toMatchObject({
      type: 'comment.moderated',
      payload: { commentId: comment.id, status: 'approved', version: after.version },
    });
    const reasons = [{ code: 'moderator' as const, message: 'Off topic.' }];
    await ctx.db
      .transaction()
      .execute((trx) =>
        port.setStatus(trx, { commentId: comment.id, status: 'rejected', flagged: false, reasons }),
      );
    expect(await discussion.findComment(ctx, comment.id)).toMatchObject({
      status: 'rejected',
      reasons,
    });
    expect((await discussion.getThread(ctx, thread.id)).commentCount).toBe(0);

    const missing = await failure(
      ctx.db
        .transaction()
        .execute((trx) =>
          port.setStatus(trx, { commentId: 'nope', status: 'approved', flagged: false }),
        ),
    );
    expect(missing.code).toBe('comment-not-found');
    const closed = await ctx.db
      .transaction()
      .execute((trx) => port.setThreadStatus(trx, { threadId: thread.id, status: 'closed' }));
    expect(closed.statusBefore).toBe('open');
    expect((await discussion.getThread(ctx, thread.id)).status).toBe('closed');
  });
});
