/** The SQL of accounts. Rows are mapped to domain types here and nowhere else. */
import type { Kysely, Selectable } from 'kysely';
import type { LinkPurpose, Role, ThrottleState } from './model.js';
import { locksRows } from '../platform/database/index.js';
import { isRole } from './model.js';

export interface SitesTable {
  id: string;
  slug: string;
  name: string;
  settings: string;
  created_at: string;
}
export interface AccountsTable {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  created_at: string;
  updated_at: string;
}
export interface MembershipsTable {
  site_id: string;
  account_id: string;
  role: string;
  created_at: string;
}
export interface SessionsTable {
  id: string;
  token_hash: string;
  account_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  user_agent: string | null;
}
export interface ApiTokensTable {
  id: string;
  account_id: string;
  name: string;
  token_hash: string;
  hint: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}
export interface OneTimeLinksTable {
  id: string;
  purpose: string;
  token_hash: string;
  account_id: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}
export interface SignInThrottlesTable {
  key: string;
  attempts: number;
  last_attempt_at: string;
  locked_until: string | null;
}

export interface AccountsTables {
  sites: SitesTable;
  accounts: AccountsTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  one_time_links: OneTimeLinksTable;
  sign_in_throttles: SignInThrottlesTable;
}

export type AccountsDb = Kysely<AccountsTables>;

export interface Site {
  id: string;
  slug: string;
  name: string;
  settings: Record<string, unknown>;
  createdAt: Date;
}
export interface Account {
  id: string;
  email: string;
  displayName: string;
  hasPassword: boolean;
  createdAt: Date;
}
export interface Member extends Account {
  siteId: string;
  role: Role;
}
export interface ApiToken {
  id: string;
  accountId: string;
  name: string;
  hint: string;
  createdAt: Date;
  lastUsedAt: Date | undefined;
  revokedAt: Date | undefined;
}
export interface OneTimeLink {
  id: string;
  purpose: LinkPurpose;
  accountId: string | undefined;
  expiresAt: Date;
  usedAt: Date | undefined;
}
export interface Session {
  id: string;
  accountId: string;
  expiresAt: Date;
}

const optionalDate = (value: string | null): Date | undefined =>
  value === null ? undefined : new Date(value);

function toSite(row: Selectable<SitesTable>): Site {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    createdAt: new Date(row.created_at),
  };
}

function toAccount(
  row: Pick<AccountsTable, 'id' | 'email' | 'display_name' | 'password_hash' | 'created_at'>,
): Account {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    hasPassword: row.password_hash !== null,
    createdAt: new Date(row.created_at),
  };
}

function toRole(value: string): Role {
  if (!isRole(value)) throw new Error(`unknown role "${value}" in memberships`);
  return value;
}

const accountColumns = [
  'accounts.id',
  'accounts.email',
  'accounts.display_name',
  'accounts.password_hash',
  'accounts.created_at',
] as const;

// --- sites ---------------------------------------------------------------------------------

export async function findFirstSite(db: AccountsDb): Promise<Site | undefined> {
  const row = await db
    .selectFrom('sites')
    .select(['id', 'slug', 'name', 'settings', 'created_at'])
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row && toSite(row);
}

export async function insertSite(db: AccountsDb, site: Site): Promise<void> {
  await db
    .insertInto('sites')
    .values({
      id: site.id,
      slug: site.slug,
      name: site.name,
      settings: JSON.stringify(site.settings),
      created_at: site.createdAt.toISOString(),
    })
    .onConflict((oc) => oc.column('slug').doNothing()) // another instance created it first
    .execute();
}

export async function findSite(db: AccountsDb, siteId: string): Promise<Site | undefined> {
  const row = await db
    .selectFrom('sites')
    .select(['id', 'slug', 'name', 'settings', 'created_at'])
    .where('id', '=', siteId)
    .executeTakeFirst();
  return row && toSite(row);
}

export async function updateSiteSettings(
  db: AccountsDb,
  siteId: string,
  settings: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable('sites')
    .set({ settings: JSON.stringify(settings) })
    .where('id', '=', siteId)
    .execute();
}

/** Locks the site's row until the transaction ends: serialises site-wide decisions (owners). */
export async function lockSite(db: AccountsDb, siteId: string): Promise<void> {
  await db
    .selectFrom('sites')
    .select('id')
    .where('id', '=', siteId)
    .$if(locksRows(db), (q) => q.forUpdate())
    .execute();
}

// --- accounts and memberships --------------------------------------------------------------

export async function findAccountByEmail(
  db: AccountsDb,
  email: string,
): Promise<Account | undefined> {
  const row = await db
    .selectFrom('accounts')
    .select(accountColumns)
    .where('email', '=', email)
    .executeTakeFirst();
  return row && toAccount(row);
}

