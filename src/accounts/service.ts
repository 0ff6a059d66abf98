/**
 * Use cases of accounts: one function per user action, one transaction each. No HTTP knowledge;
 * callers pass in the database, the clock and the id source.
 */
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import type { Clock } from '../platform/clock.js';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  TooManyRequestsError,
  UnauthenticatedError,
  UnprocessableError,
} from '../platform/errors.js';
import type { Ids } from '../platform/ids.js';
import { hashToken, keyedHash } from '../platform/ids.js';
import { isUniqueViolation } from '../platform/database/index.js';
import type { LinkPurpose, Role } from './model.js';
import {
  ACCOUNT_THROTTLE,
  ADDRESS_THROTTLE,
  API_TOKEN_PREFIX,
  LINK_LIFETIME_MS,
  SESSION_LIFETIME_MS,
  isValidEmail,
  normaliseEmail,
  passwordProblem,
  countAttempt,
  forgiveAttempt,
  renewedSessionExpiry,
  tokenHint,
} from './model.js';
import * as store from './store.js';
import type { Account, AccountsDb, ApiToken, Member, Site } from './store.js';

export interface AccountsContext {
  db: AccountsDb;
  clock: Clock;
  ids: Ids;
  /** Keys the hashes that stand in for e-mail addresses and client addresses in throttles. */
  secret: string;
}

// OWASP's recommended argon2id parameters (19 MiB, 2 passes): ~30 ms per hash on one core.
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
// Verified against when the e-mail is unknown, so that the answer takes as long either way.
let dummyHash: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, ARGON2_OPTIONS);
}

// --- the site ------------------------------------------------------------------------------

/** Returns the site, creating it on the very first start (safely, if instances start together). */
export async function ensureSite(ctx: AccountsContext, defaults: { name: string }): Promise<Site> {
  const existing = await store.findFirstSite(ctx.db);
  if (existing) return existing;
  await ctx.db.transaction().execute((trx) =>
    store.insertSite(trx, {
      id: ctx.ids.id(),
      slug: 'main',
      name: defaults.name,
      settings: {},
      createdAt: ctx.clock.now(),
    }),
  );
  return (await store.findFirstSite(ctx.db)) as Site;
}

/** The site as it is now: its settings may have changed since the server started. */
export async function getSite(ctx: AccountsContext, siteId: string): Promise<Site> {
  const site = await store.findSite(ctx.db, siteId);
  if (!site) throw new NotFoundError(`There is no site ${siteId}.`, 'site-not-found');
  return site;
}

/**
 * Changes some of a site's settings and keeps the rest. `change` is given the current settings
 * (with the row locked, so two changes at once do not lose one) and returns the keys to set; it
 * may throw to refuse the change.
 */
export async function updateSiteSettings(
  ctx: AccountsContext,
  siteId: string,
  change: (settings: Record<string, unknown>) => Record<string, unknown>,
): Promise<Site> {
  return ctx.db.transaction().execute(async (trx) => {
    await store.lockSite(trx, siteId);
    const site = await store.findSite(trx, siteId);
    if (!site) throw new NotFoundError(`There is no site ${siteId}.`, 'site-not-found');
    const settings = { ...site.settings, ...change(site.settings) };
    await store.updateSiteSettings(trx, siteId, settings);
    return { ...site, settings };
  });
}

/** True until some owner can sign in; until then the server offers a setup link. */
export async function needsOwner(ctx: AccountsContext, siteId: string): Promise<boolean> {
  return (await store.countOwnersWithPassword(ctx.db, siteId)) === 0;
}

// --- one-time links ------------------------------------------------------------------------

export interface IssuedLink {
  token: string;
  path: string;
  expiresAt: Date;
}

