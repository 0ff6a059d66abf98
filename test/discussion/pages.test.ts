// The discussion on the statement page, through a real server and real HTTP, once per database
// kind: reading it, posting and replying with plain forms, pagination, and caching.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statementsContext } from '../../src/runtime.js';
import {
  inDisplayOrder,
  numbersOnPage,
  pageOfNumber,
  pathRangeOfNumbers,
  pathSegment,
} from '../../src/discussion/model.js';
import { HoleyHtml, LruCache } from '../../src/discussion/page-cache.js';
import * as discussion from '../../src/discussion/service.js';
import type { Thread } from '../../src/discussion/store.js';
import { fixedClock } from '../../src/platform/clock.js';
import type { StatementsContext } from '../../src/statements/service.js';
import * as statements from '../../src/statements/service.js';
import type { Statement } from '../../src/statements/store.js';
import { databaseKinds } from '../helpers/databases.js';
import { Browser } from '../helpers/http.js';
import type { TestServer } from '../helpers/runtime.js';
import { addMemberWithPassword, holdMarkedComments, startTestServer } from '../helpers/runtime.js';
import type { SmtpCapture } from '../helpers/smtp.js';
import { startSmtpCapture } from '../helpers/smtp.js';
import { buildStatement } from '../statements/factories.js';
import { editHistory } from './history.js';
import { elementById } from '../helpers/html.js';

// --- reading HTML without a parser ---------------------------------------------------------

/** A comment's own card (without its replies). */
function cardOf(html: string, commentId: string): string {
  const item = elementById(html, `comment-${commentId}`);
  return item.slice(0, item.indexOf('</article>') + '</article>'.length);
}

/** The ids of the comments on a page, in document order. */
function commentIds(html: string): string[] {
  return [...html.matchAll(/<li class="comment[^"]*" id="comment-([^"]+)"/g)].map(
    (m) => m[1] ?? '',
  );
}

const decode = (text: string) =>
  text
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");

// --- pure rules of pages -------------------------------------------------------------------

/** Closes a thread as moderation does (through discussion's side of the seam), announced. */
async function closeThread(ctx: discussion.DiscussionContext, threadId: string) {
  const port = discussion.moderatedComments(ctx);
  const changed = await ctx.db
    .transaction()
    .execute((trx) => port.setThreadStatus(trx, { threadId, status: 'closed' }));
  await changed.announce();
  return discussion.getThread(ctx, threadId);
}

describe('pages of a thread', () => {
  it('hold whole top-level numbers: stable blocks oldest first, the newest block first', () => {
    expect(numbersOnPage(1, 'oldest', 450)).toEqual({ first: 1, last: 200 });
    expect(numbersOnPage(3, 'oldest', 450)).toEqual({ first: 401, last: 450 });
    expect(numbersOnPage(1, 'newest', 450)).toEqual({ first: 251, last: 450 });
    expect(numbersOnPage(3, 'newest', 450)).toEqual({ first: 1, last: 50 });
    expect(numbersOnPage(4, 'oldest', 450)).toBeUndefined();
    expect(numbersOnPage(1, 'oldest', 0)).toBeUndefined();
    for (const sort of ['oldest', 'newest'] as const) {
      for (let n = 1; n <= 450; n++) {
        const range = numbersOnPage(pageOfNumber(n, sort, 450), sort, 450);
        expect(range && n >= range.first && n <= range.last).toBe(true);
      }
    }
  });

  it('read a page as one path range that contains every reply of its comments', () => {
    const range = pathRangeOfNumbers({ first: 201, last: 400 });
    expect(range).toEqual({ fromPath: pathSegment(201), beforePath: pathSegment(401) });
    const deepReplyOf400 = pathSegment(400) + pathSegment(99) + pathSegment(7);
    expect(deepReplyOf400 >= range.fromPath && deepReplyOf400 < range.beforePath).toBe(true);
    expect(pathSegment(401) < range.beforePath).toBe(false);
  });

  it('put newest first by top-level comment, replies still in the order written', () => {
    const p = (...ordinals: number[]) => ({ path: ordinals.map(pathSegment).join('') });
    const inPathOrder = [p(1), p(1, 1), p(1, 1, 1), p(1, 2), p(2), p(3), p(3, 1)];
    expect(inDisplayOrder(inPathOrder, 'newest')).toEqual([
      p(3),
      p(3, 1),
      p(2),
      p(1),
      p(1, 1),
      p(1, 1, 1),
      p(1, 2),
    ]);
    expect(inDisplayOrder(inPathOrder, 'oldest')).toEqual(inPathOrder);
  });
});

describe('HoleyHtml', () => {
  it('fills every hole with the value, in UTF-8, whatever the value’s length', () => {
    const html = 'é<input value="@@"/>—<input value="@@"/>✓@@';
    const holey = new HoleyHtml(html, '@@');
    for (const value of ['token-1', 'a-much-longer-token-value', '']) {
      const buffer = Buffer.from(value);
      const out = Buffer.alloc(3 + holey.byteLength(buffer.length) + 3, '#');
      holey.writeInto(out, 3, buffer);
      expect(out.toString('utf8')).toBe(`###${html.split('@@').join(value)}###`);
    }
    expect(holey.bytes).toBe(Buffer.byteLength(html.split('@@').join('')));
  });
});

describe('LruCache', () => {
  it('keeps within its weight, dropping the least recently used first', () => {
    const cache = new LruCache<string>(10, (value) => value.length);
    cache.set('a', 'aaaa');
    cache.set('b', 'bbbb');
    cache.get('a'); // a is now the most recent
    cache.set('c', 'cccc');
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['aaaa', undefined, 'cccc']);
    expect(cache.weight).toBe(8);
    cache.set('huge', 'x'.repeat(11)); // larger than the whole cache: not kept
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(2);
  });
});

