/**
 * The rules of accounts: roles and what each may do, e-mail and password policy, sign-in
 * throttling and session lifetimes. Pure functions; no I/O.
 */

export const ROLES = ['owner', 'editor', 'author', 'moderator'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Everything a member can be allowed to do. Routes ask for one of these, never for a role. */
export const PERMISSIONS = {
  /** See the admin area at all. */
  'admin.view': ['owner', 'editor', 'author', 'moderator'],
  'members.manage': ['owner'],
  'settings.manage': ['owner'],
  'statements.write': ['owner', 'editor', 'author'],
  'statements.approve': ['owner', 'editor'],
  'statements.publish': ['owner', 'editor'],
  'comments.moderate': ['owner', 'editor', 'moderator'],
  /** Approve organisations' co-signatures, see every signature with its address, export them. */
  'signatures.moderate': ['owner', 'editor', 'moderator'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((permission) => can(role, permission));
}

/** E-mail addresses are compared case-insensitively and stored lower-cased. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Deliberately permissive (RFC 5322 allows far more than people use), but one @, a dot in the
// domain, no spaces or angle brackets, and within SMTP's length limit.
const EMAIL_PATTERN = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

export function isValidEmail(email: string): boolean {
  return email.length <= 254 && EMAIL_PATTERN.test(email);
}

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 1024; // argon2 is costly on huge inputs; nobody types more

/** Why a new password is not acceptable, or undefined when it is. */
export function passwordProblem(password: string, email?: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return `The password must be at least ${PASSWORD_MIN_LENGTH} characters long.`;
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return `The password must be at most ${PASSWORD_MAX_LENGTH} characters long.`;
  }
  if (email && password.toLowerCase() === normaliseEmail(email)) {
    return 'The password must not be your e-mail address.';
  }
  if (/^(.)\1*$/.test(password)) return 'The password must not be one character repeated.';
  return undefined;
}

// --- Sign-in throttling --------------------------------------------------------------------

export interface ThrottlePolicy {
  /** Attempts tolerated in a row before the key is locked. */
  maxAttempts: number;
  /** Attempts older than this are forgotten. */
  windowMs: number;
  /** How long a lock lasts. Attempts while locked are refused without extending it. */
  lockMs: number;
}

const MINUTE = 60_000;

/** Five wrong passwords in a row lock an account for 15 minutes, whoever tries. */
export const ACCOUNT_THROTTLE: ThrottlePolicy = {
  maxAttempts: 5,
  windowMs: 24 * 60 * MINUTE,
  lockMs: 15 * MINUTE,
};
/** One address may fail 20 times in 15 minutes across all accounts (password spraying). */
export const ADDRESS_THROTTLE: ThrottlePolicy = {
  maxAttempts: 20,
  windowMs: 15 * MINUTE,
  lockMs: 15 * MINUTE,
};

export interface ThrottleState {
  /** Attempts counted since the last success, lock or quiet window. */
  attempts: number;
  lastAttemptAt: Date;
  lockedUntil: Date | undefined;
}

/**
 * Counts one more sign-in attempt, before the password is checked (so that concurrent guesses
 * cannot all slip past a check that runs first and a count that runs later). Returns the new
 * state and how long the attempt must wait: 0 means it may go ahead.
 */
export function countAttempt(
  state: ThrottleState | undefined,
  now: Date,
  policy: ThrottlePolicy,
): { state: ThrottleState; waitMs: number } {
  if (state?.lockedUntil && state.lockedUntil > now) {
    return { state, waitMs: state.lockedUntil.getTime() - now.getTime() };
  }
  const fresh =
    !state ||
    state.lockedUntil !== undefined ||
    now.getTime() - state.lastAttemptAt.getTime() > policy.windowMs;
  const attempts = fresh ? 1 : state.attempts + 1;
  if (attempts > policy.maxAttempts) {
    const lockedUntil = new Date(now.getTime() + policy.lockMs);
    return { state: { attempts, lastAttemptAt: now, lockedUntil }, waitMs: policy.lockMs };
  }
  return { state: { attempts, lastAttemptAt: now, lockedUntil: undefined }, waitMs: 0 };
}

/** After a successful sign-in the attempt no longer counts against a shared address. */
export function forgiveAttempt(state: ThrottleState): ThrottleState {
  return { ...state, attempts: Math.max(0, state.attempts - 1) };
}

/** Where to send someone after signing in: only a path on this site, never another origin. */
export function safeNextPath(next: string | undefined, fallback = '/admin'): string {
  // eslint-disable-next-line no-control-regex -- control characters are what browsers strip
  if (!next || !next.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  const base = 'http://broadside.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  return url.pathname + url.search + url.hash;
}

// --- Sessions and links --------------------------------------------------------------------

export const SESSION_LIFETIME_MS = 30 * 24 * 60 * MINUTE;
/** A session used within its last half is extended, so active people stay signed in. */
export function renewedSessionExpiry(expiresAt: Date, now: Date): Date | undefined {
  const remaining = expiresAt.getTime() - now.getTime();
  return remaining < SESSION_LIFETIME_MS / 2
    ? new Date(now.getTime() + SESSION_LIFETIME_MS)
    : undefined;
}

export const LINK_LIFETIME_MS = 24 * 60 * MINUTE;
export type LinkPurpose = 'setup' | 'password';

/** API tokens look like `bst_…` so secret scanners and people recognise them. */
export const API_TOKEN_PREFIX = 'bst_';
export const SESSION_COOKIE = 'broadside_session';

export function tokenHint(token: string): string {
  return token.slice(0, API_TOKEN_PREFIX.length + 6);
}