async function issueLink(
  db: AccountsDb,
  ctx: AccountsContext,
  purpose: LinkPurpose,
  accountId?: string,
) {
  const now = ctx.clock.now();
  const token = ctx.ids.token();
  const expiresAt = new Date(now.getTime() + LINK_LIFETIME_MS);
  await store.expireLinks(db, purpose, accountId, now);
  await store.insertLink(db, {
    id: ctx.ids.id(),
    purpose,
    tokenHash: hashToken(token),
    accountId,
    now,
    expiresAt,
  });
  return { token, path: `${purpose === 'setup' ? 'setup' : 'password'}/${token}`, expiresAt };
}

/** A link that lets whoever holds it create the first owner. Earlier setup links stop working. */
export async function issueSetupLink(ctx: AccountsContext): Promise<IssuedLink> {
  return ctx.db.transaction().execute((trx) => issueLink(trx, ctx, 'setup'));
}

/** Checks a link without using it, for showing its form. */
export async function checkLink(ctx: AccountsContext, token: string, purpose: LinkPurpose) {
  const link = await store.findLink(ctx.db, hashToken(token));
  if (!link || link.purpose !== purpose) {
    throw new NotFoundError('This link is not valid. Ask for a new one.', 'link-invalid');
  }
  if (link.usedAt)
    throw new NotFoundError('This link has already been used. Ask for a new one.', 'link-used');
  if (link.expiresAt <= ctx.clock.now()) {
    throw new NotFoundError('This link has expired. Ask for a new one.', 'link-expired');
  }
  return link;
}

function requireValidPassword(password: string, email: string) {
  const problem = passwordProblem(password, email);
  if (problem) throw new UnprocessableError(problem, 'weak-password');
}

function requireValidEmail(email: string) {
  if (!isValidEmail(email)) {
    throw new UnprocessableError(`"${email}" is not a valid e-mail address.`, 'invalid-email');
  }
}

function requireSamePasswords(password: string, confirm: string) {
  if (password !== confirm) {
    throw new UnprocessableError('The two passwords are different.', 'password-mismatch');
  }
}

/**
 * Uses a setup link: creates (or promotes) the first owner with a password and signs them in,
 * all in one transaction. The site row is locked so that two links used at once make one owner.
 */
export async function claimSite(
  ctx: AccountsContext,
  input: {
    siteId: string;
    token: string;
    email: string;
    displayName: string;
    password: string;
    confirm: string;
    userAgent?: string;
  },
): Promise<{ member: Member; sessionToken: string }> {
  const email = normaliseEmail(input.email);
  requireValidEmail(email);
  requireSamePasswords(input.password, input.confirm);
  requireValidPassword(input.password, email);
  const displayName = input.displayName.trim() || email.split('@')[0] || email;
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    await store.lockSite(trx, input.siteId);
    const link = await checkLink({ ...ctx, db: trx }, input.token, 'setup');
    if ((await store.countOwnersWithPassword(trx, input.siteId)) > 0) {
      throw new ConflictError(
        'This site already has an owner. Sign in instead.',
        'already-claimed',
      );
    }
    if (!(await store.useLink(trx, link.id, now))) {
      throw new NotFoundError('This link has already been used. Ask for a new one.', 'link-used');
    }
    let account = await store.findAccountByEmail(trx, email);
    if (account) {
      await store.updatePasswordHash(trx, account.id, passwordHash, now);
      await store.deleteSessionsOf(trx, account.id);
    } else {
      await store.insertAccount(trx, { id: ctx.ids.id(), email, displayName, passwordHash, now });
      account = (await store.findAccountByEmail(trx, email)) as Account;
    }
    await store.upsertMembership(trx, input.siteId, account.id, 'owner', now);
    const sessionToken = await openSession(trx, ctx, account.id, now, input.userAgent);
    return {
      member: (await store.findMember(trx, input.siteId, account.id)) as Member,
      sessionToken,
    };
  });
}

async function openSession(
  db: AccountsDb,
  ctx: AccountsContext,
  accountId: string,
  now: Date,
  userAgent?: string,
) {
  const token = ctx.ids.token();
  await store.insertSession(db, {
    id: ctx.ids.id(),
    tokenHash: hashToken(token),
    accountId,
    now,
    expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS),
    userAgent,
  });
  return token;
}

