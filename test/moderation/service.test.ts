// Moderation's use cases on a real database with discussion's real side of the seam: the verdict
// every new comment gets (rules cached by version, bans, the audit entry), moderators' actions
// one by one and in bulk (all or nothing), closing threads, and reading and changing the rules.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BANNED_MESSAGE } from '../../src/moderation/model.js';
import type { AuditEntry } from '../../src/moderation/store.js';
import {
  banAuthor,
  createCommentModeration,
  getRules,
  listAudit,
  liftBanById,
  moderateComments,
  reportComment,
  setThreadStatus,
  updateSiteRules,
} from '../../src/moderation/service.js';
import { DEFAULT_SUSPECT_TERMS } from '../../src/moderation/terms.js';
import * as discussion from '../../src/discussion/service.js';
import { databaseKinds } from '../helpers/databases.js';
import { failure } from '../helpers/failure.js';
import type { ModerationFixture } from './fixture.js';
import { moderationFixture, stored } from './fixture.js';

const log = async (f: ModerationFixture): Promise<AuditEntry[]> =>
  (await listAudit(f.ctx, { siteId: f.siteId, limit: 200 })).items;

describe.each(databaseKinds)('moderators’ actions on $name', (kind) => {
  let f: ModerationFixture;
  beforeEach(async () => {
    f = await moderationFixture(kind);
  });
  afterEach(async () => {
    await f.close();
  });

  const act = (action: 'approve' | 'reject' | 'spam', commentIds: string[], reason?: string) =>
    moderateComments(f.ctx, { siteId: f.siteId, actor: f.moderator, action, commentIds, reason });

  it('approves a held comment: public, no longer flagged, logged, live readers told', async () => {
    const thread = await f.openThread();
    const id = await f.post(thread, 'Held [hold]');
    f.events.length = 0;
    f.clock.advance(5000);
    const [result] = await act('approve', [id]);
    expect(result).toEqual({
      commentId: id,
      threadId: thread.id,
      statusBefore: 'pending',
      statusAfter: 'approved',
    });
    expect(await stored(f, id)).toMatchObject({ status: 'approved', flagged: false });
    expect(f.events.map((e) => [e.type, e.payload.commentId])).toEqual([['comment.moderated', id]]);
    const [entry] = await log(f);
    expect(entry).toMatchObject({
      actorKind: 'member',
      actorAccountId: f.moderator.accountId,
      actorName: 'Mo Derator',
      action: 'approve',
      commentId: id,
      threadId: thread.id,
      reasonCodes: ['suspect-term'],
      statusBefore: 'pending',
      statusAfter: 'approved',
      at: f.clock.now(),
    });
    const thread2 = await discussion.getThread(f.discussion, thread.id);
    expect(thread2.commentCount).toBe(1);
  });

  it('rejects with a reason the author sees, replacing the reasons; without one keeps them', async () => {
    const thread = await f.openThread();
    const withReason = await f.post(thread, 'One [hold]');
    const without = await f.post(thread, 'Two [hold]');
    await act('reject', [withReason], '  Personal attacks are not allowed here.  ');
    await act('reject', [without]);
    expect(await stored(f, withReason)).toEqual({
      status: 'rejected',
      flagged: false,
      reasons: [{ code: 'moderator', message: 'Personal attacks are not allowed here.' }],
    });
    expect((await stored(f, without)).reasons).toEqual([
      { code: 'suspect-term', message: 'Held by the test.' },
    ]);
    const entries = await log(f);
    expect(entries.map((e) => [e.commentId, e.action, e.reason])).toEqual([
      [without, 'reject', undefined],
      [withReason, 'reject', 'Personal attacks are not allowed here.'],
    ]);
  });

  it('marks many as spam in one go, each logged, a public one taken down', async () => {
    const thread = await f.openThread();
    const ids = [
      await f.post(thread, 'Buy now [hold]'),
      await f.post(thread, 'Cheap pills'),
      await f.post(thread, 'More [hold]'),
    ];
    const results = await act('spam', [...ids, ids[0] as string]); // a repeated id counts once
    expect(results.map((r) => [r.statusBefore, r.statusAfter])).toEqual([
      ['pending', 'spam'],
      ['approved', 'spam'],
      ['pending', 'spam'],
    ]);
    for (const id of ids) expect((await stored(f, id)).status).toBe('spam');
    expect((await log(f)).filter((e) => e.action === 'spam')).toHaveLength(3);
    expect((await discussion.getThread(f.discussion, thread.id)).commentCount).toBe(0);
  });

  it('changes nothing when one id of a bulk action is unknown, and names it', async () => {
    const thread = await f.openThread();
    const a = await f.post(thread, 'A [hold]');
    const b = await f.post(thread, 'B [hold]');
    const error = await failure(act('approve', [a, 'no-such-comment', b]));
    expect([error.status, error.code]).toEqual([404, 'comment-not-found']);
    expect(error.message).toContain('no-such-comment');
    expect(await stored(f, a)).toMatchObject({ status: 'pending' });
    expect(await stored(f, b)).toMatchObject({ status: 'pending' });
    expect(await log(f)).toEqual([]);
  });

  it('refuses a removed comment, another site’s comment, an empty choice and a long reason', async () => {
    const thread = await f.openThread();
    const removed = await f.post(thread, 'Gone soon.', {
      accountId: f.moderator.accountId,
      name: 'Mo',
    });
    await discussion.deleteComment(f.discussion, {
      commentId: removed,
      editor: { accountId: f.moderator.accountId, isModerator: true },
    });
    expect((await failure(act('approve', [removed]))).code).toBe('comment-not-found');
    const other = await moderateComments(f.ctx, {
      siteId: 'another-site',
      actor: f.moderator,
      action: 'approve',
      commentIds: [await f.post(thread, 'Mine [hold]')],
    }).catch((e: unknown) => e);
    expect(other).toMatchObject({ code: 'comment-not-found' });
    expect((await failure(act('approve', []))).code).toBe('no-comments-chosen');
    const id = await f.post(thread, 'X [hold]');
    expect((await failure(act('reject', [id], 'x'.repeat(501)))).code).toBe('reason-too-long');
    expect(await stored(f, id)).toMatchObject({ status: 'pending' });
  });

  it('settles a comment’s open reports when a moderator acts on it', async () => {
    const thread = await f.openThread();
    const id = await f.post(thread, 'Disputed.');
    for (const reader of ['r1', 'r2']) {
      await reportComment(f.ctx, {
        siteId: f.siteId,
        commentId: id,
        reason: 'off-topic',
        reporter: { ipHash: reader },
      });
    }
    await act('approve', [id]);
    const rows = await f.test.runtime.db
      .selectFrom('reports')
      .select(['resolved_at', 'resolution'])
      .where('comment_id', '=', id)
      .execute();
    expect(rows).toEqual([
      { resolved_at: f.clock.now().toISOString(), resolution: 'approve' },
      { resolved_at: f.clock.now().toISOString(), resolution: 'approve' },
    ]);
  });

  it('closes and opens a thread through discussion, logging only real changes', async () => {
    const thread = await f.openThread('A hot thread');
    const close = () =>
      setThreadStatus(f.ctx, {
        siteId: f.siteId,
        actor: f.moderator,
        threadId: thread.id,
        status: 'closed',
      });
    expect(await close()).toEqual({ threadId: thread.id, status: 'closed', changed: true });
    expect(await close()).toEqual({ threadId: thread.id, status: 'closed', changed: false });
    expect((await discussion.getThread(f.discussion, thread.id)).status).toBe('closed');
    expect(f.events.map((e) => e.type)).toEqual(['thread.closed']);
    await setThreadStatus(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      threadId: thread.id,
      status: 'open',
    });
    expect(
      (await log(f)).map((e) => [e.action, e.threadId, e.statusBefore, e.statusAfter]),
    ).toEqual([
      ['open-thread', thread.id, 'closed', 'open'],
      ['close-thread', thread.id, 'open', 'closed'],
    ]);
    const missing = await failure(
      setThreadStatus(f.ctx, {
        siteId: f.siteId,
        actor: f.moderator,
        threadId: 'nope',
        status: 'closed',
      }),
    );
    expect([missing.status, missing.code]).toEqual([404, 'thread-not-found']);
  });
});

