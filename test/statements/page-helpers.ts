/**
 * For the statement page tests: a member's browser signed in through the real form, forms posted
 * with the page's CSRF token, and HTML read without a parser (text as a reader sees it; one
 * element by id).
 */
import { expect } from 'vitest';
import { Browser } from '../helpers/http.js';
export { elementById } from '../helpers/html.js';

/** A browser signed in as `email` through the sign-in form. */
export async function signedIn(baseUrl: string, email: string, password: string) {
  const browser = new Browser(baseUrl);
  const csrf = await browser.csrfTokenFrom('/signin');
  const response = await browser.postForm('/signin', { _csrf: csrf, email, password });
  expect(response.status).toBe(303);
  return new MemberBrowser(browser);
}

export class MemberBrowser {
  private csrf: string | undefined;

  constructor(readonly browser: Browser) {}

  get(path: string): Promise<Response> {
    return this.browser.get(path);
  }

  async page(path: string, status = 200): Promise<string> {
    const response = await this.browser.get(path);
    const html = await response.text();
    expect(response.status, `GET ${path}: ${textOf(html).slice(0, 300)}`).toBe(status);
    return html;
  }

  /** Posts a form as the page would, with a CSRF token for this browser's cookie. */
  async post(path: string, fields: Record<string, string>): Promise<Response> {
    this.csrf ??= await this.browser.csrfTokenFrom('/admin/account');
    return this.browser.postForm(path, { _csrf: this.csrf, ...fields });
  }

  /** Posts a form and follows its 303 to the page it leads to. */
  async postAndFollow(path: string, fields: Record<string, string>): Promise<string> {
    const response = await this.post(path, fields);
    const body = await response.text();
    expect(response.status, `POST ${path}: ${textOf(body).slice(0, 400)}`).toBe(303);
    return this.page(response.headers.get('location') ?? '');
  }
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  nbsp: ' ',
};

/** The text of some HTML as a reader sees it: tags dropped, entities decoded, spaces collapsed. */
export function textOf(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_all, name: string) => ENTITIES[name] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The value of a hidden or text input named `name` in some HTML (the first one). */
export function inputValue(html: string, name: string): string {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no input named ${name}`);
  return (match[1] ?? '').replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_all, n: string) => ENTITIES[n] ?? '',
  );
}

/** The statement id in an admin address like `/admin/statements/<id>?created=1`. */
export function statementIdOf(location: string): string {
  const id = /^\/admin\/statements\/([^/?#]+)/.exec(location)?.[1];
  if (!id) throw new Error(`not a statement's admin address: ${location}`);
  return id;
}
