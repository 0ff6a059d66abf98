// The discussion of a statement page in real Chromium, as a person uses it. With JavaScript off:
// posting, replying, editing within the window and after it (refused), deleting (the tree kept)
// and posting to a closed thread (refused), all through plain forms. With JavaScript on: posting
// and replying in place without leaving the page, a second browser seeing new, edited and removed
// comments live, no console errors or CSP violations, and no serious accessibility violations
// with the edit and delete controls showing.
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as accounts from '../../src/accounts/service.js';
import { accountsContext, statementsContext } from '../../src/runtime.js';
import * as statements from '../../src/statements/service.js';
import { launchChromium, signInThroughForm, watchPage } from '../helpers/chromium.js';
import type { PageProblems } from '../helpers/chromium.js';
import type { TestServer } from '../helpers/runtime.js';
import { addMemberWithPassword, startTestServer } from '../helpers/runtime.js';
import { buildStatement } from '../statements/factories.js';

/** The edit window of the second server, in seconds: short enough to wait out in a test. */
const SHORT_WINDOW = 4;

let browser: Browser;
let server: TestServer;
let shortWindow: TestServer;
let moderator: string;

beforeAll(async () => {
  [browser, server, shortWindow] = await Promise.all([
    launchChromium(),
    startTestServer(),
    startTestServer({ siteSettings: { discussion: { editWindowSeconds: SHORT_WINDOW } } }),
  ]);
  const { member } = await addMemberWithPassword(server.runtime, {
    siteId: server.siteId,
    email: 'mo@example.org',
    role: 'moderator',
  });
  const { token } = await accounts.createApiToken(accountsContext(server.runtime), {
    accountId: member.id,
    name: 'closing threads',
  });
  moderator = `Bearer ${token}`;
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([server?.close(), shortWindow?.close()]);
});

/** A new published statement on `on`, with no comments yet: its page's address. */
async function newStatement(on: TestServer = server): Promise<{ url: string; threadId: string }> {
  const { statement, thread } = await statements.publishStatement(
    statementsContext(on.runtime),
    buildStatement(on.siteId),
  );
  return { url: `${on.url}/s/${statement.slug}`, threadId: thread.id };
}

async function withPage(
  options: { javaScriptEnabled: boolean; colorScheme?: 'light' | 'dark' },
  test: (page: Page, problems: PageProblems, context: BrowserContext) => Promise<void>,
): Promise<void> {
  const context = await browser.newContext(options);
  try {
    const page = await context.newPage();
    await test(page, watchPage(page, server.url), context);
  } finally {
    await context.close();
  }
}

const item = (page: Page, id: string) => page.locator(`[id="comment-${id}"]`);
const card = (page: Page, id: string) => page.locator(`[id="comment-${id}"] > .comment-card`);
const idInUrl = (page: Page) => /#comment-(.+)$/.exec(page.url())?.[1] ?? '';