/** Uses a password link: sets the password and signs the account out everywhere. */
export async function setPasswordWithLink(
  ctx: AccountsContext,
  input: { token: string; password: string; confirm?: string },
): Promise<Account> {
  if (input.confirm !== undefined) requireSamePasswords(input.password, input.confirm);
  const link = await checkLink(ctx, input.token, 'password');
  const accountId = link.accountId;
  if (!accountId)
    throw new NotFoundError('This link is not valid. Ask for a new one.', 'link-invalid');
  const account = await findAccount(ctx, accountId);
  requireValidPassword(input.password, account.email);
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    if (!(await store.useLink(trx, link.id, now))) {
      throw new NotFoundError('This link has already been used. Ask for a new one.', 'link-used');
    }
    await store.updatePasswordHash(trx, accountId, passwordHash, now);
    await store.deleteSessionsOf(trx, accountId);
    await store.clearThrottle(trx, accountThrottleKey(ctx, account.email));
    return { ...account, hasPassword: true };
  });
}

export async function findAccount(ctx: AccountsContext, accountId: string): Promise<Account> {
  const account = await store.findAccountById(ctx.db, accountId);
  if (!account) throw new NotFoundError('This account no longer exists.', 'account-not-found');
  return account;
}

// --- members (CLI and admin) ---------------------------------------------------------------

/** Adds a member (creating the account when new) and returns a link to set their password. */
export async function addMember(
  ctx: AccountsContext,
  input: { siteId: string; email: string; displayName?: string; role: Role },
): Promise<{ member: Member; link: IssuedLink }> {
  const email = normaliseEmail(input.email);
  requireValidEmail(email);
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    let account = await store.findAccountByEmail(trx, email);
    if (account && (await store.findMember(trx, input.siteId, account.id))) {
      throw new ConflictError(
        `${email} is already a member; change their role with \`user set-role\`.`,
        'member-exists',
      );
    }
    if (!account) {
      const displayName = input.displayName?.trim() || email.split('@')[0] || email;
      try {
        await store.insertAccount(trx, { id: ctx.ids.id(), email, displayName, now });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new ConflictError(`${email} was added by someone else just now.`, 'member-exists');
      }
      account = (await store.findAccountByEmail(trx, email)) as Account;
    }
    await store.upsertMembership(trx, input.siteId, account.id, input.role, now);
    const link = await issueLink(trx, ctx, 'password', account.id);
    return { member: (await store.findMember(trx, input.siteId, account.id)) as Member, link };
  });
}

export async function listMembers(ctx: AccountsContext, siteId: string): Promise<Member[]> {
  return store.listMembers(ctx.db, siteId);
}

async function requireMember(db: AccountsDb, siteId: string, email: string): Promise<Member> {
  const account = await store.findAccountByEmail(db, normaliseEmail(email));
  const member = account && (await store.findMember(db, siteId, account.id));
  if (!member)
    throw new NotFoundError(
      `No member with the e-mail ${normaliseEmail(email)}.`,
      'member-not-found',
    );
  return member;
}

export async function setRole(
  ctx: AccountsContext,
  input: { siteId: string; email: string; role: Role },
) {
  return ctx.db.transaction().execute(async (trx) => {
    await store.lockSite(trx, input.siteId); // two demotions at once must not remove every owner
    const member = await requireMember(trx, input.siteId, input.email);
    if (
      member.role === 'owner' &&
      input.role !== 'owner' &&
      (await store.countOwners(trx, input.siteId)) === 1
    ) {
      throw new ConflictError(
        'This is the only owner; make someone else owner first.',
        'last-owner',
      );
    }
    await store.upsertMembership(trx, input.siteId, member.id, input.role, ctx.clock.now());
    return { ...member, role: input.role };
  });
}

