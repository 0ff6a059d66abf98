// Moderation in real Chromium, with the real rules. A moderator clears a queue of 20 held
// comments with the keyboard alone (j/k to move, a/r/s to act, x to select, ? for help), bans an
// author whose next comment is then refused, and finds all of it in the audit log; a reader
// reports a comment through its page; and the queue, audit log, rules, bans and report pages have
// no serious or critical accessibility violations in either colour scheme.
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementsContext } from '../../src/runtime.js';
import * as discussion from '../../src/discussion/service.js';
import { BANNED_MESSAGE } from '../../src/moderation/model.js';
import * as statements from '../../src/statements/service.js';
import type { PageProblems } from '../helpers/chromium.js';
import { launchChromium, signInThroughForm, watchPage } from '../helpers/chromium.js';
import type { TestServer } from '../helpers/runtime.js';
import { addMemberWithPassword, startTestServer } from '../helpers/runtime.js';
import { buildStatement } from '../statements/factories.js';

const MODERATOR = { email: 'mo@example.org', password: 'correct horse battery staple' };
const HELD_BODY = 'Who cares about free speech, they only got a couple of Yids.';

let browser: Browser;
let server: TestServer;
let people = 0;

beforeAll(async () => {
  [browser, server] = await Promise.all([
    launchChromium(),
    startTestServer({ moderation: 'real' }),
  ]);
  await addMemberWithPassword(server.runtime, {
    siteId: server.siteId,
    role: 'moderator',
    name: 'Mo Derator',
    ...MODERATOR,
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function newStatement(): Promise<{ url: string; threadId: string }> {
  const { statement, thread } = await statements.publishStatement(
    statementsContext(server.runtime),
    buildStatement(server.siteId),
  );
  return { url: `${server.url}/s/${statement.slug}`, threadId: thread.id };
}

/** A comment by a new person (their own e-mail and address), judged by the site's rules. */
async function post(threadId: string, body: string, author?: { name: string; email: string }) {
  people += 1;
  const { comment } = await discussion.postComment(statementsContext(server.runtime).discussion, {
    threadId,
    author: author ?? { name: `Reader ${people}`, email: `reader${people}@example.org` },
    body,
    ipHash: `address-of-reader-${people}`,
  });
  return comment;
}

async function withPage(
  options: { javaScriptEnabled?: boolean; colorScheme?: 'light' | 'dark' },
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

const count = (page: Page, tab: string) =>
  page.locator(`.queue-tabs [data-count-of="${tab}"]`).textContent();

/** Presses a key and waits for the queue to announce the outcome. */
async function press(page: Page, key: string, announcement: string | RegExp): Promise<void> {
  await page.keyboard.press(key);
  await page.locator('#queue-status', { hasText: announcement }).waitFor({ timeout: 5_000 });
}

/** "N left in this tab." for exactly N (so that 10 is not taken for 0). */
const left = (n: number) => new RegExp(`(^|\\D)${n} left in this tab\\.$`);

const statusOf = async (id: string) =>
  (await discussion.findComment(statementsContext(server.runtime).discussion, id))?.status;

describe('the moderation queue in a browser', () => {
  it('clears 20 held comments with the keyboard alone, bans an author whose next comment is refused, and logs it all', async () => {
    const { url, threadId } = await newStatement();
    const bob = { name: 'Bad Bob', email: 'bob@example.org' };
    const held = [await post(threadId, HELD_BODY, bob)];
    for (let i = 1; i < 20; i++) held.push(await post(threadId, `${HELD_BODY} (${i})`));
    expect(held.every((comment) => comment.status === 'pending')).toBe(true);
    const [first, second, third] = held.map((comment) => comment.id);

    await withPage({}, async (page, problems) => {
      await signInThroughForm(page, server.url, MODERATOR.email, MODERATOR.password);
      await page.goto(`${server.url}/admin/moderation`);
      // The island is running once its help button shows.
      await page.locator('#shortcuts-toggle').waitFor({ state: 'visible' });
      await expect(page.locator('.mod-item').count()).resolves.toBe(20);
      await expect(count(page, 'pending')).resolves.toBe('20');
      await expect(page.locator(`#item-${first} mark`).first().textContent()).resolves.toBe('Yids');

      // "?" shows the keys and hides them again.
      await page.keyboard.press('?');
      await page.locator('#shortcuts-help').waitFor({ state: 'visible' });
      await expect(page.locator('#shortcuts-help').textContent()).resolves.toContain(
        'approve the current comment',
      );
      await page.keyboard.press('?');
      await page.locator('#shortcuts-help').waitFor({ state: 'hidden' });

      // Ban Bad Bob from his comment (a ban needs words, typed in its form).
      const bobItem = page.locator(`#item-${first}`);
      await bobItem.locator('.ban-box summary').click();
      await bobItem.getByLabel('How long').selectOption('30d');
      await bobItem.getByLabel(/^Reason for moderators/).fill('Slurs, again and again');
      await bobItem.getByRole('button', { name: 'Ban Bad Bob' }).click();
      await page
        .locator('#queue-status', { hasText: 'Banned Bad Bob' })
        .waitFor({ timeout: 5_000 });
      // Still there to decide on, and current.
      await expect(bobItem.getAttribute('aria-current')).resolves.toBe('true');

      // From here on, keys only. x selects and unselects the current comment.
      await press(page, 'x', 'Selected.');
      await expect(bobItem.locator('input[name="ids"]').isChecked()).resolves.toBe(true);
      await press(page, 'x', 'Unselected.');
      await expect(bobItem.locator('input[name="ids"]').isChecked()).resolves.toBe(false);
      // j and k move; the current comment has the focus.
      await page.keyboard.press('j');
      await expect(page.locator(`#item-${second}`).getAttribute('aria-current')).resolves.toBe(
        'true',
      );
      await page.keyboard.press('j');
      await expect(page.locator(`#item-${third}`).getAttribute('aria-current')).resolves.toBe(
        'true',
      );
      await page.keyboard.press('k');
      await page.keyboard.press('k');
      await expect(bobItem.getAttribute('aria-current')).resolves.toBe('true');
      await expect(
        page.evaluate(() => document.activeElement?.closest('.mod-item')?.id),
      ).resolves.toBe(`item-${first}`);

      // r rejects Bob's comment; focus moves on to the next one.
      await press(page, 'r', 'Rejected: the comment by Bad Bob. 19 left in this tab.');
      await expect(
        page.evaluate(() => document.activeElement?.closest('.mod-item')?.id),
      ).resolves.toBe(`item-${second}`);
      await expect(count(page, 'pending')).resolves.toBe('19');
      await expect(count(page, 'rejected')).resolves.toBe('1');

      let remaining = 19;
      for (let i = 0; i < 9; i++) await press(page, 'a', left(--remaining));
      for (let i = 0; i < 5; i++) await press(page, 's', left(--remaining));

      // Typing in a field is typing: "a", "s" and "r" there do nothing.
      const typing = page.locator('.mod-item.is-current input[name="reason"]').first();
      const typedFor = await page.locator('.mod-item.is-current').getAttribute('data-comment-id');
      await typing.focus();
      await page.keyboard.type('Please argue, not insult.');
      await expect(page.locator('.mod-item').count()).resolves.toBe(5);
      await typing.evaluate((field) => (field as HTMLInputElement).blur());
      // r now rejects with those words for the author.
      for (let i = 0; i < 5; i++) await press(page, 'r', left(--remaining));

      // Empty: the empty state says what that means, and has the focus.
      const empty = page.locator('#queue-empty');
      await expect(empty.textContent()).resolves.toContain('Nothing waits for a moderator.');
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('queue-empty');
      await expect(count(page, 'pending')).resolves.toBe('0');
      await expect(count(page, 'rejected')).resolves.toBe('6');
      await expect(count(page, 'spam')).resolves.toBe('5');
      expect(page.url()).toBe(`${server.url}/admin/moderation`);

      // The server agrees: 9 approved, 6 rejected, 5 spam.
      const statuses = await Promise.all(held.map((comment) => statusOf(comment.id)));
      expect(statuses.filter((s) => s === 'approved')).toHaveLength(9);
      expect(statuses.filter((s) => s === 'rejected')).toHaveLength(6);
      expect(statuses.filter((s) => s === 'spam')).toHaveLength(5);
      const withWords = await discussion.findComment(
        statementsContext(server.runtime).discussion,
        typedFor ?? '',
      );
      expect(withWords?.reasons).toEqual([
        { code: 'moderator', message: 'Please argue, not insult.' },
      ]);
      expect(problems.all()).toEqual([]);
    });

    // Bad Bob comes back, politely, through the statement page: refused, without saying why.
    await withPage({}, async (page, problems) => {
      await page.goto(url);
      const form = page.locator('#comment-form form');
      await form.getByLabel('Name').fill(bob.name);
      await form.getByLabel(/^E-mail/).fill(bob.email);
      await form.getByLabel('Your comment').fill('May I ask a polite question?');
      await form.getByRole('button', { name: 'Post comment' }).click();
      const alert = page.locator('#comment-form').getByRole('alert');
      await alert.waitFor({ timeout: 5_000 });
      await expect(alert.textContent()).resolves.toContain(BANNED_MESSAGE);
      await expect(alert.textContent()).resolves.not.toContain('ban');
      // The refusal is a 422, which Chromium logs; nothing else went wrong.
      expect(problems.all().filter((p) => !/status of 422|HTTP 422/.test(p))).toEqual([]);
    });
    const comments = await discussion.listComments(statementsContext(server.runtime).discussion, {
      threadId,
      limit: 100,
      includeHidden: true,
    });
    const refused = comments.find((c) => c.body === 'May I ask a polite question?');
    expect(refused?.status).toBe('rejected');
    expect(refused?.reasons.map((r) => r.code)).toEqual(['banned']);

    // The audit log shows all of it.
    await withPage({}, async (page, problems) => {
      await signInThroughForm(page, server.url, MODERATOR.email, MODERATOR.password);
      await page.goto(`${server.url}/admin/moderation/audit`);
      const actions = await page
        .locator('.audit-table tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action')));
      const tally = (action: string) => actions.filter((a) => a === action).length;
      expect(tally('auto-hold')).toBe(20);
      expect(tally('approve')).toBe(9);
      expect(tally('reject')).toBe(6);
      expect(tally('spam')).toBe(5);
      expect(tally('ban')).toBe(2); // his e-mail address and his network address
      expect(tally('auto-reject')).toBe(1);
      // Newest first: the refused comment, then the moderator's last rejection.
      expect(actions.slice(0, 2)).toEqual(['auto-reject', 'reject']);
      const log = (await page.locator('.audit-table').textContent()) ?? '';
      expect(log).toContain('Slurs, again and again');
      expect(log).toContain('email:bob@example.org');
      expect(log).toContain('Please argue, not insult.');
      expect(log).toContain('Mo Derator');
      expect(log).toContain('pending → approved');
      // Filtering by action, as a form.
      await page.getByLabel('Action').selectOption('ban');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL(/action=ban/);
      await expect(page.locator('.audit-table tbody tr').count()).resolves.toBe(2);
      await expect(
        page.getByRole('link', { name: 'Download CSV' }).getAttribute('href'),
      ).resolves.toBe('/api/v1/moderation/audit.csv?action=ban');
      expect(problems.all()).toEqual([]);
    });
  });

  it('acts on the selected comments in bulk with "select all", in place', async () => {
    const { threadId } = await newStatement();
    for (let i = 0; i < 3; i++) await post(threadId, `${HELD_BODY} [bulk ${i}]`);
    await withPage({}, async (page, problems) => {
      await signInThroughForm(page, server.url, MODERATOR.email, MODERATOR.password);
      await page.goto(`${server.url}/admin/moderation`);
      await page.locator('#shortcuts-toggle').waitFor({ state: 'visible' });
      // With the island, the no-JavaScript "select all" link gives way to a checkbox.
      await page.locator('.select-all-link').waitFor({ state: 'hidden', timeout: 5_000 });
      await page.getByLabel('Select all').check();
      await page.getByRole('button', { name: 'Approve selected' }).click();
      await page
        .locator('#queue-status', { hasText: 'Approved: 3 comments.' })
        .waitFor({ timeout: 5_000 });
      await expect(page.locator('.mod-item').count()).resolves.toBe(0);
      await expect(count(page, 'pending')).resolves.toBe('0');
      expect(problems.all()).toEqual([]);
    });
  });
});

describe('a reader’s report, through the page', () => {
  it('goes from the comment’s Report link to the thank-you page, and into the Reported tab', async () => {
    const { url, threadId } = await newStatement();
    const comment = await post(threadId, 'The Kurds should be armed, and soon.');
    await withPage({ javaScriptEnabled: false }, async (page, problems) => {
      await page.goto(url);
      await page
        .locator(`[id="comment-${comment.id}"]`)
        .getByRole('link', { name: /^Report the comment by/ })
        .click();
      await page.waitForURL(`${server.url}/comments/${comment.id}/report`);
      await page.getByLabel(/^Off-topic/).check();
      await page.getByLabel(/^Note for the moderators/).fill('Not about the statement.');
      await page.getByRole('button', { name: 'Send the report' }).click();
      await page.getByRole('heading', { name: 'Thank you' }).waitFor();
      await page.getByRole('link', { name: 'Back to the discussion' }).click();
      await page.waitForURL(`${url}#comment-${comment.id}`);
      expect(problems.all()).toEqual([]);
    });
    await withPage({}, async (page) => {
      await signInThroughForm(page, server.url, MODERATOR.email, MODERATOR.password);
      await page.goto(`${server.url}/admin/moderation?tab=reported`);
      const item = page.locator(`#item-${comment.id}`);
      await expect(item.locator('.mod-reports').textContent()).resolves.toContain('off-topic 1');
      await expect(item.locator('.mod-reports').textContent()).resolves.toContain(
        'Not about the statement.',
      );
    });
  });
});

describe.each(['light', 'dark'] as const)('accessibility (%s scheme)', (colorScheme) => {
  it('the queue, audit log, rules, bans and report pages have no serious or critical violations', async () => {
    const { threadId } = await newStatement();
    const public_ = await post(threadId, 'A reasonable remark.');
    const held = await post(threadId, HELD_BODY);
    const reply = await discussion.postComment(statementsContext(server.runtime).discussion, {
      threadId,
      parentId: public_.id,
      author: {
        name: 'Replying Rae',
        email: `rae-${colorScheme}@example.org`,
        url: 'https://rae.example',
      },
      body: 'They are yids, the lot of them, see https://a.example and https://b.example and https://c.example',
      ipHash: `address-of-rae-${colorScheme}`,
    });
    expect(reply.comment.status).toBe('pending');
    await withPage({ colorScheme }, async (page, problems) => {
      const scan = async (what: string) => {
        const results = await new AxeBuilder({ page }).analyze();
        const blocking = results.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .flatMap((v) =>
            v.nodes.map((n) => `${what}: ${v.id}: ${v.help} at ${n.target.join(' ')}`),
          );
        expect(blocking).toEqual([]);
      };
      await signInThroughForm(page, server.url, MODERATOR.email, MODERATOR.password);

      await page.goto(`${server.url}/admin/moderation`);
      await page.locator('#shortcuts-toggle').waitFor({ state: 'visible' });
      await page.keyboard.press('?');
      await page.keyboard.press('j');
      await page.locator(`#item-${held.id} .ban-box summary`).click();
      await scan('queue');

      await page.goto(`${server.url}/admin/moderation?tab=spam`);
      await scan('empty queue tab');

      await page.goto(`${server.url}/admin/moderation/audit`);
      await scan('audit log');

      await page.goto(`${server.url}/admin/moderation/rules`);
      await page.locator('textarea[name="suspectTerms"]').fill('fine term\nx');
      await page.getByRole('button', { name: 'Save the rules' }).click();
      await page.locator('#suspectTerms-problems').waitFor();
      await scan('rules with a problem');

      await page.goto(`${server.url}/admin/moderation/bans`);
      await scan('bans');

      await page.goto(`${server.url}/comments/${public_.id}/report`);
      await scan('report form');
      // The refused rules form is the one 4xx, which Chromium logs.
      expect(problems.all().filter((p) => !/status of 422|HTTP 422/.test(p))).toEqual([]);
    });
  });
});
