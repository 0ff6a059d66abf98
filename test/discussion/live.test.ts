// Live updates: the stream hub on its own (framing, ordering, who sees what, heartbeats, clean-up),
// then Server-Sent Events through a real listening server read with fetch, on SQLite and
// PostgreSQL: created, edited and removed events, resync, disconnects and shutting down.
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as accounts from '../../src/accounts/service.js';
import { buildApp } from '../../src/app.js';
import { accountsContext, discussionContext } from '../../src/runtime.js';
import type { LiveSink } from '../../src/discussion/live.js';
import {
  HEARTBEAT,
  createLiveHub,
  parseLastEventId,
  sseMessage,
} from '../../src/discussion/live.js';
import type { CommentStatus } from '../../src/discussion/model.js';
import { childPath } from '../../src/discussion/model.js';
import type { DiscussionContext } from '../../src/discussion/service.js';
import * as discussion from '../../src/discussion/service.js';
import * as store from '../../src/discussion/store.js';
import type { Comment, Thread } from '../../src/discussion/store.js';
import type { BusListener, EventBus } from '../../src/platform/event-bus.js';
import { createInProcessEventBus } from '../../src/platform/event-bus.js';
import type { HttpServer } from '../../src/platform/http/server.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { addMemberWithPassword, createTestRuntime } from '../helpers/runtime.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wraps a bus to count live subscriptions per topic: a leak shows as a count that stays up. */
function countingBus(inner: EventBus) {
  const counts = new Map<string, number>();
  const bus: EventBus = {
    publish: (event) => inner.publish(event),
    close: () => inner.close(),
    subscribe(topic, listener: BusListener) {
      counts.set(topic, (counts.get(topic) ?? 0) + 1);
      const unsubscribe = inner.subscribe(topic, listener);
      let done = false;
      return () => {
        if (!done) counts.set(topic, (counts.get(topic) ?? 0) - 1);
        done = true;
        unsubscribe();
      };
    },
  };
  return { bus, listeners: (topic: string) => counts.get(topic) ?? 0 };
}

