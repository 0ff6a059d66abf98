// The moderation pages through a real server and real HTTP, with the real moderation (the
// site's rules), once per database kind: the queue's tabs, counts, context and marks, its empty
// states, every action as a plain form (no JavaScript), the audit log, rules and bans pages,
// readers' reports, and who may open any of it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { statementsContext } from '../../src/runtime.js';
import * as discussion from '../../src/discussion/service.js';
import type { Thread } from '../../src/discussion/store.js';
import { highlightSegments } from '../../src/moderation/highlight.js';
import * as statements from '../../src/statements/service.js';
import type { StatementsContext } from '../../src/statements/service.js';
import { databaseKinds } from '../helpers/databases.js';
import { Browser } from '../helpers/http.js';
import type { TestServer } from '../helpers/runtime.js';
import { addMemberWithPassword, startTestServer } from '../helpers/runtime.js';
import { buildStatement } from '../statements/factories.js';
import { elementById } from '../helpers/html.js';

const PASSWORD = 'correct horse battery staple';

// --- reading HTML without a parser ---------------------------------------------------------

/** The ids of the comments listed in the queue, in order. */
const queueIds = (html: string) =>
  [...html.matchAll(/<li class="mod-item" id="item-([^"]+)"/g)].map((m) => m[1] ?? '');

/** The count each tab shows. */
function tabCounts(html: string): Record<string, number> {
  return Object.fromEntries(
    [...html.matchAll(/data-count-of="([a-z]+)">([\d,]+)</g)].map((m) => [
      m[1] ?? '',
      Number((m[2] ?? '').replace(/,/g, '')),
    ]),
  );
}

/** The text a reader sees: block elements apart, inline ones run together. */
const text = (html: string) =>
  html
    .replace(
      /<\/?(p|div|dt|dd|li|h\d|label|td|th|tr|ul|ol|dl|header|form|button|option)\b[^>]*>/g,
      ' ',
    )
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();

// --- pure: where the marks go --------------------------------------------------------------

describe('highlighting what the rules matched', () => {
  it('marks each matched range, merging overlaps and naming every term', () => {
    const body = 'They got a couple of Yids and some y1ds.';
    const segments = highlightSegments(body, [
      {
        code: 'suspect-term',
        message: 'held',
        matches: [
          { start: 21, end: 25, term: 'yid' },
          { start: 35, end: 39, term: 'yid' },
        ],
      },
      { code: 'blocked-term', message: 'x', matches: [{ start: 22, end: 25, term: 'ids' }] },
    ]);
    expect(segments).toEqual([
      { text: 'They got a couple of ' },
      { text: 'Yids', terms: ['yid', 'ids'] },
      { text: ' and some ' },
      { text: 'y1ds', terms: ['yid'] },
      { text: '.' },
    ]);
    // Marks never lose or add text.
    expect(segments.map((s) => s.text).join('')).toBe(body);
  });

  it('clips ranges that run past the text and never splits a character in two', () => {
    const body = 'a 😀 b';
    const segments = highlightSegments(body, [
      {
        code: 'suspect-term',
        message: 'held',
        matches: [
          { start: 3, end: 4, term: 'half an emoji' },
          { start: 5, end: 99, term: 'past the end' },
          { start: 50, end: 60, term: 'gone' },
        ],
      },
    ]);
    expect(segments).toEqual([
      { text: 'a ' },
      { text: '😀', terms: ['half an emoji'] },
      { text: ' ' },
      { text: 'b', terms: ['past the end'] },
    ]);
    expect(highlightSegments('plain', [])).toEqual([{ text: 'plain' }]);
  });
});

// --- through HTTP --------------------------------------------------------------------------

