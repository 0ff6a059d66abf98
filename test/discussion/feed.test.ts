// The Atom feed of a thread: parsed by a strict XML parser (Chromium's DOMParser, which refuses any
// document that is not well-formed) and checked against RFC 4287's required elements; then served
// over HTTP with its content type, ETag and 304; then the newest-first query on each database.
import { parseFeed } from '@rowanmanning/feed-parser';
import fc from 'fast-check';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountsContext, discussionContext } from '../../src/runtime.js';
import * as accounts from '../../src/accounts/service.js';
import { FEED_ENTRY_LIMIT, entryTitle, threadFeed } from '../../src/discussion/feed.js';
import type { CommentStatus } from '../../src/discussion/model.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/discussion/model.js';
import type { DiscussionContext } from '../../src/discussion/service.js';
import * as discussion from '../../src/discussion/service.js';
import * as store from '../../src/discussion/store.js';
import type { Comment, Thread } from '../../src/discussion/store.js';
import { fixedClock } from '../../src/platform/clock.js';
import { launchChromium } from '../helpers/chromium.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestRuntime, TestServer } from '../helpers/runtime.js';
import { createTestRuntime, startTestServer } from '../helpers/runtime.js';

// --- factories -----------------------------------------------------------------------------

const T0 = Date.parse('2026-11-24T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

function buildThread(overrides: Partial<Thread> = {}): Thread {
  return {
    id: 'thread-1',
    siteId: 'site-1',
    statementId: undefined,
    url: 'https://blog.example.org/essay',
    title: 'On Paris',
    authorAccountId: undefined,
    authorName: undefined,
    status: 'open',
    version: 7,
    topLevelCount: 3,
    commentCount: 3,
    createdAt: at(0),
    updatedAt: at(30),
    ...overrides,
  };
}

let sequence = 0;
function buildComment(overrides: Partial<Comment> = {}): Comment {
  sequence += 1;
  return {
    id: `comment-${sequence}`,
    threadId: 'thread-1',
    parentId: undefined,
    path: String(sequence).padStart(6, '0'),
    depth: 1,
    number: sequence,
    replyCount: 0,
    authorAccountId: undefined,
    authorName: 'Ann',
    authorEmail: 'ann@example.org',
    authorUrl: undefined,
    isStatementAuthor: false,
    body: 'Well said.',
    html: '<p>Well said.</p>\n',
    status: 'approved',
    reasons: [],
    flagged: false,
    origin: 'local',
    externalId: undefined,
    editTokenHash: undefined,
    createdAt: at(sequence),
    editedAt: undefined,
    ...overrides,
  };
}

const PAGE_URL = 'https://blog.example.org/essay';
const FEED_URL = 'https://comments.example.org/threads/thread-1/comments.atom';

function feedOf(comments: Comment[], thread = buildThread()): string {
  return threadFeed({
    thread,
    comments,
    pageUrl: PAGE_URL,
    feedUrl: FEED_URL,
    siteName: 'Broadside',
  });
}

// --- a strict parser -----------------------------------------------------------------------

interface ParsedText {
  type: string | null;
  text: string;
  /** For type="html": the text a reader shows once the HTML is rendered. */
  shown: string;
}
interface ParsedEntry {
  ids: string[];
  titles: ParsedText[];
  updated: string[];
  published: string[];
  authors: { names: string[]; emails: string[]; uris: string[] }[];
  links: { rel: string; href: string | null }[];
  contents: ParsedText[];
}
interface ParsedFeed {
  error?: string;
  namespace: string | null;
  rootName: string;
  ids: string[];
  titles: ParsedText[];
  updated: string[];
  authors: { names: string[]; emails: string[]; uris: string[] }[];
  links: { rel: string; href: string | null }[];
  entries: ParsedEntry[];
}

let browser: Browser;
let parserPage: Page;

/** Parses Atom documents in Chromium; a document that is not well-formed XML comes back as an error. */
async function parseAtom(documents: string[]): Promise<ParsedFeed[]> {
  return parserPage.evaluate((xmls) => {
    const ATOM = 'http://www.w3.org/2005/Atom';
    const shownText = (html: string) =>
      new DOMParser().parseFromString(html, 'text/html').body.textContent ?? '';
    const children = (element: Element, name: string) =>
      Array.from(element.children).filter((c) => c.namespaceURI === ATOM && c.localName === name);
    const texts = (element: Element, name: string) =>
      children(element, name).map((c) => c.textContent ?? '');
    const typed = (element: Element, name: string) =>
      children(element, name).map((c) => {
        const type = c.getAttribute('type');
        const text = c.textContent ?? '';
        return { type, text, shown: type === 'html' ? shownText(text) : text };
      });
    const people = (element: Element) =>
      children(element, 'author').map((a) => ({
        names: texts(a, 'name'),
        emails: texts(a, 'email'),
        uris: texts(a, 'uri'),
      }));
    const links = (element: Element) =>
      children(element, 'link').map((l) => ({
        rel: l.getAttribute('rel') ?? 'alternate',
        href: l.getAttribute('href'),
      }));
    return xmls.map((xml) => {
      const doc = new DOMParser().parseFromString(xml, 'application/xml');
      const failure = doc.getElementsByTagName('parsererror')[0];
      const root = doc.documentElement;
      return {
        ...(failure ? { error: failure.textContent ?? 'parse error' } : {}),
        namespace: root.namespaceURI,
        rootName: root.localName,
        ids: texts(root, 'id'),
        titles: typed(root, 'title'),
        updated: texts(root, 'updated'),
        authors: people(root),
        links: links(root),
        entries: children(root, 'entry').map((entry) => ({
          ids: texts(entry, 'id'),
          titles: typed(entry, 'title'),
          updated: texts(entry, 'updated'),
          published: texts(entry, 'published'),
          authors: people(entry),
          links: links(entry),
          contents: typed(entry, 'content'),
        })),
      };
    });
  }, documents);
}

async function parseOne(xml: string): Promise<ParsedFeed> {
  const [parsed] = await parseAtom([xml]);
  if (!parsed) throw new Error('nothing parsed');
  return parsed;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 4287's MUSTs for a feed and its entries, as one list of what is wrong (empty when valid). */
function atomProblems(feed: ParsedFeed): string[] {
  const problems: string[] = [];
  const expectOne = (what: string, values: unknown[]) => {
    if (values.length !== 1) problems.push(`${what}: ${values.length} elements, not 1`);
  };
  const isIri = (value: string) => {
    try {
      return new URL(value).protocol.length > 1;
    } catch {
      return false;
    }
  };
  if (feed.error) return [`not well-formed XML: ${feed.error}`];
  if (feed.namespace !== 'http://www.w3.org/2005/Atom' || feed.rootName !== 'feed')
    problems.push(`root is {${feed.namespace}}${feed.rootName}, not atom:feed`);
  expectOne('feed id', feed.ids);
  expectOne('feed title', feed.titles);
  expectOne('feed updated', feed.updated);
  if (!feed.ids.every(isIri)) problems.push(`feed id is not an IRI: ${feed.ids.join()}`);
  if (!feed.updated.every((u) => RFC3339.test(u))) problems.push('feed updated is not RFC 3339');
  const everyEntryHasAuthor = feed.entries.every((entry) => entry.authors.length > 0);
  if (feed.authors.length === 0 && !everyEntryHasAuthor) problems.push('no author');
  for (const author of [...feed.authors, ...feed.entries.flatMap((entry) => entry.authors)]) {
    if (author.names.length !== 1 || author.names[0] === '') problems.push('author without name');
  }
  if (feed.links.filter((l) => l.rel === 'self').length !== 1) problems.push('no rel="self" link');
  const alternates = feed.links.filter((l) => l.rel === 'alternate');
  if (alternates.length > 1) problems.push('several alternate links');
  feed.entries.forEach((entry, i) => {
    expectOne(`entry ${i} id`, entry.ids);
    expectOne(`entry ${i} title`, entry.titles);
    expectOne(`entry ${i} updated`, entry.updated);
    if (!entry.ids.every(isIri)) problems.push(`entry ${i} id is not an IRI`);
    if (![...entry.updated, ...entry.published].every((u) => RFC3339.test(u)))
      problems.push(`entry ${i} has a date that is not RFC 3339`);
    const hasAlternate = entry.links.some((l) => l.rel === 'alternate');
    if (entry.contents.length === 0 && !hasAlternate)
      problems.push(`entry ${i} has neither content nor an alternate link`);
    if (entry.contents.length > 1) problems.push(`entry ${i} has several contents`);
  });
  const ids = feed.entries.flatMap((entry) => entry.ids);
  if (new Set(ids).size !== ids.length) problems.push('entry ids are not unique');
  return problems;
}

beforeAll(async () => {
  browser = await launchChromium();
  parserPage = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
});

// --- the document --------------------------------------------------------------------------

describe('the Atom feed of a thread', () => {
  it('is a valid Atom 1.0 document: ids, titles, dates, authors, links, one entry per comment', async () => {
    const first = buildComment({ authorName: 'Ann', number: 1 });
    const reply = buildComment({
      authorName: 'Bob',
      parentId: first.id,
      number: undefined,
      depth: 2,
      authorUrl: 'https://bob.example.net/',
    });
    const third = buildComment({
      authorName: 'Cy',
      number: 3,
      editedAt: at(40),
      html: '<p>Edited <em>once</em>.</p>\n',
    });
    const feed = await parseOne(feedOf([first, reply, third]));

    expect(atomProblems(feed)).toEqual([]);
    expect(feed.ids[0]).toMatch(/^tag:comments\.example\.org,2026-11-24:thread:thread-1$/);
    expect(feed.titles[0]?.text).toBe('Comments on “On Paris” · Broadside');
    expect(feed.links).toEqual([
      { rel: 'alternate', href: PAGE_URL },
      { rel: 'self', href: FEED_URL },
    ]);
    expect(feed.authors).toEqual([{ names: ['Broadside'], emails: [], uris: [] }]);
    // The latest change: Cy's edit, after the thread's own last update.
    expect(feed.updated).toEqual(['2026-11-24T10:40:00.000Z']);

    // Newest first, titled by number or as a reply, linked to their permalinks.
    expect(feed.entries.map((e) => e.titles[0]?.shown)).toEqual([
      'Comment 3 by Cy',
      'Reply by Bob',
      'Comment 1 by Ann',
    ]);
    const [cy, bob, ann] = feed.entries;
    expect(ann?.ids).toEqual([`tag:comments.example.org,2026-11-24:comment:${first.id}`]);
    expect(ann?.links).toEqual([{ rel: 'alternate', href: `${PAGE_URL}#comment-${first.id}` }]);
    expect(ann?.published).toEqual([first.createdAt.toISOString()]);
    expect(ann?.updated).toEqual([first.createdAt.toISOString()]);
    expect(cy?.updated).toEqual(['2026-11-24T10:40:00.000Z']);
    expect(cy?.published).toEqual([third.createdAt.toISOString()]);
    expect(bob?.authors).toEqual([
      { names: ['Bob'], emails: [], uris: ['https://bob.example.net/'] },
    ]);
    // The stored safe HTML, exactly, as html content.
    expect(cy?.contents).toEqual([
      {
        type: 'html',
        text: '<p>Edited <em>once</em>.</p>\n',
        shown: 'Edited once.\n',
      },
    ]);
  });

  it('is read correctly by a real feed reader library', () => {
    const first = buildComment({ authorName: 'Ann', number: 1, html: '<p>Fish &amp; chips</p>\n' });
    const reply = buildComment({
      authorName: 'Bob',
      parentId: first.id,
      number: undefined,
      depth: 2,
    });
    const parsed = parseFeed(feedOf([first, reply]));
    expect(parsed.meta.type).toBe('atom');
    expect(parsed.title).toBe('Comments on “On Paris” · Broadside');
    expect(parsed.url).toBe(PAGE_URL);
    expect(parsed.self).toBe(FEED_URL);
    expect(parsed.items.map((item) => [item.title, item.url, item.authors[0]?.name])).toEqual([
      ['Reply by Bob', `${PAGE_URL}#comment-${reply.id}`, 'Bob'],
      ['Comment 1 by Ann', `${PAGE_URL}#comment-${first.id}`, 'Ann'],
    ]);
    expect(parsed.items[1]?.content).toBe('<p>Fish & chips</p>'); // the reader decodes entities
    expect(parsed.items[1]?.published?.toISOString()).toBe(first.createdAt.toISOString());
  });

  it('never shows an e-mail address', () => {
    const xml = feedOf([buildComment({ authorEmail: 'secret.person@example.org' })]);
    expect(xml).not.toContain('secret.person');
    expect(xml).not.toContain('<email>');
  });

  it('leaves out comments the public cannot read: held, rejected, spam and removed', async () => {
    const statuses: CommentStatus[] = ['approved', 'pending', 'rejected', 'spam', 'deleted'];
    const comments = statuses.map((status) =>
      buildComment({ status, authorName: `Author ${status}`, html: `<p>${status} text</p>` }),
    );
    const xml = feedOf(comments);
    const feed = await parseOne(xml);
    expect(atomProblems(feed)).toEqual([]);
    expect(feed.entries.map((e) => e.authors[0]?.names[0])).toEqual(['Author approved']);
    for (const hidden of ['pending', 'rejected', 'spam']) expect(xml).not.toContain(hidden);
  });

  it(`carries the newest ${FEED_ENTRY_LIMIT} comments only`, async () => {
    const comments = Array.from({ length: 80 }, (_, i) =>
      buildComment({ createdAt: at(i), authorName: `Person ${i}` }),
    );
    const feed = await parseOne(feedOf(comments.slice().reverse()));
    expect(atomProblems(feed)).toEqual([]);
    expect(feed.entries).toHaveLength(FEED_ENTRY_LIMIT);
    expect(feed.entries[0]?.authors[0]?.names).toEqual(['Person 79']);
    expect(feed.entries.at(-1)?.authors[0]?.names).toEqual(['Person 30']);
  });

  it('escapes what people type: markup, ampersands, CDATA ends and characters XML cannot hold', async () => {
    const nasty = 'Ann <b>"Bold"</b> & Co &amp; ]]> \u0001\u0008 \ud800end';
    const thread = buildThread({ title: 'Title <with> & ampersands ]]>' });
    const comment = buildComment({
      authorName: nasty,
      number: 2,
      html: '<p>Quote: <code>a]]&gt;b</code> and ]]> raw, &amp; &lt;tag&gt;</p>\n',
    });
    const feed = await parseOne(feedOf([comment], thread));
    expect(atomProblems(feed)).toEqual([]);
    const cleaned = 'Ann <b>"Bold"</b> & Co &amp; ]]>  end';
    expect(feed.titles[0]?.text).toBe('Comments on “Title <with> & ampersands ]]>” · Broadside');
    const [entry] = feed.entries;
    expect(entry?.authors[0]?.names).toEqual([cleaned]);
    // The title is HTML (type="html"): shown, it reads exactly as typed, tags and all.
    expect(entry?.titles[0]).toMatchObject({ type: 'html', shown: `Comment 2 by ${cleaned}` });
    expect(entry?.contents[0]?.shown).toBe('Quote: a]]>b and ]]> raw, & <tag>\n');
  });

  it('stays well-formed and keeps names and HTML intact whatever people type (property)', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc
        .array(fc.constantFrom(']]>', '&amp;', '&', '<b>', '"', '\u0001', '\r\n', '\ud800', 'é'))
        .map((parts) => parts.join('')),
    );
    const samples = fc.sample(fc.tuple(text, text, text), { numRuns: 150, seed: 20261124 });
    const xmlAllows = (s: string) =>
      s.replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '');
    // Line ends in XML are normalised to \n, as in any parsed document.
    const lineEnds = (s: string) => s.replace(/\r\n?/g, '\n');
    const escapeHtml = (s: string) =>
      s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const documents = samples.map(([name, title, body]) =>
      feedOf(
        [buildComment({ authorName: name || 'x', html: `<p>${escapeHtml(body)}</p>` })],
        buildThread({ title }),
      ),
    );
    const feeds = await parseAtom(documents);
    feeds.forEach((feed, i) => {
      const [name, title, body] = samples[i] as [string, string, string];
      expect(atomProblems(feed)).toEqual([]);
      expect(feed.entries[0]?.authors[0]?.names).toEqual([
        lineEnds(xmlAllows(name || 'x').trim() || 'Anonymous'),
      ]);
      expect(feed.titles[0]?.text).toBe(`Comments on “${lineEnds(xmlAllows(title))}” · Broadside`);
      expect(feed.entries[0]?.contents[0]?.shown).toBe(lineEnds(xmlAllows(body)));
    });
  });

  it('titles entries by number, as a reply, or plainly', () => {
    expect(entryTitle(buildComment({ number: 3, authorName: 'Ann' }))).toBe('Comment 3 by Ann');
    expect(entryTitle(buildComment({ parentId: 'x', number: undefined, authorName: 'Bob' }))).toBe(
      'Reply by Bob',
    );
    expect(entryTitle(buildComment({ number: undefined, authorName: 'Cy' }))).toBe('Comment by Cy');
  });
});

