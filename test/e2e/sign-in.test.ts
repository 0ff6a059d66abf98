// Signing in, out and setting up, through a real Chromium against a real listening server.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountsContext } from '../../src/runtime.js';
import { needsOwner, issueSetupLink } from '../../src/accounts/service.js';
import { launchChromium, signInThroughForm, watchPage } from '../helpers/chromium.js';
import type { PageProblems } from '../helpers/chromium.js';
import type { TestServer } from '../helpers/runtime.js';
import { addMemberWithPassword, startTestServer } from '../helpers/runtime.js';

const OWNER = {
  email: 'owner@example.org',
  name: 'Olive Owner',
  password: 'correct horse battery staple',
};

let browser: Browser;
let server: TestServer;
let context: BrowserContext;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startTestServer()]);
  await addMemberWithPassword(server.runtime, { siteId: server.siteId, role: 'owner', ...OWNER });
});

afterAll(async () => {
  await browser?.close();
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

function pathOf(page: Page): string {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

async function getMe(token: string): Promise<Response> {
  return fetch(`${server.url}/api/v1/me`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });
}

describe('signing in through the browser', () => {
  it('takes an owner from the sign-in form to a styled admin dashboard, with no errors and no CSP violations', async () => {
    const stylesheets: { url: string; status: number }[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'stylesheet')
        stylesheets.push({ url: response.url(), status: response.status() });
    });

    await signInThroughForm(page, server.url, OWNER.email, OWNER.password);

    expect(pathOf(page)).toBe('/admin');
    await expect(
      page.getByRole('heading', { level: 1, name: 'Dashboard' }).isVisible(),
    ).resolves.toBe(true);
    const adminNav = page.getByRole('navigation', { name: 'Admin' });
    await expect(adminNav.getByRole('link').allTextContents()).resolves.toEqual([
      'Dashboard',
      'Statements',
      'Signatures',
      'Members',
      'Embedding',
      'Moderation',
      'Personal data',
      'Your account',
    ]);
    await expect(
      adminNav.getByRole('link', { name: 'Dashboard' }).getAttribute('aria-current'),
    ).resolves.toBe('page');
    await expect(page.getByText(`Welcome, ${OWNER.name}`).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);

    // The built stylesheet was served and applied: the page is not in the browser's default serif.
    expect(stylesheets.length).toBeGreaterThan(0);
    expect(stylesheets.every((sheet) => sheet.status === 200)).toBe(true);
    const bodyFont = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
    expect(bodyFont).not.toMatch(/^"?Times New Roman"?$/);
    expect(bodyFont).toContain('system-ui');

    expect(problems.all()).toEqual([]);
  });

  it('refuses the right password with HTTP 429 after five wrong ones in a row, saying why', async () => {
    const member = { email: 'editor@example.org', password: 'a perfectly good password' };
    await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      role: 'editor',
      ...member,
    });
    await page.goto(`${server.url}/signin`);

    const submit = async (password: string) => {
      await page.getByLabel('E-mail address').fill(member.email);
      await page.getByLabel('Password').fill(password);
      const [response] = await Promise.all([
        page.waitForResponse(
          (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/signin',
        ),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      await page.waitForLoadState();
      return { status: response.status(), message: await page.getByRole('alert').textContent() };
    };

    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await submit(`wrong password number ${attempt}`)).toEqual({
        status: 401,
        message: 'The e-mail address or the password is wrong.',
      });
    }
    const sixth = await submit(member.password);
    expect(sixth.status).toBe(429);
    expect(sixth.message).toMatch(
      /^Too many failed sign-ins for this account\. Try again in 15 minutes/,
    );
    expect(pathOf(page)).toBe('/signin');
    const cookies = await context.cookies();
    expect(cookies.map((cookie) => cookie.name)).not.toContain('broadside_session');
    // Chromium logs each refused page (401, 429) as a console error; nothing else may appear.
    expect(problems.consoleErrors.every((text) => /status of (401|429)/.test(text))).toBe(true);
    expect([...problems.pageErrors, ...problems.failedRequests, ...problems.cspViolations]).toEqual(
      [],
    );
  });

  it('shows a new API token once; it works as a Bearer token until revoked on the account page', async () => {
    await signInThroughForm(page, server.url, OWNER.email, OWNER.password);
    await page.goto(`${server.url}/admin/account`);
    await page.getByLabel('Name').fill('import script');
    const [created] = await Promise.all([
      page.waitForResponse(
        (r) =>
          r.request().method() === 'POST' && new URL(r.url()).pathname === '/admin/account/tokens',
      ),
      page.getByRole('button', { name: 'Create token' }).click(),
    ]);
    expect(created.status()).toBe(201);
    const token = (await page.locator('#new-token').textContent())?.trim() ?? '';
    expect(token).toMatch(/^bst_\S{20,}$/);

    // Once: opening the page again shows the token's name and hint, never the token.
    await page.goto(`${server.url}/admin/account`);
    await expect(page.locator('#new-token').count()).resolves.toBe(0);
    expect(await page.content()).not.toContain(token);
    await expect(
      page.getByRole('cell', { name: 'import script', exact: true }).isVisible(),
    ).resolves.toBe(true);

    const before = await getMe(token);
    expect(before.status).toBe(200);
    expect(await before.json()).toMatchObject({
      email: OWNER.email,
      role: 'owner',
      authMethod: 'token',
    });

    const questions: string[] = [];
    page.on('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.accept();
    });
    await Promise.all([
      page.waitForURL(
        (url) => url.pathname === '/admin/account' && url.searchParams.get('revoked') === '1',
      ),
      page.getByRole('button', { name: 'Revoke import script' }).click(),
    ]);
    expect(questions).toEqual(['Revoke the token "import script"?']);
    await expect(page.getByRole('status').textContent()).resolves.toBe(
      'The token has been revoked.',
    );
    await expect(
      page.getByRole('cell', { name: 'import script', exact: true }).count(),
    ).resolves.toBe(0);

    const after = await getMe(token);
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: { code: 'invalid-token' } });
    expect(problems.all()).toEqual([]);
  });

  it('signs out with the header button, after which /admin sends the browser to the sign-in page', async () => {
    await signInThroughForm(page, server.url, OWNER.email, OWNER.password);
    expect((await context.cookies()).map((cookie) => cookie.name)).toContain('broadside_session');

    await Promise.all([
      page.waitForURL((url) => url.pathname === '/'),
      page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click(),
    ]);
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain(
      'broadside_session',
    );
    await expect(
      page.getByRole('banner').getByRole('link', { name: 'Sign in' }).isVisible(),
    ).resolves.toBe(true);

    await page.goto(`${server.url}/admin`);
    expect(pathOf(page)).toBe('/signin?next=%2Fadmin');
    await expect(
      page.getByRole('heading', { level: 1, name: 'Sign in' }).isVisible(),
    ).resolves.toBe(true);
    expect(problems.all()).toEqual([]);
  });
});

