// Discussion use cases on a real database, once per database kind.
import type { KyselyPlugin } from 'kysely';
import { UpdateQueryNode } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as accounts from '../../src/accounts/service.js';
import { accountsContext } from '../../src/runtime.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/discussion/model.js';
import type { DiscussionContext } from '../../src/discussion/service.js';
import * as discussion from '../../src/discussion/service.js';
import type { Thread } from '../../src/discussion/store.js';
import { fixedClock } from '../../src/platform/clock.js';
import type { BusEvent } from '../../src/platform/event-bus.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { createTestRuntime, holdMarkedComments, lenientModeration } from '../helpers/runtime.js';
import { editHistory } from './history.js';
import { failure } from '../helpers/failure.js';

describe.each(databaseKinds)('discussion on $name', (kind) => {
  let test: TestRuntime;
  let ctx: DiscussionContext;
  let thread: Thread;
  let siteId: string;
  const events: BusEvent[] = [];
  const clock = fixedClock('2026-11-24T10:00:00Z');

  beforeEach(async () => {
    clock.set('2026-11-24T10:00:00Z');
    events.length = 0;
    test = await createTestRuntime({ kind, clock });
    const { runtime } = test;
    ctx = {
      db: runtime.db,
      clock,
      ids: runtime.ids,
      bus: runtime.bus,
      settings: DEFAULT_DISCUSSION_SETTINGS,
      moderation: lenientModeration,
    };
    siteId = (await accounts.ensureSite(accountsContext(runtime), { name: 'Test' })).id;
    thread = await discussion.createThread(ctx, {
      siteId,
      title: 'On Paris',
      authorName: 'Jim Denham',
    });
    runtime.bus.subscribe(`thread:${thread.id}`, (event) => events.push(event));
  });
  afterEach(async () => {
    await test.close();
  });

  const post = (body: string, parentId?: string, name = 'Ann') =>
    discussion.postComment(ctx, { threadId: thread.id, parentId, author: { name }, body });

  const tree = async () =>
    (await discussion.listComments(ctx, { threadId: thread.id, limit: 1000 })).map(
      (c) => `${'  '.repeat(c.depth - 1)}${c.number ?? '•'} ${c.authorName}: ${c.body}`,
    );

  it('numbers top-level comments and keeps replies under their parents in display order', async () => {
    const one = await post('first');
    const two = await post('second');
    await post('reply to first', one.comment.id, 'Bob');
    const deep = await post(
      'reply to reply',
      (await post('another reply to first', one.comment.id)).comment.id,
    );
    await post('reply to second', two.comment.id);
    await post('third');
    expect(deep.comment.depth).toBe(3);
    expect(await tree()).toEqual([
      '1 Ann: first',
      '  • Bob: reply to first',
      '  • Ann: another reply to first',
      '    • Ann: reply to reply',
      '2 Ann: second',
      '  • Ann: reply to second',
      '3 Ann: third',
    ]);
    const updated = await discussion.getThread(ctx, thread.id);
    expect(updated.commentCount).toBe(7);
    expect(updated.version).toBe(8);
  });

  it('writes the thread row once for a new top-level comment (number and version together)', async () => {
    let threadUpdates = 0;
    const counting: KyselyPlugin = {
      transformQuery({ node }) {
        if (UpdateQueryNode.is(node) && JSON.stringify(node.table).includes('"threads"'))
          threadUpdates += 1;
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    const counted = { ...ctx, db: ctx.db.withPlugin(counting) };
    const { comment } = await discussion.postComment(counted, {
      threadId: thread.id,
      author: { name: 'Ann' },
      body: 'first',
    });
    expect(threadUpdates).toBe(1);
    expect(await discussion.getThread(ctx, thread.id)).toMatchObject({
      topLevelCount: 1,
      commentCount: 1,
      version: 2,
    });
    expect(comment.number).toBe(1);
  });

  it('attaches replies beyond the maximum depth to the deepest allowed ancestor', async () => {
    let parentId: string | undefined;
    for (let depth = 1; depth <= 5; depth++)
      parentId = (await post(`level ${depth}`, parentId)).comment.id;
    const tooDeep = await post('level 6?', parentId);
    expect(tooDeep.comment.depth).toBe(5);
    const listed = await discussion.listComments(ctx, { threadId: thread.id, limit: 100 });
    expect(listed.map((c) => c.body)).toEqual([
      'level 1',
      'level 2',
      'level 3',
      'level 4',
      'level 5',
      'level 6?',
    ]);
  });

  it('renders the body once, at write time, and hands anonymous authors an edit token', async () => {
    const { comment, editToken } = await post(
      'A [link](https://example.org) and [bad](javascript:alert(1))',
    );
    expect(comment.html).toContain(
      '<a href="https://example.org/" rel="nofollow ugc noopener">link</a>',
    );
    expect(comment.html).not.toMatch(/href="(?!https:)/); // the bad link stays as text, not a link
    expect(editToken).toMatch(/^bse_/);
    expect(comment.status).toBe('approved');
  });

  it('edits within the window with the edit token, keeping the history, and refuses after it', async () => {
    const { comment, editToken } = await post('teh first draft');
    clock.advance(5 * 60_000);
    const edited = await discussion.editComment(ctx, {
      commentId: comment.id,
      body: 'the first draft',
      editor: { editToken },
    });
    expect(edited.body).toBe('the first draft');
    expect(await editHistory(ctx.db, comment.id)).toMatchObject([{ body: 'teh first draft' }]);
    const stranger = await failure(
      discussion.editComment(ctx, {
        commentId: comment.id,
        body: 'mine now',
        editor: { editToken: 'bse_wrong' },
      }),
    );
    expect(stranger.status).toBe(403);
    clock.advance(11 * 60_000);
    const late = await failure(
      discussion.editComment(ctx, {
        commentId: comment.id,
        body: 'too late',
        editor: { editToken },
      }),
    );
    expect(late.code).toBe('edit-window-over');
    expect(events.map((e) => e.type)).toEqual(['comment.created', 'comment.edited']);
  });

  it('judges every edit: a held edit takes the comment out of view and is announced', async () => {
    const judged = { ...ctx, moderation: holdMarkedComments };
    const { comment, editToken } = await discussion.postComment(judged, {
      threadId: thread.id,
      author: { name: 'Ann' },
      body: 'harmless',
    });
    expect((await discussion.getThread(ctx, thread.id)).commentCount).toBe(1);
    const edited = await discussion.editComment(judged, {
      commentId: comment.id,
      body: 'now [hold] me',
      editor: { editToken },
    });
    expect(edited.status).toBe('pending');
    expect(edited.reasons).toMatchObject([{ code: 'suspect-term', message: 'Held by the test.' }]);
    expect((await discussion.findComment(ctx, comment.id))?.status).toBe('pending');
    const after = await discussion.getThread(ctx, thread.id);
    expect(after.commentCount).toBe(0);
    expect(events.at(-1)).toMatchObject({
      type: 'comment.edited',
      payload: { status: 'pending', version: after.version },
    });
    // An approving verdict on a later edit does not bring it back: that is a moderator's call.
    const again = await discussion.editComment(judged, {
      commentId: comment.id,
      body: 'harmless again',
      editor: { editToken },
    });
    expect(again.status).toBe('pending');
  });

  it('removes a comment but keeps its replies in place', async () => {
    const parent = await post('parent', undefined, 'Ann');
    await post('child', parent.comment.id, 'Bob');
    await discussion.deleteComment(ctx, {
      commentId: parent.comment.id,
      editor: { editToken: parent.editToken },
    });
    const listed = await discussion.listComments(ctx, { threadId: thread.id, limit: 100 });
    expect(listed.map((c) => [c.status, c.body, c.depth])).toEqual([
      ['deleted', '', 1],
      ['approved', 'child', 2],
    ]);
    expect(listed[0]?.number).toBe(1);
    const next = await post('after removal');
    expect(next.comment.number).toBe(2); // numbers are never reused
  });

  it('keeps a removed hidden comment hidden, and forgets every version of a removed comment', async () => {
    const judged = { ...ctx, moderation: holdMarkedComments };
    const held = await discussion.postComment(judged, {
      threadId: thread.id,
      author: { name: 'Ann' },
      body: 'please [hold] this',
    });
    const shown = await post('first draft');
    await discussion.editComment(ctx, {
      commentId: shown.comment.id,
      body: 'second draft',
      editor: { editToken: shown.editToken },
    });
    const removedHeld = await discussion.deleteComment(ctx, {
      commentId: held.comment.id,
      editor: { editToken: held.editToken },
    });
    expect(removedHeld.status).toBe('rejected');
    await discussion.deleteComment(ctx, {
      commentId: shown.comment.id,
      editor: { editToken: shown.editToken },
    });
    const current = await discussion.getThread(ctx, thread.id);
    const { comments } = await discussion.readThreadPage(ctx, {
      thread: current,
      page: 1,
      sort: 'oldest',
    });
    expect(comments.map((c) => [c.id, c.status, c.body])).toEqual([
      [shown.comment.id, 'deleted', ''],
    ]);
    expect(current.commentCount).toBe(0); // a placeholder is not counted
    expect(await editHistory(ctx.db, shown.comment.id)).toEqual([]);
  });

  it('refuses replies to comments readers cannot see, as if they did not exist', async () => {
    const judged = { ...ctx, moderation: holdMarkedComments };
    const held = await discussion.postComment(judged, {
      threadId: thread.id,
      author: { name: 'Ann' },
      body: 'please [hold] this',
    });
    const error = await failure(post('a reply', held.comment.id, 'Bob'));
    expect([error.status, error.code]).toEqual([404, 'parent-not-found']);
    const imported = await discussion.postComment(ctx, {
      threadId: thread.id,
      parentId: held.comment.id,
      author: { name: 'Bob' },
      body: 'imported reply',
      origin: 'import',
    });
    expect(imported.comment.parentId).toBe(held.comment.id);
  });

  it('refuses bad input with clear errors and writes nothing', async () => {
    const other = await discussion.createThread(ctx, { siteId, title: 'Elsewhere' });
    const foreign = await discussion.postComment(ctx, {
      threadId: other.id,
      author: { name: 'X' },
      body: 'there',
    });
    // Each case starts only when it is checked, so no rejection goes unhandled meanwhile.
    const cases: [() => Promise<unknown>, number, string][] = [
      [
        () =>
          discussion.postComment(ctx, { threadId: 'missing', author: { name: 'A' }, body: 'x' }),
        404,
        'thread-not-found',
      ],
      [() => post('x', 'missing-parent'), 404, 'parent-not-found'],
      [() => post('x', foreign.comment.id), 422, 'parent-in-other-thread'],
      [() => post('   '), 422, 'body-empty'],
      [() => post('x'.repeat(10_001)), 413, 'body-too-long'],
      [() => post('x', undefined, '  '), 422, 'name-missing'],
      [
        () =>
          discussion.postComment(ctx, {
            threadId: thread.id,
            author: { name: 'A', email: 'nope' },
            body: 'x',
          }),
        422,
        'invalid-email',
      ],
      [
        () =>
          discussion.postComment(ctx, {
            threadId: thread.id,
            author: { name: 'A', url: 'javascript:alert(1)' },
            body: 'x',
          }),
        422,
        'invalid-url',
      ],
      [() => post('broken \ud800 text'), 422, 'body-invalid'],
      [() => post('x', undefined, 'Ann\u0000'), 422, 'name-invalid'],
      [() => post('x', undefined, 'Ann \udc00'), 422, 'name-invalid'],
      [
        () =>
          discussion.postComment(ctx, {
            threadId: thread.id,
            author: { name: 'A', url: 'https://www.paypal.com:x@evil.example/' },
            body: 'x',
          }),
        422,
        'url-has-credentials',
      ],
    ];
    for (const [attempt, status, code] of cases) {
      const error = await failure(attempt());
      expect([error.status, error.code]).toEqual([status, code]);
    }
    expect(await discussion.listComments(ctx, { threadId: thread.id, limit: 10 })).toEqual([]);
    expect((await discussion.getThread(ctx, thread.id)).version).toBe(1);
  });

  it('stores the parsed form of an author URL, so control characters never reach the database', async () => {
    const { comment } = await discussion.postComment(ctx, {
      threadId: thread.id,
      author: { name: 'Ann', url: 'HTTPS://Ann.Example.org/a\u0000b c' },
      body: 'x',
    });
    expect(comment.authorUrl).toBe('https://ann.example.org/a%00b%20c');
    expect((await discussion.findComment(ctx, comment.id))?.authorUrl).toBe(
      'https://ann.example.org/a%00b%20c',
    );
  });

  it('refuses new comments on a closed thread, but lets imports in', async () => {
    const { setThreadStatus } = await import('../../src/discussion/store.js');
    await setThreadStatus(ctx.db, thread.id, 'closed');
    expect((await failure(post('too late'))).code).toBe('thread-closed');
    const imported = await discussion.postComment(ctx, {
      threadId: thread.id,
      author: { name: 'Jim Denham' },
      body: '',
      origin: 'import',
      createdAt: new Date('2015-11-15T09:00:00Z'),
    });
    expect(imported.comment.isStatementAuthor).toBe(true); // the thread names Jim Denham as author
    expect(imported.comment.createdAt.toISOString()).toBe('2015-11-15T09:00:00.000Z');
  });

  it('gives the author badge to a namesake only on import, never to an anonymous local poster', async () => {
    const local = await post('I am Jim, honest', undefined, 'Jim Denham');
    expect(local.comment.isStatementAuthor).toBe(false);
  });

  it('pages through a thread with a path cursor', async () => {
    const first = await post('one');
    await post('one.a', first.comment.id);
    await post('two');
    const page1 = await discussion.listComments(ctx, { threadId: thread.id, limit: 2 });
    const page2 = await discussion.listComments(ctx, {
      threadId: thread.id,
      limit: 2,
      afterPath: page1.at(-1)?.path,
    });
    expect([...page1, ...page2].map((c) => c.body)).toEqual(['one', 'one.a', 'two']);
  });
});
