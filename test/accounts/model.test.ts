import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_THROTTLE,
  ADDRESS_THROTTLE,
  can,
  isValidEmail,
  normaliseEmail,
  passwordProblem,
  permissionsOf,
  recordFailure,
  renewedSessionExpiry,
  SESSION_LIFETIME_MS,
  throttleWait,
} from '../../src/accounts/model.js';
import type { ThrottleState } from '../../src/accounts/model.js';

const at = (iso: string) => new Date(iso);

describe('permissions', () => {
  it('gives each role what it needs and no more', () => {
    expect(can('owner', 'members.manage')).toBe(true);
    expect(can('editor', 'members.manage')).toBe(false);
    expect(can('editor', 'statements.approve')).toBe(true);
    expect(can('author', 'statements.approve')).toBe(false);
    expect(can('author', 'statements.write')).toBe(true);
    expect(can('moderator', 'comments.moderate')).toBe(true);
    expect(can('moderator', 'statements.write')).toBe(false);
    expect(can(undefined, 'admin.view')).toBe(false);
    expect(permissionsOf('moderator')).toEqual(['admin.view', 'comments.moderate']);
  });
});

describe('e-mail and passwords', () => {
  it('normalises and validates e-mail addresses', () => {
    expect(normaliseEmail('  Ann@Example.ORG ')).toBe('ann@example.org');
    expect(isValidEmail('ann@example.org')).toBe(true);
    for (const bad of [
      'ann',
      'ann@',
      '@example.org',
      'ann@example',
      'a n@example.org',
      'a<b>@example.org',
    ]) {
      expect(isValidEmail(bad), bad).toBe(false);
    }
    expect(isValidEmail(`${'a'.repeat(250)}@example.org`)).toBe(false);
  });

  it('refuses short, repeated or e-mail passwords and accepts a passphrase', () => {
    expect(passwordProblem('short')).toMatch(/at least 10/);
    expect(passwordProblem('aaaaaaaaaaaa')).toMatch(/repeated/);
    expect(passwordProblem('ann@example.org', 'Ann@example.org')).toMatch(/e-mail/);
    expect(passwordProblem('x'.repeat(2000))).toMatch(/at most/);
    expect(passwordProblem('correct horse battery staple')).toBeUndefined();
  });
});

describe('sign-in throttling', () => {
  const fail = (times: number, start: string, policy = ACCOUNT_THROTTLE) => {
    let state: ThrottleState | undefined;
    for (let i = 0; i < times; i++)
      state = recordFailure(state, new Date(at(start).getTime() + i * 1000), policy);
    return state;
  };

  it('locks an account for 15 minutes after five failures in a row, not before', () => {
    const four = fail(4, '2026-01-01T10:00:00Z');
    expect(throttleWait(four, at('2026-01-01T10:00:05Z'))).toBe(0);
    const five = fail(5, '2026-01-01T10:00:00Z');
    expect(throttleWait(five, at('2026-01-01T10:00:05Z'))).toBe(15 * 60_000 - 1000);
    expect(throttleWait(five, at('2026-01-01T10:15:04Z'))).toBe(0);
  });

  it('forgets failures older than the window', () => {
    const old = fail(4, '2026-01-01T10:00:00Z');
    const next = recordFailure(old, at('2026-01-03T10:00:00Z'), ACCOUNT_THROTTLE);
    expect(next.failures).toBe(1);
    expect(next.lockedUntil).toBeUndefined();
  });

  it('lets one address fail twenty times before locking it', () => {
    expect(fail(19, '2026-01-01T10:00:00Z', ADDRESS_THROTTLE)?.lockedUntil).toBeUndefined();
    expect(fail(20, '2026-01-01T10:00:00Z', ADDRESS_THROTTLE)?.lockedUntil).toBeInstanceOf(Date);
  });
});

describe('sessions', () => {
  it('renews a session only in the second half of its life', () => {
    const now = at('2026-01-01T00:00:00Z');
    const fresh = new Date(now.getTime() + SESSION_LIFETIME_MS - 1000);
    expect(renewedSessionExpiry(fresh, now)).toBeUndefined();
    const ageing = new Date(now.getTime() + SESSION_LIFETIME_MS / 2 - 1000);
    expect(renewedSessionExpiry(ageing, now)?.getTime()).toBe(now.getTime() + SESSION_LIFETIME_MS);
  });
});