// --- the statement page --------------------------------------------------------------------

describe.each(databaseKinds)('the statement page on $name', (kind) => {
  let server: TestServer;
  let ctx: StatementsContext;
  let statement: Statement;
  let thread: Thread;
  let path: string;
  const clock = fixedClock('2026-11-24T10:00:00Z');

  beforeEach(async () => {
    clock.set('2026-11-24T10:00:00Z');
    server = await startTestServer({ kind, clock, moderation: holdMarkedComments });
    ctx = statementsContext(server.runtime);
    ({ statement, thread } = await statements.publishStatement(
      ctx,
      buildStatement(server.siteId, {
        title: 'Statement on the Paris attacks',
        subtitle: 'Drawn up by one member',
      }),
    ));
    path = `/s/${statement.slug}`;
  });
  afterEach(async () => {
    await server.close();
  });

  const post = async (
    body: string,
    options: { parentId?: string; name?: string; url?: string; origin?: 'import' } = {},
  ) =>
    discussion.postComment(ctx.discussion, {
      threadId: thread.id,
      parentId: options.parentId,
      author: { name: options.name ?? 'Ann', url: options.url },
      body,
      origin: options.origin,
    });

  const countComments = async () =>
    (await discussion.listComments(ctx.discussion, { threadId: thread.id, limit: 10_000 })).length;

  /** A browser that has loaded the page once, so it holds a CSRF cookie and token. */
  async function visitor(): Promise<{ browser: Browser; token: string }> {
    const browser = new Browser(server.url);
    const token = await browser.csrfTokenFrom(path);
    return { browser, token };
  }

  it('shows the statement, then numbered comments with nested replies, badges and permalinks', async () => {
    clock.set('2026-11-24T10:05:00Z');
    const one = await post('Ian McEwan on Paris', {
      name: 'Jim Denham',
      url: 'https://jim.example',
      origin: 'import',
    });
    const reply = await post('A reply', { parentId: one.comment.id, name: 'Bob' });
    const deeper = await post('A reply to the reply', { parentId: reply.comment.id, name: 'Cy' });
    const two = await post('teh second', { name: 'Ann' });
    const three = await post('Something regrettable', { name: 'Dan' });
    const underRemoved = await post('Still here', { parentId: three.comment.id, name: 'Eve' });
    await discussion.editComment(ctx.discussion, {
      commentId: two.comment.id,
      body: 'the second',
      editor: { editToken: two.editToken },
    });
    await discussion.deleteComment(ctx.discussion, {
      commentId: three.comment.id,
      editor: { editToken: three.editToken },
    });

    const response = await new Browser(server.url).get(path);
    expect(response.status).toBe(200);
    const html = await response.text();

    // The statement
    expect(html).toContain('<h1>Statement on the Paris attacks</h1>');
    expect(html).toContain('<p class="statement-subtitle">Drawn up by one member</p>');
    expect(html).toContain('<p class="clearance-note">Personal statement, not cleared</p>');
    expect(html).toContain('<span class="statement-author">Jim Denham</span>');
    expect(html).toContain('<time datetime="2026-11-24T10:00:00.000Z">24 November 2026</time>');
    expect(html).toContain(statement.html);
    expect(html.indexOf(statement.html)).toBeLessThan(html.indexOf('id="comments"'));

    // The count, numbers and order
    expect(html).toContain('<h2 id="comments-title">5 comments</h2>');
    expect(commentIds(html)).toEqual(
      [one, reply, deeper, two, three, underRemoved].map((c) => c.comment.id),
    );
    expect(cardOf(html, one.comment.id)).toContain('<span class="comment-number">1.</span>');
    expect(cardOf(html, two.comment.id)).toContain('<span class="comment-number">2.</span>');
    expect(cardOf(html, three.comment.id)).toContain('<span class="comment-number">3.</span>');
    expect(cardOf(html, reply.comment.id)).not.toContain('comment-number');

    // Nesting: each reply inside its parent's item, in a nested list
    const first = elementById(html, `comment-${one.comment.id}`);
    expect(first).toContain(`id="comment-${reply.comment.id}"`);
    expect(elementById(html, `comment-${reply.comment.id}`)).toContain(
      `id="comment-${deeper.comment.id}"`,
    );
    expect(first).toMatch(/<ol class="replies"><li class="comment depth-2"/);
    expect(first).not.toContain(`id="comment-${two.comment.id}"`);

    // Author, link, badge, time, permalink
    const card = cardOf(html, one.comment.id);
    expect(card).toContain(
      '<a class="comment-author" href="https://jim.example/" rel="nofollow ugc noopener">Jim Denham</a>',
    );
    expect(card).toContain('<span class="badge" title="The author of the statement">author</span>');
    expect(card).toContain(
      `<a class="comment-permalink" href="#comment-${one.comment.id}"><time datetime="2026-11-24T10:05:00.000Z">24 November 2026 at 10:05 UTC</time></a>`,
    );
    expect(card).toContain('<div class="comment-body"><p>Ian McEwan on Paris</p>');
    expect(cardOf(html, reply.comment.id)).not.toContain('badge');
    expect(cardOf(html, reply.comment.id)).toContain('<span class="comment-author">Bob</span>');

    // Edited, removed (its reply kept under it), and reply forms only where one can reply
    const edited = cardOf(html, two.comment.id);
    expect(edited).toContain('<p>the second</p>');
    expect(edited).toMatch(/<span class="comment-edited"[^>]*>edited<\/span>/);
    const removed = cardOf(html, three.comment.id);
    expect(removed).toContain('<p class="comment-body comment-body-removed">comment removed</p>');
    expect(removed).not.toContain('Dan');
    expect(removed).not.toContain('Something regrettable');
    expect(removed).not.toContain('<form');
    expect(elementById(html, `comment-${three.comment.id}`)).toContain('Still here');
    expect(card).toMatch(
      /<details class="reply-box"><summary>Reply<span class="visually-hidden"> to Jim Denham<\/span><\/summary><form method="post" action="\/s\/statement-on-the-paris-attacks\/comments"/,
    );
    expect(card).toContain(`<input type="hidden" name="parentId" value="${one.comment.id}"/>`);

    // The new-comment form, with a CSRF token in every form
    const forms = html.match(/<form method="post" action="\/s\/[^"]+\/comments"/g) ?? [];
    const tokens = [...html.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]);
    expect(forms).toHaveLength(6); // five replies possible + the new comment
    expect(tokens).toHaveLength(6);
    expect(new Set(tokens).size).toBe(1);
    expect(elementById(html, 'comment-form')).toContain('<input type="text" name="name" required');
  });

  it('posts and replies through the plain form, redirecting back to the new comment', async () => {
    const { browser, token } = await visitor();
    const posted = await browser.postForm(`${path}/comments`, {
      _csrf: token,
      name: 'Robert Greenwood',
      email: 'robert@example.org',
      website: 'https://robert.example',
      body: 'Posted **without** JavaScript.',
    });
    expect(posted.status).toBe(303);
    const location = posted.headers.get('location') ?? '';
    const id = /^\/s\/statement-on-the-paris-attacks#comment-(.+)$/.exec(location)?.[1] ?? '';
    expect(id).not.toBe('');

    const page = await (await browser.get(location.replace(/#.*$/, ''))).text();
    const card = cardOf(page, id);
    expect(card).toContain('<strong>without</strong>');
    expect(card).toContain('<span class="comment-number">1.</span>');
    expect(card).toContain('href="https://robert.example/" rel="nofollow ugc noopener"');
    expect(page).not.toContain('robert@example.org'); // e-mail addresses are never shown

    const replied = await browser.postForm(`${path}/comments`, {
      _csrf: token,
      parentId: id,
      name: 'Matt',
      body: 'A reply, also without JavaScript.',
    });
    expect(replied.status).toBe(303);
    const replyId = /#comment-(.+)$/.exec(replied.headers.get('location') ?? '')?.[1] ?? '';
    const after = await (await browser.get(path)).text();
    expect(elementById(after, `comment-${id}`)).toContain(`id="comment-${replyId}"`);
    expect(after).toContain('<h2 id="comments-title">2 comments</h2>');

    // Sorted newest first, the form keeps the order it was posted from.
    const newest = await browser.postForm(`${path}/comments`, {
      _csrf: token,
      sort: 'newest',
      name: 'Ann',
      body: 'Newest',
    });
    expect(newest.headers.get('location')).toMatch(/^\/s\/[a-z-]+\?sort=newest#comment-/);
  });

  it('lets a signed-in member post as themselves, with the badge on the statement’s author', async () => {
    const { member, password } = await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      email: 'jim@example.org',
      role: 'author',
      name: 'Jim Denham',
    });
    const own = await statements.publishStatement(
      ctx,
      buildStatement(server.siteId, { title: 'His own', authorAccountId: member.id }),
    );
    const browser = new Browser(server.url);
    const signInToken = await browser.csrfTokenFrom('/signin');
    const signedIn = await browser.postForm('/signin', {
      _csrf: signInToken,
      email: 'jim@example.org',
      password,
    });
    expect(signedIn.status).toBe(303);

    const ownPath = `/s/${own.statement.slug}`;
    const form = await browser.get(ownPath);
    // Rendered for the member alone (their own comments get edit and delete controls).
    expect(form.headers.get('cache-control')).toBe('private, no-store');
    expect(form.headers.get('etag')).toBeNull();
    const html = await form.text();
    expect(elementById(html, 'comment-form')).toContain(
      'You are commenting as <strong>Jim Denham</strong>.',
    );
    expect(elementById(html, 'comment-form')).not.toContain('name="name"');
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const posted = await browser.postForm(`${ownPath}/comments`, {
      _csrf: token,
      body: 'Critical comments are welcome.',
    });
    expect(posted.status).toBe(303);
    const id = /#comment-(.+)$/.exec(posted.headers.get('location') ?? '')?.[1] ?? '';
    const comment = await discussion.findComment(ctx.discussion, id);
    expect(comment).toMatchObject({
      authorAccountId: member.id,
      authorName: 'Jim Denham',
      isStatementAuthor: true,
    });
    const page = await (await browser.get(ownPath)).text();
    expect(cardOf(page, id)).toContain('>author</span>');
    expect(cardOf(page, id)).not.toContain('name="name"'); // members' reply forms ask no name
  });

  it('shows a refused post again with the reason and what was typed, and writes nothing', async () => {
    const parent = await post('Parent');
    const { browser, token } = await visitor();
    const before = await countComments();
    const version = (await discussion.getThread(ctx.discussion, thread.id)).version;
    const cases: [Record<string, string>, number, string][] = [
      [{ name: '  ', body: 'No name given' }, 422, 'Give a name to comment under.'],
      [{ name: 'Ann', body: '   ' }, 422, 'Write something before posting: the comment is empty.'],
      [
        { name: 'Ann', body: 'x'.repeat(10_001) },
        413,
        'The comment is 10,001 characters long; the limit is 10,000.',
      ],
      [
        { name: 'Ann', email: 'not-an-address', body: 'Hello' },
        422,
        '"not-an-address" is not a valid e-mail address.',
      ],
    ];
    for (const [fields, status, message] of cases) {
      const response = await browser.postForm(`${path}/comments`, { _csrf: token, ...fields });
      expect(response.status).toBe(status);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      const html = await response.text();
      const form = elementById(html, 'comment-form');
      expect(decode(form)).toContain(`<p class="alert" role="alert">${message}</p>`);
      expect(decode(form)).toContain(`${fields.body}</textarea>`);
      if (fields.email) expect(form).toContain(`value="${fields.email}"`);
      // The page is whole: the statement and the thread are there too.
      expect(html).toContain('<h1>Statement on the Paris attacks</h1>');
      expect(html).toContain(`id="comment-${parent.comment.id}"`);
    }

    // A refused reply opens that comment's reply form with the message.
    const reply = await browser.postForm(`${path}/comments`, {
      _csrf: token,
      parentId: parent.comment.id,
      name: '',
      body: 'My reply',
    });
    expect(reply.status).toBe(422);
    const html = await reply.text();
    const card = cardOf(html, parent.comment.id);
    expect(card).toContain('<details class="reply-box" open>');
    expect(card).toContain('<p class="alert" role="alert">Give a name to comment under.</p>');
    expect(card).toContain('My reply</textarea>');
    expect(elementById(html, 'comment-form')).not.toContain('role="alert"');
    // Its form still carries a valid token: correcting the mistake works.
    const retryToken = /name="_csrf" value="([^"]+)"/.exec(card)?.[1] ?? '';
    expect(retryToken).not.toBe('');
    const fixed = await browser.postForm(`${path}/comments`, {
      _csrf: retryToken,
      parentId: parent.comment.id,
      name: 'Ann',
      body: 'My reply',
    });
    expect(fixed.status).toBe(303);

    expect(await countComments()).toBe(before + 1);
    expect((await discussion.getThread(ctx.discussion, thread.id)).version).toBe(version + 1);
  });

  it('refuses a form post without a valid CSRF token (403) and writes nothing', async () => {
    const { browser } = await visitor();
    const before = await countComments();
    const missing = await browser.postForm(`${path}/comments`, { name: 'Ann', body: 'Forged' });
    expect(missing.status).toBe(403);
    const wrong = await browser.postForm(`${path}/comments`, {
      _csrf: 'forged-token',
      name: 'Ann',
      body: 'Forged',
    });
    expect(wrong.status).toBe(403);
    // A real token, but from another browser (another CSRF cookie): refused too.
    const { token: othersToken } = await visitor();
    const stolen = await browser.postForm(`${path}/comments`, {
      _csrf: othersToken,
      name: 'Ann',
      body: 'Forged',
    });
    expect(stolen.status).toBe(403);
    const cookieless = await new Browser(server.url).postForm(`${path}/comments`, {
      _csrf: othersToken,
      name: 'Ann',
      body: 'Forged',
    });
    expect(cookieless.status).toBe(403);
    expect(await countComments()).toBe(before);
  });

  it('says "Comments are closed" on a closed thread, offers no forms and refuses posts', async () => {
    const first = await post('Before closing');
    const { browser, token } = await visitor();
    const anonymous = new Browser(server.url);
    await anonymous.get(path);
    const openEtag = (await anonymous.get(path)).headers.get('etag') ?? '';
    const closed = await closeThread(ctx.discussion, thread.id);
    expect(closed.version).toBe(thread.version + 2); // one comment, then closing

    // The copy from before closing is stale: closing bumped the version.
    const stale = await anonymous.request(path, { headers: { 'if-none-match': openEtag } });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toContain('Comments are closed.');

    const response = await new Browser(server.url).get(path);
    const html = await response.text();
    expect(elementById(html, 'comment-form')).toBe(
      '<div class="comments-closed" id="comment-form"><p class="notice">Comments are closed.</p></div>',
    );
    expect(html).not.toContain('<form method="post" action="/s/');
    expect(html).not.toContain('name="_csrf"');
    expect(html).toContain(`id="comment-${first.comment.id}"`);
    // Nothing personal on it: any cache may keep it (revalidating), and no cookie is set.
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('set-cookie')).toBeNull();

    const refused = await browser.postForm(`${path}/comments`, {
      _csrf: token,
      name: 'Ann',
      body: 'After closing',
    });
    expect(refused.status).toBe(409);
    const refusedHtml = await refused.text();
    expect(elementById(refusedHtml, 'comment-form')).toContain(
      '<p class="alert" role="alert">This discussion is closed to new comments.</p>',
    );
    expect(refusedHtml).toContain('After closing</textarea>'); // kept, to copy elsewhere
    expect(await countComments()).toBe(1);
  });

  it('keeps an anonymous poster’s edit token in a path-scoped HttpOnly cookie and shows their controls to them alone', async () => {
    const other = await post('Not mine');
    const { browser, token } = await visitor();
    const posted = await browser.postForm(`${path}/comments`, {
      _csrf: token,
      name: 'Ann',
      body: 'teh first draft',
    });
    expect(posted.status).toBe(303);
    const id = /#comment-(.+)$/.exec(posted.headers.get('location') ?? '')?.[1] ?? '';
    const cookie = posted.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^broadside_edits=[^;]+;/);
    expect(cookie).toContain(`Path=${path};`);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    // The edit window (15 minutes) and half an hour more to delete.
    expect(cookie).toContain('Max-Age=2700');
    // The token itself is not readable in the cookie without its signature being checked.
    expect(cookie).toMatch(/^broadside_edits=[A-Za-z0-9_-]+\.[A-Za-z0-9_%+/=-]+;/);

    const own = await browser.get(path);
    expect(own.headers.get('cache-control')).toBe('private, no-store');
    expect(own.headers.get('etag')).toBeNull();
    const html = await own.text();
    const card = cardOf(html, id);
    expect(card).toContain(`<form method="post" action="${path}/comments/${id}/edit"`);
    expect(card).toContain('teh first draft</textarea>');
    expect(card).toContain(`<form method="post" action="${path}/comments/${id}/delete"`);
    expect(card).toContain('<summary>Edit<span class="visually-hidden"> your comment</span>');
    expect(cardOf(html, other.comment.id)).not.toMatch(/\/(edit|delete)"/);

    // Nobody else sees them, before or after the poster's own page was rendered.
    for (let i = 0; i < 2; i++) {
      const stranger = new Browser(server.url);
      const theirs = await (await stranger.get(path)).text();
      expect(theirs).toContain('teh first draft');
      expect(theirs).not.toMatch(/\/(edit|delete)"/);
    }

    // A stranger's forged edit and delete are refused and change nothing.
    const { browser: stranger, token: strangerToken } = await visitor();
    const forged = await stranger.postForm(`${path}/comments/${id}/edit`, {
      _csrf: strangerToken,
      body: 'mine now',
    });
    expect(forged.status).toBe(403);
    expect(cardOf(await forged.text(), id)).toContain(
      '<p class="alert" role="alert">Only the author can edit this comment.</p>',
    );
    const removal = await stranger.postForm(`${path}/comments/${id}/delete`, {
      _csrf: strangerToken,
    });
    expect(removal.status).toBe(403);
    expect((await discussion.findComment(ctx.discussion, id))?.body).toBe('teh first draft');
    // And without the page's CSRF token, even the author's are refused.
    const noToken = await browser.postForm(`${path}/comments/${id}/delete`, {});
    expect(noToken.status).toBe(403);
    expect((await discussion.findComment(ctx.discussion, id))?.status).toBe('approved');
  });

  it('edits within the window through the form, and refuses a late edit saying why, keeping the text', async () => {
    const { browser, token } = await visitor();
    const posted = await browser.postForm(`${path}/comments`, {
      _csrf: token,
      name: 'Ann',
      body: 'teh first draft',
    });
    const id = /#comment-(.+)$/.exec(posted.headers.get('location') ?? '')?.[1] ?? '';
    clock.advance(60_000);
    const edited = await browser.postForm(`${path}/comments/${id}/edit`, {
      _csrf: token,
      body: 'the *first* draft',
    });
    expect(edited.status).toBe(303);
    expect(edited.headers.get('location')).toBe(`${path}#comment-${id}`);
    const page = await (await browser.get(path)).text();
    expect(cardOf(page, id)).toContain('<p>the <em>first</em> draft</p>');
    expect(cardOf(page, id)).toMatch(/class="comment-edited"/);
    expect(cardOf(page, id)).toContain('the *first* draft</textarea>');
    expect(await editHistory(ctx.discussion.db, id)).toMatchObject([{ body: 'teh first draft' }]);

    // After the window: no edit control any more (delete stays a while), and a page left open
    // that posts its edit form anyway is refused with the reason, the text kept.
    clock.advance(15 * 60_000);
    const later = cardOf(await (await browser.get(path)).text(), id);
    expect(later).not.toContain('/edit"');
    expect(later).toContain('/delete"');
    const late = await browser.postForm(`${path}/comments/${id}/edit`, {
      _csrf: token,
      body: 'too late',
    });
    expect(late.status).toBe(403);
    expect(late.headers.get('cache-control')).toBe('private, no-store');
    const refused = cardOf(await late.text(), id);
    expect(refused).toContain('<details class="edit-box" open>');
    expect(refused).toContain(
      '<p class="alert" role="alert">Comments can be edited for 15 minutes after posting; this one no longer can.</p>',
    );
    expect(refused).toContain('too late</textarea>');
    expect((await discussion.findComment(ctx.discussion, id))?.body).toBe('the *first* draft');
  });

  it('deletes through the form, leaving "comment removed" with its replies, and forgets the token', async () => {
    const { browser, token } = await visitor();
    const posted = await browser.postForm(`${path}/comments`, {
      _csrf: token,
      name: 'Ann',
      body: 'Regrettable',
    });
    const id = /#comment-(.+)$/.exec(posted.headers.get('location') ?? '')?.[1] ?? '';
    const reply = await post('A reply that stays', { parentId: id, name: 'Bob' });
    const removed = await browser.postForm(`${path}/comments/${id}/delete`, { _csrf: token });
    expect(removed.status).toBe(303);
    expect(removed.headers.get('location')).toBe(`${path}#comment-${id}`);
    // It was the only token: the cookie goes.
    expect(removed.headers.get('set-cookie')).toMatch(
      /^broadside_edits=; Max-Age=0; Path=\/s\/[a-z-]+; Expires=Thu, 01 Jan 1970/,
    );
    expect(browser.hasCookie('broadside_edits')).toBe(false);

    const response = await browser.get(path);
    expect(response.headers.get('etag')).not.toBeNull(); // no longer a personal page
    const html = await response.text();
    const card = cardOf(html, id);
    expect(card).toContain('<p class="comment-body comment-body-removed">comment removed</p>');
    expect(card).not.toContain('Regrettable');
    expect(card).not.toContain('<form');
    expect(elementById(html, `comment-${id}`)).toContain(`id="comment-${reply.comment.id}"`);
    expect(html).toContain('<h2 id="comments-title">1 comment</h2>');

    // A second try (a page left open) says what happened.
    const again = await browser.postForm(`${path}/comments/${id}/delete`, { _csrf: token });
    expect(again.status).toBe(404);
    expect(cardOf(await again.text(), id)).toContain(
      'This comment has been removed: it can no longer be changed.',
    );
  });

  it('offers members edit and delete on their own comments, and moderators delete on all', async () => {
    const others = await post('By someone else');
    const login = async (email: string, role: 'author' | 'moderator', name: string) => {
      const { password } = await addMemberWithPassword(server.runtime, {
        siteId: server.siteId,
        email,
        role,
        name,
      });
      const browser = new Browser(server.url);
      const signIn = await browser.csrfTokenFrom('/signin');
      await browser.postForm('/signin', { _csrf: signIn, email, password });
      return { browser, token: await browser.csrfTokenFrom(path) };
    };
    const author = await login('edith@example.org', 'author', 'Edith');
    const posted = await author.browser.postForm(`${path}/comments`, {
      _csrf: author.token,
      body: 'By a member',
    });
    const id = /#comment-(.+)$/.exec(posted.headers.get('location') ?? '')?.[1] ?? '';
    expect(author.browser.hasCookie('broadside_edits')).toBe(false); // members need no token
    const html = await (await author.browser.get(path)).text();
    expect(cardOf(html, id)).toContain(`${path}/comments/${id}/edit"`);
    expect(cardOf(html, others.comment.id)).not.toMatch(/\/(edit|delete)"/);
    const edited = await author.browser.postForm(`${path}/comments/${id}/edit`, {
      _csrf: author.token,
      body: 'By a member, edited',
    });
    expect(edited.status).toBe(303);

    const moderator = await login('mo@example.org', 'moderator', 'Mo');
    const modPage = await (await moderator.browser.get(path)).text();
    expect(cardOf(modPage, others.comment.id)).toContain(
      '<summary>Delete<span class="visually-hidden"> the comment by Ann</span></summary>',
    );
    expect(cardOf(modPage, id)).not.toContain('/edit"'); // moderators remove, never rewrite
    const removed = await moderator.browser.postForm(
      `${path}/comments/${others.comment.id}/delete`,
      { _csrf: moderator.token },
    );
    expect(removed.status).toBe(303);
    expect((await discussion.findComment(ctx.discussion, others.comment.id))?.status).toBe(
      'deleted',
    );
  });

  it('serves one comment’s HTML for the island, keeping an edit token sent with it', async () => {
    const { browser } = await visitor();
    const api = await fetch(`${server.url}/api/v1/threads/${thread.id}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ authorName: 'Ann', body: 'Posted *in place*' }),
    });
    const { comment, editToken } = (await api.json()) as {
      comment: { id: string };
      editToken: string;
    };
    const fragmentPath = `${path}/comments/${comment.id}/fragment`;

    const plain = await browser.get(`${fragmentPath}?sort=newest`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(plain.headers.get('cache-control')).toBe('private, no-store');
    expect(plain.headers.get('set-cookie')).toBeNull();
    const html = await plain.text();
    expect(html).toMatch(new RegExp(`^<li class="comment depth-1" id="comment-${comment.id}">`));
    expect(html).toContain('<p>Posted <em>in place</em></p>');
    expect(html).toContain('<input type="hidden" name="sort" value="newest"/>');
    expect(html).toMatch(/name="_csrf" value="[^"]+"/);
    expect(html).not.toMatch(/\/(edit|delete)"/);

    const wrong = await browser.request(fragmentPath, { headers: { 'x-edit-token': 'bse_nope' } });
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const kept = await browser.request(fragmentPath, { headers: { 'x-edit-token': editToken } });
    expect(kept.headers.get('set-cookie')).toMatch(/^broadside_edits=.+; Path=\/s\/[a-z-]+;/);
    expect(await kept.text()).toContain(`${path}/comments/${comment.id}/edit"`);
    // From now on the page shows the poster their controls, as after a form post.
    expect(cardOf(await (await browser.get(path)).text(), comment.id)).toContain('/edit"');

    // Held comments and comments of other threads are not served.
    const held = await post('Suspect [hold]');
    expect((await browser.get(`${path}/comments/${held.comment.id}/fragment`)).status).toBe(404);
    const elsewhere = await statements.publishStatement(ctx, buildStatement(server.siteId));
    const foreign = await discussion.postComment(ctx.discussion, {
      threadId: elsewhere.thread.id,
      author: { name: 'X' },
      body: 'there',
    });
    expect((await browser.get(`${path}/comments/${foreign.comment.id}/fragment`)).status).toBe(404);
  });

  it('leaves a closed thread’s author only the delete control, and refuses their edit', async () => {
    const { browser, token } = await visitor();
    const posted = await browser.postForm(`${path}/comments`, {
      _csrf: token,
      name: 'Ann',
      body: 'Before closing',
    });
    const id = /#comment-(.+)$/.exec(posted.headers.get('location') ?? '')?.[1] ?? '';
    await closeThread(ctx.discussion, thread.id);
    const html = await (await browser.get(path)).text();
    expect(html).toContain('Comments are closed.');
    expect(cardOf(html, id)).not.toContain('/edit"');
    expect(cardOf(html, id)).not.toContain('reply-box');
    expect(cardOf(html, id)).toContain('/delete"');
    const late = await browser.postForm(`${path}/comments/${id}/edit`, {
      _csrf: token,
      body: 'After closing',
    });
    expect(late.status).toBe(409);
    expect(cardOf(await late.text(), id)).toContain(
      'This discussion is closed: its comments can no longer be edited.',
    );
  });

  it('tells the poster when a comment awaits moderation, and shows it to nobody yet', async () => {
    const { browser, token } = await visitor();
    const posted = await browser.postForm(`${path}/comments`, {
      _csrf: token,
      name: 'Ann',
      body: 'Something suspect [hold]',
    });
    expect(posted.status).toBe(303);
    const location = posted.headers.get('location') ?? '';
    const heldId = /\?held=([^#&]+)#comment-held$/.exec(location)?.[1] ?? '';
    expect((await discussion.findComment(ctx.discussion, heldId))?.status).toBe('pending');

    const response = await browser.get(location.replace(/#.*$/, ''));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('etag')).toBeNull();
    const html = await response.text();
    expect(html).toContain(
      '<p class="notice" id="comment-held" role="status">Your comment is awaiting moderation.',
    );
    expect(html).not.toContain('Something suspect');
    expect(html).toContain('<h2 id="comments-title">0 comments</h2>');
    expect(await new Browser(server.url).get(path).then((r) => r.text())).not.toContain(
      'awaiting moderation',
    );
    expect((await browser.get(`${path}?held=<script>`)).status).toBe(400);
  });

  it('answers 404 for an unknown statement or a page beyond the last', async () => {
    expect((await new Browser(server.url).get('/s/no-such-statement')).status).toBe(404);
    expect((await new Browser(server.url).get(`${path}?page=2`)).status).toBe(404);
    expect((await new Browser(server.url).get(`${path}?sort=sideways`)).status).toBe(400);
  });

  it('answers 304 to a current copy and a new ETag after the thread changes', async () => {
    const anonymous = new Browser(server.url);
    const first = await anonymous.get(path);
    // A first visit makes the CSRF cookie its tokens belong to: no validator yet.
    expect(first.headers.get('etag')).toBeNull();
    expect(first.headers.get('set-cookie')).toMatch(/^broadside_csrf=/);
    const second = await anonymous.get(path);
    const etag = second.headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/".+\.a\..+"$/);
    expect(second.headers.get('cache-control')).toBe('private, no-cache');
    expect(second.headers.get('vary')).toBe('Cookie');
    const body = await second.text();

    const again = await anonymous.request(path, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);

    // Other views of the same thread have their own validators.
    const newest = await anonymous.get(`${path}?sort=newest`);
    expect(newest.headers.get('etag')).not.toBe(etag);

    await post('A new comment bumps the version');
    const changed = await anonymous.request(path, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const html = await changed.text();
    expect(html).toContain('A new comment bumps the version');
    expect(html).not.toBe(body);

    // Another visitor's validator is not this one's: their copies carry different tokens.
    const other = new Browser(server.url);
    await other.get(path);
    const theirs = await other.request(path, { headers: { 'if-none-match': etag } });
    expect(theirs.status).toBe(200);
  });

  it('never serves a signed-in viewer’s page, name, token or controls to an anonymous one', async () => {
    const someone = await post('Something to reply to');
    const { password } = await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      email: 'mo@example.org',
      role: 'moderator',
      name: 'Mo Derator',
    });
    const member = new Browser(server.url);
    const signInToken = await member.csrfTokenFrom('/signin');
    await member.postForm('/signin', { _csrf: signInToken, email: 'mo@example.org', password });
    const memberPage = await member.get(path);
    // A member's page is rendered for them alone: no validator, kept by no cache.
    expect(memberPage.headers.get('etag')).toBeNull();
    expect(memberPage.headers.get('cache-control')).toBe('private, no-store');
    const memberHtml = await memberPage.text();
    expect(memberHtml).toContain('Mo Derator');
    // A moderator may delete any comment.
    expect(cardOf(memberHtml, someone.comment.id)).toContain(
      `action="${path}/comments/${someone.comment.id}/delete"`,
    );
    const memberToken = /name="_csrf" value="([^"]+)"/.exec(memberHtml)?.[1] ?? '';

    const anonymous = new Browser(server.url);
    await anonymous.get(path);
    const first = await anonymous.get(path);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/\.a\./);
    for (const response of [first, await anonymous.get(path)]) {
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).not.toContain('Mo Derator');
      expect(html).not.toContain(memberToken);
      expect(html).not.toContain('You are commenting as');
      expect(html).not.toContain('/delete"');
      expect(elementById(html, 'comment-form')).toContain('name="name"');
    }

    // Signed out, the same browser (same CSRF cookie) gets the anonymous page, without controls.
    const signOutToken = /name="_csrf" value="([^"]+)"/.exec(memberHtml)?.[1] ?? '';
    await member.postForm('/signout', { _csrf: signOutToken });
    const afterSignOut = await member.get(path);
    expect(afterSignOut.status).toBe(200);
    expect(afterSignOut.headers.get('etag')).toMatch(/\.a\./);
    const signedOut = await afterSignOut.text();
    expect(signedOut).not.toContain('Mo Derator');
    expect(signedOut).not.toContain('/delete"');
  });

  it('splits a long thread into pages of whole top-level comments, each comment on exactly one page', async () => {
    const TOP = 450;
    const rootOf = new Map<string, number>(); // comment id → number of its top-level ancestor
    const tops: string[] = [];
    for (let n = 1; n <= TOP; n++) {
      const top = await post(`Top ${n}`);
      tops.push(top.comment.id);
      rootOf.set(top.comment.id, n);
      // Replies on the last comments of pages and on the first ones of the next, two levels deep.
      if (n % 50 === 0 || n % 50 === 1) {
        const reply = await post(`Reply to ${n}`, { parentId: top.comment.id });
        const deeper = await post(`Deeper under ${n}`, { parentId: reply.comment.id });
        rootOf.set(reply.comment.id, n);
        rootOf.set(deeper.comment.id, n);
      }
    }
    // A reply written later, to an early comment, stays with it.
    const late = await post('Late reply to 200', { parentId: tops[199] });
    rootOf.set(late.comment.id, 200);
    thread = await discussion.getThread(ctx.discussion, thread.id);
    expect(thread.topLevelCount).toBe(TOP);

    const browser = new Browser(server.url);
    for (const sort of ['oldest', 'newest'] as const) {
      const seen: string[] = [];
      const pagesOf = new Map<number, Set<number>>();
      for (let page = 1; page <= 3; page++) {
        const query = [page > 1 ? `page=${page}` : '', sort === 'newest' ? 'sort=newest' : '']
          .filter(Boolean)
          .join('&');
        const response = await browser.get(query ? `${path}?${query}` : path);
        expect(response.status).toBe(200);
        const html = await response.text();
        expect(html).toContain(`Page ${page} of 3`);
        const ids = commentIds(html);
        seen.push(...ids);
        for (const id of ids) {
          const root = rootOf.get(id) ?? 0;
          const pages = pagesOf.get(root) ?? new Set<number>();
          pages.add(page);
          pagesOf.set(root, pages);
        }
        // Top-level numbers run the right way and hold whole blocks.
        const numbers = [...html.matchAll(/<span class="comment-number">(\d+)\.<\/span>/g)].map(
          (m) => Number(m[1]),
        );
        const blocks: [number, number][] =
          sort === 'oldest'
            ? [
                [1, 200],
                [201, 400],
                [401, 450],
              ]
            : [
                [450, 251],
                [250, 51],
                [50, 1],
              ];
        const [from, to] = blocks[page - 1] ?? [0, 0];
        expect(numbers[0]).toBe(from);
        expect(numbers.at(-1)).toBe(to);
        expect(numbers).toHaveLength(Math.abs(from - to) + 1);
        // Replies follow their own top-level comment, in the order written.
        const lateAt = ids.indexOf(late.comment.id);
        if (lateAt !== -1) {
          expect(ids[lateAt - 3]).toBe(tops[199]);
          expect(rootOf.get(ids[lateAt + 1] ?? '')).not.toBe(200);
        }
      }
      // Every comment exactly once, and every reply chain on one page.
      expect(seen).toHaveLength(rootOf.size);
      expect(new Set(seen).size).toBe(rootOf.size);
      for (const pages of pagesOf.values()) expect(pages.size).toBe(1);
    }
    expect((await browser.get(`${path}?page=4`)).status).toBe(404);

    // A reply posted on page 2 comes back to page 2.
    const token = await browser.csrfTokenFrom(`${path}?page=2`);
    const replied = await browser.postForm(`${path}/comments`, {
      _csrf: token,
      parentId: tops[299] ?? '',
      page: '2',
      name: 'Ann',
      body: 'On page two',
    });
    expect(replied.headers.get('location')).toMatch(/^\/s\/[a-z-]+\?page=2#comment-/);
  });
});

