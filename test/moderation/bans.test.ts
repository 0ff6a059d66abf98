// Bans on a real database: from a comment by each identity it has, for a time or for ever,
// replacing an active one, lifted once, listed newest first with paging — and what is refused.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BanInput } from '../../src/moderation/service.js';
import {
  banAuthor,
  banTarget,
  liftBanById,
  listAudit,
  listSiteBans,
} from '../../src/moderation/service.js';
import { databaseKinds } from '../helpers/databases.js';
import { failure } from '../helpers/failure.js';
import type { ModerationFixture } from './fixture.js';
import { moderationFixture } from './fixture.js';

describe.each(databaseKinds)('bans on $name', (kind) => {
  let f: ModerationFixture;
  beforeEach(async () => {
    f = await moderationFixture(kind);
  });
  afterEach(async () => {
    await f.close();
  });

  const ban = (input: Omit<BanInput, 'siteId' | 'actor'>) =>
    banAuthor(f.ctx, { siteId: f.siteId, actor: f.moderator, ...input });
  const banRows = () =>
    f.test.runtime.db
      .selectFrom('bans')
      .select(['kind', 'value', 'expires_at', 'lifted_at'])
      .orderBy('created_at')
      .orderBy('kind')
      .execute();

  it('bans every identity a comment has, for ever, logged one entry each', async () => {
    const thread = await f.openThread();
    const member = await f.addMember('writer@example.org', 'author', 'Writer');
    const id = await f.post(
      thread,
      'Nasty.',
      { accountId: member.accountId, name: 'Writer', email: 'writer@example.org' },
      { ipHash: 'abcdef0123456789abcdef' },
    );
    const bans = await ban({ commentId: id, reason: 'Harassment' });
    expect(bans.map((b) => [b.kind, b.value, b.expiresAt, b.commentId])).toEqual([
      ['account', member.accountId, undefined, id],
      ['email', 'writer@example.org', undefined, id],
      ['address', 'abcdef0123456789abcdef', undefined, id],
    ]);
    const { items } = await listAudit(f.ctx, { siteId: f.siteId, action: 'ban' });
    expect(items.map((e) => e.target).sort()).toEqual(
      [`account:${member.accountId}`, 'address:abcdef012345…', 'email:writer@example.org'].sort(),
    );
    expect(items[0]).toMatchObject({
      commentId: id,
      threadId: thread.id,
      reason: 'Harassment (for ever)',
    });
  });

  it('bans for some hours or days, and only the identities asked for', async () => {
    const thread = await f.openThread();
    const id = await f.post(
      thread,
      'Spammy.',
      { name: 'S', email: 's@example.org' },
      { ipHash: 'h1' },
    );
    const [byAddress] = await ban({
      commentId: id,
      kinds: ['address'],
      reason: 'Spam',
      durationHours: 48,
    });
    expect(byAddress).toMatchObject({
      kind: 'address',
      expiresAt: new Date(f.clock.now().getTime() + 48 * 3_600_000),
    });
    expect(await banRows()).toHaveLength(1);
    const { items } = await listAudit(f.ctx, { siteId: f.siteId });
    expect(items[0]?.reason).toBe('Spam (until 2026-11-26T10:00:00.000Z)');
  });

  it('replaces an active ban on the same identity instead of stacking them', async () => {
    const thread = await f.openThread();
    const id = await f.post(thread, 'Again.', { name: 'T', email: 't@example.org' });
    await ban({ commentId: id, kinds: ['email'], reason: 'First', durationHours: 1 });
    f.clock.advance(60_000);
    await ban({ email: 'T@Example.org', reason: 'Second, for ever' });
    const rows = await banRows();
    expect(rows.map((r) => [r.value, r.expires_at === null, r.lifted_at])).toEqual([
      ['t@example.org', false, f.clock.now().toISOString()],
      ['t@example.org', true, null],
    ]);
    const active = await listSiteBans(f.ctx, { siteId: f.siteId });
    expect(active.items.map((b) => b.reason)).toEqual(['Second, for ever']);
  });

  it('lifts a ban once; a second lift is a conflict; an unknown ban is not found', async () => {
    const [made] = await ban({ email: 'x@example.org', reason: 'Spam' });
    const lifted = await liftBanById(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      banId: made?.id ?? '',
    });
    expect(lifted.liftedAt).toEqual(f.clock.now());
    const twice = await failure(
      liftBanById(f.ctx, { siteId: f.siteId, actor: f.moderator, banId: made?.id ?? '' }),
    );
    expect([twice.status, twice.code]).toEqual([409, 'ban-already-lifted']);
    const unknown = await failure(
      liftBanById(f.ctx, { siteId: f.siteId, actor: f.moderator, banId: 'nope' }),
    );
    expect([unknown.status, unknown.code]).toEqual([404, 'ban-not-found']);
    const { items } = await listAudit(f.ctx, { siteId: f.siteId });
    expect(items.map((e) => [e.action, e.target])).toEqual([
      ['lift-ban', 'email:x@example.org'],
      ['ban', 'email:x@example.org'],
    ]);
  });

  it('lists the bans in force or all of them, newest first, page by page', async () => {
    for (let i = 0; i < 5; i++) {
      await ban({ email: `p${i}@example.org`, reason: `r${i}`, durationHours: i + 1 });
      f.clock.advance(1000);
    }
    // Two and a half hours later the 1- and 2-hour bans have ended.
    f.clock.advance(2.5 * 3_600_000);
    const active = await listSiteBans(f.ctx, { siteId: f.siteId });
    expect(active.items.map((b) => b.reason)).toEqual(['r4', 'r3', 'r2']);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listSiteBans(f.ctx, { siteId: f.siteId, state: 'all', cursor, limit: 2 });
      seen.push(...page.items.map((b) => b.reason));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['r4', 'r3', 'r2', 'r1', 'r0']);
    const { nextCursor } = await listSiteBans(f.ctx, { siteId: f.siteId, state: 'all', limit: 1 });
    const crossed = await failure(listSiteBans(f.ctx, { siteId: f.siteId, cursor: nextCursor }));
    expect(crossed.code).toBe('invalid-cursor');
  });

  it('refuses what cannot be a ban, writing nothing', async () => {
    const thread = await f.openThread();
    const anonymous = await f.post(thread, 'No e-mail.', { name: 'Anon' });
    const moderatorsOwn = await f.post(thread, 'From a moderator.', {
      accountId: f.moderator.accountId,
      name: 'Mo',
    });
    const cases: [Omit<BanInput, 'siteId' | 'actor'>, number, string][] = [
      [{ commentId: 'nope', reason: 'x' }, 404, 'comment-not-found'],
      [{ commentId: anonymous, kinds: ['email'], reason: 'x' }, 422, 'ban-target-missing'],
      [{ commentId: moderatorsOwn, kinds: ['account'], reason: 'x' }, 422, 'cannot-ban-moderator'],
      [{ email: 'not an address', reason: 'x' }, 422, 'invalid-email'],
      [{ email: 'a@example.org', reason: '   ' }, 422, 'reason-required'],
      [{ email: 'a@example.org', reason: 'x', durationHours: 0 }, 422, 'invalid-ban-duration'],
      [{ email: 'a@example.org', reason: 'x', durationHours: 1.5 }, 422, 'invalid-ban-duration'],
      [{ reason: 'x' }, 422, 'invalid-ban-target'],
      [{ email: 'a@example.org', commentId: anonymous, reason: 'x' }, 422, 'invalid-ban-target'],
    ];
    for (const [input, status, code] of cases) {
      const error = await failure(ban(input));
      expect([error.status, error.code], JSON.stringify(input)).toEqual([status, code]);
    }
    expect(await banRows()).toEqual([]);
    expect((await listAudit(f.ctx, { siteId: f.siteId })).items).toEqual([]);
  });

  it('shows an address only as the start of its hash', () => {
    expect(banTarget({ kind: 'address', value: '0123456789abcdef0123' })).toBe(
      'address:0123456789ab…',
    );
    expect(banTarget({ kind: 'email', value: 'a@b.org' })).toBe('email:a@b.org');
  });
});
