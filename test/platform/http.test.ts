// The HTTP edge every capability stands on: health, metrics, OpenAPI, coded errors, body limits,
// CSRF and security headers — through a real listening server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../helpers/http.js';
import type { TestServer } from '../helpers/runtime.js';
import { addMemberWithPassword, startTestServer } from '../helpers/runtime.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const json = async (response: Response) => (await response.json()) as Record<string, unknown>;

describe('operations endpoints', () => {
  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await json(health)).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await json(ready)).toEqual({ status: 'ok', database: 'reachable' });
  });

  it('exposes Prometheus metrics including request latencies by route', async () => {
    await fetch(`${server.url}/healthz`);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toContain('broadside_process_cpu_user_seconds_total');
    expect(text).toMatch(
      /broadside_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/,
    );
  });

  it('describes the API in an OpenAPI 3.1 document without the HTML pages', async () => {
    const response = await fetch(`${server.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/healthz', '/readyz', '/api/v1/me', '/api/v1/tokens']),
    );
    expect(Object.keys(doc.paths)).not.toContain('/signin');
  });
});

describe('errors', () => {
  it('answers unknown API paths with a coded JSON 404', async () => {
    const response = await fetch(`${server.url}/api/v1/nothing-here`);
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({
      error: { code: 'not-found', message: 'Nothing here: GET /api/v1/nothing-here' },
    });
  });

  it('shows browsers an HTML error page for unknown pages', async () => {
    const response = await fetch(`${server.url}/no/such/page`, {
      headers: { accept: 'text/html' },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('Page not found');
  });

  it('refuses malformed JSON with 400', async () => {
    const response = await fetch(`${server.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bst_nope' },
      body: '{"name": ',
    });
    // the bad token is checked first: authentication precedes parsing
    expect(response.status).toBe(401);
    const anonymous = await fetch(`${server.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(anonymous.status).toBe(400);
    expect(((await json(anonymous)).error as { code: string }).code).toBe('malformed-json');
  });

  it('refuses bodies over 64 KiB with 413 and says the limit', async () => {
    const response = await fetch(`${server.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(70 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(await json(response)).toEqual({
      error: {
        code: 'body-too-large',
        message: 'The request body is larger than the limit of 64 KiB.',
      },
    });
  });

  it('refuses a schema violation with 400 naming the field', async () => {
    const { member } = await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      email: 'schema@example.org',
      role: 'author',
    });
    const { createApiToken } = await import('../../src/accounts/service.js');
    const { accountsContext } = await import('../../src/runtime.js');
    const { token } = await createApiToken(accountsContext(server.runtime), {
      accountId: member.id,
      name: 't',
    });
    const response = await fetch(`${server.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 42, extra: true }),
    });
    expect(response.status).toBe(400);
    const body = (await json(response)).error as { code: string; message: string };
    expect(body.code).toBe('invalid-request');
    expect(body.message).toMatch(/body/);
  });
});

describe('security headers', () => {
  it('sends a strict Content-Security-Policy without inline scripts', async () => {
    const response = await fetch(`${server.url}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('links only same-origin assets from pages', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    expect(html).toMatch(/<link rel="stylesheet" href="\/assets\/[^"]+\.css"/);
    expect(html).not.toMatch(/src="(https?:)?\/\//);
    // Absolute links only where they must be (feeds, Open Graph), and only to the site itself.
    const origins = [...html.matchAll(/href="((?:https?:)?\/\/[^"]+)"/g)].map(
      ([, href = '']) => new URL(href, 'http://scheme-relative.invalid').origin,
    );
    expect(origins.filter((origin) => origin !== server.runtime.config.baseUrl.origin)).toEqual([]);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
  });
});

describe('CSRF', () => {
  it('refuses a form post without the token with 403', async () => {
    const browser = new Browser(server.url);
    await browser.get('/signin'); // has the CSRF cookie now, but sends no token
    const response = await browser.postForm('/signin', {
      email: 'a@example.org',
      password: 'whatever it is',
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('security token');
  });

  it('refuses a token taken from another browser', async () => {
    const attacker = new Browser(server.url);
    const token = await attacker.csrfTokenFrom('/signin');
    const victim = new Browser(server.url);
    await victim.get('/signin');
    const response = await victim.postForm('/signin', {
      email: 'a@example.org',
      password: 'x',
      _csrf: token,
    });
    expect(response.status).toBe(403);
  });

  it('refuses a cookie-authenticated JSON write without the token, and needs none with a bearer token', async () => {
    const { password } = await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      email: 'csrf@example.org',
      role: 'editor',
    });
    const browser = new Browser(server.url);
    const token = await browser.csrfTokenFrom('/signin');
    const signIn = await browser.postForm('/signin', {
      email: 'csrf@example.org',
      password,
      _csrf: token,
    });
    expect(signIn.status).toBe(303);
    const withoutToken = await browser.request('/api/v1/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ name: 'from a page' }),
    });
    expect(withoutToken.status).toBe(403);
    expect(((await json(withoutToken)).error as { code: string }).code).toBe('csrf-invalid');
    const withToken = await browser.request('/api/v1/tokens', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-csrf-token': token,
      },
      body: JSON.stringify({ name: 'from a page' }),
    });
    expect(withToken.status).toBe(201);
    const { token: apiToken } = (await withToken.json()) as { token: string };
    const bearer = await fetch(`${server.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiToken}` },
      body: JSON.stringify({ name: 'scripted' }),
    });
    expect(bearer.status).toBe(201);
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After and a coded error past the per-address limit', async () => {
    const limited = await startTestServer({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await fetch(`${limited.url}/api/v1/nothing`)).status);
      expect(statuses).toEqual([404, 404, 404, 404, 404]);
      const response = await fetch(`${limited.url}/api/v1/nothing`);
      expect(response.status).toBe(429);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await json(response)).error as { code: string }).code).toBe('rate-limited');
      expect((await fetch(`${limited.url}/healthz`)).status).toBe(200); // probes are never limited
    } finally {
      await limited.close();
    }
  });

  it('counts each client behind a proxy on its own with TRUST_PROXY as a hop count', async () => {
    const limited = await startTestServer({
      env: { RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: '1' },
    });
    const from = (forwardedFor: string) =>
      fetch(`${limited.url}/api/v1/nothing`, { headers: { 'x-forwarded-for': forwardedFor } }).then(
        (response) => response.status,
      );
    try {
      expect([await from('203.0.113.1'), await from('203.0.113.1')]).toEqual([404, 404]);
      expect(await from('203.0.113.1')).toBe(429);
      // Another client of the same proxy has its own count…
      expect(await from('203.0.113.2')).toBe(404);
      // …and one hop is trusted, no more: an address the client put first is not believed.
      expect(await from('198.51.100.9, 203.0.113.1')).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