// --- reply mail ----------------------------------------------------------------------------

describe('"E-mail me replies" on the statement page', () => {
  let smtp: SmtpCapture;
  let server: TestServer;
  let path: string;

  beforeEach(async () => {
    smtp = await startSmtpCapture();
    server = await startTestServer({
      env: { SMTP_URL: smtp.url },
      moderation: holdMarkedComments,
    });
    const { statement } = await statements.publishStatement(
      statementsContext(server.runtime),
      buildStatement(server.siteId),
    );
    path = `/s/${statement.slug}`;
  });
  afterEach(async () => {
    await server.close();
    await smtp.close();
  });

  it('is offered when the site can send mail, and asks for an address before anything is written', async () => {
    const browser = new Browser(server.url);
    const html = await (await browser.get(path)).text();
    expect(elementById(html, 'comment-form')).toContain(
      '<input type="checkbox" name="notifyReplies" value="on"/>',
    );
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

    const refused = await browser.postForm(`${path}/comments`, {
      _csrf: token,
      name: 'Ann',
      body: 'Tell me',
      notifyReplies: 'on',
    });
    expect(refused.status).toBe(422);
    const form = elementById(await refused.text(), 'comment-form');
    expect(decode(form)).toContain('Give your e-mail address to be told of replies by e-mail.');
    expect(form).toContain('<input type="checkbox" name="notifyReplies" value="on" checked/>');

    const posted = await browser.postForm(`${path}/comments`, {
      _csrf: token,
      name: 'Ann',
      email: 'ann@example.org',
      body: 'Tell me',
      notifyReplies: 'on',
    });
    expect(posted.status).toBe(303);
    const location = posted.headers.get('location') ?? '';
    expect(location).toMatch(/\?mail=confirm#comment-/);
    const page = await (await browser.get(location.replace(/#.*$/, ''))).text();
    expect(page).toContain('<p class="notice" id="comment-mail" role="status">');
  });
});
