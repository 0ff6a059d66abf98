/** Identifiers and secrets. Ids are time-ordered UUIDv7 so that indexes stay append-mostly. */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

export interface Ids {
  /** A new unique, time-ordered identifier. */
  id(): string;
  /** A new secret token: `bytes` random bytes, base64url, with an optional recognisable prefix. */
  token(prefix?: string, bytes?: number): string;
}

export const randomIds: Ids = {
  id: () => uuidv7(),
  token: (prefix = '', bytes = 32) => prefix + randomBytes(bytes).toString('base64url'),
};

/** Tokens are stored only as this hash, so a leaked database cannot be used to sign in. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time comparison of two strings of hex or base64 text. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * A keyed hash (HMAC-SHA-256) for values that must be compared but never stored in the clear,
 * such as client addresses.
 */
export function keyedHash(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('hex');
}