/** Posts the page's new-comment form as an anonymous visitor and waits to land on the comment. */
async function postWithoutScript(page: Page, name: string, text: string): Promise<string> {
  const form = page.locator('#comment-form form');
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Your comment').fill(text);
  await form.getByRole('button', { name: 'Post comment' }).click();
  await page.waitForURL(/#comment-/);
  return idInUrl(page);
}

describe('with JavaScript off', () => {
  it('posts, replies, edits within the window and deletes, keeping the reply in place', async () => {
    const { url } = await newStatement();
    await withPage({ javaScriptEnabled: false }, async (page, problems) => {
      await page.goto(url);
      const id = await postWithoutScript(page, 'Ann', 'teh first comment');
      await expect(card(page, id).locator('.comment-body').textContent()).resolves.toContain(
        'teh first comment',
      );

      // Reply to it.
      await card(page, id).locator('.reply-box summary').click();
      const replyForm = card(page, id).locator('.reply-box form');
      await replyForm.getByLabel('Name').fill('Bob');
      await replyForm.getByLabel('Your reply').fill('A reply to stay in place.');
      await replyForm.getByRole('button', { name: 'Post reply' }).click();
      await page.waitForURL((address) => address.hash !== `#comment-${id}` && address.hash !== '');
      const replyId = idInUrl(page);
      await expect(item(page, id).locator(`[id="comment-${replyId}"]`).count()).resolves.toBe(1);

      // Edit it: the control is there for its poster only, prefilled with the Markdown.
      await card(page, id).locator('.edit-box summary').click();
      const editForm = card(page, id).locator('.edit-box form');
      await expect(editForm.getByLabel('Edited text').inputValue()).resolves.toBe(
        'teh first comment',
      );
      await editForm.getByLabel('Edited text').fill('The *first* comment, corrected.');
      await editForm.getByRole('button', { name: 'Save changes' }).click();
      await page.waitForURL((address) => address.hash === `#comment-${id}`);
      await page.waitForLoadState();
      await expect(card(page, id).locator('.comment-body').innerHTML()).resolves.toContain(
        'The <em>first</em> comment, corrected.',
      );
      await expect(card(page, id).locator('.comment-edited').isVisible()).resolves.toBe(true);

      // Delete it, confirming in the second step; the reply stays under "comment removed".
      await card(page, id).locator('.remove-box summary').click();
      const removeForm = card(page, id).locator('.remove-box form');
      await expect(removeForm.textContent()).resolves.toContain('replies to it stay');
      await removeForm.getByRole('button', { name: 'Yes, delete it' }).click();
      await page.waitForURL((address) => address.hash === `#comment-${id}`);
      await page.waitForLoadState();
      await expect(card(page, id).textContent()).resolves.toContain('comment removed');
      await expect(card(page, id).textContent()).resolves.not.toContain('corrected');
      await expect(card(page, id).locator('form').count()).resolves.toBe(0);
      await expect(
        item(page, id).locator(`[id="comment-${replyId}"] .comment-body`).textContent(),
      ).resolves.toContain('A reply to stay in place.');
      await expect(page.getByRole('heading', { name: '1 comment' }).isVisible()).resolves.toBe(
        true,
      );
      // Someone else never had the controls.
      const stranger = await page.context().browser()?.newContext({ javaScriptEnabled: false });
      const theirs = await stranger?.newPage();
      await theirs?.goto(url);
      await expect(theirs?.locator('.edit-box, .remove-box').count()).resolves.toBe(0);
      await stranger?.close();
      expect(problems.all()).toEqual([]);
    });
  });

  it('refuses an edit sent after the window closed, saying why and keeping the text', async () => {
    const { url } = await newStatement(shortWindow);
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      const problems = watchPage(page, shortWindow.url);
      await page.goto(url);
      const posted = Date.now();
      const id = await postWithoutScript(page, 'Ann', 'Written in haste');
      // Within the window the page offers the edit; the person starts editing…
      await card(page, id).locator('.edit-box summary').click();
      const editForm = card(page, id).locator('.edit-box form');
      await editForm.getByLabel('Edited text').fill('Written at leisure');
      // …and sends it only after the window has closed.
      await page.waitForTimeout(Math.max(0, posted + SHORT_WINDOW * 1000 + 500 - Date.now()));
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        editForm.getByRole('button', { name: 'Save changes' }).click(),
      ]);
      expect(response.status()).toBe(403);
      await page.waitForLoadState();
      await expect(card(page, id).getByRole('alert').textContent()).resolves.toBe(
        `Comments can be edited for ${SHORT_WINDOW} seconds after posting; this one no longer can.`,
      );
      await expect(card(page, id).getByLabel('Edited text').inputValue()).resolves.toBe(
        'Written at leisure',
      );
      await expect(card(page, id).locator('.comment-body').textContent()).resolves.toContain(
        'Written in haste',
      );
      // The page no longer offers the edit; deleting is still possible for a while.
      await page.goto(url);
      await expect(card(page, id).locator('.edit-box').count()).resolves.toBe(0);
      await expect(card(page, id).locator('.remove-box').count()).resolves.toBe(1);
      // Chromium logs the 403 document; nothing else may go wrong.
      expect(problems.all().filter((p) => !p.includes('status of 403'))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('refuses a post to a thread closed meanwhile, with the message, and then shows no forms', async () => {
    const { url, threadId } = await newStatement();
    await withPage({ javaScriptEnabled: false }, async (page, problems) => {
      await page.goto(url);
      const form = page.locator('#comment-form form');
      await form.getByLabel('Name').fill('Ann');
      await form.getByLabel('Your comment').fill('Just in time?');
      const closed = await fetch(`${server.url}/api/v1/threads/${threadId}/close`, {
        method: 'POST',
        headers: { authorization: moderator },
      });
      expect(closed.status).toBe(200);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        form.getByRole('button', { name: 'Post comment' }).click(),
      ]);
      expect(response.status()).toBe(409);
      await page.waitForLoadState();
      await expect(page.locator('#comment-form').getByRole('alert').textContent()).resolves.toBe(
        'This discussion is closed to new comments.',
      );
      await expect(page.locator('#comment-form textarea').inputValue()).resolves.toBe(
        'Just in time?',
      );
      await page.goto(url);
      await expect(page.locator('#comment-form').textContent()).resolves.toBe(
        'Comments are closed.',
      );
      await expect(page.locator('#comments form').count()).resolves.toBe(0);
      expect(problems.all().filter((p) => !p.includes('status of 409'))).toEqual([]);
    });
  });
});

