import type { BenchRequest, Scenario, ScenarioContext, SeedContext } from '../scenario.js';
import type { CapturedResponse } from '../send-request.js';

/** Browsers ask for HTML; the statement page answers the same either way. */
const PAGE_HEADERS = { accept: 'text/html' } as const;

function required(ctx: ScenarioContext, key: string): string {
  const value = ctx.state.get(key);
  if (value === undefined) throw new Error(`bench: the scenario's state has no ${key}`);
  return value;
}

function expectOk(what: string, response: CapturedResponse, status = 200): void {
  if (response.status !== status) {
    const preview = response.body.subarray(0, 300).toString('utf8');
    throw new Error(`bench: ${what} answered ${response.status}, expected ${status}: ${preview}`);
  }
}

/** How many comments (and removed placeholders) a rendered thread shows. */
function commentsOnPage(html: Buffer): number {
  return html.toString('utf8').match(/<li class="comment[ "][^>]* id="comment-/g)?.length ?? 0;
}

function seedInto(title: string, comments: number) {
  return async (ctx: SeedContext): Promise<void> => {
    const thread = await ctx.seedThread({ title, comments });
    ctx.state.set('slug', thread.slug);
    ctx.state.set('threadId', thread.threadId);
    ctx.state.set('topLevel', String(thread.topLevel));
  };
}

/**
 * Checks the statement page as a first-time visitor sees it, then as a returning one: the first
 * answer sets the CSRF cookie (its forms' tokens are bound to it), and with that cookie the page
 * has an ETag to revalidate against.
 */
async function visitStatementPage(ctx: ScenarioContext, path: string): Promise<void> {
  const first = await ctx.send({ method: 'GET', path, headers: PAGE_HEADERS });
  expectOk(`GET ${path}`, first);
  const cookie = (first.headers['set-cookie'] ?? [])
    .map((line) => line.split(';')[0] ?? '')
    .filter((pair) => pair !== '')
    .join('; ');
  if (cookie === '') throw new Error(`bench: GET ${path} set no cookie for a first-time visitor`);
  const returning = await ctx.send({ method: 'GET', path, headers: { ...PAGE_HEADERS, cookie } });
  expectOk(`GET ${path} with the visitor's cookie`, returning);
  const etag = returning.headers.etag;
  if (etag === undefined) throw new Error(`bench: GET ${path} with a cookie has no ETag`);
  ctx.state.set('cookie', cookie);
  ctx.state.set('pageEtag', etag);
  ctx.state.set('pageComments', String(commentsOnPage(first.body)));
}

async function apiEtag(ctx: ScenarioContext, path: string): Promise<string> {
  const response = await ctx.send({ method: 'GET', path });
  expectOk(`GET ${path}`, response);
  const etag = response.headers.etag;
  if (etag === undefined) throw new Error(`bench: GET ${path} has no ETag`);
  return etag;
}

/**
 * A statement with 1,000 comments: its page as a first-time visitor gets it (a fresh CSRF
 * cookie and tokens), as a returning visitor gets it (their cookie, tokens spliced into the
 * cached thread), and revalidated (304); the API's first page of 50, fetched and revalidated.
 * About 30% of the comments are top-level, so page 1 holds the first 200 of them with their
 * replies.
 */
