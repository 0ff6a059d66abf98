// The admin page for personal-data requests, over real HTTP: who may use it, CSRF, the JSON
// download, the erasure's confirmation, and the statement page afterwards. And in real Chromium:
// the same flow without JavaScript, and no serious accessibility violation.
import { AxeBuilder } from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import type { Browser as Chromium, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium, watchPage } from '../helpers/chromium.js';
import { Browser } from '../helpers/http.js';
import type { TestServer } from '../helpers/runtime.js';
import { startTestServer } from '../helpers/runtime.js';
import type { RichSite } from './rich-site.js';
import { richJudge, seedRichSite, ZOE } from './rich-site.js';

const PASSWORD = 'correct horse battery staple'; // what seedRichSite's members were given

async function signedIn(server: TestServer, email: string): Promise<Browser> {
  const browser = new Browser(server.url);
  const token = await browser.csrfTokenFrom('/signin');
  const response = await browser.postForm('/signin', { _csrf: token, email, password: PASSWORD });
  expect(response.status).toBe(303);
  return browser;
}

describe('/admin/personal-data over HTTP', () => {
  let server: TestServer;
  let site: RichSite;
  beforeEach(async () => {
    server = await startTestServer({ moderation: richJudge });
    site = await seedRichSite(server.runtime);
  });
  afterEach(async () => {
    await server.close();
  });

  it('is for those who manage members: others are refused, strangers sent to sign in', async () => {
    const anonymous = await new Browser(server.url).get('/admin/personal-data');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/signin?next=%2Fadmin%2Fpersonal-data');
    const moderator = await signedIn(server, 'mod@example.org');
    expect((await moderator.get('/admin/personal-data')).status).toBe(403);
    expect(await (await moderator.get('/admin')).text()).not.toContain('Personal data');

    const owner = await signedIn(server, site.ownerEmail);
    const page = await owner.get('/admin/personal-data');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<a href="/admin/personal-data" aria-current="page">Personal data</a>');
    expect(html).toContain('action="/admin/personal-data/export"');
    expect(html).toContain('formaction="/admin/personal-data/erase"');
  });

  it('downloads everything about an address as JSON, only with the form’s CSRF token', async () => {
    const owner = await signedIn(server, site.ownerEmail);
    const forged = await owner.postForm('/admin/personal-data/export', { email: ZOE.email });
    expect(forged.status).toBe(403);

    const token = await owner.csrfTokenFrom('/admin/personal-data');
    const response = await owner.postForm('/admin/personal-data/export', {
      _csrf: token,
      email: ZOE.email,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="personal-data-\d{4}-\d\d-\d\d\.json"$/,
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    const document = (await response.json()) as { email: string; comments: unknown[] };
    expect(document.email).toBe(ZOE.email);
    expect(document.comments).toHaveLength(4);

    const bad = await owner.postForm('/admin/personal-data/export', {
      _csrf: token,
      email: 'nobody',
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('&quot;nobody&quot; is not a valid e-mail address.');
  });

  it('asks before erasing, then erases, and the statement page changes with it', async () => {
    const owner = await signedIn(server, site.ownerEmail);
    // A returning reader (with the CSRF cookie of a first visit) gets pages with an ETag.
    const reader = new Browser(server.url);
    await reader.get(`/s/${site.slug}`);
    const before = await reader.get(`/s/${site.slug}`);
    const etagBefore = before.headers.get('etag');
    expect(etagBefore).toMatch(/^W\//);
    expect(await before.text()).toContain(ZOE.name);

    const token = await owner.csrfTokenFrom('/admin/personal-data');
    const asked = await owner.postForm('/admin/personal-data/erase', {
      _csrf: token,
      email: ZOE.email,
    });
    expect(asked.status).toBe(200);
    const confirmation = await asked.text();
    expect(confirmation).toContain(
      'This site holds 1 reply subscription, 4 comments, 1 co-signature, 1 ban, 1 audit log entry naming it of zoe@example.org',
    );
    expect(confirmation).toContain('name="confirm" value="yes"');
    // Asking changed nothing.
    expect(await (await new Browser(server.url).get(`/s/${site.slug}`)).text()).toContain(ZOE.name);

    const done = await owner.postForm('/admin/personal-data/erase', {
      _csrf: /name="_csrf" value="([^"]+)"/.exec(confirmation)?.[1] ?? '',
      email: ZOE.email,
      confirm: 'yes',
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain(
      'Erased the data of zoe@example.org: 1 reply subscription, 4 comments, 1 co-signature, 1 ban, 1 audit log entry naming it.',
    );

    const after = await reader.get(`/s/${site.slug}`);
    expect(after.headers.get('etag')).toMatch(/^W\//);
    expect(after.headers.get('etag')).not.toBe(etagBefore);
    const html = await after.text();
    expect(html).not.toContain(ZOE.name);
    expect(html).toMatch(/removed at the author(&#39;|&#x27;|')s request/);
    expect(html).toContain('Thanks, <em>Zoë</em>.'); // the replies are still there

    const nothing = await owner.postForm('/admin/personal-data/erase', {
      _csrf: token,
      email: ZOE.email,
    });
    expect(await nothing.text()).toContain('Nothing to erase');
  });
});

describe('/admin/personal-data in Chromium', () => {
  let chromium: Chromium;
  let server: TestServer;
  beforeAll(async () => {
    [chromium, server] = await Promise.all([
      launchChromium(),
      startTestServer({ moderation: richJudge }),
    ]);
    await seedRichSite(server.runtime);
  });
  afterAll(async () => {
    await chromium?.close();
    await server?.close();
  });

  /** A signed-in owner's page; the sign-in form works with and without JavaScript. */
  async function ownerPage(javaScriptEnabled: boolean) {
    const context = await chromium.newContext({ javaScriptEnabled, acceptDownloads: true });
    const page = await context.newPage();
    const problems = watchPage(page, server.url);
    await page.goto(`${server.url}/signin`);
    await page.getByLabel('E-mail address').fill('owner@example.org');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/admin`);
    return { context, page, problems };
  }

  const blocking = async (page: Page) =>
    (await new AxeBuilder({ page }).analyze()).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);

  it('has no serious accessibility violation, on the form or the confirmation', async () => {
    const { context, page, problems } = await ownerPage(true);
    try {
      await page.goto(`${server.url}/admin/personal-data`);
      expect(await blocking(page)).toEqual([]);
      await page.getByLabel('E-mail address').fill('bob@example.org');
      await page.getByRole('button', { name: 'Erase…' }).click();
      await page.getByRole('heading', { name: 'Erase the data of bob@example.org?' }).waitFor();
      expect(await blocking(page)).toEqual([]);
      expect(problems.all()).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('downloads, confirms and erases through the forms without JavaScript', async () => {
    const { context, page, problems } = await ownerPage(false);
    try {
      await page.goto(`${server.url}/admin/personal-data`);
      await page.getByLabel('E-mail address').fill(ZOE.email);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download their data (JSON)' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^personal-data-\d{4}-\d\d-\d\d\.json$/);
      const saved = await download.path();
      const document = JSON.parse(readFileSync(saved, 'utf8')) as { comments: unknown[] };
      expect(document.comments).toHaveLength(4);

      await page.getByRole('button', { name: 'Erase…' }).click();
      await page.getByRole('heading', { name: `Erase the data of ${ZOE.email}?` }).waitFor();
      await page.getByRole('button', { name: 'Erase permanently' }).click();
      await page.getByRole('status').waitFor();
      expect(await page.getByRole('status').textContent()).toBe(
        'Erased the data of zoe@example.org: 1 reply subscription, 4 comments, 1 co-signature, 1 ban, 1 audit log entry naming it.',
      );
      expect(problems.all()).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
