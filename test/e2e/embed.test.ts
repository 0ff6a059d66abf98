// The embed widget in real Chromium: a page on another origin (http://localhost:<port>, while the
// app is http://127.0.0.1:<port>) includes embed.js and shows its thread in a frame that sizes
// itself; a page on an origin not on the allow-list gets no thread, even with a forged address.
import { AxeBuilder } from '@axe-core/playwright';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Script } from 'node:vm';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Frame, FrameLocator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountsContext, discussionContext } from '../../src/runtime.js';
import { updateSiteSettings } from '../../src/accounts/service.js';
import {
  addEmbedOrigin,
  findEmbeddedThread,
  listEmbedOrigins,
} from '../../src/discussion/embed-service.js';
import { issueEmbedFormToken } from '../../src/discussion/embed-model.js';
import type { DiscussionContext } from '../../src/discussion/service.js';
import * as discussion from '../../src/discussion/service.js';
import * as store from '../../src/discussion/store.js';
import type { Thread } from '../../src/discussion/store.js';
import { publicDir, readManifest } from '../../src/web/assets.js';
import { launchChromium, signInThroughForm, watchPage } from '../helpers/chromium.js';
import type { PageProblems } from '../helpers/chromium.js';
import type { TestServer } from '../helpers/runtime.js';
import { TEST_SECRET, addMemberWithPassword, startTestServer } from '../helpers/runtime.js';

const OWNER = {
  email: 'owner@example.org',
  name: 'Olive Owner',
  password: 'correct horse battery staple',
};

/** A site of someone else's: serves pages that include the embed, under a strict CSP of its own. */
interface HostSite {
  origin: string;
  close(): Promise<void>;
}

async function startHostSite(appUrl: string): Promise<HostSite> {
  const page = (body: string) =>
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>An essay on the host</title>' +
    '<link rel="icon" href="data:,"><script src="/globals-before.js"></script></head>' +
    `<body><main><h1>An essay</h1><p>Text of the essay.</p>${body}</main></body></html>`;
  const snippet =
    '<div id="broadside-thread"></div>' +
    `<script src="${appUrl}/embed.js" data-broadside async></script>`;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://host');
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, {
        'content-type': `${type}; charset=utf-8`,
        // The host's own strict policy: the embed needs nothing but its script and its frame.
        'content-security-policy': `default-src 'self'; script-src 'self' ${appUrl}; frame-src ${appUrl}; img-src data:`,
      });
      response.end(body);
    };
    if (url.pathname === '/globals-before.js') {
      send(200, 'text/javascript', 'window.globalsBefore = Object.getOwnPropertyNames(window);');
    } else if (url.pathname.startsWith('/article')) {
      send(200, 'text/html', page(snippet));
    } else if (url.pathname === '/forged') {
      // Hand-made frame that claims to be a page of another (allowed) site.
      const claimed = url.searchParams.get('claim') ?? '';
      const src = `${appUrl}/embed/thread?url=${encodeURIComponent(claimed)}`;
      send(200, 'text/html', page(`<iframe title="Comments" src="${src}"></iframe>`));
    } else {
      send(404, 'text/plain', 'not here');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let browser: Browser;
let server: TestServer;
let allowed: HostSite;
let stranger: HostSite;
let ctx: DiscussionContext;
let context: BrowserContext;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startTestServer()]);
  [allowed, stranger] = await Promise.all([startHostSite(server.url), startHostSite(server.url)]);
  ctx = discussionContext(server.runtime);
  await addEmbedOrigin(accountsContext(server.runtime), {
    siteId: server.siteId,
    origin: allowed.origin,
  });
  await addMemberWithPassword(server.runtime, { siteId: server.siteId, role: 'owner', ...OWNER });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([allowed?.close(), stranger?.close()]);
  await server?.close();
});

beforeEach(async () => {
  context = await browser.newContext();
  page = await context.newPage();
  problems = watchPage(page, server.url);
});

afterEach(async () => {
  await context?.close();
});

