// The moderation API over real HTTP against a listening server with the real moderation: readers'
// reports (acceptance 4: a report, three readers holding a comment, a rate-limited reporter),
// bad input leaving nothing changed (acceptance 6: an unknown comment, no role, a malformed term
// list), and the queue, actions, bans, threads, audit log with CSV, rules and OpenAPI document.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountsContext, discussionContext } from '../../src/runtime.js';
import * as accounts from '../../src/accounts/service.js';
import * as discussion from '../../src/discussion/service.js';
import type { Thread } from '../../src/discussion/store.js';
import { REPORTS_PER_WINDOW } from '../../src/moderation/reports.js';
import { hashAddress } from '../../src/platform/address-hash.js';
import { Browser } from '../helpers/http.js';
import type { TestServer } from '../helpers/runtime.js';
import { addMemberWithPassword, startTestServer } from '../helpers/runtime.js';

interface ErrorJson {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

let server: TestServer;
let moderator: string;
let author: string;
let thread: Thread;
let address = 0;
let threads = 0;

/** A reader at an address of their own (the server trusts the loopback proxy's X-Forwarded-For). */
const newReader = () => `203.0.113.${++address}`;

async function tokenFor(email: string, role: 'moderator' | 'author') {
  const { member } = await addMemberWithPassword(server.runtime, {
    siteId: server.siteId,
    email,
    role,
  });
  const { token } = await accounts.createApiToken(accountsContext(server.runtime), {
    accountId: member.id,
    name: 'tests',
  });
  return `Bearer ${token}`;
}

function call(
  method: string,
  path: string,
  options: { auth?: string; body?: unknown; from?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.auth) headers.authorization = options.auth;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.from) headers['x-forwarded-for'] = options.from;
  return fetch(server.url + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

async function json<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return JSON.parse(text) as T;
}

async function post(body: string, name = 'Reader'): Promise<{ id: string; status: string }> {
  const response = await call('POST', `/api/v1/threads/${thread.id}/comments`, {
    body: { authorName: name, body },
    from: newReader(),
  });
  const posted = await json<{ comment: { id: string }; status: string }>(response, 201);
  return { id: posted.comment.id, status: posted.status };
}

const report = (commentId: string, from: string, reason = 'hate', note?: string) =>
  call('POST', `/api/v1/comments/${commentId}/reports`, {
    body: note === undefined ? { reason } : { reason, note },
    from,
  });

interface QueueJson {
  counts: Record<string, number>;
  items: {
    id: string;
    status: string;
    flagged: boolean;
    reasons: { code: string; message: string }[];
    reports: { open: number; byReason: Record<string, number> };
    thread: { id: string; permalink: string | null };
  }[];
  nextCursor: string | null;
}
const queue = async (tab: string) =>
  json<QueueJson>(
    await call('GET', `/api/v1/moderation/queue?tab=${tab}`, { auth: moderator }),
    200,
  );

const publicIds = async () =>
  (
    await json<{ items: { id: string }[] }>(
      await call('GET', `/api/v1/threads/${thread.id}/comments`),
      200,
    )
  ).items.map((c) => c.id);

beforeAll(async () => {
  server = await startTestServer({ moderation: 'real', env: { TRUST_PROXY: '127.0.0.1' } });
  moderator = await tokenFor('mo@example.org', 'moderator');
  author = await tokenFor('writer@example.org', 'author');
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  thread = await discussion.createThread(discussionContext(server.runtime), {
    siteId: server.siteId,
    title: 'On Paris',
    url: `https://blog.example.org/paris/${++threads}`,
  });
});

describe('readers’ reports through the API (acceptance 4)', () => {
  it('takes a reader’s report without an account, and shows it to moderators', async () => {
    const { id } = await post('I think you are all idiots.');
    const reader = newReader();
    const response = await report(id, reader, 'abuse', 'Insults everyone.');
    const body = await json<{ id: string; message: string }>(response, 201);
    expect(body.message).toBe('Thank you. The moderators will look at this comment.');
    // The reader is known by their address's hash under the rotating salt, as posters are.
    const stored = await server.runtime.db
      .selectFrom('reports')
      .select('reporter_key')
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(stored.reporter_key).toBe(
      `address:${hashAddress({
        secret: server.runtime.secret,
        address: reader,
        now: server.runtime.clock.now(),
        saltDays: server.runtime.config.ipHashSaltDays,
      })}`,
    );
    const reported = await queue('reported');
    const item = reported.items.find((i) => i.id === id);
    expect(item?.reports).toMatchObject({ open: 1, byReason: { abuse: 1 } });
    expect(await publicIds()).toContain(id);
  });

  it('holds a comment once three different readers reported it; the same reader counts once', async () => {
    const { id } = await post('Something hateful about a whole people.');
    const first = newReader();
    await json(await report(id, first), 201);
    const again = await json<ErrorJson>(await report(id, first, 'spam'), 409);
    expect(again.error.code).toBe('already-reported');
    await json(await report(id, newReader()), 201);
    expect(await publicIds()).toContain(id); // two readers: still public
    await json(await report(id, newReader(), 'abuse'), 201);
    expect(await publicIds()).not.toContain(id);
    const pending = await queue('pending');
    const held = pending.items.find((i) => i.id === id);
    expect(held).toMatchObject({
      status: 'pending',
      flagged: true,
      reasons: [{ code: 'reported', message: 'Reported by 3 readers (hate, abuse).' }],
      reports: { open: 3, byReason: { hate: 2, abuse: 1 } },
    });
    // Readers can no longer report what they cannot see.
    expect((await json<ErrorJson>(await report(id, newReader()), 404)).error.code).toBe(
      'comment-not-found',
    );
    const audit = await json<{ items: { action: string; actorKind: string }[] }>(
      await call('GET', `/api/v1/moderation/audit?commentId=${id}`, { auth: moderator }),
      200,
    );
    expect(audit.items.map((e) => [e.actorKind, e.action])).toEqual([
      ['reports', 'auto-hold'],
      ['rules', 'auto-approve'],
    ]);
  });

  it('limits a reporter to ten reports an hour with 429 and Retry-After', async () => {
    const busy = newReader();
    const ids: string[] = [];
    for (let i = 0; i <= REPORTS_PER_WINDOW; i++) ids.push((await post(`Opinion number ${i}.`)).id);
    for (const id of ids.slice(0, REPORTS_PER_WINDOW))
      await json(await report(id, busy, 'off-topic'), 201);
    const limited = await report(ids.at(-1) as string, busy, 'off-topic');
    const body = await json<ErrorJson>(limited, 429);
    expect(body.error.code).toBe('too-many-reports');
    expect(body.error.message).toMatch(/try again in \d+ minutes/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(3000);
    // Nothing was filed for it; another reader still can.
    const reported = await queue('reported');
    expect(reported.items.some((i) => i.id === ids.at(-1))).toBe(false);
    await json(await report(ids.at(-1) as string, newReader(), 'off-topic'), 201);
  });

  it('refuses a report with an unknown reason (400) or too long a note (422)', async () => {
    const { id } = await post('Fine words.');
    expect((await report(id, newReader(), 'boring')).status).toBe(400);
    const long = await json<ErrorJson>(
      await report(id, newReader(), 'other', 'x'.repeat(1001)),
      422,
    );
    expect(long.error.code).toBe('note-too-long');
  });
});

describe('bad input changes nothing (acceptance 6)', () => {
  it('an unknown comment id in a bulk action: 404 naming it, the others untouched', async () => {
    const held = await post('Typical yid behaviour.');
    expect(held.status).toBe('pending');
    const before = await queue('pending');
    const response = await call('POST', '/api/v1/moderation/actions', {
      auth: moderator,
      body: { action: 'approve', commentIds: [held.id, 'no-such-comment'] },
    });
    const body = await json<ErrorJson>(response, 404);
    expect(body.error.code).toBe('comment-not-found');
    expect(body.error.message).toContain('no-such-comment');
    expect(await queue('pending')).toEqual(before);
    expect(await publicIds()).not.toContain(held.id);
  });

  it('an action without the role: 403 (401 without signing in), nothing changed', async () => {
    const held = await post('Typical yid behaviour again.');
    const denied = await call('POST', '/api/v1/moderation/actions', {
      auth: author,
      body: { action: 'approve', commentIds: [held.id] },
    });
    const body = await json<ErrorJson>(denied, 403);
    expect(body.error.message).toBe('Your role (author) does not allow this (comments.moderate).');
    const anonymous = await call('POST', '/api/v1/moderation/actions', {
      body: { action: 'approve', commentIds: [held.id] },
    });
    expect(anonymous.status).toBe(401);
    for (const [method, path] of [
      ['GET', '/api/v1/moderation/queue'],
      ['GET', '/api/v1/moderation/audit'],
      ['GET', '/api/v1/moderation/rules'],
      ['GET', '/api/v1/moderation/bans'],
    ] as const) {
      expect((await call(method, path, { auth: author })).status, path).toBe(403);
    }
    expect((await queue('pending')).items.find((i) => i.id === held.id)?.status).toBe('pending');
  });

  it('a malformed term list: 422 naming the lines, the rules as they were', async () => {
    const before = await json<{ version: number; settings: { blockedTerms: string } }>(
      await call('GET', '/api/v1/moderation/rules', { auth: moderator }),
      200,
    );
    const response = await call('PUT', '/api/v1/moderation/rules', {
      auth: moderator,
      body: { blockedTerms: 'a fine term\nh8er\n\nsl0ur\n', maxLinks: 7 },
    });
    const body = await json<ErrorJson>(response, 422);
    expect(body.error.code).toBe('invalid-term-list');
    expect(body.error.message).toMatch(/Blocked terms: line 2: .*line 4: /);
    expect(body.error.message).toMatch(/Nothing was changed\.$/);
    const lines = (body.error.details?.problems as { line: number }[]).map((p) => p.line);
    expect([...new Set(lines)]).toEqual([2, 4]);
    const after = await json<typeof before>(
      await call('GET', '/api/v1/moderation/rules', { auth: moderator }),
      200,
    );
    expect(after).toEqual(before);
  });
});

describe('the moderation API', () => {
  it('approves, rejects with a reason and marks spam through actions, in bulk', async () => {
    const a = await post('Typical yid behaviour, first.');
    const b = await post('Typical yid behaviour, second.');
    const c = await post('Typical yid behaviour, third.');
    const approved = await json<{ results: { commentId: string; statusAfter: string }[] }>(
      await call('POST', '/api/v1/moderation/actions', {
        auth: moderator,
        body: { action: 'approve', commentIds: [a.id, b.id] },
      }),
      200,
    );
    expect(approved.results.map((r) => r.statusAfter)).toEqual(['approved', 'approved']);
    await json(
      await call('POST', '/api/v1/moderation/actions', {
        auth: moderator,
        body: { action: 'reject', commentIds: [c.id], reason: 'Slurs are not welcome here.' },
      }),
      200,
    );
    const rejected = await queue('rejected');
    expect(rejected.items.find((i) => i.id === c.id)?.reasons).toEqual([
      { code: 'moderator', message: 'Slurs are not welcome here.' },
    ]);
    expect(await publicIds()).toEqual(expect.arrayContaining([a.id, b.id]));
    const approvedItem = (await queue('all')).items.find((i) => i.id === a.id);
    expect(approvedItem?.thread.permalink).toBe(`${thread.url}#comment-${a.id}`);
  });

  it('bans an author from a comment, whose next comment is rejected; lists and lifts the ban', async () => {
    const response = await call('POST', `/api/v1/threads/${thread.id}/comments`, {
      body: { authorName: 'Troll', authorEmail: 'troll@example.org', body: 'Rude.' },
      from: '198.51.100.7',
    });
    const { comment } = await json<{ comment: { id: string } }>(response, 201);
    const banned = await json<{
      bans: { id: string; kind: string; target: string; expiresAt: string | null }[];
    }>(
      await call('POST', '/api/v1/moderation/bans', {
        auth: moderator,
        body: { commentId: comment.id, reason: 'Trolling', days: 7 },
      }),
      201,
    );
    expect(banned.bans.map((b) => b.kind)).toEqual(['email', 'address']);
    expect(banned.bans[0]?.target).toBe('email:troll@example.org');
    expect(banned.bans[0]?.expiresAt).not.toBeNull();
    const next = await call('POST', `/api/v1/threads/${thread.id}/comments`, {
      body: { authorName: 'Troll', authorEmail: 'troll@example.org', body: 'Back.' },
      from: '198.51.100.8',
    });
    const nextBody = await next.json();
    expect(JSON.stringify(nextBody)).toContain('banned');
    expect(JSON.stringify(nextBody)).not.toContain('Trolling');

    const list = await json<{ items: { id: string; active: boolean }[] }>(
      await call('GET', '/api/v1/moderation/bans', { auth: moderator }),
      200,
    );
    expect(list.items.filter((b) => banned.bans.some((x) => x.id === b.id))).toHaveLength(2);
    const lifted = await json<{ active: boolean; liftedAt: string }>(
      await call('DELETE', `/api/v1/moderation/bans/${banned.bans[0]?.id}`, { auth: moderator }),
      200,
    );
    expect(lifted.active).toBe(false);
    const twice = await json<ErrorJson>(
      await call('DELETE', `/api/v1/moderation/bans/${banned.bans[0]?.id}`, { auth: moderator }),
      409,
    );
    expect(twice.error.code).toBe('ban-already-lifted');
    const both = await json<ErrorJson>(
      await call('POST', '/api/v1/moderation/bans', {
        auth: moderator,
        body: { email: 'x@example.org', reason: 'x', days: 1, hours: 2 },
      }),
      400,
    );
    expect(both.error.code).toBe('invalid-ban-duration');
  });

  it('closes and opens a thread, logged', async () => {
    const closed = await json<{ status: string; changed: boolean }>(
      await call('POST', `/api/v1/moderation/threads/${thread.id}/close`, { auth: moderator }),
      200,
    );
    expect(closed).toEqual({ threadId: thread.id, status: 'closed', changed: true });
    const refused = await call('POST', `/api/v1/threads/${thread.id}/comments`, {
      body: { authorName: 'Late', body: 'Too late?' },
      from: newReader(),
    });
    expect(refused.status).toBe(409);
    await json(
      await call('POST', `/api/v1/moderation/threads/${thread.id}/open`, { auth: moderator }),
      200,
    );
    const log = await json<{ items: { action: string; threadId: string }[] }>(
      await call('GET', '/api/v1/moderation/audit?action=close-thread', { auth: moderator }),
      200,
    );
    expect(log.items.some((e) => e.threadId === thread.id)).toBe(true);
  });

  it('exports the audit log as a CSV download, filtered', async () => {
    const held = await post('Typical yid behaviour, for the log.');
    await json(
      await call('POST', '/api/v1/moderation/actions', {
        auth: moderator,
        body: { action: 'spam', commentIds: [held.id], reason: '=1+1' },
      }),
      200,
    );
    const today = new Date().toISOString().slice(0, 10);
    const response = await call(
      'GET',
      `/api/v1/moderation/audit.csv?commentId=${held.id}&to=${today}`,
      {
        auth: moderator,
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="moderation-log-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const lines = (await response.text()).split('\r\n');
    expect(lines[0]).toBe(
      'time,actor_kind,actor,actor_account_id,action,comment_id,thread_id,target,reason,reason_codes,status_before,status_after',
    );
    expect(lines).toHaveLength(4); // header, spam, auto-hold, and the empty string after the last CRLF
    expect(lines[1]).toContain(',spam,');
    expect(lines[1]).toContain(",'=1+1,");
    expect(lines[2]).toContain(',auto-hold,');
    const badDate = await json<ErrorJson>(
      await call('GET', '/api/v1/moderation/audit?from=yesterday', { auth: moderator }),
      400,
    );
    expect(badDate.error.code).toBe('invalid-date');
  });

  it('reads and changes the rules, with the version guarding against lost updates', async () => {
    const rules = await json<{ version: number; blockedTermsDefault: boolean }>(
      await call('GET', '/api/v1/moderation/rules', { auth: moderator }),
      200,
    );
    expect(rules.blockedTermsDefault).toBe(true);
    const changed = await json<{ version: number; settings: { reportsToHold: number } }>(
      await call('PUT', '/api/v1/moderation/rules', {
        auth: moderator,
        body: { expectedVersion: rules.version, reportsToHold: 5 },
      }),
      200,
    );
    expect(changed.settings.reportsToHold).toBe(5);
    expect(changed.version).toBe(rules.version + 1);
    const stale = await json<ErrorJson>(
      await call('PUT', '/api/v1/moderation/rules', {
        auth: moderator,
        body: { expectedVersion: rules.version, reportsToHold: 4 },
      }),
      409,
    );
    expect(stale.error.code).toBe('rules-changed');
    const invalid = await json<ErrorJson>(
      await call('PUT', '/api/v1/moderation/rules', {
        auth: moderator,
        body: { firstTime: 'never' },
      }),
      422,
    );
    expect(invalid.error.code).toBe('invalid-first-time');
    await json(
      await call('PUT', '/api/v1/moderation/rules', {
        auth: moderator,
        body: { reportsToHold: 3 },
      }),
      200,
    );
  });

  it('takes a moderator’s session only with the CSRF token', async () => {
    const { password } = await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      email: 'session-mo@example.org',
      role: 'moderator',
    });
    const browser = new Browser(server.url);
    await browser.postForm('/signin', {
      _csrf: await browser.csrfTokenFrom('/signin'),
      email: 'session-mo@example.org',
      password,
    });
    const held = await post('Typical yid behaviour, by session.');
    const send = (headers: Record<string, string>) =>
      browser.request('/api/v1/moderation/actions', {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ action: 'approve', commentIds: [held.id] }),
      });
    expect((await send({})).status).toBe(403);
    expect(await publicIds()).not.toContain(held.id);
    const token = await browser.csrfTokenFrom('/admin/account');
    expect((await send({ 'x-csrf-token': token })).status).toBe(200);
    expect(await publicIds()).toContain(held.id);
  });

  it('is described in the OpenAPI document under the moderation tag', async () => {
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    for (const [path, method] of [
      ['/api/v1/moderation/queue', 'get'],
      ['/api/v1/moderation/actions', 'post'],
      ['/api/v1/moderation/bans', 'post'],
      ['/api/v1/moderation/bans/{banId}', 'delete'],
      ['/api/v1/moderation/audit', 'get'],
      ['/api/v1/moderation/audit.csv', 'get'],
      ['/api/v1/moderation/rules', 'put'],
      ['/api/v1/comments/{commentId}/reports', 'post'],
    ] as const) {
      expect(doc.paths[path]?.[method]?.tags, `${method} ${path}`).toEqual(['moderation']);
    }
  });
});
