// The embed's rules: what counts as an origin on the allow-list, which pages it lets embed, which
// address and title a page's thread gets, and the form token that stands in for the CSRF cookie
// inside the frame.
import { describe, expect, it } from 'vitest';
import {
  EMBED_FORM_LIFETIME_MS,
  allowedEmbedder,
  embedFormTokenProblem,
  embedKeepsQuery,
  embedOriginsOf,
  embedPageUrl,
  embedThreadTitle,
  issueEmbedFormToken,
  originOfPage,
  parseEmbedOrigin,
} from '../../src/discussion/embed-model.js';

describe('origins on the allow-list', () => {
  it('takes scheme and host (and a port that is not the usual one), in the form browsers send', () => {
    expect(parseEmbedOrigin('https://blog.example.org')).toBe('https://blog.example.org');
    expect(parseEmbedOrigin('  HTTPS://Blog.Example.ORG:443/ ')).toBe('https://blog.example.org');
    expect(parseEmbedOrigin('http://localhost:8080')).toBe('http://localhost:8080');
    expect(parseEmbedOrigin('http://[::1]:3000/')).toBe('http://[::1]:3000');
    expect(parseEmbedOrigin('https://bücher.example')).toBe('https://xn--bcher-kva.example');
  });

  it('refuses anything more or less than an origin', () => {
    for (const input of [
      '',
      'blog.example.org',
      'https://blog.example.org/essays',
      'https://blog.example.org/?',
      'https://blog.example.org/#top',
      'https://user:pass@blog.example.org',
      'ftp://blog.example.org',
      'javascript:alert(1)',
      'https://*.example.org',
      'null',
    ]) {
      expect(parseEmbedOrigin(input), input).toBeUndefined();
    }
  });

  it('reads the list from the site settings, ignoring what is malformed there', () => {
    expect(embedOriginsOf({})).toEqual([]);
    expect(embedOriginsOf({ embedOrigins: 'https://a.example' })).toEqual([]);
    expect(
      embedOriginsOf({
        embedOrigins: ['https://a.example', 42, 'https://A.example/', 'not an origin'],
      }),
    ).toEqual(['https://a.example']);
  });

  it('lets a page embed when its own origin is listed, scheme and port included', () => {
    const allowed = ['https://a.example', 'http://localhost:8080'];
    expect(allowedEmbedder('https://a.example/essay?id=1', allowed)).toBe('https://a.example');
    expect(allowedEmbedder('http://localhost:8080/x', allowed)).toBe('http://localhost:8080');
    expect(allowedEmbedder('http://a.example/essay', allowed)).toBeUndefined();
    expect(allowedEmbedder('https://sub.a.example/essay', allowed)).toBeUndefined();
    expect(allowedEmbedder('http://localhost:8081/x', allowed)).toBeUndefined();
    expect(originOfPage('https://b.example/x')).toBe('https://b.example');
    expect(originOfPage('not a url')).toBeUndefined();
  });
});

describe('the address that names a page’s thread', () => {
  const dropQuery = { keepQuery: false };
  const keepQuery = { keepQuery: true };

  it('drops the query string by default, so made-up or tracking queries lead to the one thread', () => {
    for (const input of [
      'https://a.example/essay',
      'https://a.example/essay?utm_source=news&utm_medium=mail',
      'https://a.example/essay?utm=1',
      'https://a.example/essay?utm=2#comments',
      'https://a.example/essay?fbclid=IwAR0abc',
      'HTTPS://A.example:443/essay?',
    ]) {
      expect(embedPageUrl(input, dropQuery), input).toBe('https://a.example/essay');
    }
    expect(embedPageUrl('https://a.example/?p=12', dropQuery)).toBe('https://a.example/');
    expect(embedPageUrl('javascript:alert(1)', dropQuery)).toBeUndefined();
    expect(embedPageUrl('not a url', keepQuery)).toBeUndefined();
  });

  it('keeps the query where the site says it tells pages apart, less tracking parameters', () => {
    expect(embedPageUrl('https://a.example/?p=12#c', keepQuery)).toBe('https://a.example/?p=12');
    expect(embedPageUrl('https://a.example/?p=12&utm_source=x&fbclid=y', keepQuery)).toBe(
      'https://a.example/?p=12',
    );
    expect(embedPageUrl('https://a.example/essay?gclid=1&UTM_Campaign=2', keepQuery)).toBe(
      'https://a.example/essay',
    );
    // Left exactly as written when nothing is dropped (re-encoding would change the key).
    expect(embedPageUrl('https://a.example/?q=a%20b', keepQuery)).toBe(
      'https://a.example/?q=a%20b',
    );
  });

  it('is kept only when the site setting is exactly true', () => {
    expect(embedKeepsQuery({})).toBe(false);
    expect(embedKeepsQuery({ embedKeepQuery: 'yes' })).toBe(false);
    expect(embedKeepsQuery({ embedKeepQuery: true })).toBe(true);
  });

  it('titles a new thread after its address, readable, on one line', () => {
    expect(embedThreadTitle('https://blog.example.org/2026/essay')).toBe(
      'blog.example.org/2026/essay',
    );
    expect(embedThreadTitle('http://localhost:8080/')).toBe('localhost:8080');
    expect(embedThreadTitle('https://a.example/caf%C3%A9%20cr%C3%A8me')).toBe(
      'a.example/café crème',
    );
    expect(embedThreadTitle('https://a.example/%E0%A4%A')).toBe('a.example/%E0%A4%A');
    expect(embedThreadTitle('https://a.example/?p=12')).toBe('a.example?p=12');
    expect(embedThreadTitle('https://a.example/%0Aline')).toBe('a.example/ line');
    expect(embedThreadTitle(`https://a.example/${'x'.repeat(300)}`)).toHaveLength(200);
  });
});

describe('the embed form token', () => {
  const secret = 'a secret of the server'.padEnd(64, 'x');
  const now = new Date('2026-11-24T10:00:00Z');
  const later = (ms: number) => new Date(now.getTime() + ms);

  it('is good for its thread until it expires', () => {
    const token = issueEmbedFormToken(secret, 'thread-1', now);
    expect(token).toMatch(/^\d+\.[0-9a-f]{32}$/);
    expect(embedFormTokenProblem(secret, 'thread-1', token, now)).toBeUndefined();
    expect(
      embedFormTokenProblem(secret, 'thread-1', token, later(EMBED_FORM_LIFETIME_MS)),
    ).toBeUndefined();
    expect(
      embedFormTokenProblem(secret, 'thread-1', token, later(EMBED_FORM_LIFETIME_MS + 1000)),
    ).toBe('expired');
  });

  it('is refused for another thread, with another secret, altered, or from the future', () => {
    const token = issueEmbedFormToken(secret, 'thread-1', now);
    expect(embedFormTokenProblem(secret, 'thread-2', token, now)).toBe('invalid');
    expect(embedFormTokenProblem(`${secret}!`, 'thread-1', token, now)).toBe('invalid');
    const [issuedAt, mac] = token.split('.') as [string, string];
    expect(embedFormTokenProblem(secret, 'thread-1', `${Number(issuedAt) + 60}.${mac}`, now)).toBe(
      'invalid',
    );
    const future = issueEmbedFormToken(secret, 'thread-1', later(3_600_000));
    expect(embedFormTokenProblem(secret, 'thread-1', future, now)).toBe('invalid');
    for (const junk of ['', 'x', '1.2', `${issuedAt}.${mac}extra`])
      expect(embedFormTokenProblem(secret, 'thread-1', junk, now)).toBe('invalid');
  });
});