/** A thread for a page of the allowed site, with `count` comments (every third one a reply). */
async function threadWithComments(pagePath: string, count: number): Promise<Thread> {
  const thread = await discussion.createThread(ctx, {
    siteId: server.siteId,
    title: 'An essay on the host',
    url: `${allowed.origin}${pagePath}`,
  });
  let parentId: string | undefined;
  for (let i = 1; i <= count; i++) {
    const { comment } = await discussion.postComment(ctx, {
      threadId: thread.id,
      parentId: i % 3 === 0 ? parentId : undefined,
      author: { name: `Reader ${i}` },
      body: `Comment text number ${i}.\n\nA second paragraph, so that comments take some room.`,
    });
    if (i % 3 !== 0) parentId = comment.id;
  }
  return thread;
}

const embedFrame = (p: Page): FrameLocator => p.frameLocator('#broadside-thread iframe');

async function frameOf(p: Page): Promise<Frame> {
  const handle = await p.waitForSelector('#broadside-thread iframe');
  const frame = await handle.contentFrame();
  if (!frame) throw new Error('the iframe has no frame');
  return frame;
}

/** The iframe's height on the host page and the height of the frame's content. */
async function heights(p: Page): Promise<{ iframe: number; content: number; scrolls: boolean }> {
  const iframe = await p.$eval(
    '#broadside-thread iframe',
    (element) => element.getBoundingClientRect().height,
  );
  const frame = await frameOf(p);
  const inner = await frame.evaluate(() => ({
    content: document.getElementById('embed-root')?.getBoundingClientRect().height ?? -1,
    scrolls: document.documentElement.scrollHeight > document.documentElement.clientHeight + 1,
  }));
  return { iframe, ...inner };
}

async function settledHeights(p: Page) {
  await expect
    .poll(async () => {
      const h = await heights(p);
      return Math.abs(h.iframe - Math.ceil(h.content)) <= 1 && !h.scrolls;
    })
    .toBe(true);
  return heights(p);
}