describe.each(databaseKinds)('moderation pages on $name', (kind) => {
  let server: TestServer;
  let ctx: StatementsContext;
  let thread: Thread;
  let statementPath: string;
  let moderator: Browser;
  let posted = 0;

  beforeAll(async () => {
    server = await startTestServer({ kind, moderation: 'real' });
    ctx = statementsContext(server.runtime);
    await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      email: 'mo@example.org',
      role: 'moderator',
      name: 'Mo Derator',
    });
    await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      email: 'author@example.org',
      role: 'author',
      name: 'Awe Thor',
    });
    moderator = await signedIn('mo@example.org');
  });
  afterAll(async () => {
    await server?.close();
  });

  beforeEach(async () => {
    const published = await statements.publishStatement(
      ctx,
      buildStatement(server.siteId, { title: `Statement on Paris ${posted}` }),
    );
    thread = published.thread;
    statementPath = `/s/${published.statement.slug}`;
  });

  async function signedIn(email: string): Promise<Browser> {
    const browser = new Browser(server.url);
    const token = await browser.csrfTokenFrom('/signin');
    const response = await browser.postForm('/signin', { _csrf: token, email, password: PASSWORD });
    expect(response.status).toBe(303);
    return browser;
  }

  /** Posts through discussion as a distinct person (no flood), judged by the site's rules. */
  async function post(body: string, options: { parentId?: string; name?: string } = {}) {
    posted += 1;
    const { comment } = await discussion.postComment(ctx.discussion, {
      threadId: thread.id,
      parentId: options.parentId,
      author: { name: options.name ?? `Poster ${posted}`, email: `poster${posted}@example.org` },
      body,
      ipHash: `address-${posted}`,
    });
    return comment;
  }

  const held = (name?: string) =>
    post('Who cares about free speech but they got a couple of Yids.', { name });

  async function queue(query = ''): Promise<string> {
    const response = await moderator.get(`/admin/moderation${query}`);
    expect(response.status).toBe(200);
    return response.text();
  }

  const statusOf = async (id: string) => (await discussion.findComment(ctx.discussion, id))?.status;

  it('lists held comments in their thread with the author, history, reasons and marks', async () => {
    const parent = await post('Kurds good, Jocks bad.', { name: 'Jim' });
    const reply = await held('Tim');
    const again = await post('Another one about the Yids.', { name: 'Tim' });
    expect(reply.status).toBe('pending');
    expect(parent.status).toBe('approved');

    const html = await queue();
    expect(html).toContain('<title>Moderation · Broadside</title>');
    const item = elementById(html, `item-${reply.id}`);
    // Thread title, linked to where it is read; author with e-mail; history.
    expect(item).toContain(`href="${statementPath}">Statement on Paris`);
    expect(text(item)).toContain('Tim on Statement on Paris');
    expect(text(item)).toContain(`poster${posted - 1}@example.org`);
    expect(text(item)).toMatch(/History 0 approved, 0 rejected or spam \(by e-mail address\)/);
    // The reason, with the matched term marked in the body and named.
    expect(item).toContain('<code>suspect-term</code>');
    expect(item).toContain('<mark title="matched: yid">Yids</mark>');
    expect(item).toMatch(/\(matched <mark>yid<\/mark>\)/);
    expect(text(item)).toContain('Who cares about free speech but they got a couple of Yids.');
    // Actions for this comment, each a form with the page's token.
    for (const verb of ['approve', 'spam', 'reject', 'ban'])
      expect(item).toContain(`action="/admin/moderation/comments/${reply.id}/${verb}"`);
    expect(item).toContain(`action="/admin/moderation/threads/${thread.id}/close"`);
    expect(item).toMatch(/name="_csrf" value="[^"]+"/);
    // Both waiting comments are listed, the longest-waiting first.
    const ids = queueIds(html);
    expect(ids.indexOf(reply.id)).toBeLessThan(ids.indexOf(again.id));
    expect(ids).not.toContain(parent.id);
  });

  it('shows the comment answered, and escapes what authors wrote', async () => {
    const parent = await post('The <b>first</b> & foremost point, stated at length.', {
      name: '<Jim>',
    });
    const reply = await post('<script>alert(1)</script> yid', { parentId: parent.id });
    const item = elementById(await queue(), `item-${reply.id}`);
    expect(item).toContain('In reply to <strong>&lt;Jim></strong>');
    expect(item).toContain('The &lt;b>first&lt;/b> &amp; foremost point');
    expect(item).toContain('&lt;script>alert(1)&lt;/script> <mark');
    expect(item).not.toContain('<script>');
    expect(item).not.toContain('<b>first');
  });

  it('labels a comment flagged on import, public yet waiting, with Keep instead of Approve', async () => {
    const { comment } = await discussion.postComment(ctx.discussion, {
      threadId: thread.id,
      author: { name: 'Imported Ian' },
      body: 'An old comment about the Yids, from the archive.',
      origin: 'import',
      externalId: `old-${posted}`,
    });
    expect(comment.status).toBe('approved');
    const item = elementById(await queue(), `item-${comment.id}`);
    expect(item).toContain('<span class="mod-flag">flagged on import</span>');
    expect(item).toContain('<span class="mod-status status-approved">public</span>');
    expect(text(item)).toContain('Keep the comment by Imported Ian');
    expect(text(item)).not.toContain('Approve the comment by Imported Ian');
    // Public: the thread's link is to the comment itself.
    expect(item).toContain(`href="${statementPath}#comment-${comment.id}"`);
    const kept = await moderator.postForm(`/admin/moderation/comments/${comment.id}/approve`, {
      _csrf: await moderator.csrfTokenFrom('/admin/moderation'),
    });
    expect(kept.status).toBe(303);
    expect(queueIds(await queue())).not.toContain(comment.id);
    expect(await statusOf(comment.id)).toBe('approved');
  });

  it('counts every tab and pages through a long one', async () => {
    const before = tabCounts(await queue());
    const waiting = [];
    for (let i = 0; i < 27; i++) waiting.push((await held()).id);
    const first = await queue();
    const counts = tabCounts(first);
    expect(counts.pending).toBe((before.pending ?? 0) + 27);
    expect(counts.all).toBe((before.all ?? 0) + 27);
    expect(Object.keys(counts)).toEqual(['pending', 'reported', 'rejected', 'spam', 'all']);
    expect(first).toMatch(/aria-current="page" data-tab="pending"/);
    // 25 a page; the next link goes on to the rest, and back.
    expect(queueIds(first)).toHaveLength(25);
    const next = /href="(\/admin\/moderation\?cursor=[^"]+)" rel="next"/.exec(first)?.[1];
    expect(next).toBeDefined();
    const second = await queue(next?.replace('/admin/moderation', '').replace(/&amp;/g, '&'));
    const onBoth = [...queueIds(first), ...queueIds(second)];
    expect(new Set(onBoth).size).toBe(onBoth.length);
    for (const id of waiting) expect(onBoth).toContain(id);
    expect(second).toContain('href="/admin/moderation">First page</a>');
    // Clear them for the tests after this one.
    const token = await moderator.csrfTokenFrom('/admin/moderation');
    const cleared = await moderator.request('/admin/moderation/bulk', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([
        ['_csrf', token],
        ['action', 'reject'],
        ...queueIds(first).map((id) => ['ids', id]),
        ...queueIds(second).map((id) => ['ids', id]),
      ]).toString(),
    });
    expect(cleared.status).toBe(303);
    expect(tabCounts(await queue()).pending).toBe(0);
  });

  it('says what an empty tab means', async () => {
    // Spam is empty on this site until a test marks something.
    const html = await queue('?tab=spam');
    expect(html).toContain('id="queue-empty"');
    expect(text(html)).toContain('No spam.');
    expect(html).not.toContain('class="mod-list"');
    expect(html).not.toContain('id="bulk-form"');
    const pending = await queue();
    if (tabCounts(pending).pending === 0) {
      expect(text(pending)).toContain(
        'Nothing waits for a moderator. New comments the rules hold, and comments readers report, appear here.',
      );
    }
  });

  describe('actions without JavaScript: a form, a redirect back, a notice', () => {
    async function act(path: string, fields: Record<string, string> = {}, from = '') {
      const token = await moderator.csrfTokenFrom(`/admin/moderation${from}`);
      return moderator.postForm(path, { _csrf: token, ...fields });
    }

    it('approves: the comment is public, the count drops, the queue says so', async () => {
      const comment = await held();
      const before = tabCounts(await queue()).pending ?? 0;
      const response = await act(`/admin/moderation/comments/${comment.id}/approve`, {
        tab: 'pending',
      });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/admin/moderation?done=approve&count=1');
      expect(await statusOf(comment.id)).toBe('approved');
      const after = await queue('?done=approve&count=1');
      expect(tabCounts(after).pending).toBe(before - 1);
      expect(after).toContain(
        'role="status" aria-live="polite" id="queue-status">Approved 1 comment.',
      );
      expect(queueIds(after)).not.toContain(comment.id);
      const page = await (await new Browser(server.url).get(statementPath)).text();
      expect(page).toContain(`id="comment-${comment.id}"`);
    });

    it('rejects with words for the author, kept in the comment and the audit log', async () => {
      const comment = await held();
      const response = await act(
        `/admin/moderation/comments/${comment.id}/reject`,
        { tab: 'pending', reason: 'Slurs are not argument.' },
        '',
      );
      expect(response.status).toBe(303);
      const stored = await discussion.findComment(ctx.discussion, comment.id);
      expect(stored?.status).toBe('rejected');
      expect(stored?.reasons).toEqual([{ code: 'moderator', message: 'Slurs are not argument.' }]);
      const rejected = await queue('?tab=rejected');
      expect(queueIds(rejected)).toContain(comment.id);
      const audit = await (await moderator.get('/admin/moderation/audit?action=reject')).text();
      expect(text(audit)).toContain('Slurs are not argument.');
      expect(text(audit)).toContain('Mo Derator');
      expect(text(audit)).toContain('pending → rejected');
    });

    it('acts on the ticked comments in bulk, and on none when none is ticked', async () => {
      const a = await held();
      const b = await held();
      const c = await held();
      const response = await moderator.request('/admin/moderation/bulk', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([
          ['_csrf', await moderator.csrfTokenFrom('/admin/moderation')],
          ['tab', 'pending'],
          ['action', 'spam'],
          ['ids', a.id],
          ['ids', b.id],
        ]).toString(),
      });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/admin/moderation?done=spam&count=2');
      expect([await statusOf(a.id), await statusOf(b.id), await statusOf(c.id)]).toEqual([
        'spam',
        'spam',
        'pending',
      ]);
      const none = await act('/admin/moderation/bulk', { tab: 'pending', action: 'approve' });
      expect(none.status).toBe(422);
      const page = await none.text();
      expect(page).toContain('role="alert">Choose at least one comment.');
      expect(await statusOf(c.id)).toBe('pending');
      // "Select all" without JavaScript: every box comes ticked.
      const all = await queue('?select=all');
      const boxes = [
        ...all.matchAll(
          /<input type="checkbox" name="ids" value="[^"]+" form="bulk-form"( checked)?/g,
        ),
      ];
      expect(boxes.length).toBeGreaterThan(0);
      expect(boxes.every((box) => box[1] === ' checked')).toBe(true);
    });

    it('refuses an unknown comment with a clear message and changes nothing', async () => {
      const comment = await held();
      const response = await act('/admin/moderation/bulk', {
        action: 'approve',
        ids: 'no-such-comment',
      });
      expect(response.status).toBe(404);
      expect(text(await response.text())).toContain('There is no comment no-such-comment');
      const single = await act('/admin/moderation/comments/no-such-comment/approve');
      expect(single.status).toBe(404);
      expect(await statusOf(comment.id)).toBe('pending');
    });

    it('bans the author for a time (the next comment is refused), lists and lifts the ban', async () => {
      const comment = await post('yid again', { name: 'Banned Bo' });
      const response = await act(`/admin/moderation/comments/${comment.id}/ban`, {
        tab: 'pending',
        duration: '7d',
        reason: 'Repeated slurs',
      });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/admin/moderation?done=ban');
      const next = await discussion.postComment(ctx.discussion, {
        threadId: thread.id,
        author: { name: 'Banned Bo', email: `poster${posted}@example.org` },
        body: 'A perfectly polite remark.',
        ipHash: 'another-address',
      });
      expect(next.comment.status).toBe('rejected');

      const bans = await (await moderator.get('/admin/moderation/bans')).text();
      expect(text(bans)).toContain(`poster${posted}@example.org (e-mail address)`);
      expect(text(bans)).toContain('Repeated slurs');
      const lifts = [...bans.matchAll(/action="(\/admin\/moderation\/bans\/[^"]+\/lift)"/g)];
      expect(lifts.length).toBeGreaterThanOrEqual(2); // e-mail and address
      for (const [, path] of lifts) {
        const lifted = await moderator.postForm(path ?? '', {
          _csrf: await moderator.csrfTokenFrom('/admin/moderation/bans'),
        });
        expect(lifted.status).toBe(303);
      }
      const after = await (await moderator.get('/admin/moderation/bans?lifted=1')).text();
      expect(text(after)).toContain('The ban is lifted.');
      expect(text(after)).toContain('Nobody is banned.');

      // A ban needs a reason: refused, nothing written.
      const refused = await act(`/admin/moderation/comments/${comment.id}/ban`, {
        duration: 'forever',
        reason: '  ',
      });
      expect(refused.status).toBe(422);
      expect(text(await (await moderator.get('/admin/moderation/bans')).text())).toContain(
        'Nobody is banned.',
      );
    });

    it('closes the thread, and the statement page says comments are closed', async () => {
      const comment = await held();
      const response = await act(`/admin/moderation/threads/${thread.id}/close`, {
        tab: 'pending',
      });
      expect(response.status).toBe(303);
      const after = await queue('?done=close');
      expect(after).toContain('The thread is closed to new comments.');
      const item = elementById(after, `item-${comment.id}`);
      expect(item).toContain('thread closed');
      expect(item).not.toContain(`/threads/${thread.id}/close`);
      const page = await (await new Browser(server.url).get(statementPath)).text();
      expect(page).toContain('Comments are closed.');
    });

    it('refuses a form without its CSRF token', async () => {
      const comment = await held();
      const response = await moderator.postForm(
        `/admin/moderation/comments/${comment.id}/approve`,
        {},
      );
      expect(response.status).toBe(403);
      expect(await statusOf(comment.id)).toBe('pending');
    });
  });

  describe('who may moderate', () => {
    it('sends a visitor to sign in, and refuses a member without the role (403)', async () => {
      const visitor = new Browser(server.url);
      const away = await visitor.get('/admin/moderation');
      expect(away.status).toBe(303);
      expect(away.headers.get('location')).toBe('/signin?next=%2Fadmin%2Fmoderation');

      const comment = await held();
      const author = await signedIn('author@example.org');
      for (const path of [
        '/admin/moderation',
        '/admin/moderation/audit',
        '/admin/moderation/rules',
        '/admin/moderation/bans',
      ]) {
        const response = await author.get(path);
        expect(response.status, path).toBe(403);
        expect(await response.text()).toContain('does not allow this (comments.moderate)');
      }
      const token = await author.csrfTokenFrom('/admin/account');
      const refused = await author.postForm(`/admin/moderation/comments/${comment.id}/approve`, {
        _csrf: token,
      });
      expect(refused.status).toBe(403);
      expect(await statusOf(comment.id)).toBe('pending');
      // Only those who may moderate see it in the admin's navigation.
      expect(await (await author.get('/admin')).text()).not.toContain('href="/admin/moderation"');
      expect(await (await moderator.get('/admin')).text()).toContain(
        'href="/admin/moderation">Moderation</a>',
      );
    });
  });

  describe('the audit log page', () => {
    it('shows who did what, filters by action, actor and date, and links the CSV', async () => {
      const comment = await held();
      await moderator.postForm(`/admin/moderation/comments/${comment.id}/approve`, {
        _csrf: await moderator.csrfTokenFrom('/admin/moderation'),
      });
      const all = await (await moderator.get('/admin/moderation/audit')).text();
      // The admin navigation marks the section the page belongs to.
      expect(all).toContain('<a href="/admin/moderation" aria-current="true">Moderation</a>');
      expect(all).toMatch(/<a href="\/admin"(?! aria-current)>Dashboard<\/a>/);
      expect(all).toContain('<th scope="col">When</th>');
      // The automatic hold and the moderator's approval, newest first.
      const rows = [...all.matchAll(/<tr data-action="([a-z-]+)">/g)].map((m) => m[1]);
      expect(rows.slice(0, 2)).toEqual(['approve', 'auto-hold']);
      expect(all).toContain(`href="/admin/moderation/audit?comment=${comment.id}"`);
      expect(all).toContain('href="/api/v1/moderation/audit.csv" download');

      const byRules = await (await moderator.get('/admin/moderation/audit?actor=rules')).text();
      expect(
        [...byRules.matchAll(/<tr data-action="([a-z-]+)">/g)].every((m) =>
          m[1]?.startsWith('auto-'),
        ),
      ).toBe(true);
      expect(byRules).toContain('<option value="rules" selected>');
      expect(byRules).toContain('href="/api/v1/moderation/audit.csv?actor=rules"');

      const story = await (
        await moderator.get(`/admin/moderation/audit?comment=${comment.id}`)
      ).text();
      expect([...story.matchAll(/<tr data-action="([a-z-]+)">/g)].map((m) => m[1])).toEqual([
        'approve',
        'auto-hold',
      ]);

      const future = await (await moderator.get('/admin/moderation/audit?from=2999-01-01')).text();
      expect(text(future)).toContain('No entry matches this filter.');
      const bad = await moderator.get('/admin/moderation/audit?from=yesterday');
      expect(bad.status).toBe(400);
      expect(text(await bad.text())).toContain('From must be a date such as 2026-11-24');

      // The CSV it links to is the log.
      const csv = await moderator.request('/api/v1/moderation/audit.csv?action=approve', {
        headers: { accept: 'text/csv' },
      });
      expect(csv.status).toBe(200);
      expect(await csv.text()).toContain(comment.id);

      // "read" leads to where the comment is read.
      const read = await moderator.get(`/admin/moderation/comments/${comment.id}`);
      expect(read.status).toBe(302);
      expect(read.headers.get('location')).toBe(`${statementPath}#comment-${comment.id}`);
    });
  });

  describe('the rules page', () => {
    async function saveRules(fields: Record<string, string>) {
      const html = await (await moderator.get('/admin/moderation/rules')).text();
      const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
      const version = /name="version" value="(\d+)"/.exec(html)?.[1] ?? '0';
      const current = (name: string) =>
        (new RegExp(`<textarea name="${name}"[^>]*>([^<]*)</textarea>`).exec(html)?.[1] ?? '')
          .replace(/&amp;/g, '&')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"');
      return moderator.postForm('/admin/moderation/rules', {
        _csrf: token,
        version,
        blockedTerms: current('blockedTerms'),
        suspectTerms: current('suspectTerms'),
        blockedDomains: current('blockedDomains'),
        maxLinks: '2',
        firstTime: 'off',
        floodPerMinute: '5',
        reportsToHold: '3',
        digestAfterMinutes: '0',
        ...fields,
      });
    }

    it('shows the lists and settings; a malformed list is refused line by line, text kept', async () => {
      const html = await (await moderator.get('/admin/moderation/rules')).text();
      expect(html).toContain('<textarea name="blockedTerms"');
      expect(text(html)).toContain('This is the shipped list');
      expect(html).toMatch(/<input type="radio" name="firstTime" value="off" checked/);

      const refused = await saveRules({ suspectTerms: 'grifter\nx\nfine term', maxLinks: '2' });
      expect(refused.status).toBe(422);
      const page = await refused.text();
      const problems = elementById(page, 'suspectTerms-problems');
      expect(text(problems)).toMatch(/^Line 2: /);
      expect(page).toContain('>grifter\nx\nfine term</textarea>');
      expect(page).toContain('aria-invalid="true"');
      expect(text(page)).toContain('The rules were not saved');
      // Nothing changed: the list is still the shipped one.
      expect(text(await (await moderator.get('/admin/moderation/rules')).text())).toContain(
        'This is the shipped list',
      );

      const badNumber = await saveRules({ maxLinks: 'many' });
      expect(badNumber.status).toBe(422);
      expect(text(elementById(await badNumber.text(), 'maxLinks-problems'))).toContain(
        'maxLinks must be a whole number',
      );
    });

    it('saves a change that the next comment meets, and resets a list to the shipped one', async () => {
      const saved = await saveRules({ blockedTerms: 'grifter\n', maxLinks: '3' });
      expect(saved.status).toBe(303);
      expect(saved.headers.get('location')).toBe('/admin/moderation/rules?saved=1');
      const page = await (await moderator.get('/admin/moderation/rules?saved=1')).text();
      expect(text(page)).toContain('The rules are saved.');
      expect(page).toContain('>grifter\n</textarea>');
      expect(page).toMatch(/<input type="number" name="maxLinks"[^>]* value="3"/);
      expect((await post('You are a gr1fter.')).status).toBe('rejected');

      const reset = await moderator.postForm('/admin/moderation/rules/reset', {
        _csrf: /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '',
        list: 'blockedTerms',
      });
      expect(reset.status).toBe(303);
      expect((await post('You are a gr1fter.')).status).toBe('approved');
      const audit = await (
        await moderator.get('/admin/moderation/audit?action=rules-updated')
      ).text();
      expect(text(audit)).toContain('blocked terms (back to the default list)');
    });
  });

  describe('readers’ reports', () => {
    it('links every public comment to its report form, in the cached page too', async () => {
      const comment = await post('A fair point, fairly made.');
      const hidden = await held();
      for (let i = 0; i < 2; i++) {
        const page = await (await new Browser(server.url).get(statementPath)).text();
        expect(page).toContain(
          `<a class="comment-report" href="/comments/${comment.id}/report" rel="nofollow">Report<span class="visually-hidden"> the comment by`,
        );
        expect(page).not.toContain(`/comments/${hidden.id}/report`);
      }
    });

    it('takes a report through the form, thanks the reader, and refuses a second one', async () => {
      const comment = await post('Arm the Kurds.');
      const reader = new Browser(server.url);
      const form = await reader.get(`/comments/${comment.id}/report`);
      expect(form.status).toBe(200);
      const html = await form.text();
      for (const reason of ['abuse', 'hate', 'spam', 'off-topic', 'other'])
        expect(html).toContain(`name="reason" value="${reason}"`);
      expect(text(html)).toContain('Arm the Kurds.');
      const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

      const missing = await reader.postForm(`/comments/${comment.id}/report`, { _csrf: token });
      expect(missing.status).toBe(422);
      expect(text(await missing.text())).toContain('Choose what is wrong with the comment');

      const sent = await reader.postForm(`/comments/${comment.id}/report`, {
        _csrf: token,
        reason: 'off-topic',
        note: 'Nothing to do with Paris',
      });
      expect(sent.status).toBe(303);
      expect(sent.headers.get('location')).toBe(`/comments/${comment.id}/report/thanks`);
      const thanks = await (await reader.get(`/comments/${comment.id}/report/thanks`)).text();
      expect(text(thanks)).toContain('Your report has been sent.');
      expect(thanks).toContain(`href="${statementPath}#comment-${comment.id}"`);

      const twice = await reader.postForm(`/comments/${comment.id}/report`, {
        _csrf: token,
        reason: 'spam',
      });
      expect(twice.status).toBe(409);
      expect(text(await twice.text())).toContain('You have already reported this comment');

      const reported = await queue('?tab=reported');
      const item = elementById(reported, `item-${comment.id}`);
      expect(text(item)).toContain('Reported 1 time: off-topic 1');
      expect(text(item)).toContain('Nothing to do with Paris');
    });

    it('holds a comment reported by three people; says so when it is unknown', async () => {
      const comment = await post('Something many dislike.');
      for (const email of ['r1@example.org', 'r2@example.org', 'r3@example.org']) {
        await addMemberWithPassword(server.runtime, {
          siteId: server.siteId,
          email,
          role: 'author',
        });
        const reader = await signedIn(email);
        const token = await reader.csrfTokenFrom(`/comments/${comment.id}/report`);
        const sent = await reader.postForm(`/comments/${comment.id}/report`, {
          _csrf: token,
          reason: 'hate',
        });
        expect(sent.status).toBe(303);
      }
      expect(await statusOf(comment.id)).toBe('pending');
      const item = elementById(await queue(), `item-${comment.id}`);
      expect(item).toContain('<code>reported</code>');
      expect(text(item)).toContain('Reported 3 times: hate 3');

      const unknown = await new Browser(server.url).get('/comments/no-such-comment/report');
      expect(unknown.status).toBe(404);
      expect(text(await unknown.text())).toContain('There is no comment no-such-comment.');
      // A held comment is not reportable (nor shown) either.
      expect((await new Browser(server.url).get(`/comments/${comment.id}/report`)).status).toBe(
        404,
      );
    });

    it('tells a reader who sent too many reports when to try again (429)', async () => {
      // Every request here comes from 127.0.0.1, whose reports other tests have counted: a
      // fresh member is the reporter (reporters are counted by account when signed in).
      await addMemberWithPassword(server.runtime, {
        siteId: server.siteId,
        email: 'busy@example.org',
        role: 'author',
      });
      const busy = await signedIn('busy@example.org');
      let last: Response | undefined;
      for (let i = 0; i < 11; i++) {
        const comment = await post(`Point number ${i}.`);
        const token = await busy.csrfTokenFrom(`/comments/${comment.id}/report`);
        last = await busy.postForm(`/comments/${comment.id}/report`, {
          _csrf: token,
          reason: 'other',
        });
        if (i < 10) expect(last.status, `report ${i + 1}`).toBe(303);
      }
      expect(last?.status).toBe(429);
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(text((await last?.text()) ?? '')).toContain('try again in');
    });
  });
});