describe.each(databaseKinds)('the verdict for new comments on $name', (kind) => {
  let f: ModerationFixture;
  beforeEach(async () => {
    f = await moderationFixture(kind, { moderation: (ctx) => createCommentModeration(ctx) });
  });
  afterEach(async () => {
    await f.close();
  });

  it('holds the sample’s slur with the default lists, and logs the rules’ decision', async () => {
    const thread = await f.openThread();
    const id = await f.post(thread, 'Typical yid behaviour, as usual.');
    const held = await stored(f, id);
    expect(held.status).toBe('pending');
    expect(held.reasons[0]).toMatchObject({
      code: 'suspect-term',
      matches: [{ start: 8, end: 11, term: 'yid' }],
    });
    const fine = await f.post(
      thread,
      'The Jewish and Muslim communities of Paris grieve together.',
    );
    expect((await stored(f, fine)).status).toBe('approved');
    const entries = await log(f);
    expect(entries.map((e) => [e.actorKind, e.actorName, e.action, e.commentId])).toEqual([
      ['rules', 'Rules', 'auto-approve', fine],
      ['rules', 'Rules', 'auto-hold', id],
    ]);
    expect(entries[1]).toMatchObject({ reasonCodes: ['suspect-term'], statusAfter: 'pending' });
    expect(entries[1]?.reason).toContain('yid');
  });

  it('sees changed rules at once (the cache follows the version)', async () => {
    const thread = await f.openThread();
    expect((await stored(f, await f.post(thread, 'What a grumpkin.'))).status).toBe('approved');
    await updateSiteRules(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      changes: { suspectTerms: 'grumpkin\n' },
    });
    expect((await stored(f, await f.post(thread, 'What a grumpkin!'))).status).toBe('pending');
    // Back to the shipped list: "grumpkin" passes again, "yid" is held again.
    await updateSiteRules(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      changes: { suspectTerms: null },
    });
    expect((await stored(f, await f.post(thread, 'Grumpkin again.'))).status).toBe('approved');
  });

  it('rejects a banned author with a neutral message until the ban ends or is lifted', async () => {
    const thread = await f.openThread();
    const troll = { name: 'Troll', email: 'troll@example.org' };
    const first = await f.post(thread, 'Something rude but allowed.', troll);
    const [ban] = await banAuthor(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      commentId: first,
      kinds: ['email'],
      reason: 'Repeated insults',
      durationHours: 24,
    });
    expect(ban).toMatchObject({ kind: 'email', value: 'troll@example.org' });
    const banned = { status: 'rejected', reasons: [{ code: 'banned', message: BANNED_MESSAGE }] };
    // The e-mail in another case, from another address: still the same person.
    const attempt = await f.post(
      thread,
      'Back again.',
      { name: 'Troll', email: 'TROLL@example.org' },
      { ipHash: 'new-address' },
    );
    expect(await stored(f, attempt)).toMatchObject(banned);
    // Another author from that address is not affected.
    const other = await f.post(
      thread,
      'Hello.',
      { name: 'Bea', email: 'bea@example.org' },
      { ipHash: 'new-address' },
    );
    expect((await stored(f, other)).status).toBe('approved');
    f.clock.advance(24 * 3_600_000 + 1000);
    const later = await f.post(thread, 'A day later.', troll);
    expect((await stored(f, later)).status).toBe('approved');

    const [forever] = await banAuthor(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      email: 'troll@example.org',
      reason: 'Again',
    });
    expect(await stored(f, await f.post(thread, 'For ever?', troll))).toMatchObject(banned);
    await liftBanById(f.ctx, { siteId: f.siteId, actor: f.moderator, banId: forever?.id ?? '' });
    const after = await f.post(thread, 'Lifted.', troll);
    expect((await stored(f, after)).status).toBe('approved');
  });

  it('flags an import the rules would hold, logging only what it flagged', async () => {
    const thread = await f.openThread();
    const imported = await discussion.postComment(f.discussion, {
      threadId: thread.id,
      author: { name: 'Old' },
      body: 'Typical yid behaviour.',
      origin: 'import',
      status: 'approved',
      externalId: 'old-1',
    });
    await discussion.postComment(f.discussion, {
      threadId: thread.id,
      author: { name: 'Old' },
      body: 'A calm old comment.',
      origin: 'import',
      status: 'approved',
      externalId: 'old-2',
    });
    expect(await stored(f, imported.comment.id)).toMatchObject({
      status: 'approved',
      flagged: true,
    });
    expect((await log(f)).map((e) => [e.actorKind, e.action, e.commentId, e.statusAfter])).toEqual([
      ['import', 'flag-import', imported.comment.id, 'approved'],
    ]);
  });
});

