// The moderation queue on a real database: what each tab holds and counts, in which order, page
// by page, and the context each item brings (thread and permalink, parent, history, reports).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getQueue, moderateComments, reportComment } from '../../src/moderation/service.js';
import { databaseKinds } from '../helpers/databases.js';
import { failure } from '../helpers/failure.js';
import type { ModerationFixture } from './fixture.js';
import { moderationFixture } from './fixture.js';

describe.each(databaseKinds)('the moderation queue on $name', (kind) => {
  let f: ModerationFixture;
  beforeEach(async () => {
    f = await moderationFixture(kind);
  });
  afterEach(async () => {
    await f.close();
  });

  const queue = (tab: Parameters<typeof getQueue>[1]['tab'], cursor?: string, limit?: number) =>
    getQueue(f.ctx, { siteId: f.siteId, tab, cursor, limit });

  it('starts empty, every tab counted at zero', async () => {
    const page = await queue('pending');
    expect(page).toEqual({
      tab: 'pending',
      counts: { pending: 0, reported: 0, rejected: 0, spam: 0, all: 0 },
      items: [],
      nextCursor: undefined,
    });
  });

  it('files comments by status and flag, counts every tab, and orders each tab', async () => {
    const thread = await f.openThread('On Paris', 'https://blog.example.org/paris');
    const held1 = await f.post(thread, 'Held one [hold]');
    f.clock.advance(60_000);
    const public1 = await f.post(thread, 'A fine public comment.');
    f.clock.advance(60_000);
    const held2 = await f.post(thread, 'Held two [hold]');
    f.clock.advance(60_000);
    const toReject = await f.post(thread, 'To reject.');
    f.clock.advance(60_000);
    const toSpam = await f.post(thread, 'To spam.');
    f.clock.advance(60_000);
    const reported = await f.post(thread, 'Reported once.');
    await moderateComments(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      action: 'reject',
      commentIds: [toReject],
    });
    await moderateComments(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      action: 'spam',
      commentIds: [toSpam],
    });
    await reportComment(f.ctx, {
      siteId: f.siteId,
      commentId: reported,
      reason: 'abuse',
      note: 'Rude to another reader.',
      reporter: { ipHash: 'reader-1' },
    });

    const counts = { pending: 2, reported: 1, rejected: 1, spam: 1, all: 6 };
    const ids = async (tab: Parameters<typeof queue>[0]) => {
      const page = await queue(tab);
      expect(page.counts).toEqual(counts);
      return page.items.map((item) => item.id);
    };
    // Waiting tabs: oldest first. The others: newest first.
    expect(await ids('pending')).toEqual([held1, held2]);
    expect(await ids('reported')).toEqual([reported]);
    expect(await ids('rejected')).toEqual([toReject]);
    expect(await ids('spam')).toEqual([toSpam]);
    expect(await ids('all')).toEqual([reported, toSpam, toReject, held2, public1, held1]);
  });

  it('pages through a tab with a keyset cursor, also across equal times', async () => {
    const thread = await f.openThread();
    const posted: string[] = [];
    for (let i = 0; i < 7; i++) {
      posted.push(await f.post(thread, `Held ${i} [hold]`));
      if (i % 2 === 1) f.clock.advance(1000); // pairs share a time: the id breaks the tie
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await queue('pending', cursor, 3);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(posted);

    const all: string[] = [];
    cursor = undefined;
    do {
      const page = await queue('all', cursor, 2);
      all.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(all).toEqual([...posted].reverse());
  });

  it('refuses a cursor from another tab, or one it never gave out', async () => {
    const thread = await f.openThread();
    await f.post(thread, 'One [hold]');
    await f.post(thread, 'Two [hold]');
    const { nextCursor } = await queue('pending', undefined, 1);
    expect(nextCursor).toBeDefined();
    const wrongTab = await failure(queue('all', nextCursor));
    expect([wrongTab.status, wrongTab.code]).toEqual([400, 'invalid-cursor']);
    const forged = await failure(queue('pending', 'bm90LWEtY3Vyc29y'));
    expect([forged.status, forged.code]).toEqual([400, 'invalid-cursor']);
  });

  it('gives each item its thread, permalink, parent, reasons and the author’s record', async () => {
    const thread = await f.openThread('On Paris', 'https://blog.example.org/paris');
    const parent = await f.post(
      thread,
      'The statement is right to name the attack for what it was, and the many who were killed.',
      { name: 'Bea', email: 'bea@example.org' },
    );
    // Ann's record: two approved, one rejected, then the held reply.
    await f.post(thread, 'Ann one.');
    await f.post(thread, 'Ann two.');
    const rejected = await f.post(thread, 'Ann three.');
    await moderateComments(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      action: 'reject',
      commentIds: [rejected],
    });
    const held = await f.post(thread, 'A reply [hold]', undefined, { parentId: parent });

    const [item] = (await queue('pending')).items;
    expect(item).toMatchObject({
      id: held,
      status: 'pending',
      flagged: false,
      origin: 'local',
      body: 'A reply [hold]',
      reasons: [{ code: 'suspect-term', message: 'Held by the test.' }],
      author: {
        name: 'Ann',
        email: 'ann@example.org',
        url: undefined,
        accountId: undefined,
        hasAddress: true,
      },
      thread: {
        id: thread.id,
        title: 'On Paris',
        status: 'open',
        pageUrl: 'https://blog.example.org/paris',
        permalink: undefined, // not public: there is nothing to link to on the page yet
      },
      parent: {
        id: parent,
        authorName: 'Bea',
        excerpt:
          'The statement is right to name the attack for what it was, and the many who were killed.',
        removed: false,
      },
      history: { by: 'email', approved: 2, rejected: 1 },
      reports: { open: 0, byReason: {}, notes: [] },
    });
    expect(item?.html).toContain('<p>');

    // Once public, the permalink is the comment's anchor on the thread's page.
    await moderateComments(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      action: 'approve',
      commentIds: [held],
    });
    const approved = (await queue('all')).items.find((i) => i.id === held);
    expect(approved?.thread.permalink).toBe(`https://blog.example.org/paris#comment-${held}`);
    // Its own approval is not part of the author's record.
    expect(approved?.history).toEqual({ by: 'email', approved: 2, rejected: 1 });
  });

  it('counts an author by account before e-mail, and by address without either', async () => {
    const thread = await f.openThread();
    const member = await f.addMember('writer@example.org', 'author', 'Writer');
    await f.post(thread, 'By account.', { accountId: member.accountId, name: 'Writer' });
    await f.post(
      thread,
      'Still by account [hold]',
      { accountId: member.accountId, name: 'Writer', email: 'writer@example.org' },
      { ipHash: 'shared-cafe' },
    );
    await f.post(thread, 'Nameless one.', { name: 'Anon' }, { ipHash: 'shared-cafe' });
    await f.post(thread, 'Nameless two [hold]', { name: 'Anon' }, { ipHash: 'shared-cafe' });
    const items = (await queue('pending')).items;
    expect(items.map((i) => i.history)).toEqual([
      { by: 'account', approved: 1, rejected: 0 },
      // The address's record: the member's and the nameless comments posted from it.
      { by: 'address', approved: 1, rejected: 0 },
    ]);
  });

  it('summarises open reports by reason with the newest notes', async () => {
    const thread = await f.openThread();
    const id = await f.post(thread, 'Contested.');
    for (const [reader, reason, note] of [
      ['r1', 'abuse', 'first note'],
      ['r2', 'abuse', undefined],
    ] as const) {
      await reportComment(f.ctx, {
        siteId: f.siteId,
        commentId: id,
        reason,
        note,
        reporter: { ipHash: reader },
      });
      f.clock.advance(1000);
    }
    const [item] = (await queue('reported')).items;
    expect(item?.reports).toEqual({ open: 2, byReason: { abuse: 2 }, notes: ['first note'] });
  });
});