describe('with JavaScript on', () => {
  /** Opens the page and waits until its island listens for live updates. */
  async function openLive(page: Page, url: string): Promise<void> {
    const listening = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/events'));
    await page.goto(url);
    await listening;
    await page.locator('#comments [aria-live="polite"]').waitFor({ state: 'attached' });
    // Survives only as long as the document does: a reload would lose it.
    await page.evaluate(() => {
      document.documentElement.dataset.sameDocument = 'yes';
    });
  }

  const sameDocument = (page: Page) =>
    page.evaluate(() => document.documentElement.dataset.sameDocument);

  /** The id of the single comment in `scope` whose body contains `text`. */
  async function idOf(scope: Locator, text: string): Promise<string> {
    const found = scope.locator('li.comment', {
      has: scope.page().locator(':scope > .comment-card > .comment-body', { hasText: text }),
    });
    await found.waitFor({ timeout: 5_000 });
    return ((await found.getAttribute('id')) ?? '').replace(/^comment-/, '');
  }

  it('posts a comment and a reply in place, and shows a refusal next to the form', async () => {
    const { url } = await newStatement();
    await withPage({ javaScriptEnabled: true }, async (page, problems) => {
      await openLive(page, url);
      const form = page.locator('#comment-form form');
      await form.getByLabel('Name').fill('Ann');
      await form.getByLabel('Your comment').fill('Posted *in place*.');
      await form.getByRole('button', { name: 'Post comment' }).click();
      const id = await idOf(page.locator('#comments'), 'Posted in place.');
      await expect(card(page, id).locator('.comment-body').innerHTML()).resolves.toContain(
        'Posted <em>in place</em>.',
      );
      expect(page.url()).toBe(url);
      await expect(sameDocument(page)).resolves.toBe('yes');
      // The form is ready for the next comment, keeping who wrote it; focus is on the comment.
      await expect(form.getByLabel('Your comment').inputValue()).resolves.toBe('');
      await expect(form.getByLabel('Name').inputValue()).resolves.toBe('Ann');
      await expect(
        page.evaluate(() => document.activeElement?.closest('li.comment')?.id),
      ).resolves.toBe(`comment-${id}`);
      await expect
        .poll(() => page.locator('#comments [aria-live="polite"]').textContent())
        .toBe('Your comment has been posted.');
      await page.getByRole('heading', { name: '1 comment' }).waitFor();
      // Its poster gets the edit and delete controls at once, as after a form post.
      await card(page, id).locator('.edit-box summary').waitFor();
      await card(page, id).locator('.remove-box summary').waitFor();

      // A reply, in place, under it.
      await card(page, id).locator('.reply-box summary').click();
      const replyForm = card(page, id).locator('.reply-box form');
      await replyForm.getByLabel('Name').fill('Bob');
      await replyForm.getByLabel('Your reply').fill('A reply, also in place.');
      await replyForm.getByRole('button', { name: 'Post reply' }).click();
      const replyId = await idOf(item(page, id).locator('ol.replies'), 'A reply, also in place.');
      expect(replyId).not.toBe('');
      await expect(card(page, id).locator('.reply-box').getAttribute('open')).resolves.toBeNull();
      await page.getByRole('heading', { name: '2 comments' }).waitFor();
      expect(page.url()).toBe(url);
      await expect(sameDocument(page)).resolves.toBe('yes');

      // A refused reply: the server's message next to its form, the text kept.
      await card(page, replyId).locator('.reply-box summary').click();
      const second = card(page, replyId).locator('.reply-box form');
      await second.evaluate((f) => f.setAttribute('novalidate', ''));
      await second.getByLabel('Your reply').fill('Nameless');
      await second.getByRole('button', { name: 'Post reply' }).click();
      const alert = card(page, replyId).locator('.reply-box').getByRole('alert');
      await alert.waitFor();
      await expect(alert.textContent()).resolves.toBe('Give a name to comment under.');
      await expect(second.getByLabel('Your reply').inputValue()).resolves.toBe('Nameless');
      await expect(page.locator('li.comment').count()).resolves.toBe(2);
      expect(page.url()).toBe(url);
      // The refusal is the one 4xx answer, which Chromium also logs; nothing else went wrong.
      expect(problems.all().filter((p) => !/status of 422|HTTP 422/.test(p))).toEqual([]);
      expect(problems.failedRequests).toEqual([
        expect.stringMatching(/^POST .+\/comments: HTTP 422$/),
      ]);
    });
  });

  it('shows another browser’s new, edited and removed comments live, without reload', async () => {
    const { url } = await newStatement();
    const [writer, reader] = await Promise.all([browser.newContext(), browser.newContext()]);
    try {
      const [writing, reading] = await Promise.all([writer.newPage(), reader.newPage()]);
      const writerProblems = watchPage(writing, server.url);
      const readerProblems = watchPage(reading, server.url);
      await Promise.all([openLive(writing, url), openLive(reading, url)]);

      const form = writing.locator('#comment-form form');
      await form.getByLabel('Name').fill('Wren');
      await form.getByLabel('Your comment').fill('Hello from the other browser.');
      await form.getByRole('button', { name: 'Post comment' }).click();
      const id = await idOf(writing.locator('#comments'), 'Hello from the other browser.');

      // The reader sees it arrive within a few seconds, in the same document.
      await item(reading, id).waitFor({ timeout: 5_000 });
      await expect(card(reading, id).locator('.comment-body').textContent()).resolves.toContain(
        'Hello from the other browser.',
      );
      await reading.getByRole('heading', { name: '1 comment' }).waitFor({ timeout: 5_000 });
      expect(reading.url()).toBe(url);
      await expect(sameDocument(reading)).resolves.toBe('yes');
      // Nobody else's controls: only a reply box.
      await expect(card(reading, id).locator('.edit-box, .remove-box').count()).resolves.toBe(0);
      // The writer's own comment was not added twice (once posted, once from the stream).
      await writing.waitForTimeout(500);
      await expect(item(writing, id).count()).resolves.toBe(1);

      // The writer edits it (through the form, a page load of their own)…
      await card(writing, id).locator('.edit-box summary').click();
      await card(writing, id).getByLabel('Edited text').fill('Hello, edited.');
      await card(writing, id).getByRole('button', { name: 'Save changes' }).click();
      await writing.waitForURL(/#comment-/);
      // …and the reader sees the new text in place.
      await card(reading, id)
        .locator('.comment-body', { hasText: 'Hello, edited.' })
        .waitFor({ timeout: 5_000 });
      await expect(card(reading, id).locator('.comment-edited').count()).resolves.toBe(1);

      // Removed: the reader sees the placeholder.
      await writing.waitForLoadState();
      await card(writing, id).locator('.remove-box summary').click();
      await card(writing, id).getByRole('button', { name: 'Yes, delete it' }).click();
      await card(reading, id)
        .locator('.comment-body-removed', { hasText: 'comment removed' })
        .waitFor({ timeout: 5_000 });
      await reading.getByRole('heading', { name: '0 comments' }).waitFor({ timeout: 5_000 });
      expect(reading.url()).toBe(url);
      await expect(sameDocument(reading)).resolves.toBe('yes');
      expect(writerProblems.all()).toEqual([]);
      expect(readerProblems.all()).toEqual([]);
    } finally {
      await Promise.all([writer.close(), reader.close()]);
    }
  });

  it('posts in place for a signed-in member too, with the form’s CSRF token in the header', async () => {
    const { url } = await newStatement();
    const member = { email: 'edith@example.org', password: 'correct horse battery staple' };
    await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      role: 'author',
      name: 'Edith Member',
      ...member,
    });
    await withPage({ javaScriptEnabled: true }, async (page, problems) => {
      await signInThroughForm(page, server.url, member.email, member.password);
      await openLive(page, url);
      const [request] = await Promise.all([
        page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/api/v1/')),
        (async () => {
          await page.locator('#comment-form').getByLabel('Your comment').fill('As a member.');
          await page.locator('#comment-form').getByRole('button', { name: 'Post comment' }).click();
        })(),
      ]);
      expect(request.headers()['x-csrf-token']).toBe(
        await page.locator('#comment-form input[name="_csrf"]').inputValue(),
      );
      const id = await idOf(page.locator('#comments'), 'As a member.');
      await expect(card(page, id).locator('.comment-author').textContent()).resolves.toBe(
        'Edith Member',
      );
      await card(page, id).locator('.edit-box summary').waitFor();
      expect(page.url()).toBe(url);
      expect(problems.all()).toEqual([]);
    });
  });

  it('catches up with what it missed while not listening (resync), without reload', async () => {
    const { url, threadId } = await newStatement();
    await withPage({ javaScriptEnabled: true }, async (page, problems) => {
      // Hold the live stream back until a comment has been posted behind this page's back.
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      await page.route(
        (address) => address.pathname.endsWith('/events'),
        async (route) => {
          await held;
          await route.continue();
        },
      );
      await page.goto(url);
      await page.locator('#comments [aria-live="polite"]').waitFor({ state: 'attached' });
      await page.evaluate(() => {
        document.documentElement.dataset.sameDocument = 'yes';
      });
      const posted = await fetch(`${server.url}/api/v1/threads/${threadId}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ authorName: 'Missed', body: 'Posted while you were away.' }),
      });
      const { comment } = (await posted.json()) as { comment: { id: string } };
      release();
      await item(page, comment.id).waitFor({ timeout: 5_000 });
      await page.getByRole('heading', { name: '1 comment' }).waitFor();
      await expect(sameDocument(page)).resolves.toBe('yes');
      expect(problems.all()).toEqual([]);
    });
  });
});

describe.each(['light', 'dark'] as const)('with edit and delete controls (%s scheme)', (scheme) => {
  it('has no serious or critical accessibility violations', async () => {
    const { url } = await newStatement();
    await withPage({ javaScriptEnabled: true, colorScheme: scheme }, async (page, problems) => {
      await page.goto(url);
      const form = page.locator('#comment-form form');
      await form.getByLabel('Name').fill('Ann');
      await form.getByLabel('Your comment').fill('Mine, with its controls.');
      await form.getByRole('button', { name: 'Post comment' }).click();
      const id = (
        (await page.locator('li.comment').first().getAttribute('id', { timeout: 5_000 })) ?? ''
      ).replace(/^comment-/, '');
      await page.goto(url); // as served, with the poster's controls
      await card(page, id).locator('.edit-box summary').click();
      await card(page, id).locator('.remove-box summary').click();
      await card(page, id).locator('.reply-box summary').click();
      const results = await new AxeBuilder({ page }).analyze();
      const blocking = results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .flatMap((v) => v.nodes.map((n) => `${v.id}: ${v.help} at ${n.target.join(' ')}`));
      expect(blocking).toEqual([]);
      expect(problems.all()).toEqual([]);
    });
  });
});
