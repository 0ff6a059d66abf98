// The statement pages in real Chromium, as people use them: an author drafts from a pasted source
// with the live preview, revises and submits; two editors approve on the review page and one
// publishes; the public page says how it was cleared and what it is based on. No console errors
// or CSP violations on the way, and axe finds no serious or critical violation on any statement
// page (the editor, the review page and the public page among them), in the light and the dark
// colour scheme. With JavaScript off, the editor still previews (on the server) and saves.
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../../src/web/format.js';
import { launchChromium, signInThroughForm, watchPage } from '../helpers/chromium.js';
import type { PageProblems } from '../helpers/chromium.js';
import type { TestServer } from '../helpers/runtime.js';
import { addMemberWithPassword, startTestServer } from '../helpers/runtime.js';
import type { SmtpCapture } from '../helpers/smtp.js';
import { startSmtpCapture } from '../helpers/smtp.js';

const PASSWORD = 'correct horse battery staple';
const PEOPLE = {
  author: { email: 'jim@example.org', name: 'Jim Denham', role: 'author' },
  ann: { email: 'ann@example.org', name: 'Ann Editor', role: 'editor' },
  bob: { email: 'bob@example.org', name: 'Bob Editor', role: 'editor' },
} as const;

const SOURCE_TEXT = [
  'To massacre thousands of ordinary office workers is a crime against humanity, full stop.',
  'We, the socialists, cannot bring back the dead. What we can do is analyse the conditions that gave rise to the atrocity.',
].join('\n\n');

let browser: Browser;
let server: TestServer;
/** Mail makes the public page offer its sign form, which the axe scan then covers too. */
let smtp: SmtpCapture;
/** Where the statement's pages are, once the author has created it. */
let statementPath = '';
let publicPath = '';

beforeAll(async () => {
  smtp = await startSmtpCapture();
  [browser, server] = await Promise.all([
    launchChromium(),
    startTestServer({ env: { SMTP_URL: smtp.url } }),
  ]);
  for (const person of Object.values(PEOPLE))
    await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      password: PASSWORD,
      ...person,
    });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await smtp?.close();
});

async function asMember(
  person: keyof typeof PEOPLE,
  options: { javaScriptEnabled?: boolean; colorScheme?: 'light' | 'dark' },
  test: (page: Page, problems: PageProblems, context: BrowserContext) => Promise<void>,
): Promise<void> {
  const context = await browser.newContext(options);
  try {
    const page = await context.newPage();
    const problems = watchPage(page, server.url);
    await signInThroughForm(page, server.url, PEOPLE[person].email, PASSWORD);
    await test(page, problems, context);
  } finally {
    await context.close();
  }
}

/** Serious and critical axe violations, one line per node. */
async function blockingViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')}`),
    );
}

/** Clicks a submit button and waits for the page its form leads to. */
async function submit(page: Page, name: string | RegExp): Promise<void> {
  await Promise.all([
    page.waitForEvent('load'),
    page.getByRole('button', { name }).first().click(),
  ]);
}