export async function findAccountById(db: AccountsDb, id: string): Promise<Account | undefined> {
  const row = await db
    .selectFrom('accounts')
    .select(accountColumns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toAccount(row);
}

export async function findPasswordHash(
  db: AccountsDb,
  accountId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('accounts')
    .select('password_hash')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row?.password_hash ?? undefined;
}

export async function insertAccount(
  db: AccountsDb,
  account: { id: string; email: string; displayName: string; passwordHash?: string; now: Date },
): Promise<void> {
  await db
    .insertInto('accounts')
    .values({
      id: account.id,
      email: account.email,
      display_name: account.displayName,
      password_hash: account.passwordHash ?? null,
      created_at: account.now.toISOString(),
      updated_at: account.now.toISOString(),
    })
    .execute();
}

export async function updatePasswordHash(
  db: AccountsDb,
  accountId: string,
  hash: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ password_hash: hash, updated_at: now.toISOString() })
    .where('id', '=', accountId)
    .execute();
}

export async function upsertMembership(
  db: AccountsDb,
  siteId: string,
  accountId: string,
  role: Role,
  now: Date,
) {
  await db
    .insertInto('memberships')
    .values({ site_id: siteId, account_id: accountId, role, created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['site_id', 'account_id']).doUpdateSet({ role }))
    .execute();
}

export async function findMember(
  db: AccountsDb,
  siteId: string,
  accountId: string,
): Promise<Member | undefined> {
  const row = await db
    .selectFrom('accounts')
    .innerJoin('memberships', 'memberships.account_id', 'accounts.id')
    .select([...accountColumns, 'memberships.role', 'memberships.site_id'])
    .where('memberships.site_id', '=', siteId)
    .where('accounts.id', '=', accountId)
    .executeTakeFirst();
  return row && { ...toAccount(row), siteId: row.site_id, role: toRole(row.role) };
}

export async function listMembers(db: AccountsDb, siteId: string): Promise<Member[]> {
  const rows = await db
    .selectFrom('accounts')
    .innerJoin('memberships', 'memberships.account_id', 'accounts.id')
    .select([...accountColumns, 'memberships.role', 'memberships.site_id'])
    .where('memberships.site_id', '=', siteId)
    .orderBy('accounts.email')
    .execute();
  return rows.map((row) => ({ ...toAccount(row), siteId: row.site_id, role: toRole(row.role) }));
}

export async function countOwnersWithPassword(db: AccountsDb, siteId: string): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .innerJoin('accounts', 'accounts.id', 'memberships.account_id')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('memberships.site_id', '=', siteId)
    .where('memberships.role', '=', 'owner')
    .where('accounts.password_hash', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function countOwners(db: AccountsDb, siteId: string): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('site_id', '=', siteId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

// --- sessions ------------------------------------------------------------------------------

export async function insertSession(
  db: AccountsDb,
  session: {
    id: string;
    tokenHash: string;
    accountId: string;
    now: Date;
    expiresAt: Date;
    userAgent?: string;
  },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: session.id,
      token_hash: session.tokenHash,
      account_id: session.accountId,
      created_at: session.now.toISOString(),
      last_seen_at: session.now.toISOString(),
      expires_at: session.expiresAt.toISOString(),
      user_agent: session.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
}

export async function findSessionByTokenHash(
  db: AccountsDb,
  tokenHash: string,
): Promise<Session | undefined> {
  const row = await db
    .selectFrom('sessions')
    .select(['id', 'account_id', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row && { id: row.id, accountId: row.account_id, expiresAt: new Date(row.expires_at) };
}

export async function extendSession(
  db: AccountsDb,
  sessionId: string,
  now: Date,
  expiresAt: Date,
): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: now.toISOString(), expires_at: expiresAt.toISOString() })
    .where('id', '=', sessionId)
    .execute();
}

export async function deleteSession(db: AccountsDb, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

export async function deleteSessionsOf(db: AccountsDb, accountId: string): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

// --- API tokens ----------------------------------------------------------------------------

function toApiToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    hint: row.hint,
    createdAt: new Date(row.created_at),
    lastUsedAt: optionalDate(row.last_used_at),
    revokedAt: optionalDate(row.revoked_at),
  };
}

const apiTokenColumns = [
  'id',
  'account_id',
  'name',
  'token_hash',
  'hint',
  'created_at',
  'last_used_at',
  'revoked_at',
] as const;

