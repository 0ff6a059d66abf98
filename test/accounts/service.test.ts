// Accounts' use cases on a real database, once per database kind.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountsContext } from '../../src/accounts/service.js';
import * as accounts from '../../src/accounts/service.js';
import { accountsContext } from '../../src/runtime.js';
import { fixedClock } from '../../src/platform/clock.js';
import type { AppError } from '../../src/platform/errors.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { createTestRuntime } from '../helpers/runtime.js';
import { failure } from '../helpers/failure.js';

const PASSWORD = 'correct horse battery staple';

describe.each(databaseKinds)('accounts on $name', (kind) => {
  let test: TestRuntime;
  let ctx: AccountsContext;
  let siteId: string;
  const clock = fixedClock('2026-11-24T10:00:00Z');

  beforeEach(async () => {
    clock.set('2026-11-24T10:00:00Z');
    test = await createTestRuntime({ kind, clock });
    ctx = accountsContext(test.runtime);
    siteId = (await accounts.ensureSite(ctx, { name: 'Test' })).id;
  });
  afterEach(async () => {
    await test.close();
  });

  async function memberWithPassword(
    email: string,
    role: 'owner' | 'editor' | 'author' | 'moderator' = 'owner',
  ) {
    const { member, link } = await accounts.addMember(ctx, { siteId, email, role });
    await accounts.setPasswordWithLink(ctx, { token: link.token, password: PASSWORD });
    return member;
  }

  const signIn = (email: string, password = PASSWORD, address = 'address-1') =>
    accounts.signIn(ctx, { siteId, email, password, addressKey: address });

  it('creates the site once', async () => {
    const again = await accounts.ensureSite(ctx, { name: 'Other' });
    expect(again.id).toBe(siteId);
    expect(again.name).toBe('Test');
  });

  it('needs an owner until one has set a password through a link', async () => {
    expect(await accounts.needsOwner(ctx, siteId)).toBe(true);
    const { link } = await accounts.addMember(ctx, {
      siteId,
      email: 'Owner@Example.org',
      role: 'owner',
    });
    expect(await accounts.needsOwner(ctx, siteId)).toBe(true);
    await accounts.setPasswordWithLink(ctx, { token: link.token, password: PASSWORD });
    expect(await accounts.needsOwner(ctx, siteId)).toBe(false);
    const { member } = await signIn('owner@example.org');
    expect(member).toMatchObject({ email: 'owner@example.org', role: 'owner', hasPassword: true });
  });

  it('claims the site through a setup link once, and refuses a second claim', async () => {
    const link = await accounts.issueSetupLink(ctx);
    const { member: owner, sessionToken } = await accounts.claimSite(ctx, {
      siteId,
      token: link.token,
      email: 'first@example.org',
      displayName: 'First',
      password: PASSWORD,
      confirm: PASSWORD,
    });
    expect(owner.role).toBe('owner');
    expect((await accounts.authenticateSession(ctx, siteId, sessionToken))?.member.id).toBe(
      owner.id,
    );
    const reused = await failure(
      accounts.claimSite(ctx, {
        siteId,
        token: link.token,
        email: 'x@example.org',
        displayName: 'X',
        password: PASSWORD,
        confirm: PASSWORD,
      }),
    );
    expect(reused.status).toBe(404);
    const fresh = await accounts.issueSetupLink(ctx);
    const second = await failure(
      accounts.claimSite(ctx, {
        siteId,
        token: fresh.token,
        email: 'x@example.org',
        displayName: 'X',
        password: PASSWORD,
        confirm: PASSWORD,
      }),
    );
    expect(second.code).toBe('already-claimed');
  });

  it('makes only the newest link of a kind work, and links expire after a day', async () => {
    const { link: first } = await accounts.addMember(ctx, {
      siteId,
      email: 'a@example.org',
      role: 'author',
    });
    const { link: second } = await accounts.issuePasswordLink(ctx, {
      siteId,
      email: 'a@example.org',
    });
    expect(
      (await failure(accounts.setPasswordWithLink(ctx, { token: first.token, password: PASSWORD })))
        .code,
    ).toBe('link-used');
    clock.advance(24 * 60 * 60 * 1000 + 1);
    expect(
      (
        await failure(
          accounts.setPasswordWithLink(ctx, { token: second.token, password: PASSWORD }),
        )
      ).code,
    ).toBe('link-expired');
  });

  it('refuses weak passwords and leaves the link usable', async () => {
    const { link } = await accounts.addMember(ctx, {
      siteId,
      email: 'a@example.org',
      role: 'author',
    });
    expect(
      (await failure(accounts.setPasswordWithLink(ctx, { token: link.token, password: 'short' })))
        .code,
    ).toBe('weak-password');
    await accounts.setPasswordWithLink(ctx, { token: link.token, password: PASSWORD });
  });

  it('signs out everywhere when the password is set again', async () => {
    await memberWithPassword('a@example.org');
    const { token } = await signIn('a@example.org');
    expect(await accounts.authenticateSession(ctx, siteId, token)).toBeDefined();
    const { link } = await accounts.issuePasswordLink(ctx, { siteId, email: 'a@example.org' });
    await accounts.setPasswordWithLink(ctx, {
      token: link.token,
      password: 'another long passphrase',
    });
    expect(await accounts.authenticateSession(ctx, siteId, token)).toBeUndefined();
  });

  it('gives the same answer for an unknown e-mail and a wrong password', async () => {
    await memberWithPassword('a@example.org');
    const unknown = await failure(signIn('nobody@example.org'));
    const wrong = await failure(signIn('a@example.org', 'wrong password here'));
    expect(unknown.message).toBe(wrong.message);
    expect(unknown.status).toBe(401);
  });

  it('throttles an account after five wrong passwords in a row, even for the right one', async () => {
    await memberWithPassword('a@example.org');
    for (let i = 0; i < 5; i++) {
      expect(
        (await failure(signIn('a@example.org', 'wrong password here', `address-${i}`))).status,
      ).toBe(401);
    }
    const throttled = await failure(signIn('a@example.org', PASSWORD, 'address-9'));
    expect(throttled.status).toBe(429);
    expect(throttled.code).toBe('sign-in-throttled');
    expect(throttled.message).toMatch(/Try again in 15 minutes/);
    clock.advance(15 * 60 * 1000);
    await expect(signIn('a@example.org')).resolves.toMatchObject({
      member: { email: 'a@example.org' },
    });
  });

  it('counts concurrent guesses one by one: at most five get a verdict on the password', async () => {
    await memberWithPassword('a@example.org');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        failure(signIn('a@example.org', 'wrong password here', `addr-${i}`)),
      ),
    );
    const statuses = results.map((e) => e.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it('makes exactly one owner when two setup links are used at once', async () => {
    const first = await accounts.issueSetupLink(ctx);
    // a second instance may have printed its own link at the same moment
    const second = await accounts.issueSetupLink(ctx);
    const claim = (token: string, email: string) =>
      accounts
        .claimSite(ctx, {
          siteId,
          token,
          email,
          displayName: email,
          password: PASSWORD,
          confirm: PASSWORD,
        })
        .then(
          () => 'ok',
          (e: unknown) => (e as AppError).code,
        );
    const outcomes = await Promise.all([
      claim(first.token, 'one@example.org'),
      claim(second.token, 'two@example.org'),
    ]);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(
      (await accounts.listMembers(ctx, siteId)).filter((m) => m.role === 'owner'),
    ).toHaveLength(1);
  });

  it('creates one site even when instances start together', async () => {
    await test.runtime.db.deleteFrom('sites').execute();
    const sites = await Promise.all(
      [1, 2, 3].map(() => accounts.ensureSite(ctx, { name: 'Fresh' })),
    );
    expect(new Set(sites.map((s) => s.id)).size).toBe(1);
    expect(await test.runtime.db.selectFrom('sites').select('id').execute()).toHaveLength(1);
  });

  it('keeps no e-mail address in throttle records', async () => {
    await failure(signIn('secret.person@example.org', 'wrong password here'));
    const rows = await test.runtime.db.selectFrom('sign_in_throttles').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain('secret.person');
  });

  it('throttles an address that tries many accounts', async () => {
    for (let i = 0; i < 20; i++)
      await failure(signIn(`user${i}@example.org`, 'wrong password here', 'sprayer'));
    await memberWithPassword('a@example.org');
    expect((await failure(signIn('a@example.org', PASSWORD, 'sprayer'))).status).toBe(429);
    await expect(signIn('a@example.org', PASSWORD, 'someone-else')).resolves.toBeDefined();
  });

  it('expires sessions and revokes them on sign-out', async () => {
    await memberWithPassword('a@example.org');
    const { token } = await signIn('a@example.org');
    await accounts.signOut(ctx, token);
    expect(await accounts.authenticateSession(ctx, siteId, token)).toBeUndefined();
    const second = await signIn('a@example.org');
    clock.advance(31 * 24 * 60 * 60 * 1000);
    expect(await accounts.authenticateSession(ctx, siteId, second.token)).toBeUndefined();
  });

  it('ends every session of a member at once', async () => {
    const member = await memberWithPassword('a@example.org');
    const first = await signIn('a@example.org');
    const second = await signIn('a@example.org');
    expect(await accounts.signOutEverywhere(ctx, member.id)).toBe(2);
    expect(await accounts.authenticateSession(ctx, siteId, first.token)).toBeUndefined();
    expect(await accounts.authenticateSession(ctx, siteId, second.token)).toBeUndefined();
  });

  it('stores API tokens hashed, authenticates them, and revokes them', async () => {
    const member = await memberWithPassword('a@example.org', 'editor');
    const { token, apiToken } = await accounts.createApiToken(ctx, {
      accountId: member.id,
      name: 'deploy',
    });
    expect(token).toMatch(/^bst_[A-Za-z0-9_-]{43}$/);
    expect(apiToken.hint).toBe(token.slice(0, 10));
    const stored = await test.runtime.db.selectFrom('api_tokens').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(token);
    const found = await accounts.authenticateApiToken(ctx, siteId, token);
    expect(found?.member).toMatchObject({ email: 'a@example.org', role: 'editor' });
    expect(await accounts.authenticateApiToken(ctx, siteId, token + 'x')).toBeUndefined();
    const other = await memberWithPassword('b@example.org', 'author');
    expect(
      (await failure(accounts.revokeApiToken(ctx, { tokenId: apiToken.id, accountId: other.id })))
        .status,
    ).toBe(404);
    await accounts.revokeApiToken(ctx, { tokenId: apiToken.id, accountId: member.id });
    expect(await accounts.authenticateApiToken(ctx, siteId, token)).toBeUndefined();
    expect((await accounts.listApiTokens(ctx, member.id))[0]?.revokedAt).toBeInstanceOf(Date);
  });

  it('keeps at least one owner', async () => {
    await memberWithPassword('a@example.org', 'owner');
    expect(
      (await failure(accounts.setRole(ctx, { siteId, email: 'a@example.org', role: 'editor' })))
        .code,
    ).toBe('last-owner');
    await accounts.addMember(ctx, { siteId, email: 'b@example.org', role: 'owner' });
    await expect(
      accounts.setRole(ctx, { siteId, email: 'a@example.org', role: 'editor' }),
    ).resolves.toMatchObject({
      role: 'editor',
    });
  });

  it('refuses duplicate members and invalid e-mail addresses without writing anything', async () => {
    await accounts.addMember(ctx, { siteId, email: 'a@example.org', role: 'author' });
    expect(
      (await failure(accounts.addMember(ctx, { siteId, email: 'A@example.org', role: 'editor' })))
        .code,
    ).toBe('member-exists');
    expect(
      (await failure(accounts.addMember(ctx, { siteId, email: 'not-an-email', role: 'editor' })))
        .code,
    ).toBe('invalid-email');
    expect((await accounts.listMembers(ctx, siteId)).map((m) => [m.email, m.role])).toEqual([
      ['a@example.org', 'author'],
    ]);
  });
});