describe('the author → editor → public path', () => {
  it('an author drafts from a pasted source with a live preview, revises and submits', async () => {
    await asMember('author', { javaScriptEnabled: true }, async (page, problems) => {
      await page.goto(`${server.url}/admin`);
      await page
        .getByRole('navigation', { name: 'Admin' })
        .getByRole('link', { name: 'Statements' })
        .click();
      await page.getByText('No statements yet').waitFor();
      await page.getByRole('link', { name: 'New statement' }).click();

      await page.locator('input[name="title"]').fill('Statement on the Paris attacks');
      await page.locator('input[name="eventName"]').fill('the Paris attacks');
      await page.locator('input[name="eventDate"]').fill('2015-11-13');
      await page.getByRole('radio', { name: 'A text from elsewhere' }).check();
      await page
        .locator('input[name="sourceTitle"]')
        .fill('Statement on the attacks of 11 September');
      await page.locator('input[name="sourceAuthor"]').fill('Alliance for Workers’ Liberty');
      await page.locator('input[name="sourceDate"]').fill('2001-09-12');
      await page
        .locator('input[name="sourceUrl"]')
        .fill('https://www.workersliberty.org/story/2001');
      await page.locator('textarea[name="sourceText"]').fill(SOURCE_TEXT);
      await submit(page, 'Create the draft');

      await page.getByText('Draft created').waitFor();
      statementPath = new URL(page.url()).pathname;
      await expect(page.locator('.provenance').textContent()).resolves.toContain('100%');
      // With JavaScript, the preview follows the typing and the Preview button is not needed.
      await page.getByRole('button', { name: 'Preview' }).waitFor({ state: 'hidden' });
      const body = page.locator('textarea[name="body"]');
      await body.fill(
        `## Our response\n\n${SOURCE_TEXT.replace('thousands of ordinary office workers', 'ordinary workers enjoying a drink')}`,
      );
      await page.locator('#statement-preview h2', { hasText: 'Our response' }).waitFor();
      await expect(page.locator('#word-count').textContent()).resolves.toMatch(/^\d+ words$/);

      expect(await blockingViolations(page)).toEqual([]);
      await page.locator('input[name="note"]').fill('Paris, not New York');
      await submit(page, 'Save revision');
      await page.getByText('Saved as revision 2').waitFor();
      const share = await page.locator('.provenance').textContent();
      expect(Number(/(\d+)%/.exec(share ?? '')?.[1])).toBeLessThan(100);

      await page.getByRole('link', { name: 'Review' }).click();
      await submit(page, 'Submit for review');
      await page.getByText('Submitted for review').waitFor();
      expect(problems.all()).toEqual([]);
    });
  });

  it('two editors approve on the review page, and one publishes', async () => {
    await asMember('ann', { javaScriptEnabled: true }, async (page, problems) => {
      await page.goto(`${server.url}${statementPath}/review`);
      await page.getByText('2 approvals from editors are missing.').waitFor();
      // Publishing is refused, naming what is missing.
      await submit(page, /^Publish revision/);
      await expect(page.getByRole('alert').textContent()).resolves.toContain(
        'Not published yet. 2 approvals from editors are missing.',
      );
      expect(await blockingViolations(page)).toEqual([]);
      await page.locator('input[name="comment"]').fill('Good.');
      await submit(page, /^Approve revision/);
      await page.getByText('1 approval from an editor is missing.').waitFor();
      // The refused publication answered 409: that line is expected, nothing else.
      expect(problems.all().filter((p) => !p.includes('status of 409'))).toEqual([]);
    });
    await asMember('bob', { javaScriptEnabled: true }, async (page, problems) => {
      await page.goto(`${server.url}${statementPath}/review`);
      await submit(page, /^Approve revision/);
      await page.getByText('Cleared: the approvals this site requires').waitFor();
      await submit(page, /^Publish revision/);
      await page.getByText('Published. The public page now shows this text').waitFor();
      await page.getByRole('link', { name: 'public page' }).click();
      publicPath = new URL(page.url()).pathname;
      expect(problems.all()).toEqual([]);
    });
  });

  it('the public page says how it was cleared and what it is based on', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const problems = watchPage(page, server.url);
      await page.goto(`${server.url}${publicPath}`);
      await page
        .getByRole('heading', { level: 1, name: 'Statement on the Paris attacks' })
        .waitFor();
      await page.getByText(`Cleared by 2 editors on ${formatDate(new Date())}`).waitFor();
      const basedOn = page.getByRole('link', {
        name: /^Based in part on “Statement on the attacks/,
      });
      await expect(basedOn.getAttribute('href')).resolves.toBe(
        'https://www.workersliberty.org/story/2001',
      );
      await page.getByRole('heading', { name: 'Our response' }).waitFor();
      await page.getByRole('heading', { name: 'Sign this statement' }).waitFor();
      expect(await blockingViolations(page)).toEqual([]);
      expect(problems.all()).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe.each(['light', 'dark'] as const)(
  'every statement page in the %s scheme',
  (colorScheme) => {
    it('has no serious or critical accessibility violations and no page problems', async () => {
      await asMember('ann', { javaScriptEnabled: true, colorScheme }, async (page, problems) => {
        const paths = [
          '/admin/statements',
          '/admin/statements/new',
          statementPath,
          `${statementPath}/comments`,
          `${statementPath}/history`,
          `${statementPath}/provenance`,
          `${statementPath}/review`,
          `${statementPath}/signatures`,
          '/admin/signatures',
          publicPath,
          `${publicPath}/history`,
        ];
        for (const path of paths) {
          const response = await page.goto(`${server.url}${path}`);
          expect(response?.status(), path).toBe(200);
          // Open a paragraph's comment form too, so its fields are scanned.
          if (path.endsWith('/comments')) await page.locator('.paragraph summary').first().click();
          expect(await blockingViolations(page), path).toEqual([]);
        }
        expect(problems.all()).toEqual([]);
      });
    }, 120_000); // eleven pages, each loaded and scanned
  },
);

describe('without JavaScript', () => {
  it('the editor previews on the server and saves', async () => {
    await asMember('author', { javaScriptEnabled: false }, async (page) => {
      await page.goto(`${server.url}${statementPath}`);
      const body = page.locator('textarea[name="body"]');
      await body.fill('## Previewed on the server\n\nNothing saved yet.');
      await submit(page, 'Preview');
      await page.getByRole('heading', { name: 'Preview (not saved yet)' }).waitFor();
      await page.locator('#statement-preview h2', { hasText: 'Previewed on the server' }).waitFor();
      // What was typed is still in the form, ready to save.
      await expect(page.locator('textarea[name="body"]').inputValue()).resolves.toContain(
        'Nothing saved yet.',
      );
      await submit(page, 'Save revision');
      await page.getByText('Saved as revision 3').waitFor();
    });
  });
});