describe('embedding a thread on an allowed site', () => {
  it('shows the page’s thread in a frame as tall as its content, with no errors on either side', async () => {
    const thread = await threadWithComments('/article', 24);
    await page.goto(`${allowed.origin}/article?x=1#comments`);

    const iframe = page.locator('#broadside-thread iframe');
    await expect.poll(() => iframe.getAttribute('title')).toBe('Comments');
    const src = new URL((await iframe.getAttribute('src')) ?? '');
    expect(src.origin).toBe(server.url);
    expect(src.pathname).toBe('/embed/thread');
    expect(src.searchParams.get('url')).toBe(`${allowed.origin}/article?x=1`); // no fragment

    // The server drops the query: /article?x=1 shows /article's thread, the one with comments.
    const frame = embedFrame(page);
    await frame.getByText('Comment text number 24.').waitFor();
    await expect(frame.getByRole('heading', { name: '24 comments' }).isVisible()).resolves.toBe(
      true,
    );
    await expect(frame.getByText('Reader 1', { exact: true }).isVisible()).resolves.toBe(true);

    const settled = await settledHeights(page);
    expect(settled.iframe).toBeGreaterThan(1500);
    expect(settled.scrolls).toBe(false);
    // The host page's own layout is untouched: full width, no border.
    const style = await iframe.evaluate((element) => {
      const computed = getComputedStyle(element);
      return { border: computed.borderTopWidth, width: element.getBoundingClientRect().width };
    });
    expect(style.border).toBe('0px');
    const containerWidth = await page.$eval(
      '#broadside-thread',
      (element) => element.getBoundingClientRect().width,
    );
    expect(style.width).toBe(containerWidth);

    // The script declared nothing in the host page's global scope.
    const added = await page.evaluate(() => {
      const before = new Set((window as unknown as { globalsBefore: string[] }).globalsBefore);
      // (Indexed properties are the page's frames, the embed's iframe among them.)
      return Object.getOwnPropertyNames(window).filter(
        (name) => !before.has(name) && name !== 'globalsBefore' && !/^\d+$/.test(name),
      );
    });
    expect(added).toEqual([]);

    expect(await store.findThreadByUrl(ctx.db, server.siteId, `${allowed.origin}/article`)).toEqual(
      expect.objectContaining({ id: thread.id }),
    );

    // The frame's own links stay in the frame, still allowed: newest first.
    await frame.getByRole('link', { name: 'Newest first' }).click();
    await expect
      .poll(() => frame.locator('.comment-author').first().textContent())
      .toBe('Reader 23');
    const inner = await frameOf(page);
    expect(new URL(inner.url()).pathname).toBe(`/embed/threads/${thread.id}`);
    await settledHeights(page);

    // What people meet in the frame passes an accessibility scan (serious or critical).
    const scan = await new AxeBuilder({ page }).include('#broadside-thread').analyze();
    // (It did look inside the frame: some checked nodes are addressed through the iframe.)
    expect(scan.passes.some((rule) => rule.nodes.some((node) => node.target.length > 1))).toBe(
      true,
    );
    const blocking = scan.violations.filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
    expect(
      blocking.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    ).toEqual([]);
    expect(problems.all()).toEqual([]);
  });

  it('follows a permalink to a comment on the host page: the page scrolls to it', async () => {
    const thread = await threadWithComments('/article-permalink', 24);
    const comments = await discussion.listComments(ctx, { threadId: thread.id, limit: 100 });
    const target = comments.find((c) => c.authorName === 'Reader 20');
    await page.goto(`${allowed.origin}/article-permalink#comment-${target?.id}`);
    const src = new URL((await page.locator('#broadside-thread iframe').getAttribute('src')) ?? '');
    expect(src.hash).toBe(`#comment-${target?.id}`);
    await embedFrame(page).getByText('Comment text number 24.').waitFor();
    // Where the comment is in the host page's viewport: near its top.
    const onScreen = async () => {
      const frameTop = await page.$eval(
        '#broadside-thread iframe',
        (element) => element.getBoundingClientRect().top,
      );
      const inFrame = await (
        await frameOf(page)
      ).$eval(`#comment-${target?.id}`, (element) => element.getBoundingClientRect().top);
      return frameTop + inFrame;
    };
    await expect.poll(onScreen).toBeGreaterThanOrEqual(0);
    await expect.poll(onScreen).toBeLessThan(100);
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(500);
    expect(problems.all()).toEqual([]);
  });

  it('opens the thread of a new page on its first view, named after its address', async () => {
    await page.goto(`${allowed.origin}/article-new?utm_source=newsletter`);
    const frame = embedFrame(page);
    await frame.getByRole('heading', { name: '0 comments' }).waitFor();
    await expect(frame.getByText('No comments yet.').isVisible()).resolves.toBe(true);
    const thread = await store.findThreadByUrl(
      ctx.db,
      server.siteId,
      `${allowed.origin}/article-new`,
    );
    // Not the host page's title, which embed.js sends: anyone could send any title.
    expect(thread?.title).toBe(`${new URL(allowed.origin).host}/article-new`);
    expect(problems.all()).toEqual([]);
  });

  it('posts a comment and a reply from inside the frame, without cookies, and grows to fit them', async () => {
    await threadWithComments('/article-posting', 2);
    await page.goto(`${allowed.origin}/article-posting`);
    const frame = embedFrame(page);
    await frame.getByText('Comment text number 2.').waitFor();
    const before = await settledHeights(page);

    await frame.getByLabel('Name').last().fill('Frame Writer');
    await frame.getByLabel('Your comment').fill('Posted from inside the frame.\n\nTwo paragraphs.');
    await frame.getByRole('button', { name: 'Post comment' }).click();
    await frame.getByText('Posted from inside the frame.').waitFor();
    await expect(frame.getByRole('heading', { name: '3 comments' }).isVisible()).resolves.toBe(
      true,
    );

    // A reply to the first comment, through its own form.
    const first = frame.locator('li.comment').filter({ hasText: 'Comment text number 1.' }).first();
    await first.locator('summary').first().click();
    await first.getByLabel('Name').first().fill('Replier');
    await first.getByLabel('Your reply').first().fill('A reply from the frame.');
    await first.getByRole('button', { name: 'Post reply' }).first().click();
    await frame.getByText('A reply from the frame.').waitFor();

    const after = await settledHeights(page);
    expect(after.iframe).toBeGreaterThan(before.iframe + 40);

    const thread = await store.findThreadByUrl(
      ctx.db,
      server.siteId,
      `${allowed.origin}/article-posting`,
    );
    const comments = await discussion.listComments(ctx, {
      threadId: thread?.id ?? '',
      limit: 100,
    });
    expect(comments.map((c) => `${c.depth} ${c.authorName}`)).toEqual([
      '1 Reader 1',
      '2 Replier',
      '1 Reader 2',
      '1 Frame Writer',
    ]);
    // No cookie was set for the app's site at any point (the frame needs none).
    const cookies = await context.cookies(server.url);
    expect(cookies).toEqual([]);
    expect(problems.all()).toEqual([]);
  });
});