async function until(condition: () => boolean, what: string, timeoutMs = 1_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

function comment(overrides: Partial<Comment> = {}): Comment {
  return {
    id: 'c1',
    threadId: 't1',
    parentId: undefined,
    path: childPath(undefined, 1),
    depth: 1,
    number: 1,
    replyCount: 0,
    authorAccountId: undefined,
    authorName: 'Ann',
    authorEmail: 'ann@example.org',
    authorUrl: undefined,
    isStatementAuthor: false,
    body: 'hello',
    html: '<p>hello</p>\n',
    status: 'approved',
    reasons: [],
    flagged: false,
    origin: 'local',
    externalId: undefined,
    editTokenHash: 'secret-hash',
    createdAt: new Date('2026-11-24T10:00:00Z'),
    editedAt: undefined,
    ...overrides,
  };
}

class MemorySink implements LiveSink {
  text = '';
  ended = false;
  writableLength = 0;
  write(chunk: string) {
    this.text += chunk;
  }
  end() {
    this.ended = true;
  }
}

describe('the live hub', () => {
  const comments = new Map<string, Comment>();
  let counting: ReturnType<typeof countingBus>;
  beforeEach(() => {
    comments.clear();
    counting = countingBus(createInProcessEventBus());
  });
  const hubWith = (options: { heartbeatMs?: number } = {}) =>
    createLiveHub({
      bus: counting.bus,
      loadComment: async (id) => comments.get(id),
      retryMs: 2_000,
      ...options,
    });
  const publish = (type: string, c: Comment, version: number) =>
    counting.bus.publish({
      type,
      topic: `thread:${c.threadId}`,
      payload: { commentId: c.id, status: c.status, path: c.path, version },
    });
  const open = (
    hub: ReturnType<typeof hubWith>,
    options: { canModerate?: boolean; lastEventId?: number; version?: number } = {},
  ) => {
    const sink = new MemorySink();
    const stream = hub.open({
      threadId: 't1',
      canModerate: options.canModerate ?? false,
      lastEventId: options.lastEventId,
      currentVersion: async () => options.version ?? 3,
      sink,
    });
    return { sink, stream };
  };

  it('frames messages as the EventSource specification reads them', () => {
    expect(sseMessage({ event: 'comment.created', id: 4, data: { a: 'x\ny' } })).toBe(
      'event: comment.created\nid: 4\ndata: {"a":"x\\ny"}\n\n',
    );
    expect(sseMessage({ id: 5 })).toBe('id: 5\n\n');
    expect(sseMessage({ retry: 3000, event: 'ready', data: {} })).toBe(
      'retry: 3000\nevent: ready\ndata: {}\n\n',
    );
    expect(HEARTBEAT).toMatch(/^:.*\n\n$/);
    expect(parseLastEventId('12')).toBe(12);
    expect(parseLastEventId(' 7 ')).toBe(7);
    for (const bad of [undefined, '', 'abc', '-1', '1.5', '9'.repeat(20)])
      expect(parseLastEventId(bad)).toBeUndefined();
  });

  it('opens with a retry hint and `ready`, or `resync` for a client that missed changes', async () => {
    const hub = hubWith();
    const fresh = open(hub);
    await fresh.stream.opened;
    expect(fresh.sink.text).toBe('retry: 2000\nevent: ready\nid: 3\ndata: {"version":3}\n\n');
    const current = open(hub, { lastEventId: 3 });
    await current.stream.opened;
    expect(current.sink.text).toContain('event: ready');
    const behind = open(hub, { lastEventId: 1 });
    await behind.stream.opened;
    expect(behind.sink.text).toBe('retry: 2000\nevent: resync\nid: 3\ndata: {"version":3}\n\n');
    hub.closeAll();
  });

  it('sends public comments as the API presents them, never e-mails or token hashes', async () => {
    const hub = hubWith();
    const { sink, stream } = open(hub);
    await stream.opened;
    comments.set('c1', comment());
    await publish('comment.created', comment(), 4);
    await until(() => sink.text.includes('comment.created'), 'the event');
    const block = sink.text.split('\n\n').find((b) => b.includes('comment.created')) ?? '';
    expect(block).toMatch(/^event: comment.created\nid: 4\ndata: /);
    const data = JSON.parse(block.split('data: ')[1] ?? '') as Record<string, unknown>;
    expect(data).toEqual({
      commentId: 'c1',
      status: 'approved',
      version: 4,
      comment: expect.objectContaining({ id: 'c1', html: '<p>hello</p>\n', number: 1 }),
    });
    expect(sink.text).not.toContain('ann@example.org');
    expect(sink.text).not.toContain('secret-hash');
    hub.closeAll();
  });

  it('gives the public only the new id of a held comment, and moderators the comment', async () => {
    const hub = hubWith();
    const reader = open(hub);
    const moderator = open(hub, { canModerate: true });
    await Promise.all([reader.stream.opened, moderator.stream.opened]);
    for (const status of ['pending', 'spam', 'rejected'] as CommentStatus[]) {
      const held = comment({ id: `held-${status}`, status });
      comments.set(held.id, held);
    }
    await publish('comment.created', comment({ id: 'held-pending', status: 'pending' }), 4);
    await publish('comment.created', comment({ id: 'held-spam', status: 'spam' }), 5);
    // Approved when the event was sent, held by the time it is read: what counts is now.
    await publish('comment.edited', comment({ id: 'held-rejected' }), 6);
    await until(() => moderator.sink.text.includes('id: 6'), 'the moderator’s events');
    await until(() => reader.sink.text.includes('id: 6'), 'the reader’s ids');
    expect(reader.sink.text.slice(reader.sink.text.indexOf('\n\n') + 2)).toBe(
      'id: 4\n\nid: 5\n\nid: 6\n\n',
    );
    expect(reader.sink.text).not.toContain('held-');
    expect(moderator.sink.text).toContain('"commentId":"held-pending"');
    expect(moderator.sink.text).toContain('"status":"spam"');
    hub.closeAll();
  });

  it('holds events that arrive while a stream opens, and drops those it already covers', async () => {
    const hub = hubWith();
    comments.set('c1', comment());
    comments.set('c2', comment({ id: 'c2' }));
    let release: (version: number) => void = () => {};
    const sink = new MemorySink();
    const stream = hub.open({
      threadId: 't1',
      canModerate: false,
      lastEventId: undefined,
      currentVersion: () => new Promise<number>((resolve) => (release = resolve)),
      sink,
    });
    await publish('comment.created', comment(), 4);
    await publish('comment.created', comment({ id: 'c2' }), 5);
    await delay(10);
    expect(sink.text).toBe('');
    release(4); // the version read already includes c1
    await stream.opened;
    await until(() => sink.text.includes('id: 5'), 'the held event');
    expect(sink.text).toContain('event: ready\nid: 4');
    expect(sink.text).not.toContain('"commentId":"c1"');
    expect(sink.text).toContain('"commentId":"c2"');
    hub.closeAll();
  });

  it('shares one bus subscription per thread and drops it with the last stream', async () => {
    const hub = hubWith();
    const first = open(hub);
    const second = open(hub);
    expect(counting.listeners('thread:t1')).toBe(1);
    expect(hub.streamCount()).toBe(2);
    first.stream.close();
    first.stream.close(); // twice is harmless
    expect(first.sink.ended).toBe(true);
    expect(counting.listeners('thread:t1')).toBe(1);
    second.stream.close();
    expect(counting.listeners('thread:t1')).toBe(0);
    expect(hub.streamCount()).toBe(0);
    await publish('comment.created', comment(), 9); // nobody left: nothing written, nothing thrown
    expect(second.sink.text).not.toContain('id: 9');
  });

  it('writes a heartbeat comment while streams are open', async () => {
    const hub = hubWith({ heartbeatMs: 20 });
    const { sink, stream } = open(hub);
    await stream.opened;
    await until(() => sink.text.split(HEARTBEAT).length > 2, 'two heartbeats');
    hub.closeAll();
    const written = sink.text;
    await delay(60);
    expect(sink.text).toBe(written); // the timer stops with the last stream
  });

  it('cuts off a client that does not read, instead of buffering without end', async () => {
    const hub = hubWith();
    const { sink, stream } = open(hub);
    await stream.opened;
    sink.writableLength = 2 * 1024 * 1024;
    comments.set('c1', comment());
    await publish('comment.created', comment(), 4);
    await until(() => sink.ended, 'the slow stream to be closed');
    expect(hub.streamCount()).toBe(0);
    expect(counting.listeners('thread:t1')).toBe(0);
  });
});

// --- through HTTP ------------------------------------------------------------------------------

interface SseEvent {
  event: string | undefined;
  id: string | undefined;
  retry: string | undefined;
  data: unknown;
}

/** Reads a text/event-stream response as a browser would, one event (block) at a time. */
function readEvents(response: Response) {
  if (!response.body) throw new Error('the response has no body');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let pending: Promise<ReadableStreamReadResult<string>> | undefined;
  let ended = false;
  const comments: string[] = [];

  async function fill(deadline: number): Promise<boolean> {
    pending ??= reader.read();
    const timeout = delay(Math.max(0, deadline - Date.now())).then(() => 'timeout' as const);
    const result = await Promise.race([pending, timeout]);
    if (result === 'timeout') return false;
    pending = undefined;
    if (result.done) {
      ended = true;
      return false;
    }
    buffer += result.value;
    return true;
  }

  return {
    comments,
    /** The next event, skipping comment lines; fails after `timeoutMs`. */
    async next(timeoutMs = 1_000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = {
            event: undefined,
            id: undefined,
            retry: undefined,
            data: undefined,
          };
          let isComment = true;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) {
              comments.push(line);
              continue;
            }
            isComment = false;
            const colon = line.indexOf(':');
            const field = line.slice(0, colon);
            const value = line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') event.event = value;
            else if (field === 'id') event.id = value;
            else if (field === 'retry') event.retry = value;
            else if (field === 'data') event.data = JSON.parse(value);
          }
          if (!isComment) return event;
          continue;
        }
        if (ended) throw new Error('the stream ended');
        if (!(await fill(deadline)) && !ended) throw new Error('no event within the time allowed');
      }
    },
    /** Resolves true once the server ends the stream (false if it has not within `timeoutMs`). */
    async endsWithin(timeoutMs: number): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (!ended && Date.now() < deadline) {
        try {
          await fill(deadline);
        } catch {
          ended = true; // a reset connection ends the stream too
        }
      }
      return ended;
    },
  };
}

