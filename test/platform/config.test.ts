import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveSecret } from '../../src/platform/config.js';

function problem(env: Record<string, string>): string {
  try {
    loadConfig(env, '/srv/broadside');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has defaults that run a server on SQLite in ./data', () => {
    const config = loadConfig({}, '/srv/broadside');
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe('/srv/broadside/data');
    expect(config.database).toEqual({ kind: 'sqlite', file: '/srv/broadside/data/broadside.db' });
    expect(config.baseUrl.toString()).toBe('http://127.0.0.1:8080/');
    expect(config.logLevel).toBe('info');
    expect(config.smtpUrl).toBeUndefined();
    expect(config.secret).toBeUndefined();
  });

  it('uses PostgreSQL for postgres:// and postgresql:// URLs', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/bs' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@db:5432/bs',
    });
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/bs' }).database.kind).toBe('postgres');
  });

  it('names the variable and the problem in one line for each wrong value', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: 'abc' }, /^PORT: "abc" is not a number/],
      [{ PORT: '70000' }, /^PORT: 70000 is out of range/],
      [{ PORT: '0' }, /^PORT: 0 is out of range; use 1–65535/],
      [
        { DATABASE_URL: 'mysql://x' },
        /^DATABASE_URL: unsupported database "mysql"; use postgres:\/\//,
      ],
      [{ BASE_URL: 'ftp://example.org' }, /^BASE_URL: must start with http:\/\/ or https:\/\//],
      [{ BASE_URL: 'not a url' }, /^BASE_URL: "not a url" is not a URL/],
      [{ BASE_URL: 'https://example.org/?x=1' }, /^BASE_URL: must not contain a query string/],
      [{ SECRET: 'short' }, /^SECRET: is 5 characters long; use at least 32/],
      [{ SMTP_URL: 'http://mail' }, /^SMTP_URL: must start with smtp:\/\/ or smtps:\/\//],
      [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: "loud" is not one of fatal, error/],
      [
        { TRUST_PROXY: 'yes please' },
        /^TRUST_PROXY: "yes please" is not an IP address or CIDR range/,
      ],
      [{ TRUST_PROXY: 'cafe' }, /^TRUST_PROXY: "cafe" is not an IP address/],
      [{ TRUST_PROXY: '10.0.0.0/33' }, /^TRUST_PROXY: "10.0.0.0\/33" is not/],
      [
        { RATE_LIMIT_PER_MINUTE: '0' },
        /^RATE_LIMIT_PER_MINUTE: "0" is not a positive whole number/,
      ],
      [
        { COMMENT_RATE_LIMIT_PER_MINUTE: '1.5' },
        /^COMMENT_RATE_LIMIT_PER_MINUTE: "1.5" is not a positive whole number/,
      ],
    ];
    for (const [env, expected] of cases) {
      const message = problem(env);
      expect(message).toMatch(expected);
      expect(message).not.toContain('\n');
    }
  });

  it('takes TRUST_PROXY as a switch, a hop count or a list of proxy addresses', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.5, 192.168.0.0/16,::1' }).trustProxy).toEqual([
      '10.0.0.5',
      '192.168.0.0/16',
      '::1',
    ]);
  });

  it('limits posting comments to 20 a minute per address unless COMMENT_RATE_LIMIT_PER_MINUTE says', () => {
    expect(loadConfig({}).commentRateLimitPerMinute).toBe(20);
    expect(loadConfig({ COMMENT_RATE_LIMIT_PER_MINUTE: '1000' }).commentRateLimitPerMinute).toBe(
      1000,
    );
  });

  it('keeps BASE_URL paths as directories so links resolve under them', () => {
    expect(loadConfig({ BASE_URL: 'https://example.org/statements' }).baseUrl.toString()).toBe(
      'https://example.org/statements/',
    );
  });
});

describe('loadConfig: DEMO_CONTENT', () => {
  it('loads the demo content on first start unless DEMO_CONTENT is false', () => {
    expect(loadConfig({}).demoContent).toBe(true);
    expect(loadConfig({ DEMO_CONTENT: 'true' }).demoContent).toBe(true);
    expect(loadConfig({ DEMO_CONTENT: 'false' }).demoContent).toBe(false);
    expect(loadConfig({ DEMO_CONTENT: ' FALSE ' }).demoContent).toBe(false);
    expect(loadConfig({ DEMO_CONTENT: '' }).demoContent).toBe(true);
  });

  it('accepts only true or false, naming the variable in one line', () => {
    expect(problem({ DEMO_CONTENT: 'no' })).toBe('DEMO_CONTENT: "no" is not true or false');
    expect(problem({ DEMO_CONTENT: '0' })).toBe('DEMO_CONTENT: "0" is not true or false');
  });
});

describe('resolveSecret', () => {
  it('generates a secret once, stores it readable only by the owner, and reuses it', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'broadside-secret-'));
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = resolveSecret(config);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(path.join(dataDir, 'secret'), 'utf8').trim()).toBe(first);
    expect(statSync(path.join(dataDir, 'secret')).mode & 0o777).toBe(0o600);
    expect(resolveSecret(config)).toBe(first);
  });

  it('prefers SECRET from the environment', () => {
    const secret = 'x'.repeat(40);
    expect(resolveSecret(loadConfig({ SECRET: secret, DATA_DIR: '/nonexistent' }))).toBe(secret);
  });
});