describe('embedding refused', () => {
  it('shows a page on an origin not on the allow-list a refusal, and opens no thread', async () => {
    const refused = page.waitForResponse((r) => new URL(r.url()).pathname === '/embed/thread');
    await page.goto(`${stranger.origin}/article`);
    expect((await refused).status()).toBe(403);
    const frame = embedFrame(page);
    await frame.getByRole('heading', { name: 'Comments are not available here' }).waitFor();
    await expect(frame.getByRole('alert').textContent()).resolves.toBe(
      `${stranger.origin} is not one of the sites allowed to show discussions from Broadside.`,
    );
    await expect(frame.locator('form').count()).resolves.toBe(0);
    await settledHeights(page);
    expect(
      await store.findThreadByUrl(ctx.db, server.siteId, `${stranger.origin}/article`),
    ).toBeUndefined();
    // Chromium reports the refused frame (403) on the console; nothing else may appear.
    expect(problems.consoleErrors.every((text) => /status of 403/.test(text))).toBe(true);
    expect([...problems.pageErrors, ...problems.failedRequests, ...problems.cspViolations]).toEqual(
      [],
    );
  });

  it('lets no other origin frame a thread by forging an allowed page’s address: the browser refuses', async () => {
    await threadWithComments('/article-forged', 3);
    const claim = `${allowed.origin}/article-forged`;
    const response = page.waitForResponse((r) => new URL(r.url()).pathname === '/embed/thread');
    await page.goto(`${stranger.origin}/forged?claim=${encodeURIComponent(claim)}`);
    // The server did answer with the thread, but only for the allowed origin to frame…
    const answered = await response;
    expect(answered.status()).toBe(200);
    expect(answered.headers()['content-security-policy']).toContain(
      `frame-ancestors ${allowed.origin}`,
    );
    expect(answered.headers()['x-frame-options']).toBeUndefined();
    // …so Chromium shows none of it inside the stranger's page.
    await expect
      .poll(() => problems.cspViolations.some((text) => /frame-ancestors/.test(text)))
      .toBe(true);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const shown = await frame
      ?.evaluate(() => document.body?.innerText ?? '')
      .catch(() => '(not readable)');
    expect(shown ?? '').not.toContain('Comment text number');
  });
});

