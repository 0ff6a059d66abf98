import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { randomIds } from '../../src/platform/ids.js';

describe('randomIds.id', () => {
  it('makes valid, unique UUIDv7s in the order they were made, within one millisecond too', () => {
    // Far more than one block of pooled random bytes, and many ids per millisecond.
    const ids = Array.from({ length: 20_000 }, () => randomIds.id());
    for (const id of ids.slice(0, 300)) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
      expect(id[19]).toMatch(/[89ab]/); // RFC 9562 variant
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('carries the time it was made in its first 48 bits', () => {
    const before = Date.now();
    const id = randomIds.id();
    const after = Date.now();
    const msecs = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(msecs).toBeGreaterThanOrEqual(before);
    expect(msecs).toBeLessThanOrEqual(after + 1); // a counter overflow may borrow one millisecond
  });

  it('draws different random bits for ids made in different blocks', () => {
    const tails = new Set(Array.from({ length: 1_000 }, () => randomIds.id().slice(-12)));
    expect(tails.size).toBe(1_000);
  });
});