export const thread1000Scenario: Scenario = {
  name: 'thread-1000',
  seed: seedInto('Benchmark statement with a thousand comments', 1_000),
  async setup(ctx) {
    const slug = required(ctx, 'slug');
    await visitStatementPage(ctx, `/s/${slug}`);
    const threadId = required(ctx, 'threadId');
    ctx.state.set('apiEtag', await apiEtag(ctx, `/api/v1/threads/${threadId}/comments?limit=50`));
  },
  requests(ctx) {
    const page = `/s/${required(ctx, 'slug')}`;
    const api = `/api/v1/threads/${required(ctx, 'threadId')}/comments?limit=50`;
    const cookie = required(ctx, 'cookie');
    const shown = required(ctx, 'pageComments');
    const requests: BenchRequest[] = [
      {
        label: `GET /s/:slug (new visitor, ${shown} comments)`,
        method: 'GET',
        path: page,
        headers: PAGE_HEADERS,
      },
      {
        label: 'GET /s/:slug (returning visitor)',
        method: 'GET',
        path: page,
        headers: { ...PAGE_HEADERS, cookie },
      },
      {
        label: 'GET /s/:slug If-None-Match → 304',
        method: 'GET',
        path: page,
        headers: { ...PAGE_HEADERS, cookie, 'if-none-match': required(ctx, 'pageEtag') },
        expectStatus: 304,
      },
      { label: 'GET API comments?limit=50', method: 'GET', path: api },
      {
        label: 'GET API comments If-None-Match → 304',
        method: 'GET',
        path: api,
        headers: { 'if-none-match': required(ctx, 'apiEtag') },
        expectStatus: 304,
      },
    ];
    return requests;
  },
};

/** Comments the API walk skips to reach the middle of the 10,000-comment thread. */
const API_DEPTH = 5_000;

/**
 * A statement with 10,000 comments (about 3,000 top-level, so 15 pages of 200): the first and a
 * middle page of the statement, and the API's first page and its page after 5,000 comments
 * (reached by following `nextCursor`, as a client would).
 */
export const thread10000Scenario: Scenario = {
  name: 'thread-10000',
  seed: seedInto('Benchmark statement with ten thousand comments', 10_000),
  async setup(ctx) {
    const slug = required(ctx, 'slug');
    const threadId = required(ctx, 'threadId');
    const pages = Math.ceil(Number(required(ctx, 'topLevel')) / 200);
    const middle = Math.max(1, Math.ceil(pages / 2));
    ctx.state.set('pages', String(pages));
    ctx.state.set('middlePage', String(middle));
    for (const path of [`/s/${slug}`, `/s/${slug}?page=${middle}`]) {
      const response = await ctx.send({ method: 'GET', path, headers: PAGE_HEADERS });
      expectOk(`GET ${path}`, response);
      ctx.state.set(`comments:${path}`, String(commentsOnPage(response.body)));
    }
    let cursor: string | undefined;
    for (let skipped = 0; skipped < API_DEPTH; skipped += 200) {
      const query = cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const path = `/api/v1/threads/${threadId}/comments?limit=200${query}`;
      const response = await ctx.send({ method: 'GET', path });
      expectOk(`GET ${path}`, response);
      const { nextCursor } = JSON.parse(response.body.toString('utf8')) as {
        nextCursor: string | null;
      };
      if (nextCursor === null) throw new Error(`bench: the thread ended before ${API_DEPTH}`);
      cursor = nextCursor;
    }
    ctx.state.set('cursor', cursor ?? '');
  },
  requests(ctx) {
    const slug = required(ctx, 'slug');
    const api = `/api/v1/threads/${required(ctx, 'threadId')}/comments?limit=50`;
    const middle = required(ctx, 'middlePage');
    const pages = required(ctx, 'pages');
    const shown = (path: string) => required(ctx, `comments:${path}`);
    const first = `/s/${slug}`;
    const inMiddle = `/s/${slug}?page=${middle}`;
    return [
      {
        label: `GET /s/:slug (page 1 of ${pages}, ${shown(first)} comments)`,
        method: 'GET',
        path: first,
        headers: PAGE_HEADERS,
      },
      {
        label: `GET /s/:slug?page=${middle} (${shown(inMiddle)} comments)`,
        method: 'GET',
        path: inMiddle,
        headers: PAGE_HEADERS,
      },
      { label: 'GET API comments?limit=50', method: 'GET', path: api },
      {
        label: `GET API comments after ${API_DEPTH.toLocaleString('en')}`,
        method: 'GET',
        path: `${api}&cursor=${encodeURIComponent(required(ctx, 'cursor'))}`,
      },
    ];
  },
};