describe('the thread of a page (HTTP)', () => {
  const frameFor = (pageUrl: string, title = 'Forged title') =>
    fetch(`${server.url}/embed/thread?${new URLSearchParams({ url: pageUrl, title }).toString()}`);
  const threadsUnder = (prefix: string) =>
    ctx.db
      .selectFrom('threads')
      .select(['id', 'url', 'title'])
      .where('url', 'like', `${prefix}%`)
      .orderBy('url')
      .execute();

  it('opens one thread per page, whatever query the address carries, titled after its address', async () => {
    const page = `${allowed.origin}/article-query`;
    for (const query of ['', '?utm=1', '?utm=2', '?fbclid=IwAR0abc', '?utm_source=x&a=b']) {
      const response = await frameFor(page + query);
      expect(response.status, query).toBe(200);
      expect(await response.text()).not.toContain('Forged title');
    }
    expect(await threadsUnder(page)).toEqual([
      { id: expect.any(String), url: page, title: `${new URL(allowed.origin).host}/article-query` },
    ]);
  });

  it('keeps the title of a thread that has one', async () => {
    const thread = await threadWithComments('/article-titled', 1);
    const response = await frameFor(`${allowed.origin}/article-titled?utm=1`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>An essay on the host');
    expect(await threadsUnder(`${allowed.origin}/article-titled`)).toEqual([
      { id: thread.id, url: `${allowed.origin}/article-titled`, title: 'An essay on the host' },
    ]);
  });

  it('tells pages apart by their query where the site keeps it (`embedKeepQuery`), tracking aside', async () => {
    const accounts = accountsContext(server.runtime);
    await updateSiteSettings(accounts, server.siteId, () => ({ embedKeepQuery: true }));
    try {
      const page = `${allowed.origin}/blog`;
      for (const query of ['?p=1', '?p=2', '?p=1&utm_source=x', '?fbclid=1&p=2'])
        expect((await frameFor(page + query)).status, query).toBe(200);
      const host = new URL(allowed.origin).host;
      expect(await threadsUnder(page)).toEqual([
        { id: expect.any(String), url: `${page}?p=1`, title: `${host}/blog?p=1` },
        { id: expect.any(String), url: `${page}?p=2`, title: `${host}/blog?p=2` },
      ]);
      const found = await findEmbeddedThread(
        { discussion: ctx, accounts },
        { siteId: server.siteId, pageUrl: `${page}?utm_medium=mail&p=2` },
      );
      expect(found.url).toBe(`${page}?p=2`);
    } finally {
      await updateSiteSettings(accounts, server.siteId, () => ({ embedKeepQuery: false }));
    }
  });

  it('is found by the same rule as it is opened, and a look-up opens none', async () => {
    const accounts = accountsContext(server.runtime);
    const page = `${allowed.origin}/article-lookup`;
    await expect(
      findEmbeddedThread({ discussion: ctx, accounts }, { siteId: server.siteId, pageUrl: page }),
    ).rejects.toMatchObject({ code: 'thread-not-found' });
    expect(await threadsUnder(page)).toEqual([]);
    await frameFor(page);
    const found = await findEmbeddedThread(
      { discussion: ctx, accounts },
      { siteId: server.siteId, pageUrl: `${page}?utm_source=x#comments` },
    );
    expect(found.url).toBe(page);
    await expect(
      findEmbeddedThread(
        { discussion: ctx, accounts },
        { siteId: server.siteId, pageUrl: 'javascript:alert(1)' },
      ),
    ).rejects.toMatchObject({ code: 'invalid-page-url' });
  });
});

describe('the frame’s comment form against forgery (HTTP)', () => {
  let thread: Thread;
  beforeAll(async () => {
    thread = await threadWithComments('/article-http', 1);
  });

  const post = (headers: Record<string, string>, fields: Record<string, string>) =>
    fetch(`${server.url}/embed/threads/${thread.id}/comments`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
        ...headers,
      },
      body: new URLSearchParams({ name: 'Mallory', body: 'Forged.', ...fields }).toString(),
    });
  const goodToken = () => issueEmbedFormToken(TEST_SECRET, thread.id, new Date());

  it('refuses a post from another origin, or one that says nowhere where it comes from', async () => {
    const crossSite = await post(
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { _csrf: goodToken() },
    );
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).toContain('This form can be sent only from the page it is on');
    const anonymous = await post({}, { _csrf: goodToken() });
    expect(anonymous.status).toBe(403);
    const sameSiteOtherOrigin = await post(
      { origin: allowed.origin, 'sec-fetch-site': 'same-site' },
      { _csrf: goodToken() },
    );
    expect(sameSiteOtherOrigin.status).toBe(403);
  });

  it('refuses a same-origin post whose token was not made for this thread, keeping the text', async () => {
    const response = await post(
      { origin: server.url, 'sec-fetch-site': 'same-origin' },
      { _csrf: issueEmbedFormToken(TEST_SECRET, 'another-thread', new Date()) },
    );
    expect(response.status).toBe(403);
    const html = await response.text();
    expect(html).toContain('This form was not made for this discussion.');
    expect(html).toContain('Forged.</textarea>');
    expect(response.headers.get('content-security-policy')).toContain(
      `frame-ancestors ${allowed.origin}`,
    );
  });

  it('accepts a same-origin post with its token, and sends the frame to the new comment', async () => {
    const response = await post(
      { origin: server.url, 'sec-fetch-site': 'same-origin' },
      { _csrf: goodToken(), name: 'Direct', body: 'Straight from a same-origin form.' },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(
      new RegExp(`^/embed/threads/${thread.id}#comment-[\\w-]+$`),
    );
  });
});