describe.each(databaseKinds)('live updates over HTTP on $name', (kind) => {
  let test: TestRuntime;
  let app: HttpServer;
  let url: string;
  let ctx: DiscussionContext;
  let thread: Thread;
  let counting: ReturnType<typeof countingBus>;
  let closed = false;
  const aborts: AbortController[] = [];

  beforeEach(async () => {
    closed = false;
    test = await createTestRuntime({ kind });
    counting = countingBus(test.runtime.bus);
    test.runtime.bus = counting.bus;
    const built = await buildApp(test.runtime);
    app = built.app;
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    ctx = discussionContext(test.runtime);
    thread = await discussion.createThread(ctx, { siteId: built.site.id, title: 'Live' });
  });
  afterEach(async () => {
    for (const controller of aborts.splice(0)) controller.abort();
    if (!closed) {
      // fetch (undici) opens a fresh spare connection when a request is aborted; one that never
      // carried a request is not "idle" to Node, so close() would wait for its headers timeout.
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
    }
    await test.close();
  });

  const topic = () => `thread:${thread.id}`;

  async function connect(headers: Record<string, string> = {}) {
    const controller = new AbortController();
    aborts.push(controller);
    const response = await fetch(`${url}/api/v1/threads/${thread.id}/events`, {
      headers: { accept: 'text/event-stream', ...headers },
      signal: controller.signal,
    });
    return { response, events: readEvents(response), abort: () => controller.abort() };
  }

  const postJson = (path: string, method: string, body: unknown, headers = {}) =>
    fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('streams created, edited and removed comments within a second of the change', async () => {
    const { response, events } = await connect();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const ready = await events.next();
    expect(ready).toMatchObject({ event: 'ready', id: '1', retry: '3000', data: { version: 1 } });

    const started = Date.now();
    const posted = await postJson(`/api/v1/threads/${thread.id}/comments`, 'POST', {
      authorName: 'Ann',
      authorEmail: 'ann@example.org',
      body: 'Live *now*',
    });
    expect(posted.status).toBe(201);
    const { comment, editToken } = (await posted.json()) as {
      comment: { id: string };
      editToken: string;
    };
    const created = await events.next(1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(created).toEqual({
      event: 'comment.created',
      id: '2',
      retry: undefined,
      data: {
        commentId: comment.id,
        status: 'approved',
        version: 2,
        comment: expect.objectContaining({
          id: comment.id,
          html: '<p>Live <em>now</em></p>\n',
          author: { name: 'Ann', url: null, isStatementAuthor: false },
          number: 1,
        }),
      },
    });
    expect(JSON.stringify(created)).not.toContain('ann@example.org');

    const edited = await postJson(`/api/v1/comments/${comment.id}`, 'PATCH', {
      body: 'Live, edited',
      editToken,
    });
    expect(edited.status).toBe(200);
    expect(await events.next()).toMatchObject({
      event: 'comment.edited',
      id: '3',
      data: { commentId: comment.id, comment: { html: '<p>Live, edited</p>\n' } },
    });

    const removed = await fetch(`${url}/api/v1/comments/${comment.id}`, {
      method: 'DELETE',
      headers: { 'x-edit-token': editToken },
    });
    expect(removed.status).toBe(200);
    expect(await events.next()).toMatchObject({
      event: 'comment.removed',
      id: '4',
      data: {
        commentId: comment.id,
        status: 'deleted',
        comment: { status: 'deleted', html: '', author: null },
      },
    });
  });

  it('keeps held comments off the public stream but shows them to moderators', async () => {
    const { member } = await addMemberWithPassword(test.runtime, {
      siteId: thread.siteId,
      email: 'mod@example.org',
      role: 'moderator',
    });
    const { token } = await accounts.createApiToken(accountsContext(test.runtime), {
      accountId: member.id,
      name: 'live',
    });
    const reader = await connect();
    const moderator = await connect({ authorization: `Bearer ${token}` });
    await reader.events.next();
    await moderator.events.next();

    const { ordinal, version } = await store.takeTopLevelOrdinal(ctx.db, thread.id, {
      publicDelta: 0,
      now: new Date(),
    });
    const held: Comment = comment({
      id: ctx.ids.id(),
      threadId: thread.id,
      path: childPath(undefined, ordinal),
      number: ordinal,
      status: 'pending',
      body: 'held for review',
      html: '<p>held for review</p>\n',
    });
    await store.insertComment(ctx.db, held, undefined);
    await counting.bus.publish({
      type: 'comment.created',
      topic: topic(),
      payload: { commentId: held.id, status: 'pending', path: held.path, version },
    });
    expect(await moderator.events.next()).toMatchObject({
      event: 'comment.created',
      data: {
        commentId: held.id,
        status: 'pending',
        comment: { html: '<p>held for review</p>\n' },
      },
    });
    // The public stream only learns the new id (no event is dispatched for it) …
    expect(await reader.events.next()).toEqual({
      event: undefined,
      id: String(version),
      retry: undefined,
      data: undefined,
    });
    // … and still gets the next public comment.
    await postJson(`/api/v1/threads/${thread.id}/comments`, 'POST', {
      authorName: 'B',
      body: 'ok',
    });
    expect(await reader.events.next()).toMatchObject({ event: 'comment.created' });
  });

  it('tells a client reconnecting with an old Last-Event-ID to resync', async () => {
    await discussion.postComment(ctx, { threadId: thread.id, author: { name: 'A' }, body: 'x' });
    const behind = await connect({ 'last-event-id': '1' });
    expect(await behind.events.next()).toMatchObject({
      event: 'resync',
      id: '2',
      data: { version: 2 },
    });
    const current = await connect({ 'last-event-id': '2' });
    expect(await current.events.next()).toMatchObject({ event: 'ready', id: '2' });
  });

  it('answers an unknown thread with a JSON 404, not a stream', async () => {
    const response = await fetch(`${url}/api/v1/threads/no-such-thread/events`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'thread-not-found' } });
    expect(counting.listeners('thread:no-such-thread')).toBe(0);
  });

  it('removes a disconnected client’s listener', async () => {
    const first = await connect();
    const second = await connect();
    await first.events.next();
    await second.events.next();
    expect(counting.listeners(topic())).toBe(1); // one per thread, shared
    first.abort();
    second.abort();
    await until(() => counting.listeners(topic()) === 0, 'the listener to be removed');
    // A later change reaches nobody and breaks nothing.
    const posted = await postJson(`/api/v1/threads/${thread.id}/comments`, 'POST', {
      authorName: 'A',
      body: 'anyone there?',
    });
    expect(posted.status).toBe(201);
  });

  it('lets the server close while streams are open, ending them', async () => {
    const { events } = await connect();
    await events.next();
    const started = Date.now();
    await app.close();
    closed = true;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await events.endsWithin(1_000)).toBe(true);
    expect(counting.listeners(topic())).toBe(0);
  });
});
