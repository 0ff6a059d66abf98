// The browser tests' "no errors, no CSP violations" checks rely on `watchPage`; this proves it
// sees each kind of problem on a real page served with our Content-Security-Policy.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { launchChromium, watchPage } from '../helpers/chromium.js';
import type { PageProblems } from '../helpers/chromium.js';
import type { TestServer } from '../helpers/runtime.js';
import { startTestServer } from '../helpers/runtime.js';

let browser: Browser;
let server: TestServer;
let context: BrowserContext;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startTestServer()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(async () => {
  context = await browser.newContext();
  page = await context.newPage();
  problems = watchPage(page, server.url);
  await page.goto(`${server.url}/`);
});

afterEach(async () => {
  await context?.close();
});

describe('watching a page for problems', () => {
  it('reports nothing for the home page as served', () => {
    expect(problems.all()).toEqual([]);
  });

  it('reports an inline script that the CSP blocks, and the script does not run', async () => {
    const reported = page.waitForEvent('console', (message) => message.type() === 'error');
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'document.body.dataset.inlineRan = "yes"';
      document.body.append(script);
    });
    await reported;
    expect(problems.cspViolations).toEqual([expect.stringContaining("script-src 'self'")]);
    expect(await page.evaluate(() => document.body.dataset.inlineRan)).toBeUndefined();
  });

  it('reports an uncaught exception in the page', async () => {
    const thrown = page.waitForEvent('pageerror');
    await page.evaluate(() => {
      setTimeout(() => {
        throw new Error('broken island');
      });
    });
    await thrown;
    expect(problems.pageErrors).toEqual([expect.stringContaining('broken island')]);
  });

  it('reports a request to our own origin that is answered with an error', async () => {
    const answered = page.waitForResponse((response) =>
      response.url().endsWith('/assets/missing.css'),
    );
    const logged = page.waitForEvent('console', (message) => message.type() === 'error');
    await page.evaluate(() => void fetch('/assets/missing.css'));
    await Promise.all([answered, logged]);
    expect(problems.failedRequests).toEqual([`GET ${server.url}/assets/missing.css: HTTP 404`]);
    expect(problems.consoleErrors).toEqual([expect.stringContaining('status of 404')]);
  });
});
