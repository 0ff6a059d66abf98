// The statement page in real Chromium: replying through the <details> form and posting with
// JavaScript off, no console errors or CSP violations, and no serious or critical accessibility
// violations (axe) in the light and the dark colour scheme.
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementsContext } from '../../src/runtime.js';
import * as discussion from '../../src/discussion/service.js';
import * as statements from '../../src/statements/service.js';
import { launchChromium, watchPage } from '../helpers/chromium.js';
import type { TestServer } from '../helpers/runtime.js';
import { startTestServer } from '../helpers/runtime.js';
import { buildStatement } from './factories.js';

let browser: Browser;
let server: TestServer;
let path: string;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startTestServer()]);
  const ctx = statementsContext(server.runtime);
  const { statement, thread } = await statements.publishStatement(
    ctx,
    buildStatement(server.siteId, { title: 'Statement on the Paris attacks' }),
  );
  path = `/s/${statement.slug}`;
  const post = (body: string, name: string, parentId?: string, url?: string) =>
    discussion.postComment(ctx.discussion, {
      threadId: thread.id,
      parentId,
      author: { name, url },
      body,
      origin: name === 'Jim Denham' ? 'import' : 'local',
    });
  const one = await post(
    '> The attacks were an assault on everything we value.\n— Ian McEwan, 14 November 2015\n\nWorth reading.',
    'Jim Denham',
    undefined,
    'https://jim.example',
  );
  const reply = await post(
    'I disagree, and here is a [link](https://example.org).',
    'Bob',
    one.comment.id,
  );
  await post('So do I.', 'Cy', reply.comment.id);
  const removed = await post('Regrettable', 'Dan');
  await post('Still here', 'Eve', removed.comment.id);
  await discussion.deleteComment(ctx.discussion, {
    commentId: removed.comment.id,
    editor: { isModerator: true },
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.each(['light', 'dark'] as const)('the statement page (%s scheme)', (colorScheme) => {
  it('has no serious or critical accessibility violations and no page problems', async () => {
    // axe runs as a script in the page, so this one has JavaScript on.
    const context = await browser.newContext({ colorScheme });
    try {
      const page = await context.newPage();
      const problems = watchPage(page, server.url);
      const response = await page.goto(`${server.url}${path}`);
      expect(response?.status()).toBe(200);
      // Open one reply form too, so its fields are scanned.
      await page.locator('.reply-box summary').first().click();
      const results = await new AxeBuilder({ page }).analyze();
      const blocking = results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .flatMap((v) => v.nodes.map((n) => `${v.id}: ${v.help} at ${n.target.join(' ')}`));
      expect(blocking).toEqual([]);
      expect(problems.all()).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('posting without JavaScript', () => {
  it('replies through the reply form and posts a new comment, landing on each', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      const problems = watchPage(page, server.url);
      await page.goto(`${server.url}${path}`);
      await expect(page.getByRole('heading', { name: '4 comments' }).isVisible()).resolves.toBe(
        true,
      );

      // Reply to the first comment: open its <details>, fill, post.
      const first = page.locator('.comment-list > li').first();
      await first.locator('summary').first().click();
      const form = first.locator('form').first();
      await form.getByLabel('Name').fill('Robert Greenwood');
      await form.getByLabel('Your reply').fill('A reply from a browser with no JavaScript.');
      await form.getByRole('button', { name: 'Post reply' }).click();
      await page.waitForURL(/#comment-/);
      const replyId = new URL(page.url()).hash.slice(1);
      const reply = page.locator(`[id="${replyId}"]`);
      await expect(reply.textContent()).resolves.toContain('A reply from a browser');
      // It sits inside the first comment's item, among its replies.
      await expect(first.locator(`[id="${replyId}"]`).count()).resolves.toBe(1);

      // A new comment, with a mistake first: the form comes back with the reason and the text.
      const newForm = page.locator('#comment-form form');
      await newForm.getByLabel('Your comment').fill('My first comment.');
      await newForm.getByLabel('Name').fill('Ann');
      await newForm.getByLabel('E-mail').fill('not-an-address@');
      // The browser's own check would stop this; the server's is what is being tested.
      await newForm.evaluate((f) => f.setAttribute('novalidate', ''));
      await newForm.getByRole('button', { name: 'Post comment' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toContain(
        'is not a valid e-mail address',
      );
      await expect(page.locator('#comment-form textarea').inputValue()).resolves.toBe(
        'My first comment.',
      );
      await page.locator('#comment-form').getByLabel('E-mail').fill('ann@example.org');
      await page.locator('#comment-form').getByRole('button', { name: 'Post comment' }).click();
      await page.waitForURL(/#comment-/);
      await expect(page.locator(new URL(page.url()).hash).textContent()).resolves.toContain(
        'My first comment.',
      );
      await expect(
        page.locator(`${new URL(page.url()).hash} .comment-number`).textContent(),
      ).resolves.toBe('3.');
      expect(problems.all().filter((p) => !p.includes('status of 422'))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