describe('setting up a new site through its setup link', () => {
  let fresh: TestServer;

  beforeAll(async () => {
    fresh = await startTestServer();
  });

  afterAll(async () => {
    await fresh?.close();
  });

  it('creates the first owner from the form and lands them signed in on the dashboard', async () => {
    const ctx = accountsContext(fresh.runtime);
    expect(await needsOwner(ctx, fresh.siteId)).toBe(true);
    const link = await issueSetupLink(ctx);
    problems = watchPage(page, fresh.url);

    await page.goto(`${fresh.url}/${link.path}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Set up Broadside',
    );
    await page.getByLabel('Your name').fill('Frieda First');
    await page.getByLabel('E-mail address').fill('frieda@example.org');
    await page.getByLabel(/^Password(?! again)/).fill('the first owner of this site');
    await page.getByLabel('Password again').fill('the first owner of this site');
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/admin'),
      page.getByRole('button', { name: 'Create the owner account' }).click(),
    ]);

    await expect(
      page.getByRole('heading', { level: 1, name: 'Dashboard' }).isVisible(),
    ).resolves.toBe(true);
    await expect(
      page.getByText('Welcome, Frieda First. You are signed in as owner of Broadside.').isVisible(),
    ).resolves.toBe(true);
    expect(await needsOwner(ctx, fresh.siteId)).toBe(false);
    expect(problems.all()).toEqual([]);

    // The link is spent: opening it again says so.
    const reused = await page.goto(`${fresh.url}/${link.path}`);
    expect(reused?.status()).toBe(404);
    await expect(
      page.getByText('This link has already been used. Ask for a new one.').isVisible(),
    ).resolves.toBe(true);
  });
});
