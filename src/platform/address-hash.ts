/**
 * Visitors' network addresses are stored only as a keyed hash whose salt rotates: the same address
 * hashes alike within one salt period (so flood and duplicate checks can compare posts), and
 * differently in the next, so hashes kept from different periods cannot be linked to one another
 * by anyone without the server's SECRET. The salt is derived from the SECRET and the period's
 * number rather than stored, so every instance sharing the SECRET agrees on it without
 * coordination.
 */
import { createHmac } from 'node:crypto';

/** IP_HASH_SALT_DAYS's default: how long one salt lasts. */
export const DEFAULT_ADDRESS_SALT_DAYS = 90;

const DAY_MS = 24 * 60 * 60_000;

/** The number of the salt period `now` falls in: periods start at the Unix epoch, UTC. */
export function saltPeriod(now: Date, saltDays: number): number {
  if (!Number.isInteger(saltDays) || saltDays < 1) {
    throw new RangeError(`a salt period must be a whole number of days, not ${saltDays}`);
  }
  return Math.floor(now.getTime() / (saltDays * DAY_MS));
}

/** The salt of one period: a key derived from the secret, never stored. */
function periodSalt(secret: string, period: number): Buffer {
  return createHmac('sha256', secret).update(`address-salt:${period}`).digest();
}

export interface AddressHashInput {
  /** The server's SECRET. */
  secret: string;
  /** The visitor's address as the server saw it (after TRUST_PROXY), e.g. `203.0.113.7`. */
  address: string;
  /** When the address was seen: picks the salt. */
  now: Date;
  /** IP_HASH_SALT_DAYS; {@link DEFAULT_ADDRESS_SALT_DAYS} when not given. */
  saltDays?: number;
}

/** The one way an address is hashed for storage: HMAC-SHA-256 under the period's salt, as hex. */
export function hashAddress(input: AddressHashInput): string {
  const period = saltPeriod(input.now, input.saltDays ?? DEFAULT_ADDRESS_SALT_DAYS);
  return createHmac('sha256', periodSalt(input.secret, period))
    .update(input.address.trim().toLowerCase())
    .digest('hex');
}