describe('embed.js', () => {
  const built = () => {
    const entry = readManifest()?.['src/web/client/embed.ts'];
    if (!entry) throw new Error('embed.js is not built: run `npm run build`');
    return readFileSync(path.join(publicDir(), entry.file));
  };

  it('stays within its budget of 4 KB gzipped', () => {
    const size = gzipSync(built(), { level: 9 }).length;
    console.info(`embed.js: ${built().length} bytes, ${size} bytes gzipped`);
    expect(size).toBeLessThanOrEqual(4096);
  });

  it('is a classic script wrapped in a function, importing and exporting nothing', () => {
    const code = built().toString('utf8');
    expect(() => new Script(code, { filename: 'embed.js' })).not.toThrow();
    expect(code.startsWith('(function(){')).toBe(true);
    expect(code.trimEnd().endsWith('})();')).toBe(true);
    expect(code).not.toMatch(/\bimport\s*[({'"*]|\bexport\s*[{*]|https?:\/\//);
  });

  it('is served to other origins with a short cache and a validator', async () => {
    const response = await fetch(`${server.url}/embed.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(built());
    const etag = response.headers.get('etag') ?? '';
    const again = await fetch(`${server.url}/embed.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });
});

describe('the allow-list admin page', () => {
  it('lets an owner allow and remove an origin, and says what is wrong with a bad one', async () => {
    await signInThroughForm(page, server.url, OWNER.email, OWNER.password);
    await page.goto(`${server.url}/admin/embed`);
    await expect(
      page
        .getByRole('navigation', { name: 'Admin' })
        .getByRole('link', { name: 'Embedding' })
        .getAttribute('aria-current'),
    ).resolves.toBe('page');
    await expect(
      page.getByRole('heading', { level: 1, name: 'Embedding' }).isVisible(),
    ).resolves.toBe(true);
    await expect(page.locator('.origin-list code').allTextContents()).resolves.toEqual([
      allowed.origin,
    ]);
    await expect(page.locator('#embed-snippet').textContent()).resolves.toContain(
      'data-broadside async></script>',
    );

    await page.getByLabel('Origin').fill('https://blog.example.org/some/page');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Allow' }).click(),
    ]);
    expect(refused.status()).toBe(422);
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(
      /is not an origin\. Give the scheme and host/,
    );

    await page.getByLabel('Origin').fill('HTTPS://Blog.Example.org:443/');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.searchParams.has('added'));
    await expect(page.getByRole('status').textContent()).resolves.toBe(
      'Pages on https://blog.example.org may now embed discussions.',
    );
    await expect(page.locator('.origin-list code').allTextContents()).resolves.toEqual([
      allowed.origin,
      'https://blog.example.org',
    ]);

    await page.getByRole('button', { name: 'Remove https://blog.example.org' }).click();
    await page.waitForURL((url) => url.searchParams.has('removed'));
    expect(await listEmbedOrigins(accountsContext(server.runtime), server.siteId)).toEqual([
      allowed.origin,
    ]);
    // 422 is the refused form above, which Chromium reports on the console.
    expect(problems.consoleErrors.every((text) => /status of 422/.test(text))).toBe(true);
    expect([...problems.pageErrors, ...problems.failedRequests, ...problems.cspViolations]).toEqual(
      [],
    );
  });

  it('is for owners only', async () => {
    const editor = { email: 'editor@example.org', password: 'another good password' };
    await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      role: 'editor',
      ...editor,
    });
    await signInThroughForm(page, server.url, editor.email, editor.password);
    const response = await page.goto(`${server.url}/admin/embed`);
    expect(response?.status()).toBe(403);
    await expect(
      page
        .getByRole('navigation', { name: 'Admin' })
        .getByRole('link', { name: 'Embedding' })
        .count(),
    ).resolves.toBe(0);
  });
});