/** A new password link for a member; the old password keeps working until the link is used. */
export async function issuePasswordLink(
  ctx: AccountsContext,
  input: { siteId: string; email: string },
) {
  return ctx.db.transaction().execute(async (trx) => {
    const member = await requireMember(trx, input.siteId, input.email);
    return { member, link: await issueLink(trx, ctx, 'password', member.id) };
  });
}

// --- signing in ----------------------------------------------------------------------------

export interface SignInInput {
  siteId: string;
  email: string;
  password: string;
  /** A keyed hash of the client's address: throttled, never stored in the clear. */
  addressKey: string;
  userAgent?: string;
}

const WRONG_CREDENTIALS = 'The e-mail address or the password is wrong.';

function throttled(waitMs: number, who: 'account' | 'address'): TooManyRequestsError {
  const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
  const subject = who === 'account' ? 'this account' : 'your network address';
  return new TooManyRequestsError(
    `Too many failed sign-ins for ${subject}. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or reset the password.`,
    Math.ceil(waitMs / 1000),
    'sign-in-throttled',
  );
}

// Throttle keys hold no e-mail address: people type passwords into the e-mail field too.
function accountThrottleKey(ctx: AccountsContext, email: string): string {
  return `account:${keyedHash(ctx.secret, normaliseEmail(email))}`;
}

/** Checks the password, throttling per account and per address, and opens a session. */
export async function signIn(
  ctx: AccountsContext,
  input: SignInInput,
): Promise<{ token: string; member: Member }> {
  const email = normaliseEmail(input.email);
  if (!email || !input.password) {
    throw new BadRequestError('Enter your e-mail address and password.', 'missing-credentials');
  }
  const accountKey = accountThrottleKey(ctx, email);
  const addressKey = `address:${input.addressKey}`;

  // Count the attempt before checking the password, in a transaction that locks the counters.
  const refusal = await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const states = await store.lockThrottles(trx, [accountKey, addressKey], now);
    const account = countAttempt(states.get(accountKey), now, ACCOUNT_THROTTLE);
    const address = countAttempt(states.get(addressKey), now, ADDRESS_THROTTLE);
    await store.saveThrottle(trx, accountKey, account.state);
    await store.saveThrottle(trx, addressKey, address.state);
    if (account.waitMs > 0) return throttled(account.waitMs, 'account');
    if (address.waitMs > 0) return throttled(address.waitMs, 'address');
    return undefined;
  });
  if (refusal) throw refusal;

  const account = await store.findAccountByEmail(ctx.db, email);
  const member = account && (await store.findMember(ctx.db, input.siteId, account.id));
  const passwordHash = member && (await store.findPasswordHash(ctx.db, member.id));
  dummyHash ??= hashPassword('not the password of anyone at all');
  const valid = await argon2Verify(
    passwordHash ?? (await dummyHash),
    input.password.slice(0, 4096),
  );
  if (!valid || !member || !passwordHash) {
    throw new UnauthenticatedError(WRONG_CREDENTIALS, 'wrong-credentials');
  }

  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    await store.clearThrottle(trx, accountKey);
    const states = await store.lockThrottles(trx, [addressKey], now);
    const address = states.get(addressKey);
    if (address) await store.saveThrottle(trx, addressKey, forgiveAttempt(address));
    const token = await openSession(trx, ctx, member.id, now, input.userAgent);
    return { token, member };
  });
}

/** Forgets expired sessions and links and quiet throttles; run periodically by the server. */
export async function purgeExpired(ctx: AccountsContext): Promise<void> {
  const now = ctx.clock.now();
  const horizon = new Date(
    now.getTime() - Math.max(ACCOUNT_THROTTLE.windowMs, ADDRESS_THROTTLE.windowMs),
  );
  await ctx.db.transaction().execute((trx) => store.purgeExpired(trx, now, horizon));
}

