/**
 * Browser tests drive the system's Chromium (Debian's `chromium` package) through playwright-core;
 * no browser is ever downloaded. `watchPage` collects what a person would not see but a broken
 * page shows: console errors, uncaught exceptions, failed requests and CSP violations.
 */
import { existsSync } from 'node:fs';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// The machine running the tests may have no internet: without these, Chromium keeps trying to
// reach Google's services (updates, sync, field trials) and floods the log with failures.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Chromium. Throws (so the browser tests fail, never skip) when the executable
 * is missing, saying how to install it.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The browser tests need Chromium, and there is none at ${CHROMIUM_PATH}. ` +
        'Install it with `apt-get install chromium`, or set CHROMIUM_PATH to a Chromium executable.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface PageProblems {
  /** Console messages of type `error`, other than CSP violations. */
  consoleErrors: string[];
  /** Uncaught exceptions in the page's scripts. */
  pageErrors: string[];
  /** Requests to `origin` that failed on the network or were answered 4xx/5xx (sub-resources). */
  failedRequests: string[];
  /** What the Content-Security-Policy blocked, as Chromium reports it on the console. */
  cspViolations: string[];
  /** Every problem of every kind, for one `expect(...).toEqual([])`. */
  all(): string[];
}

function isCspViolation(message: ConsoleMessage): boolean {
  return /Content Security Policy/i.test(message.text());
}

/**
 * Starts collecting a page's problems. Documents answered 4xx are not counted as failed requests
 * (a wrong password is a 401 page, and the test checks that itself), but Chromium's own console
 * line about them ("Failed to load resource: … status of 401") is a console error.
 */
export function watchPage(page: Page, origin: string): PageProblems {
  const ours = (url: string) => new URL(url).origin === new URL(origin).origin;
  const problems: PageProblems = {
    consoleErrors: [],
    pageErrors: [],
    failedRequests: [],
    cspViolations: [],
    all() {
      return [
        ...this.consoleErrors.map((text) => `console error: ${text}`),
        ...this.pageErrors.map((text) => `page error: ${text}`),
        ...this.failedRequests.map((text) => `failed request: ${text}`),
        ...this.cspViolations.map((text) => `CSP violation: ${text}`),
      ];
    },
  };

  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location().url;
    const text = where ? `${message.text()} (${where})` : message.text();
    if (isCspViolation(message)) problems.cspViolations.push(text);
    else problems.consoleErrors.push(text);
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.stack ?? error.message));
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? 'unknown error';
    // A request cut short because the page navigated away (e.g. a form submitted) is not a fault.
    if (failure === 'net::ERR_ABORTED' || !ours(request.url())) return;
    problems.failedRequests.push(`${request.method()} ${request.url()}: ${failure}`);
  });
  page.on('response', (response) => {
    const request = response.request();
    if (response.status() < 400 || !ours(response.url()) || request.resourceType() === 'document')
      return;
    problems.failedRequests.push(
      `${request.method()} ${response.url()}: HTTP ${response.status()}`,
    );
  });
  return problems;
}

/**
 * Signs in through the real form, the way a person does, and waits for the page it leads to.
 * Throws with the page's message when the sign-in is refused.
 */
export async function signInThroughForm(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/signin',
    ),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  if (response.status() !== 303) {
    await page.waitForLoadState();
    const message = await page.getByRole('alert').textContent();
    throw new Error(
      `Signing in as ${email} was refused (HTTP ${response.status()}): ${message ?? '(no message)'}`,
    );
  }
  await page.waitForURL((url) => url.pathname !== '/signin');
}
