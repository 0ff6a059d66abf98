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
  /** Failures tolerated before the key is locked. */
  maxFailures: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
  /** How long a lock lasts; each further failure while locked starts it again. */
  lockMs: number;
}

const MINUTE = 60_000;

/** Five wrong passwords in a row lock an account for 15 minutes, whoever tries. */
export const ACCOUNT_THROTTLE: ThrottlePolicy = {
  maxFailures: 5,
  windowMs: 24 * 60 * MINUTE,
  lockMs: 15 * MINUTE,
};
/** One address may fail 20 times in 15 minutes across all accounts (password spraying). */
export const ADDRESS_THROTTLE: ThrottlePolicy = {
  maxFailures: 20,
  windowMs: 15 * MINUTE,
  lockMs: 15 * MINUTE,
};

export interface ThrottleState {
  failures: number;
  lastFailureAt: Date;
  lockedUntil: Date | undefined;
}

/** Milliseconds until the key may try again, or 0 when it may try now. */
export function throttleWait(state: ThrottleState | undefined, now: Date): number {
  if (!state?.lockedUntil) return 0;
  return Math.max(0, state.lockedUntil.getTime() - now.getTime());
}

/** The state after one more failure. */
export function recordFailure(
  state: ThrottleState | undefined,
  now: Date,
  policy: ThrottlePolicy,
): ThrottleState {
  const stale = !state || now.getTime() - state.lastFailureAt.getTime() > policy.windowMs;
  const failures = stale ? 1 : state.failures + 1;
  return {
    failures,
    lastFailureAt: now,
    lockedUntil:
      failures >= policy.maxFailures ? new Date(now.getTime() + policy.lockMs) : undefined,
  };
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
