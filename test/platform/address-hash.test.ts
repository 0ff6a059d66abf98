// Visitors' addresses are stored only as keyed hashes whose salt rotates every IP_HASH_SALT_DAYS.
import { afterEach, describe, expect, it } from 'vitest';
import { statementsContext } from '../../src/runtime.js';
import {
  DEFAULT_ADDRESS_SALT_DAYS,
  hashAddress,
  saltPeriod,
} from '../../src/platform/address-hash.js';
import { fixedClock } from '../../src/platform/clock.js';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { publishStatement } from '../../src/statements/service.js';
import { buildStatement } from '../statements/factories.js';
import type { TestServer } from '../helpers/runtime.js';
import { startTestServer, TEST_SECRET } from '../helpers/runtime.js';

const DAY = 24 * 60 * 60_000;
const secret = 'a'.repeat(64);

describe('hashAddress', () => {
  const at = (iso: string) => new Date(iso);

  it('hashes one address alike within a salt period, and differently in the next', () => {
    // Periods start at the epoch: with 10 days each, period 2,077 runs from day 20,770 to 20,779.
    const start = new Date(20_770 * DAY);
    const sameA = hashAddress({ secret, address: '203.0.113.7', now: start, saltDays: 10 });
    const sameB = hashAddress({
      secret,
      address: '203.0.113.7',
      now: new Date(start.getTime() + 10 * DAY - 1),
      saltDays: 10,
    });
    const next = hashAddress({
      secret,
      address: '203.0.113.7',
      now: new Date(start.getTime() + 10 * DAY),
      saltDays: 10,
    });
    expect(sameA).toMatch(/^[0-9a-f]{64}$/);
    expect(sameB).toBe(sameA);
    expect(next).not.toBe(sameA);
  });

  it('tells addresses apart, depends on the secret, and never contains the address', () => {
    const now = at('2026-11-24T12:00:00Z');
    const one = hashAddress({ secret, address: '203.0.113.7', now });
    expect(hashAddress({ secret, address: '203.0.113.8', now })).not.toBe(one);
    expect(hashAddress({ secret: 'b'.repeat(64), address: '203.0.113.7', now })).not.toBe(one);
    expect(one).not.toContain('203');
    // An IPv6 address is the same address whatever its letter case.
    expect(hashAddress({ secret, address: '2001:DB8::1', now })).toBe(
      hashAddress({ secret, address: '2001:db8::1', now }),
    );
  });

  it('uses 90-day periods unless told otherwise', () => {
    expect(DEFAULT_ADDRESS_SALT_DAYS).toBe(90);
    const now = at('2026-11-24T12:00:00Z');
    expect(hashAddress({ secret, address: '198.51.100.1', now })).toBe(
      hashAddress({ secret, address: '198.51.100.1', now, saltDays: 90 }),
    );
    expect(saltPeriod(new Date(90 * DAY - 1), 90)).toBe(0);
    expect(saltPeriod(new Date(90 * DAY), 90)).toBe(1);
    expect(() => saltPeriod(now, 0)).toThrow(RangeError);
    expect(() => saltPeriod(now, 1.5)).toThrow(RangeError);
  });
});

describe('IP_HASH_SALT_DAYS', () => {
  it('defaults to 90 and takes a positive whole number of days', () => {
    expect(loadConfig({}).ipHashSaltDays).toBe(90);
    expect(loadConfig({ IP_HASH_SALT_DAYS: '30' }).ipHashSaltDays).toBe(30);
    expect(() => loadConfig({ IP_HASH_SALT_DAYS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ IP_HASH_SALT_DAYS: 'ninety' })).toThrow(
      'IP_HASH_SALT_DAYS: "ninety" is not a positive whole number',
    );
  });
});

describe('comments posted over HTTP', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('store the address hashed with the salt of the day they were posted', async () => {
    const clock = fixedClock('2026-11-24T12:00:00Z');
    server = await startTestServer({ clock, env: { IP_HASH_SALT_DAYS: '7' } });
    const { thread } = await publishStatement(
      statementsContext(server.runtime),
      buildStatement(server.siteId),
    );
    const post = async (body: string) => {
      const response = await fetch(`${server?.url}/api/v1/threads/${thread.id}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ authorName: 'Ann', body }),
      });
      expect(response.status).toBe(201);
      const { comment } = (await response.json()) as { comment: { id: string } };
      const row = await server?.runtime.db
        .selectFrom('comments')
        .select('ip_hash')
        .where('id', '=', comment.id)
        .executeTakeFirstOrThrow();
      return row?.ip_hash as string;
    };
    const expected = (now: Date) =>
      hashAddress({ secret: TEST_SECRET, address: '127.0.0.1', now, saltDays: 7 });

    const first = await post('first');
    expect(first).toBe(expected(clock.now()));
    clock.advance(60_000);
    expect(await post('second, same period')).toBe(first);
    clock.advance(7 * DAY);
    const later = await post('third, next period');
    expect(later).toBe(expected(clock.now()));
    expect(later).not.toBe(first);
  });
});
