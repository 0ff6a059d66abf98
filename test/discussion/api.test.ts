// The discussion API through a real listening server and real HTTP: looking threads up, reading
// comments page by page, posting, editing and removing, who sees what, errors that write nothing,
// and the OpenAPI document. On SQLite and on PostgreSQL.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as accounts from '../../src/accounts/service.js';
import type { Role } from '../../src/accounts/model.js';
import { accountsContext, discussionContext } from '../../src/runtime.js';
import type { CommentStatus } from '../../src/discussion/model.js';
import { embedPageUrl } from '../../src/discussion/embed-model.js';
import { addEmbedOrigin } from '../../src/discussion/embed-service.js';
import { childPath } from '../../src/discussion/model.js';
import type { DiscussionContext } from '../../src/discussion/service.js';
import * as discussion from '../../src/discussion/service.js';
import * as store from '../../src/discussion/store.js';
import type { Comment, Thread } from '../../src/discussion/store.js';
import { fixedClock } from '../../src/platform/clock.js';
import { publishStatement } from '../../src/statements/service.js';
import type { DatabaseKind } from '../helpers/databases.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestServer } from '../helpers/runtime.js';
import { addMemberWithPassword, startTestServer } from '../helpers/runtime.js';
import { editHistory } from './history.js';

interface ApiComment {
  id: string;
  parentId: string | null;
  depth: number;
  number: number | null;
  author: { name: string; url: string | null; isStatementAuthor: boolean } | null;
  html: string;
  createdAt: string;
  editedAt: string | null;
  status: CommentStatus;
}
interface ApiError {
  error: { code: string; message: string };
}

const clock = fixedClock('2026-11-24T10:00:00Z');

/** A server of its own for each block of tests: posting is rate-limited per address. */
function useServer(kind: DatabaseKind) {
  const state = {} as { server: TestServer; ctx: DiscussionContext };
  beforeAll(async () => {
    clock.set('2026-11-24T10:00:00Z');
    state.server = await startTestServer({ kind, clock });
    state.ctx = discussionContext(state.server.runtime);
  });
  afterAll(async () => {
    await state.server?.close();
  });
  return state;
}

async function bearerFor(server: TestServer, role: Role, name: string): Promise<string> {
  const { member } = await addMemberWithPassword(server.runtime, {
    siteId: server.siteId,
    email: `${name.toLowerCase().replace(/\W/g, '')}@example.org`,
    role,
    name,
  });
  const { token } = await accounts.createApiToken(accountsContext(server.runtime), {
    accountId: member.id,
    name: 'test',
  });
  return `Bearer ${token}`;
}

function sendJson(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** A request body of text and raw bytes, e.g. bytes that are not UTF-8. */
function bytes(...parts: (string | number[])[]): Uint8Array<ArrayBuffer> {
  const buffers = parts.map((part) =>
    typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part),
  );
  return new Uint8Array(Buffer.concat(buffers));
}

async function errorOf(response: Response): Promise<[number, string]> {
  const body = (await response.json()) as ApiError;
  expect(body.error.message.length).toBeGreaterThan(10);
  return [response.status, body.error.code];
}

/** A comment the moderation verdict would have held, written straight to the store. */
async function insertHeld(ctx: DiscussionContext, thread: Thread, status: CommentStatus) {
  const { ordinal } = await store.takeTopLevelOrdinal(ctx.db, thread.id, {
    publicDelta: 0,
    now: clock.now(),
  });
  const comment: Comment = {
    id: ctx.ids.id(),
    threadId: thread.id,
    parentId: undefined,
    path: childPath(undefined, ordinal),
    depth: 1,
    number: ordinal,
    replyCount: 0,
    authorAccountId: undefined,
    authorName: 'Spammy',
    authorEmail: 'spammy@example.org',
    authorUrl: undefined,
    isStatementAuthor: false,
    body: 'buy now',
    html: '<p>buy now</p>\n',
    status,
    reasons: [{ code: 'suspect-term', message: 'Contains a suspect term.' }],
    flagged: false,
    origin: 'local',
    externalId: undefined,
    editTokenHash: undefined,
    createdAt: clock.now(),
    editedAt: undefined,
  };
  await store.insertComment(ctx.db, comment, undefined);
  return comment;
}

