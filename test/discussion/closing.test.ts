// Closing a thread to new comments and opening it again, through the API (moderators only), on
// SQLite and on PostgreSQL: the version moves (so caches and ETags do), posting is refused with a
// clear message, and the statement page says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as accounts from '../../src/accounts/service.js';
import type { Role } from '../../src/accounts/model.js';
import { accountsContext, statementsContext } from '../../src/runtime.js';
import type { Thread } from '../../src/discussion/store.js';
import * as statements from '../../src/statements/service.js';
import { databaseKinds } from '../helpers/databases.js';
import { Browser } from '../helpers/http.js';
import type { TestServer } from '../helpers/runtime.js';
import { addMemberWithPassword, startTestServer } from '../helpers/runtime.js';
import { buildStatement } from '../statements/factories.js';

interface ApiThread {
  id: string;
  status: 'open' | 'closed';
  version: number;
}

describe.each(databaseKinds)('closing a thread on $name', (kind) => {
  let server: TestServer;
  let thread: Thread;
  let path: string;
  let moderator: string;
  let author: string;

  async function bearerFor(role: Role, email: string): Promise<string> {
    const { member } = await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      email,
      role,
    });
    const { token } = await accounts.createApiToken(accountsContext(server.runtime), {
      accountId: member.id,
      name: 'test',
    });
    return `Bearer ${token}`;
  }

  beforeAll(async () => {
    server = await startTestServer({ kind });
    const published = await statements.publishStatement(
      statementsContext(server.runtime),
      buildStatement(server.siteId),
    );
    thread = published.thread;
    path = `/s/${published.statement.slug}`;
    moderator = await bearerFor('moderator', 'mo@example.org');
    author = await bearerFor('author', 'au@example.org');
  });
  afterAll(async () => {
    await server?.close();
  });

  const act = (action: 'close' | 'open', headers: Record<string, string> = {}, id = thread.id) =>
    fetch(`${server.url}/api/v1/threads/${id}/${action}`, { method: 'POST', headers });
  const postComment = (body: string) =>
    fetch(`${server.url}/api/v1/threads/${thread.id}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ authorName: 'Ann', body }),
    });
  const currentThread = async () =>
    (await (await fetch(`${server.url}/api/v1/threads/${thread.id}`)).json()) as ApiThread;

  it('closes for moderators, bumping the version; posting is then refused with 409', async () => {
    const before = await currentThread();
    const etag = (await fetch(`${server.url}/api/v1/threads/${thread.id}`)).headers.get('etag');

    const closed = await act('close', { authorization: moderator });
    expect(closed.status).toBe(200);
    expect(await closed.json()).toMatchObject({
      id: thread.id,
      status: 'closed',
      version: before.version + 1,
    });
    // Closing again changes nothing.
    expect(await (await act('close', { authorization: moderator })).json()).toMatchObject({
      status: 'closed',
      version: before.version + 1,
    });
    const revalidated = await fetch(`${server.url}/api/v1/threads/${thread.id}`, {
      headers: { 'if-none-match': etag ?? '' },
    });
    expect(revalidated.status).toBe(200);

    const refused = await postComment('Too late');
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({
      error: { code: 'thread-closed', message: 'This discussion is closed to new comments.' },
    });
    const html = await (await new Browser(server.url).get(path)).text();
    expect(html).toContain('<p class="notice">Comments are closed.</p>');
    expect(html).not.toContain('<form method="post"');

    const opened = await act('open', { authorization: moderator });
    expect(await opened.json()).toMatchObject({ status: 'open', version: before.version + 2 });
    // Both are moderator actions in the audit log (closing twice changed nothing: logged once).
    const audit = (await (
      await fetch(`${server.url}/api/v1/moderation/audit`, {
        headers: { authorization: moderator },
      })
    ).json()) as { items: { action: string; threadId: string; actor: { name: string } }[] };
    expect(
      audit.items.filter((entry) => entry.threadId === thread.id).map((entry) => entry.action),
    ).toEqual(['open-thread', 'close-thread']);
    expect((await postComment('Open again')).status).toBe(201);
    expect(await (await new Browser(server.url).get(path)).text()).toContain(
      '<h3 id="comment-form-title">Add a comment</h3>',
    );
  });

  it('is refused to the public (401), to members who may not moderate (403), and for unknown threads (404)', async () => {
    const before = await currentThread();
    const anonymous = await act('close');
    expect(anonymous.status).toBe(401);
    const notModerator = await act('close', { authorization: author });
    expect(notModerator.status).toBe(403);
    expect(((await notModerator.json()) as { error: { message: string } }).error.message).toBe(
      'Your role (author) does not allow this (comments.moderate).',
    );
    const unknown = await act('close', { authorization: moderator }, 'no-such-thread');
    expect(unknown.status).toBe(404);
    expect(await currentThread()).toEqual(before);
  });

  it('takes a moderator’s session with the page’s CSRF token in X-CSRF-Token, and not without', async () => {
    const { password } = await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      email: 'session-mo@example.org',
      role: 'moderator',
    });
    const browser = new Browser(server.url);
    const signIn = await browser.csrfTokenFrom('/signin');
    await browser.postForm('/signin', {
      _csrf: signIn,
      email: 'session-mo@example.org',
      password,
    });
    const token = await browser.csrfTokenFrom(path);
    const forged = await browser.request(`/api/v1/threads/${thread.id}/close`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(forged.status).toBe(403);
    expect((await currentThread()).status).toBe('open');
    const closed = await browser.request(`/api/v1/threads/${thread.id}/close`, {
      method: 'POST',
      headers: { accept: 'application/json', 'x-csrf-token': token },
    });
    expect(closed.status).toBe(200);
    expect((await currentThread()).status).toBe('closed');
    await act('open', { authorization: moderator });
  });
});

describe('the OpenAPI document', () => {
  it('describes closing and opening under the discussion tag', async () => {
    const server = await startTestServer();
    try {
      const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { tags?: string[]; responses: object }>>;
      };
      for (const action of ['close', 'open']) {
        const operation = doc.paths[`/api/v1/threads/{threadId}/${action}`]?.post;
        expect(operation?.tags).toEqual(['discussion']);
        expect(Object.keys(operation?.responses ?? {})).toEqual(['200', '401', '403', '404']);
      }
    } finally {
      await server.close();
    }
  });
});
