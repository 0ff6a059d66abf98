/** Identifiers and secrets. Ids are time-ordered UUIDv7 so that indexes stay append-mostly. */
import { createHash, createHmac, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

export interface Ids {
  /** A new unique, time-ordered identifier. */
  id(): string;
  /** A new secret token: `bytes` random bytes, base64url, with an optional recognisable prefix. */
  token(prefix?: string, bytes?: number): string;
}

export const randomIds: Ids = {
  id: newId,
  token: (prefix = '', bytes = 32) => prefix + randomBytes(bytes).toString('base64url'),
};

// Random bytes are drawn a block at a time: asking the system's generator once per id cost more
// than everything else in making one (a bulk import makes millions). Ids are not secrets.
const randomPool = Buffer.alloc(16 * 256);
let poolOffset = randomPool.length;
// As uuid's own v7 does without options (RFC 9562, method 1): within one millisecond a counter
// seeded at random keeps ids of one process in the order they were made.
let lastMsecs = -Infinity;
let sequence = 0;

function newId(): string {
  if (poolOffset === randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  const random = randomPool.subarray(poolOffset, (poolOffset += 16));
  const now = Date.now();
  if (now > lastMsecs) {
    lastMsecs = now;
    sequence = random.readUInt32BE(6) & 0x7fffffff; // 31 bits, leaving room to count up
  } else {
    sequence = (sequence + 1) | 0;
    if (sequence === 0) lastMsecs += 1;
  }
  return uuidv7({ random, msecs: lastMsecs, seq: sequence });
}

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