describe.each(databaseKinds)('discussion API on $name', (kind) => {
  describe('threads', () => {
    const s = useServer(kind);

    it('answers a thread by id, with its version and count', async () => {
      const thread = await discussion.createThread(s.ctx, {
        siteId: s.server.siteId,
        title: 'On Paris',
      });
      await discussion.postComment(s.ctx, {
        threadId: thread.id,
        author: { name: 'A' },
        body: 'x',
      });
      const response = await fetch(`${s.server.url}/api/v1/threads/${thread.id}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        id: thread.id,
        title: 'On Paris',
        status: 'open',
        version: 2,
        commentCount: 1,
        statementId: null,
        url: null,
      });
      const missing = await fetch(`${s.server.url}/api/v1/threads/no-such-thread`);
      expect(await errorOf(missing)).toEqual([404, 'thread-not-found']);
    });

    it('finds the thread of an embedding page whatever form its address takes', async () => {
      // Filed as the embed files it: by default the query string does not tell pages apart.
      const page = 'https://blog.example.org/2026/essay';
      const thread = await discussion.createThread(s.ctx, {
        siteId: s.server.siteId,
        title: 'An essay',
        url: embedPageUrl(`${page}?id=7`, { keepQuery: false }),
      });
      const lookUp = (url: string) =>
        fetch(`${s.server.url}/api/v1/threads?url=${encodeURIComponent(url)}`);
      for (const form of [
        page,
        `${page}?id=7`,
        `${page}?id=8`,
        `${page}?utm_source=feed`,
        'HTTPS://Blog.Example.ORG:443/2026/essay?id=7#comments',
        'https://blog.example.org/2026/essay#',
      ]) {
        const response = await lookUp(form);
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ id: thread.id, url: page });
      }
      expect(await errorOf(await lookUp('https://blog.example.org/2026/other'))).toEqual([
        404,
        'thread-not-found',
      ]);
      expect(await errorOf(await lookUp('javascript:alert(1)'))).toEqual([400, 'invalid-page-url']);

      // A site whose pages are told apart by their query (`embedKeepQuery`) looks up by it.
      await accounts.updateSiteSettings(
        accountsContext(s.server.runtime),
        s.server.siteId,
        (settings) => ({
          ...settings,
          embedKeepQuery: true,
        }),
      );
      const byQuery = await discussion.createThread(s.ctx, {
        siteId: s.server.siteId,
        title: 'Page 7',
        url: embedPageUrl(`${page}?id=7`, { keepQuery: true }),
      });
      const seven = await lookUp(`${page}?id=7&utm_source=feed`);
      expect(await seven.json()).toMatchObject({ id: byQuery.id, url: `${page}?id=7` });
      expect(await errorOf(await lookUp(`${page}?id=8`))).toEqual([404, 'thread-not-found']);
      await accounts.updateSiteSettings(
        accountsContext(s.server.runtime),
        s.server.siteId,
        (settings) => ({
          ...settings,
          embedKeepQuery: false,
        }),
      );
    });

    it('finds the thread of a published statement by its slug, and no other', async () => {
      const statements = { ...s.server.runtime, discussion: s.ctx };
      const { statement, thread } = await publishStatement(statements, {
        siteId: s.server.siteId,
        title: 'On the attacks in Paris',
        body: 'We stand with Paris.',
        authorName: 'Jim Denham',
        slug: 'paris',
      });
      await publishStatement(statements, {
        siteId: s.server.siteId,
        title: 'Not yet',
        body: 'Scheduled.',
        authorName: 'Jim Denham',
        slug: 'later',
        publishedAt: new Date('2027-01-01T00:00:00Z'),
      });
      const response = await fetch(`${s.server.url}/api/v1/threads?statement=paris`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: thread.id, statementId: statement.id });
      for (const slug of ['no-such-statement', 'later']) {
        const refused = await fetch(`${s.server.url}/api/v1/threads?statement=${slug}`);
        expect(await errorOf(refused)).toEqual([404, 'thread-not-found']);
      }
    });

    it('wants exactly one of url and statement', async () => {
      for (const query of ['', '?url=https://example.org/&statement=paris', '?other=1']) {
        const response = await fetch(`${s.server.url}/api/v1/threads${query}`);
        expect(await errorOf(response)).toEqual([400, 'invalid-lookup']);
      }
    });
  });

  describe('reading comments', () => {
    const s = useServer(kind);
    let thread: Thread;
    beforeEach(async () => {
      thread = await discussion.createThread(s.ctx, {
        siteId: s.server.siteId,
        title: 'Read me',
        authorName: 'Jim Denham',
      });
    });
    const listUrl = (query = '') => `${s.server.url}/api/v1/threads/${thread.id}/comments${query}`;
    const post = (body: string, parentId?: string, author = { name: 'Ann' }) =>
      discussion.postComment(s.ctx, { threadId: thread.id, parentId, author, body });

    it('lists comments in display order with the public fields only', async () => {
      const first = await post('First *point*', undefined, {
        name: 'Ann',
        email: 'ann@example.org',
        url: 'https://ann.example.org',
      } as never);
      const reply = await post('A reply', first.comment.id);
      const second = await post('Second');
      const response = await fetch(listUrl());
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).not.toContain('ann@example.org');
      expect(text).not.toMatch(/ip_?hash|editToken|email/i);
      const page = JSON.parse(text) as { items: ApiComment[]; nextCursor: string | null };
      expect(page.nextCursor).toBeNull();
      expect(page.items).toEqual([
        {
          id: first.comment.id,
          parentId: null,
          depth: 1,
          number: 1,
          author: { name: 'Ann', url: 'https://ann.example.org/', isStatementAuthor: false },
          html: '<p>First <em>point</em></p>\n',
          createdAt: '2026-11-24T10:00:00.000Z',
          editedAt: null,
          status: 'approved',
          kind: 'comment',
        },
        expect.objectContaining({ id: reply.comment.id, parentId: first.comment.id, depth: 2 }),
        expect.objectContaining({ id: second.comment.id, number: 2, parentId: null }),
      ]);
      expect(page.items[1]?.number).toBeNull();
    });

    it('pages through 120 comments with the cursor, each exactly once, in order', async () => {
      for (let top = 0; top < 40; top++) {
        const parent = await post(`top ${top}`);
        const child = await post(`reply ${top}`, parent.comment.id);
        await post(`reply to reply ${top}`, child.comment.id);
      }
      const expected = (
        await discussion.listComments(s.ctx, { threadId: thread.id, limit: 500 })
      ).map((c) => c.id);
      expect(expected).toHaveLength(120);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string =
          cursor === null ? '?limit=7' : `?limit=7&cursor=${encodeURIComponent(cursor)}`;
        const response = await fetch(listUrl(query));
        expect(response.status).toBe(200);
        const page = (await response.json()) as { items: ApiComment[]; nextCursor: string | null };
        expect(page.items.length).toBeLessThanOrEqual(7);
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null);
      expect(pages).toBe(Math.ceil(120 / 7));
      expect(seen).toEqual(expected);
      const defaults = (await (await fetch(listUrl())).json()) as { items: ApiComment[] };
      expect(defaults.items).toHaveLength(50);
    });

    it('refuses a cursor it did not make and a limit outside 1–200', async () => {
      for (const query of ['?cursor=bm90IGEgcGF0aA', '?cursor=%25%25', '?cursor=MDAwMDE']) {
        expect(await errorOf(await fetch(listUrl(query)))).toEqual([400, 'invalid-cursor']);
      }
      for (const query of ['?limit=0', '?limit=201', '?limit=many']) {
        expect(await errorOf(await fetch(listUrl(query)))).toEqual([400, 'invalid-request']);
      }
      const missing = await fetch(`${s.server.url}/api/v1/threads/nope/comments`);
      expect(await errorOf(missing)).toEqual([404, 'thread-not-found']);
    });

    it('shows held comments to moderators only', async () => {
      await post('public');
      const held: Comment[] = [];
      for (const status of ['pending', 'rejected', 'spam'] as const)
        held.push(await insertHeld(s.ctx, thread, status));
      const moderator = await bearerFor(s.server, 'moderator', `Mo ${thread.id}`);
      const author = await bearerFor(s.server, 'author', `Au ${thread.id}`);
      const statuses = async (authorization?: string) => {
        const response = await fetch(listUrl(), {
          headers: authorization ? { authorization } : {},
        });
        expect(response.status).toBe(200);
        const page = (await response.json()) as { items: ApiComment[] };
        return page.items.map((item) => item.status);
      };
      expect(await statuses()).toEqual(['approved']);
      expect(await statuses(author)).toEqual(['approved']);
      expect(await statuses(moderator)).toEqual(['approved', 'pending', 'rejected', 'spam']);
      const text = await (await fetch(listUrl(), { headers: { authorization: moderator } })).text();
      expect(text).not.toContain('spammy@example.org');
    });

    it('shows a removed comment as a placeholder without its words or author, replies in place', async () => {
      const parent = await post('regrettable', undefined, { name: 'Ann' });
      await post('a reply that stays', parent.comment.id);
      await discussion.deleteComment(s.ctx, {
        commentId: parent.comment.id,
        editor: { editToken: parent.editToken },
      });
      const page = (await (await fetch(listUrl())).json()) as { items: ApiComment[] };
      expect(page.items).toEqual([
        expect.objectContaining({
          id: parent.comment.id,
          number: 1,
          depth: 1,
          status: 'deleted',
          html: '',
          author: null,
        }),
        expect.objectContaining({ parentId: parent.comment.id, status: 'approved', depth: 2 }),
      ]);
    });

    it('answers 304 to a client that has the current version, and 200 after a change', async () => {
      await post('cached');
      const first = await fetch(listUrl());
      const etag = first.headers.get('etag') ?? '';
      expect(etag).toMatch(/^W\/"/);
      expect(first.headers.get('vary')).toContain('Authorization');
      const again = await fetch(listUrl(), { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
      // A 304 has no body; a Content-Length other than the 200's would break strict clients.
      expect(again.headers.get('content-length')).toBeNull();
      const moderator = await bearerFor(s.server, 'moderator', `Etag ${thread.id}`);
      const asModerator = await fetch(listUrl(), {
        headers: { 'if-none-match': etag, authorization: moderator },
      });
      expect(asModerator.status).toBe(200); // moderators see more: another representation
      await post('changed');
      const changed = await fetch(listUrl(), { headers: { 'if-none-match': etag } });
      expect(changed.status).toBe(200);
      const threadResponse = await fetch(`${s.server.url}/api/v1/threads/${thread.id}`);
      const threadEtag = threadResponse.headers.get('etag') ?? '';
      const threadAgain = await fetch(`${s.server.url}/api/v1/threads/${thread.id}`, {
        headers: { 'if-none-match': threadEtag },
      });
      expect(threadAgain.status).toBe(304);
      expect(threadAgain.headers.get('content-length')).toBeNull();
    });
  });

  describe('posting', () => {
    const s = useServer(kind);
    let thread: Thread;
    beforeEach(async () => {
      thread = await discussion.createThread(s.ctx, {
        siteId: s.server.siteId,
        title: 'Post here',
      });
    });
    const postUrl = () => `${s.server.url}/api/v1/threads/${thread.id}/comments`;

    it('posts an anonymous comment and a reply, handing back an edit token', async () => {
      const response = await sendJson(postUrl(), 'POST', {
        authorName: 'Ann',
        authorEmail: 'ann@example.org',
        authorUrl: 'https://ann.example.org',
        body: 'Hello [there](https://example.org)',
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const text = await response.text();
      expect(text).not.toContain('ann@example.org');
      const posted = JSON.parse(text) as {
        comment: ApiComment;
        status: string;
        reasons: unknown[];
        editToken?: string;
      };
      expect(posted).toMatchObject({
        status: 'approved',
        reasons: [],
        comment: {
          number: 1,
          depth: 1,
          author: { name: 'Ann', url: 'https://ann.example.org/', isStatementAuthor: false },
          status: 'approved',
        },
      });
      expect(posted.comment.html).toContain('rel="nofollow ugc noopener"');
      expect(posted.editToken).toMatch(/^bse_/);

      const reply = await sendJson(postUrl(), 'POST', {
        parentId: posted.comment.id,
        authorName: 'Bob',
        body: 'A reply',
      });
      expect(reply.status).toBe(201);
      const replied = (await reply.json()) as { comment: ApiComment };
      expect(replied.comment).toMatchObject({
        parentId: posted.comment.id,
        depth: 2,
        number: null,
      });
      const stored = await store.findComment(s.ctx.db, posted.comment.id);
      expect(stored?.authorEmail).toBe('ann@example.org');
      expect((await discussion.getThread(s.ctx, thread.id)).commentCount).toBe(2);
    });

    it('lets a signed-in member post as themselves, without an edit token', async () => {
      const authorization = await bearerFor(s.server, 'author', 'Mary Member');
      const response = await sendJson(
        postUrl(),
        'POST',
        { authorName: 'Someone Else', body: 'As myself' },
        { authorization },
      );
      expect(response.status).toBe(201);
      const posted = (await response.json()) as { comment: ApiComment; editToken?: string };
      expect(posted.comment.author?.name).toBe('Mary Member');
      expect(posted.editToken).toBeUndefined();
    });

    it('stores a keyed hash of the poster’s address, never the address', async () => {
      const response = await sendJson(postUrl(), 'POST', { authorName: 'Ann', body: 'hashed' });
      const { comment } = (await response.json()) as { comment: ApiComment };
      const row = await s.server.runtime.db
        .selectFrom('comments')
        .select('ip_hash')
        .where('id', '=', comment.id)
        .executeTakeFirstOrThrow();
      expect(row.ip_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.ip_hash).not.toContain('127.0.0.1');
    });

    it('refuses control characters in a name, and keeps only the parsed form of a URL', async () => {
      const nul = await sendJson(postUrl(), 'POST', { authorName: 'Ann\u0000', body: 'x' });
      expect(await errorOf(nul)).toEqual([422, 'name-invalid']);
      const withNul = await sendJson(postUrl(), 'POST', {
        authorName: 'Ann',
        authorUrl: 'https://ann.example.org/a\u0000b',
        body: 'x',
      });
      expect(withNul.status).toBe(201);
      const { comment } = (await withNul.json()) as { comment: ApiComment };
      expect(comment.author?.url).toBe('https://ann.example.org/a%00b');
      const credentials = await sendJson(postUrl(), 'POST', {
        authorName: 'Ann',
        authorUrl: 'https://paypal.com:x@evil.example/',
        body: 'x',
      });
      expect(await errorOf(credentials)).toEqual([422, 'url-has-credentials']);
    });

    it('opens an embedded thread whatever title the page sends, NUL included', async () => {
      await addEmbedOrigin(accountsContext(s.server.runtime), {
        siteId: s.server.siteId,
        origin: 'https://nul.example.org',
      });
      const response = await fetch(
        `${s.server.url}/embed/thread?url=${encodeURIComponent('https://nul.example.org/p')}&title=%00`,
      );
      expect(response.status).toBeLessThan(500);
    });
  });

  describe('refusing bad posts', () => {
    const s = useServer(kind);
    let thread: Thread;
    beforeEach(async () => {
      thread = await discussion.createThread(s.ctx, {
        siteId: s.server.siteId,
        title: 'Post here',
      });
    });
    const postUrl = () => `${s.server.url}/api/v1/threads/${thread.id}/comments`;

    it('refuses bad input with a clear coded error and writes nothing', async () => {
      const other = await discussion.createThread(s.ctx, {
        siteId: s.server.siteId,
        title: 'Elsewhere',
      });
      const foreign = await discussion.postComment(s.ctx, {
        threadId: other.id,
        author: { name: 'X' },
        body: 'there',
      });
      const raw = (body: BodyInit) =>
        fetch(postUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const cases: [string, () => Promise<Response>, number, string][] = [
        [
          'unknown thread',
          () =>
            sendJson(`${s.server.url}/api/v1/threads/no-such-thread/comments`, 'POST', {
              authorName: 'A',
              body: 'x',
            }),
          404,
          'thread-not-found',
        ],
        [
          'unknown parent',
          () => sendJson(postUrl(), 'POST', { parentId: 'nope', authorName: 'A', body: 'x' }),
          404,
          'parent-not-found',
        ],
        [
          'parent in another thread',
          () =>
            sendJson(postUrl(), 'POST', {
              parentId: foreign.comment.id,
              authorName: 'A',
              body: 'x',
            }),
          422,
          'parent-in-other-thread',
        ],
        [
          'empty body',
          () => sendJson(postUrl(), 'POST', { authorName: 'A', body: ' \n ' }),
          422,
          'body-empty',
        ],
        ['missing name', () => sendJson(postUrl(), 'POST', { body: 'x' }), 422, 'name-missing'],
        [
          'blank name',
          () => sendJson(postUrl(), 'POST', { authorName: '   ', body: 'x' }),
          422,
          'name-missing',
        ],
        [
          'invalid e-mail',
          () => sendJson(postUrl(), 'POST', { authorName: 'A', authorEmail: 'nope', body: 'x' }),
          422,
          'invalid-email',
        ],
        [
          'invalid URL',
          () =>
            sendJson(postUrl(), 'POST', {
              authorName: 'A',
              authorUrl: 'javascript:alert(1)',
              body: 'x',
            }),
          422,
          'invalid-url',
        ],
        [
          'body over the limit',
          () => sendJson(postUrl(), 'POST', { authorName: 'A', body: 'x'.repeat(10_001) }),
          413,
          'body-too-long',
        ],
        [
          'lone surrogate escaped in JSON',
          () => raw('{"authorName":"A","body":"broken \\ud800 text"}'),
          422,
          'invalid-unicode',
        ],
        [
          'lone surrogate in the name',
          () => raw('{"authorName":"\\udc00A","body":"fine"}'),
          422,
          'invalid-unicode',
        ],
        [
          'raw bytes that are not UTF-8',
          () => raw(bytes('{"authorName":"A","body":"caf', [0xe9, 0xff], '"}')),
          400,
          'invalid-utf8',
        ],
        [
          'an encoded surrogate (CESU-8)',
          () => raw(bytes('{"authorName":"A","body":"', [0xed, 0xa0, 0x80], '"}')),
          400,
          'invalid-utf8',
        ],
        ['malformed JSON', () => raw('{"authorName":"A",'), 400, 'malformed-json'],
        [
          'reply e-mails on a site that sends no mail',
          () =>
            sendJson(postUrl(), 'POST', {
              authorName: 'A',
              authorEmail: 'a@example.org',
              body: 'x',
              notifyReplies: true,
            }),
          422,
          'notifications-unavailable',
        ],
        [
          'unknown field',
          () => sendJson(postUrl(), 'POST', { authorName: 'A', body: 'x', isAdmin: true }),
          400,
          'invalid-request',
        ],
      ];
      for (const [name, request, status, code] of cases) {
        const response = await request();
        expect([name, ...(await errorOf(response))]).toEqual([name, status, code]);
      }
      expect(await discussion.listComments(s.ctx, { threadId: thread.id, limit: 10 })).toEqual([]);
      expect(await discussion.getThread(s.ctx, thread.id)).toMatchObject({
        version: 1,
        commentCount: 0,
      });
    });

    it('says which limit a long comment broke', async () => {
      const response = await sendJson(postUrl(), 'POST', {
        authorName: 'A',
        body: 'x'.repeat(12_000),
      });
      expect(response.status).toBe(413);
      expect(((await response.json()) as ApiError).error.message).toBe(
        'The comment is 12,000 characters long; the limit is 10,000.',
      );
    });

    it('refuses a comment on a closed thread', async () => {
      await store.setThreadStatus(s.ctx.db, thread.id, 'closed');
      const response = await sendJson(postUrl(), 'POST', { authorName: 'A', body: 'late' });
      expect(await errorOf(response)).toEqual([409, 'thread-closed']);
      expect((await discussion.getThread(s.ctx, thread.id)).version).toBe(1);
    });
  });

  describe('editing and removing', () => {
    const s = useServer(kind);
    let thread: Thread;
    beforeEach(async () => {
      clock.set('2026-11-24T10:00:00Z');
      thread = await discussion.createThread(s.ctx, {
        siteId: s.server.siteId,
        title: 'Edit here',
      });
    });
    const commentUrl = (id: string) => `${s.server.url}/api/v1/comments/${id}`;
    const post = (body: string, parentId?: string) =>
      discussion.postComment(s.ctx, {
        threadId: thread.id,
        parentId,
        author: { name: 'Ann' },
        body,
      });
    const version = async () => (await discussion.getThread(s.ctx, thread.id)).version;

    it('edits with the edit token from the body or the X-Edit-Token header', async () => {
      const { comment, editToken } = await post('teh draft');
      clock.advance(60_000);
      const viaBody = await sendJson(commentUrl(comment.id), 'PATCH', {
        body: 'the draft',
        editToken,
      });
      expect(viaBody.status).toBe(200);
      expect(await viaBody.json()).toMatchObject({
        id: comment.id,
        html: '<p>the draft</p>\n',
        editedAt: '2026-11-24T10:01:00.000Z',
      });
      const viaHeader = await sendJson(
        commentUrl(comment.id),
        'PATCH',
        { body: 'the final draft' },
        { 'x-edit-token': editToken ?? '' },
      );
      expect(viaHeader.status).toBe(200);
      expect(await editHistory(s.ctx.db, comment.id)).toMatchObject([
        { body: 'teh draft' },
        { body: 'the draft' },
      ]);
    });

    it('lets a member edit their own comment by their account', async () => {
      const authorization = await bearerFor(s.server, 'author', `Edith ${thread.id}`);
      const posted = await sendJson(
        `${s.server.url}/api/v1/threads/${thread.id}/comments`,
        'POST',
        { body: 'mine' },
        { authorization },
      );
      const { comment } = (await posted.json()) as { comment: ApiComment };
      const edited = await sendJson(
        commentUrl(comment.id),
        'PATCH',
        { body: 'still mine' },
        { authorization },
      );
      expect(edited.status).toBe(200);
      const other = await bearerFor(s.server, 'author', `Other ${thread.id}`);
      const refused = await sendJson(
        commentUrl(comment.id),
        'PATCH',
        { body: 'not yours' },
        { authorization: other },
      );
      expect(await errorOf(refused)).toEqual([403, 'not-author']);
    });

    it('refuses edits by others, after the window, or that break the rules, writing nothing', async () => {
      const { comment, editToken } = await post('original');
      const before = await version();
      const cases: [string, () => Promise<Response>, number, string][] = [
        [
          'no token',
          () => sendJson(commentUrl(comment.id), 'PATCH', { body: 'mine now' }),
          403,
          'not-author',
        ],
        [
          'wrong token',
          () => sendJson(commentUrl(comment.id), 'PATCH', { body: 'x', editToken: 'bse_wrong' }),
          403,
          'not-author',
        ],
        [
          'empty body',
          () => sendJson(commentUrl(comment.id), 'PATCH', { body: '', editToken }),
          422,
          'body-empty',
        ],
        [
          'unknown comment',
          () => sendJson(commentUrl('no-such-comment'), 'PATCH', { body: 'x', editToken }),
          404,
          'comment-not-found',
        ],
        [
          'broken Unicode',
          () =>
            fetch(commentUrl(comment.id), {
              method: 'PATCH',
              headers: { 'content-type': 'application/json' },
              body: `{"body":"\\ud800","editToken":"${editToken}"}`,
            }),
          422,
          'invalid-unicode',
        ],
      ];
      for (const [name, request, status, code] of cases) {
        expect([name, ...(await errorOf(await request()))]).toEqual([name, status, code]);
      }
      clock.advance(15 * 60_000 + 1_000);
      const late = await sendJson(commentUrl(comment.id), 'PATCH', { body: 'late', editToken });
      expect(await errorOf(late)).toEqual([403, 'edit-window-over']);
      expect(await version()).toBe(before);
      expect((await store.findComment(s.ctx.db, comment.id))?.body).toBe('original');
    });

    it('removes a comment with its edit token and answers with the placeholder', async () => {
      const parent = await post('to be removed');
      await post('reply', parent.comment.id);
      const response = await fetch(commentUrl(parent.comment.id), {
        method: 'DELETE',
        headers: { 'x-edit-token': parent.editToken ?? '' },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        id: parent.comment.id,
        status: 'deleted',
        html: '',
        author: null,
        number: 1,
      });
      const again = await fetch(commentUrl(parent.comment.id), {
        method: 'DELETE',
        headers: { 'x-edit-token': parent.editToken ?? '' },
      });
      expect(await errorOf(again)).toEqual([404, 'comment-not-found']);
      const thread2 = await discussion.getThread(s.ctx, thread.id);
      expect(thread2.commentCount).toBe(1);
    });

    it('takes the token from a JSON body too, refuses strangers and lets moderators remove any', async () => {
      const { comment, editToken } = await post('mine');
      const before = await version();
      const stranger = await fetch(commentUrl(comment.id), { method: 'DELETE' });
      expect(await errorOf(stranger)).toEqual([403, 'not-author']);
      const author = await bearerFor(s.server, 'author', `NotMod ${thread.id}`);
      const notModerator = await fetch(commentUrl(comment.id), {
        method: 'DELETE',
        headers: { authorization: author },
      });
      expect(await errorOf(notModerator)).toEqual([403, 'not-author']);
      expect(await version()).toBe(before);

      const byBody = await sendJson(commentUrl(comment.id), 'DELETE', { editToken });
      expect(byBody.status).toBe(200);

      const other = await post('spam, really');
      const moderator = await bearerFor(s.server, 'moderator', `Mod ${thread.id}`);
      const removed = await fetch(commentUrl(other.comment.id), {
        method: 'DELETE',
        headers: { authorization: moderator },
      });
      expect(removed.status).toBe(200);
      expect((await store.findComment(s.ctx.db, other.comment.id))?.status).toBe('deleted');
    });
  });
});

describe('the posting rate limit', () => {
  it('lets one address post 20 comments a minute, then answers 429 with Retry-After', async () => {
    const server = await startTestServer();
    try {
      const ctx = discussionContext(server.runtime);
      const thread = await discussion.createThread(ctx, { siteId: server.siteId, title: 'Busy' });
      const url = `${server.url}/api/v1/threads/${thread.id}/comments`;
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++)
        statuses.push((await sendJson(url, 'POST', { authorName: 'A', body: `#${i}` })).status);
      expect(statuses).toEqual(Array(20).fill(201));
      const limited = await sendJson(url, 'POST', { authorName: 'A', body: 'one more' });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await limited.json()) as ApiError).error.code).toBe('rate-limited');
      // Reading is not limited by posting.
      expect((await fetch(`${url}?limit=1`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('counts the embed’s comment form against the same limit as the API', async () => {
    const server = await startTestServer({ env: { COMMENT_RATE_LIMIT_PER_MINUTE: '2' } });
    try {
      const ctx = discussionContext(server.runtime);
      const thread = await discussion.createThread(ctx, {
        siteId: server.siteId,
        title: 'Embedded',
        url: 'https://blog.example.org/essay',
      });
      const url = `${server.url}/api/v1/threads/${thread.id}/comments`;
      for (let i = 0; i < 2; i++)
        expect((await sendJson(url, 'POST', { authorName: 'A', body: `#${i}` })).status).toBe(201);
      const framed = await fetch(`${server.url}/embed/threads/${thread.id}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: new URLSearchParams({ name: 'A', body: 'one more' }).toString(),
      });
      expect(framed.status).toBe(429);
      expect(framed.headers.get('content-type')).toMatch(/^text\/html/);
    } finally {
      await server.close();
    }
  });

  it('takes the posting limit from COMMENT_RATE_LIMIT_PER_MINUTE', async () => {
    const server = await startTestServer({ env: { COMMENT_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const ctx = discussionContext(server.runtime);
      const thread = await discussion.createThread(ctx, { siteId: server.siteId, title: 'Busy' });
      const url = `${server.url}/api/v1/threads/${thread.id}/comments`;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await sendJson(url, 'POST', { authorName: 'A', body: `#${i}` })).status);
      expect(statuses).toEqual([201, 201, 201, 429]);
    } finally {
      await server.close();
    }
  });
});

describe('the OpenAPI document', () => {
  it('describes every discussion route under the discussion tag', async () => {
    const server = await startTestServer();
    try {
      const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { tags?: string[]; responses: object }>>;
      };
      const expected: [string, string][] = [
        ['/api/v1/threads', 'get'],
        ['/api/v1/threads/{threadId}', 'get'],
        ['/api/v1/threads/{threadId}/comments', 'get'],
        ['/api/v1/threads/{threadId}/comments', 'post'],
        ['/api/v1/comments/{commentId}', 'patch'],
        ['/api/v1/comments/{commentId}', 'delete'],
        ['/api/v1/threads/{threadId}/events', 'get'],
      ];
      for (const [path, method] of expected) {
        const operation = doc.paths[path]?.[method];
        expect(operation, `${method.toUpperCase()} ${path}`).toBeDefined();
        expect(operation?.tags).toEqual(['discussion']);
      }
      const events = doc.paths['/api/v1/threads/{threadId}/events']?.get?.responses as Record<
        string,
        { content?: Record<string, unknown> }
      >;
      expect(Object.keys(events['200']?.content ?? {})).toEqual(['text/event-stream']);
    } finally {
      await server.close();
    }
  });
});