// --- served over HTTP ----------------------------------------------------------------------

describe('GET /threads/:threadId/comments.atom', () => {
  let server: TestServer;
  let ctx: DiscussionContext;
  let thread: Thread;

  beforeAll(async () => {
    server = await startTestServer();
    ctx = discussionContext(server.runtime);
    thread = await discussion.createThread(ctx, {
      siteId: server.siteId,
      title: 'Essay <one>',
      url: 'https://blog.example.org/essay',
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { headers });

  it('serves the public comments as application/atom+xml, with an ETag that changes with the thread', async () => {
    const posted = await discussion.postComment(ctx, {
      threadId: thread.id,
      author: { name: 'Ann & Bob', email: 'ann@example.org' },
      body: 'A [bad link](javascript:alert(1)) and <script>alert(2)</script> and **bold**.',
    });
    const first = await get(`/threads/${thread.id}/comments.atom`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"atom-\d+-[\w-]+"$/);
    const xml = await first.text();
    expect(xml).not.toContain('ann@example.org');
    const feed = await parseOne(xml);
    expect(atomProblems(feed)).toEqual([]);
    expect(feed.links.find((l) => l.rel === 'self')?.href).toBe(
      new URL(`threads/${thread.id}/comments.atom`, server.runtime.config.baseUrl).href,
    );
    expect(feed.links.find((l) => l.rel === 'alternate')?.href).toBe(thread.url);
    const [entry] = feed.entries;
    expect(entry?.titles[0]?.shown).toBe('Comment 1 by Ann & Bob');
    expect(entry?.contents[0]?.text).toBe(posted.comment.html);
    expect(entry?.contents[0]?.text).not.toMatch(/<script|href="javascript/i);

    const unchanged = await get(`/threads/${thread.id}/comments.atom`, {
      'if-none-match': etag ?? '',
    });
    expect(unchanged.status).toBe(304);
    // A proxy that compresses weakens the ETag; a list may hold it anywhere.
    const weakened = await get(`/threads/${thread.id}/comments.atom`, {
      'if-none-match': `"other", W/${etag ?? ''}`,
    });
    expect(weakened.status).toBe(304);

    await discussion.postComment(ctx, {
      threadId: thread.id,
      parentId: posted.comment.id,
      author: { name: 'Cy' },
      body: 'A reply.',
    });
    const changed = await get(`/threads/${thread.id}/comments.atom`, {
      'if-none-match': etag ?? '',
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const after = await parseOne(await changed.text());
    expect(after.entries.map((e) => e.titles[0]?.shown)).toEqual([
      'Reply by Cy',
      'Comment 1 by Ann & Bob',
    ]);
  });

  it('answers 404 for a thread that does not exist', async () => {
    const response = await get('/threads/no-such-thread/comments.atom', {
      accept: 'application/json',
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'thread-not-found',
    );
  });
});

// --- the query behind it -------------------------------------------------------------------

describe.each(databaseKinds)('newest public comments on $name', (kind) => {
  let test: TestRuntime;
  let ctx: DiscussionContext;
  const clock = fixedClock('2026-11-24T10:00:00Z');

  beforeEach(async () => {
    clock.set('2026-11-24T10:00:00Z');
    test = await createTestRuntime({ kind, clock });
    ctx = { ...discussionContext(test.runtime), clock, settings: DEFAULT_DISCUSSION_SETTINGS };
  });
  afterEach(async () => {
    await test.close();
  });

  it('lists approved comments newest first, replies included, up to the limit', async () => {
    const siteId = (await accounts.ensureSite(accountsContext(test.runtime), { name: 'T' })).id;
    const thread = await discussion.createThread(ctx, { siteId, title: 'T', url: PAGE_URL });
    const names: string[] = [];
    let parentId: string | undefined;
    for (let i = 0; i < 6; i++) {
      clock.set(new Date(T0 + i * 60_000).toISOString());
      const { comment } = await discussion.postComment(ctx, {
        threadId: thread.id,
        parentId: i % 2 === 1 ? parentId : undefined,
        author: { name: `P${i}` },
        body: `comment ${i}`,
      });
      if (i % 2 === 0) parentId = comment.id;
      names.push(comment.authorName);
    }
    // One held comment and one removed one are not in the feed.
    const removed = await discussion.postComment(ctx, {
      threadId: thread.id,
      author: { name: 'Gone' },
      body: 'soon removed',
    });
    await discussion.deleteComment(ctx, {
      commentId: removed.comment.id,
      editor: { isModerator: true },
    });
    await store.insertComment(
      ctx.db,
      { ...removed.comment, id: 'held-1', path: 'zzzzzz', status: 'pending', authorName: 'Held' },
      undefined,
    );

    const recent = await discussion.listRecentComments(ctx, { threadId: thread.id, limit: 4 });
    expect(recent.map((c) => c.authorName)).toEqual(['P5', 'P4', 'P3', 'P2']);
    const all = await discussion.listRecentComments(ctx, { threadId: thread.id, limit: 50 });
    expect(all.map((c) => c.authorName)).toEqual([...names].reverse());
  });
});