/** The member behind a session token, or undefined when it is unknown, expired or revoked. */
export async function authenticateSession(ctx: AccountsContext, siteId: string, token: string) {
  const session = await store.findSessionByTokenHash(ctx.db, hashToken(token));
  if (!session) return undefined;
  const now = ctx.clock.now();
  if (session.expiresAt <= now) {
    await store.deleteSession(ctx.db, session.id);
    return undefined;
  }
  const member = await store.findMember(ctx.db, siteId, session.accountId);
  if (!member) return undefined;
  const renewed = renewedSessionExpiry(session.expiresAt, now);
  if (renewed) await store.extendSession(ctx.db, session.id, now, renewed);
  // The caller re-sends the cookie when renewed, or the browser would still drop it on time.
  return { member, sessionId: session.id, renewed: renewed !== undefined };
}

/** Ends every session of an account (a lost laptop, a departed member). */
export async function signOutEverywhere(ctx: AccountsContext, accountId: string): Promise<number> {
  return ctx.db.transaction().execute((trx) => store.deleteSessionsOf(trx, accountId));
}

export async function signOut(ctx: AccountsContext, token: string): Promise<void> {
  const session = await store.findSessionByTokenHash(ctx.db, hashToken(token));
  if (session) await store.deleteSession(ctx.db, session.id);
}

// --- API tokens ----------------------------------------------------------------------------

/** Creates a personal API token. The token itself is returned once and stored only hashed. */
export async function createApiToken(
  ctx: AccountsContext,
  input: { accountId: string; name: string },
): Promise<{ token: string; apiToken: ApiToken }> {
  const name = input.name.trim();
  if (!name)
    throw new UnprocessableError('Give the token a name, e.g. "deploy script".', 'missing-name');
  if (name.length > 100)
    throw new UnprocessableError('A token name can be at most 100 characters.', 'name-too-long');
  return ctx.db.transaction().execute(async (trx) => {
    const token = ctx.ids.token(API_TOKEN_PREFIX);
    const id = ctx.ids.id();
    await store.insertApiToken(trx, {
      id,
      accountId: input.accountId,
      name,
      tokenHash: hashToken(token),
      hint: tokenHint(token),
      now: ctx.clock.now(),
    });
    return { token, apiToken: (await store.findApiToken(trx, id)) as ApiToken };
  });
}

export async function listApiTokens(ctx: AccountsContext, accountId: string): Promise<ApiToken[]> {
  return store.listApiTokens(ctx.db, accountId);
}

/** Revokes a token; `accountId`, when given, must own it (members revoke only their own). */
export async function revokeApiToken(
  ctx: AccountsContext,
  input: { tokenId: string; accountId?: string },
) {
  return ctx.db.transaction().execute(async (trx) => {
    const token = await store.findApiToken(trx, input.tokenId);
    if (!token || (input.accountId !== undefined && token.accountId !== input.accountId)) {
      throw new NotFoundError(`No token with the id ${input.tokenId}.`, 'token-not-found');
    }
    await store.revokeApiToken(trx, token.id, ctx.clock.now());
    return { ...token, revokedAt: token.revokedAt ?? ctx.clock.now() };
  });
}

export async function authenticateApiToken(ctx: AccountsContext, siteId: string, token: string) {
  if (!token.startsWith(API_TOKEN_PREFIX)) return undefined;
  const apiToken = await store.findActiveApiToken(ctx.db, hashToken(token));
  if (!apiToken) return undefined;
  const member = await store.findMember(ctx.db, siteId, apiToken.accountId);
  if (!member) return undefined;
  const now = ctx.clock.now();
  // Recording every use would turn each API read into a write; a minute's precision is plenty.
  if (!apiToken.lastUsedAt || now.getTime() - apiToken.lastUsedAt.getTime() > 60_000) {
    await store.touchApiToken(ctx.db, apiToken.id, now);
  }
  return { member, tokenId: apiToken.id };
}

export async function findMemberByEmail(
  ctx: AccountsContext,
  siteId: string,
  email: string,
): Promise<Member> {
  return requireMember(ctx.db, siteId, email);
}
