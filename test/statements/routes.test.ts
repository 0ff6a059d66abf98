// The statements API and the home page, through a real server and real HTTP.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statementsContext } from '../../src/runtime.js';
import { fixedClock } from '../../src/platform/clock.js';
import type { StatementsContext } from '../../src/statements/service.js';
import * as statements from '../../src/statements/service.js';
import { databaseKinds } from '../helpers/databases.js';
import { Browser } from '../helpers/http.js';
import type { TestServer } from '../helpers/runtime.js';
import { startTestServer } from '../helpers/runtime.js';
import { buildStatement } from './factories.js';

interface ListBody {
  items: { id: string; slug: string; title: string; publishedAt: string }[];
  nextCursor: string | null;
}

describe.each(databaseKinds)('statement routes on $name', (kind) => {
  let server: TestServer;
  let ctx: StatementsContext;
  const clock = fixedClock('2026-11-01T09:00:00Z');

  beforeEach(async () => {
    clock.set('2026-11-01T09:00:00Z');
    server = await startTestServer({ kind, clock });
    ctx = statementsContext(server.runtime);
  });
  afterEach(async () => {
    await server.close();
  });

  /** Publishes `count` statements a day apart, oldest first; returns their titles. */
  async function publishDays(count: number): Promise<string[]> {
    const titles = [];
    for (let day = 1; day <= count; day++) {
      clock.set(new Date(Date.UTC(2026, 10, day, 9)));
      const { statement } = await statements.publishStatement(
        ctx,
        buildStatement(server.siteId, { title: `Statement of day ${day}` }),
      );
      titles.push(statement.title);
    }
    return titles;
  }

  const api = (path: string) =>
    fetch(`${server.url}${path}`, { headers: { accept: 'application/json' } });

  it('lists published statements newest first, with a cursor to the next page', async () => {
    const titles = await publishDays(5);
    const first = await api('/api/v1/statements?limit=2');
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as ListBody;
    expect(page1.items.map((item) => item.title)).toEqual([titles[4], titles[3]]);
    expect(Object.keys(page1.items[0] ?? {}).sort()).toEqual([
      'authorName',
      'clearanceNote',
      'correctedAt',
      'id',
      'publishedAt',
      'slug',
      'status',
      'subtitle',
      'title',
      'updatedAt',
      'withdrawnAt',
    ]);
    expect(page1.items[0]).toMatchObject({
      slug: 'statement-of-day-5',
      publishedAt: '2026-11-05T09:00:00.000Z',
    });

    const seen = [...page1.items];
    let cursor = page1.nextCursor;
    while (cursor) {
      const next = (await (
        await api(`/api/v1/statements?limit=2&cursor=${encodeURIComponent(cursor)}`)
      ).json()) as ListBody;
      seen.push(...next.items);
      cursor = next.nextCursor;
    }
    expect(seen.map((item) => item.title)).toEqual([...titles].reverse());

    const all = (await (await api('/api/v1/statements')).json()) as ListBody;
    expect(all.items).toHaveLength(5); // default limit 20
    expect(all.nextCursor).toBeNull();
  });

  it('refuses a limit out of range or a cursor it did not give out', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=ten']) {
      const response = await api(`/api/v1/statements?${query}`);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'invalid-request',
      );
    }
    const bad = await api('/api/v1/statements?cursor=not-ours');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid-cursor' } });
  });

  it('is described in the OpenAPI document under "statements"', async () => {
    const doc = (await (await api('/api/openapi.json')).json()) as {
      paths: Record<string, { get?: { tags?: string[]; parameters?: { name: string }[] } }>;
    };
    const list = doc.paths['/api/v1/statements']?.get;
    expect(list?.tags).toEqual(['statements']);
    expect(list?.parameters?.map((p) => p.name).sort()).toEqual(['cursor', 'limit', 'status']);
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/s/'))).toBe(false); // pages are hidden
  });

  it('lists statements on the home page, newest first, linking to their pages', async () => {
    const empty = await (await new Browser(server.url).get('/')).text();
    expect(empty).toContain('Nothing has been published yet.');

    const titles = await publishDays(22);
    const html = await (await new Browser(server.url).get('/')).text();
    expect(html).not.toContain('Nothing has been published yet.');
    const listed = [...html.matchAll(/<h3><a href="(\/s\/[^"]+)">([^<]+)<\/a><\/h3>/g)];
    expect(listed.map((m) => m[2])).toEqual([...titles].reverse().slice(0, 20));
    const newest = listed[0]?.[1] ?? '';
    expect(newest).toBe('/s/statement-of-day-22');
    expect(html).toContain('<p class="statement-subtitle">A subtitle</p>');
    expect(html).toContain('<time datetime="2026-11-22T09:00:00.000Z">22 November 2026</time>');

    const older = /<a href="([^"]+)" rel="next">Older statements<\/a>/.exec(html)?.[1] ?? '';
    expect(older).not.toBe('');
    const rest = await (await new Browser(server.url).get(older.replace(/&amp;/g, '&'))).text();
    expect(
      [...rest.matchAll(/<h2><a href="\/s\/[^"]+">([^<]+)<\/a><\/h2>/g)].map((m) => m[1]),
    ).toEqual([titles[1], titles[0]]);

    const page = await new Browser(server.url).get(newest);
    expect(page.status).toBe(200);
  });

  it('counts comment posts per address across the API and the form, refusing the 21st in a minute', async () => {
    const { statement, thread } = await statements.publishStatement(
      ctx,
      buildStatement(server.siteId),
    );
    const browser = new Browser(server.url);
    const _csrf = await browser.csrfTokenFrom(`/s/${statement.slug}`);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${server.url}/api/v1/threads/${thread.id}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ authorName: 'Ann', body: `API #${i}` }),
      });
      statuses.push(response.status);
    }
    for (let i = 0; i < 10; i++) {
      const response = await browser.postForm(`/s/${statement.slug}/comments`, {
        _csrf,
        name: 'Ann',
        body: `Form #${i}`,
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(201), ...Array<number>(10).fill(303)]);
    const refused = await browser.postForm(`/s/${statement.slug}/comments`, {
      _csrf,
      name: 'Ann',
      body: 'one too many',
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await refused.text()).toContain('Too many requests from your address');
  });

  it('describes its errors with the one error schema every API route uses', async () => {
    type Doc = {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as Doc;
    const errorSchema = (path: string, method: string, status: string) =>
      JSON.stringify(doc.paths[path]?.[method]?.responses[status]);
    const shared = errorSchema('/api/v1/threads/{threadId}/comments', 'post', '422');
    expect(shared).toContain('details');
    expect(errorSchema('/api/v1/statements', 'get', '400')).toBe(shared);
  });

  it('sends the address a refused form leaves behind back to the discussion', async () => {
    const { statement } = await statements.publishStatement(ctx, buildStatement(server.siteId));
    const response = await new Browser(server.url).get(`/s/${statement.slug}/comments`);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/s/${statement.slug}#comments`);
  });
});
