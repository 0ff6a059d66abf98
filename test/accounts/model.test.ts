import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_THROTTLE,
  ADDRESS_THROTTLE,
  can,
  isValidEmail,
  normaliseEmail,
  passwordProblem,
  permissionsOf,
  countAttempt,
  forgiveAttempt,
  renewedSessionExpiry,
  safeNextPath,
  SESSION_LIFETIME_MS,
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
    expect(can('moderator', 'signatures.moderate')).toBe(true);
    expect(can('author', 'signatures.moderate')).toBe(false);
    expect(permissionsOf('moderator')).toEqual([
      'admin.view',
      'comments.moderate',
      'signatures.moderate',
    ]);
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
  const attempts = (times: number, start: string, policy = ACCOUNT_THROTTLE) => {
    let state: ThrottleState | undefined;
    let waitMs = 0;
    for (let i = 0; i < times; i++) {
      ({ state, waitMs } = countAttempt(state, new Date(at(start).getTime() + i * 1000), policy));
    }
    return { state, waitMs };
  };

  it('lets five attempts in a row through and locks the sixth for 15 minutes', () => {
    expect(attempts(5, '2026-01-01T10:00:00Z').waitMs).toBe(0);
    const sixth = attempts(6, '2026-01-01T10:00:00Z');
    expect(sixth.waitMs).toBe(15 * 60_000);
    expect(sixth.state?.lockedUntil?.toISOString()).toBe('2026-01-01T10:15:05.000Z');
  });

  it('refuses attempts while locked without extending the lock, and starts afresh after it', () => {
    const locked = attempts(6, '2026-01-01T10:00:00Z').state;
    const during = countAttempt(locked, at('2026-01-01T10:10:05Z'), ACCOUNT_THROTTLE);
    expect(during.waitMs).toBe(5 * 60_000);
    expect(during.state.lockedUntil).toEqual(locked?.lockedUntil);
    const after = countAttempt(locked, at('2026-01-01T10:15:06Z'), ACCOUNT_THROTTLE);
    expect(after).toEqual({
      state: { attempts: 1, lastAttemptAt: at('2026-01-01T10:15:06Z'), lockedUntil: undefined },
      waitMs: 0,
    });
  });

  it('forgets attempts older than the window', () => {
    const old = attempts(5, '2026-01-01T10:00:00Z').state;
    expect(countAttempt(old, at('2026-01-03T10:00:00Z'), ACCOUNT_THROTTLE).state.attempts).toBe(1);
  });

  it('lets one address try twenty times before locking it, and forgives successes', () => {
    expect(attempts(20, '2026-01-01T10:00:00Z', ADDRESS_THROTTLE).waitMs).toBe(0);
    expect(attempts(21, '2026-01-01T10:00:00Z', ADDRESS_THROTTLE).waitMs).toBeGreaterThan(0);
    const twenty = attempts(20, '2026-01-01T10:00:00Z', ADDRESS_THROTTLE).state as ThrottleState;
    expect(forgiveAttempt(twenty).attempts).toBe(19);
  });
});

describe('safeNextPath', () => {
  it('keeps paths on this site', () => {
    expect(safeNextPath('/admin/account?x=1#tokens')).toBe('/admin/account?x=1#tokens');
    expect(safeNextPath('/s/a%20b')).toBe('/s/a%20b');
  });

  it('never sends anyone to another site', () => {
    for (const next of [
      undefined,
      '',
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      '/\tevil.example',
      '/\t/evil.example',
      '/%09/evil.example',
      '\\\\evil.example',
      'javascript:alert(1)',
      '/\n/evil.example',
    ]) {
      const result = safeNextPath(next);
      expect(new URL(result, 'http://site.example').origin, String(next)).toBe(
        'http://site.example',
      );
      expect(result.startsWith('//'), String(next)).toBe(false);
    }
  });

  it('holds for any input: the result resolves on this site, even after browsers strip tabs and newlines', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (next) => {
        const result = safeNextPath('/' + next);
        const asBrowserSees = result.replace(/[\t\n\r]/g, '');
        expect(new URL(asBrowserSees, 'http://site.example').origin).toBe('http://site.example');
      }),
      { numRuns: 2000 },
    );
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