describe.each(databaseKinds)('the site’s rules on $name', (kind) => {
  let f: ModerationFixture;
  beforeEach(async () => {
    f = await moderationFixture(kind);
  });
  afterEach(async () => {
    await f.close();
  });

  it('reads the defaults, the shipped lists as their text', async () => {
    const rules = await getRules(f.ctx, f.siteId);
    expect(rules).toMatchObject({
      version: 0,
      blockedTermsDefault: true,
      suspectTermsDefault: true,
      settings: { maxLinks: 2, firstTime: 'off', reportsToHold: 3, digestAfterMinutes: 0 },
    });
    expect(rules.settings.suspectTerms).toBe(DEFAULT_SUSPECT_TERMS);
  });

  it('changes what is given, bumps the version and logs what changed', async () => {
    const updated = await updateSiteRules(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      changes: { maxLinks: 4, blockedDomains: 'spam.example\n' },
      expectedVersion: 0,
    });
    expect(updated).toMatchObject({
      version: 1,
      settings: { maxLinks: 4, blockedDomains: 'spam.example\n', reportsToHold: 3 },
      updatedBy: f.moderator.accountId,
    });
    const [entry] = await log(f);
    expect(entry).toMatchObject({ action: 'rules-updated', target: 'rules:v1' });
    expect(entry?.reason).toBe('Changed blocked domains; links before holding 2 → 4.');
    // The shipped text sent back stays "the default".
    const same = await updateSiteRules(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      changes: { suspectTerms: DEFAULT_SUSPECT_TERMS.replace(/\n/g, '\r\n') },
    });
    expect(same).toMatchObject({ version: 1, suspectTermsDefault: true });
    expect(await log(f)).toHaveLength(1);
  });

  it('refuses a malformed term list naming its lines, changing nothing', async () => {
    const error = await failure(
      updateSiteRules(f.ctx, {
        siteId: f.siteId,
        actor: f.moderator,
        changes: { blockedTerms: 'fine term\nh4te\nanother\nh4te2\n', maxLinks: 9 },
      }),
    );
    expect([error.status, error.code]).toEqual([422, 'invalid-term-list']);
    expect(error.message).toMatch(/line 2/);
    expect(error.message).toMatch(/line 4/);
    const problems = error.details?.problems as { field: string; line: number }[];
    expect([...new Set(problems.map((p) => `${p.field}:${p.line}`))]).toEqual([
      'blockedTerms:2',
      'blockedTerms:4',
    ]);
    const rules = await getRules(f.ctx, f.siteId);
    expect(rules).toMatchObject({
      version: 0,
      blockedTermsDefault: true,
      settings: { maxLinks: 2 },
    });
    expect(await log(f)).toEqual([]);
    const rows = await f.test.runtime.db.selectFrom('moderation_rules').selectAll().execute();
    expect(rows).toEqual([]);
  });

  it('refuses to overwrite a change made meanwhile (409)', async () => {
    await updateSiteRules(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      changes: { maxLinks: 3 },
    });
    const error = await failure(
      updateSiteRules(f.ctx, {
        siteId: f.siteId,
        actor: f.moderator,
        changes: { maxLinks: 5 },
        expectedVersion: 0,
      }),
    );
    expect([error.status, error.code]).toEqual([409, 'rules-changed']);
    expect((await getRules(f.ctx, f.siteId)).settings.maxLinks).toBe(3);
  });
});
