// Axe scans of the pages a person meets, in the light and the dark colour scheme: no violation
// of impact serious or critical may ship.
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signInThroughForm } from '../helpers/chromium.js';
import type { TestServer } from '../helpers/runtime.js';
import { addMemberWithPassword, startTestServer } from '../helpers/runtime.js';

type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>;

const OWNER = {
  email: 'owner@example.org',
  name: 'Olive Owner',
  password: 'correct horse battery staple',
};
const BLOCKING = new Set(['serious', 'critical']);

let browser: Browser;
let server: TestServer;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startTestServer()]);
  await addMemberWithPassword(server.runtime, { siteId: server.siteId, role: 'owner', ...OWNER });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** One line per offending node, enough to find and fix it: rule, impact, what to do, where. */
function blockingViolations(results: AxeResults): string[] {
  return results.violations
    .filter((violation) => BLOCKING.has(violation.impact ?? ''))
    .flatMap((violation) =>
      violation.nodes.map(
        (node) =>
          `${violation.id} (${violation.impact}): ${violation.help} — at ${node.target.join(' ')}: ${node.failureSummary ?? ''} ${violation.helpUrl}`,
      ),
    );
}

async function scan(page: Page): Promise<string[]> {
  return blockingViolations(await new AxeBuilder({ page }).analyze());
}

describe('the axe scan itself', () => {
  it('finds a serious violation when there is one, so a clean result means something', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.setContent(
        '<!doctype html><html lang="en"><title>t</title><main><input type="text"></main></html>',
      );
      expect(await scan(page)).toEqual([expect.stringMatching(/^label \(critical\)/)]);
    } finally {
      await context.close();
    }
  });
});

describe.each(['light', 'dark'] as const)(
  'accessibility in the %s colour scheme',
  (colorScheme) => {
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      context = await browser.newContext({ colorScheme });
      page = await context.newPage();
    });

    afterAll(async () => {
      await context?.close();
    });

    async function open(path: string, expectedStatus = 200): Promise<void> {
      const response = await page.goto(`${server.url}${path}`);
      expect(response?.status()).toBe(expectedStatus);
    }

    // The tests in this block share one browser context and run in order: signed out, then in.
    it('the home page has no serious or critical violations', async () => {
      await open('/');
      expect(await scan(page)).toEqual([]);
    });

    it('the sign-in page has none, also when it shows a problem', async () => {
      await open('/signin');
      expect(await scan(page)).toEqual([]);
      await page.getByLabel('E-mail address').fill('nobody@example.org');
      await page.getByLabel('Password').fill('not the password');
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 401),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      await page.getByRole('alert').waitFor();
      expect(await scan(page)).toEqual([]);
    });

    it('the error page has none', async () => {
      await open('/no-such-page', 404);
      expect(await scan(page)).toEqual([]);
    });

    it('the admin dashboard has none', async () => {
      await signInThroughForm(page, server.url, OWNER.email, OWNER.password);
      await open('/admin');
      expect(await scan(page)).toEqual([]);
    });

    it('the members page has none', async () => {
      await open('/admin/members');
      expect(await scan(page)).toEqual([]);
    });

    it('the account page has none, nor when it shows a newly created token', async () => {
      await open('/admin/account');
      expect(await scan(page)).toEqual([]);
      await page.getByLabel('Name').fill(`${colorScheme} script`);
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 201),
        page.getByRole('button', { name: 'Create token' }).click(),
      ]);
      await page.locator('#new-token').waitFor();
      expect(await scan(page)).toEqual([]);
    });
  },
);