export async function insertApiToken(
  db: AccountsDb,
  token: {
    id: string;
    accountId: string;
    name: string;
    tokenHash: string;
    hint: string;
    now: Date;
  },
): Promise<void> {
  await db
    .insertInto('api_tokens')
    .values({
      id: token.id,
      account_id: token.accountId,
      name: token.name,
      token_hash: token.tokenHash,
      hint: token.hint,
      created_at: token.now.toISOString(),
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
}

export async function findActiveApiToken(
  db: AccountsDb,
  tokenHash: string,
): Promise<ApiToken | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .select(apiTokenColumns)
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row && toApiToken(row);
}

export async function findApiToken(db: AccountsDb, id: string): Promise<ApiToken | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .select(apiTokenColumns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toApiToken(row);
}

export async function listApiTokens(db: AccountsDb, accountId: string): Promise<ApiToken[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(apiTokenColumns)
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(toApiToken);
}

export async function touchApiToken(db: AccountsDb, id: string, now: Date): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: now.toISOString() })
    .where('id', '=', id)
    .execute();
}

export async function revokeApiToken(db: AccountsDb, id: string, now: Date): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ revoked_at: now.toISOString() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}

// --- one-time links ------------------------------------------------------------------------

export async function insertLink(
  db: AccountsDb,
  link: {
    id: string;
    purpose: LinkPurpose;
    tokenHash: string;
    accountId?: string;
    now: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('one_time_links')
    .values({
      id: link.id,
      purpose: link.purpose,
      token_hash: link.tokenHash,
      account_id: link.accountId ?? null,
      created_at: link.now.toISOString(),
      expires_at: link.expiresAt.toISOString(),
      used_at: null,
    })
    .execute();
}

export async function findLink(
  db: AccountsDb,
  tokenHash: string,
): Promise<OneTimeLink | undefined> {
  const row = await db
    .selectFrom('one_time_links')
    .select(['id', 'purpose', 'account_id', 'expires_at', 'used_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    purpose: row.purpose === 'setup' ? 'setup' : 'password',
    accountId: row.account_id ?? undefined,
    expiresAt: new Date(row.expires_at),
    usedAt: optionalDate(row.used_at),
  };
}

/** Marks the link used; false when it was used concurrently (one use only). */
export async function useLink(db: AccountsDb, linkId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('one_time_links')
    .set({ used_at: now.toISOString() })
    .where('id', '=', linkId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Older unused links for the same purpose and account stop working when a new one is made. */
export async function expireLinks(
  db: AccountsDb,
  purpose: LinkPurpose,
  accountId: string | undefined,
  now: Date,
) {
  let query = db
    .updateTable('one_time_links')
    .set({ used_at: now.toISOString() })
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null);
  query =
    accountId === undefined
      ? query.where('account_id', 'is', null)
      : query.where('account_id', '=', accountId);
  await query.execute();
}

// --- sign-in throttles ---------------------------------------------------------------------

/**
 * Reads and locks the throttle rows of `keys` for the rest of the transaction, creating missing
 * ones, so that concurrent sign-in attempts are counted one after another.
 */
export async function lockThrottles(
  db: AccountsDb,
  keys: string[],
  now: Date,
): Promise<Map<string, ThrottleState>> {
  await db
    .insertInto('sign_in_throttles')
    .values(
      keys.map((key) => ({
        key,
        attempts: 0,
        last_attempt_at: now.toISOString(),
        locked_until: null,
      })),
    )
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const rows = await db
    .selectFrom('sign_in_throttles')
    .select(['key', 'attempts', 'last_attempt_at', 'locked_until'])
    .where('key', 'in', keys)
    .$if(locksRows(db), (q) => q.forUpdate())
    .execute();
  return new Map(
    rows.map((row) => [
      row.key,
      {
        attempts: Number(row.attempts),
        lastAttemptAt: new Date(row.last_attempt_at),
        lockedUntil: optionalDate(row.locked_until),
      },
    ]),
  );
}

export async function saveThrottle(
  db: AccountsDb,
  key: string,
  state: ThrottleState,
): Promise<void> {
  await db
    .updateTable('sign_in_throttles')
    .set({
      attempts: state.attempts,
      last_attempt_at: state.lastAttemptAt.toISOString(),
      locked_until: state.lockedUntil?.toISOString() ?? null,
    })
    .where('key', '=', key)
    .execute();
}

export async function clearThrottle(db: AccountsDb, key: string): Promise<void> {
  await db.deleteFrom('sign_in_throttles').where('key', '=', key).execute();
}

/** Forgets what no longer matters: expired sessions and links, quiet throttles. */
export async function purgeExpired(
  db: AccountsDb,
  now: Date,
  throttleHorizon: Date,
): Promise<void> {
  const at = now.toISOString();
  await db.deleteFrom('sessions').where('expires_at', '<', at).execute();
  await db.deleteFrom('one_time_links').where('expires_at', '<', at).execute();
  await db
    .deleteFrom('sign_in_throttles')
    .where('last_attempt_at', '<', throttleHorizon.toISOString())
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', at)]))
    .execute();
}
