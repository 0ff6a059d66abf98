// The members' statement pages through a listening server, real HTTP and the real forms, once per
// database kind: an author drafts from a source and revises, sees the reuse share, both diffs and
// a preview; comments stay on unchanged paragraphs; editors approve on the review page, which
// names what is missing and which approvals went stale after a comma; publishing is refused until
// the exact text is cleared; the public page then says how it was cleared and what it is based on.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/platform/clock.js';
import { databaseKinds } from '../helpers/databases.js';
import { Browser } from '../helpers/http.js';
import type { TestServer } from '../helpers/runtime.js';
import { addMemberWithPassword, startTestServer } from '../helpers/runtime.js';
import type { MemberBrowser } from './page-helpers.js';
import { elementById, inputValue, signedIn, statementIdOf, textOf } from './page-helpers.js';

const clock = fixedClock('2015-11-14T09:00:00Z');
const PASSWORD = 'correct horse battery staple';

const SOURCE = {
  sourceTitle: 'Statement on the attacks of 11 September',
  sourceAuthor: 'Alliance for Workers’ Liberty',
  sourceDate: '2001-09-12',
  sourceUrl: 'https://www.workersliberty.org/story/2001/09/12/statement',
  sourceText: [
    'To massacre thousands of ordinary office workers is a crime against humanity, full stop.',
    'What cause could the killers have been serving when they massacred thousands of people in New York? Not anti-imperialism in any rational sense.',
    'We, the socialists, cannot bring back the dead. What we can do is analyse the conditions that gave rise to the atrocity.',
  ].join('\n\n'),
};

const DRAFT_2 = [
  'To massacre ordinary workers enjoying a drink, a meal, a concert or a sporting event after work, is a crime against humanity, full stop.',
  'What cause could the Islamist killers have been serving when they massacred 130 or more people in Paris? Not anti-imperialism in any rational sense.',
  'We, the socialists, cannot bring back the dead. What we can do is analyse the conditions that gave rise to the atrocity.',
].join('\n\n');
const DRAFT_3 = `${DRAFT_2}\n\nCritical comments are welcome.`;
const DRAFT_4 = DRAFT_3.replace('a concert or a sporting event', 'a concert, or a sporting event');

describe.each(databaseKinds)('statement admin pages on $name', (kind) => {
  let server: TestServer;

  beforeEach(async () => {
    clock.set('2015-11-14T09:00:00Z');
    server = await startTestServer({ kind, clock });
  });
  afterEach(async () => {
    await server.close();
  });

  async function member(role: 'owner' | 'editor' | 'author' | 'moderator', name: string) {
    const email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.org`;
    await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      email,
      role,
      name,
      password: PASSWORD,
    });
    return signedIn(server.url, email, PASSWORD);
  }

  /** Saves the editor's form with a new body, from the revision the page shows. */
  async function save(browser: MemberBrowser, id: string, body: string, note = '') {
    const editor = await browser.page(`/admin/statements/${id}`);
    return browser.post(`/admin/statements/${id}`, {
      title: inputValue(editor, 'title'),
      subtitle: '',
      eventName: inputValue(editor, 'eventName'),
      eventDate: inputValue(editor, 'eventDate'),
      body,
      note,
      baseRevisionId: inputValue(editor, 'baseRevisionId'),
      intent: 'save',
    });
  }

  it('takes the Paris statement from a pasted source to publication through the pages', async () => {
    const author = await member('author', 'Jim Denham');
    const ann = await member('editor', 'Ann Editor');
    const bob = await member('editor', 'Bob Editor');

    // An empty list says how to begin; the admin navigation leads to it.
    const empty = await author.page('/admin/statements');
    expect(textOf(empty)).toContain('No statements yet');
    expect(empty).toContain('href="/admin/statements"');

    // A new statement based on an external source; left empty, its text starts as the source's.
    const created = await author.post('/admin/statements', {
      title: 'Statement on the Paris attacks',
      eventName: 'the Paris attacks',
      eventDate: '2015-11-13',
      basis: 'source',
      ...SOURCE,
      body: '',
      note: 'first draft, from the 2001 text',
    });
    expect(created.status).toBe(303);
    const location = created.headers.get('location') ?? '';
    const id = statementIdOf(location);
    const first = textOf(await author.page(location));
    expect(first).toContain('Draft created');
    expect(first).toContain(
      'Based in part on “Statement on the attacks of 11 September” (Alliance for Workers’ Liberty, 12 September 2001)',
    );
    expect(first).toMatch(/100% of this text .* is taken unchanged from it/);

    // Revised twice: the share of reused text falls, and the history holds three revisions.
    expect((await save(author, id, DRAFT_2, 'Paris, not New York')).status).toBe(303);
    const second = await author.page(`/admin/statements/${id}?saved=2`);
    expect(textOf(second)).toContain('Saved as revision 2');
    // The editor shows the word-by-word difference from the source, folded away until opened.
    const fromSource = second.slice(
      second.indexOf('class="provenance-diff"'),
      second.indexOf('class="editor"'),
    );
    expect(textOf(fromSource)).toMatch(/\[removed: [^\]]*New York/);
    const share = Number(/(\d+)% of this text/.exec(textOf(second))?.[1]);
    expect(share).toBeGreaterThan(20);
    expect(share).toBeLessThan(100);
    expect((await save(author, id, DRAFT_3)).status).toBe(303);

    // A save from a stale page is refused, keeping what was typed.
    const stale = await author.post(`/admin/statements/${id}`, {
      title: 'Statement on the Paris attacks',
      body: `${DRAFT_3}\n\nTyped on an old page.`,
      baseRevisionId: inputValue(second, 'baseRevisionId'),
      intent: 'save',
    });
    expect(stale.status).toBe(409);
    const staleHtml = await stale.text();
    expect(textOf(elementById(staleHtml, 'form-problem'))).toContain(
      'Someone saved a newer revision',
    );
    expect(staleHtml).toContain('Typed on an old page.');

    // Preview without JavaScript renders on the server and saves nothing.
    const preview = await author.post(`/admin/statements/${id}`, {
      title: 'Statement on the Paris attacks',
      body: '## What we say\n\nA *preview*.',
      baseRevisionId: inputValue(second, 'baseRevisionId'),
      intent: 'preview',
    });
    expect(preview.status).toBe(200);
    const previewHtml = elementById(await preview.text(), 'statement-preview');
    expect(previewHtml).toContain('<h2>What we say</h2>');
    expect(previewHtml).toContain('<em>preview</em>');

    // The island's JSON preview: the same renderer, and a CSRF token is required.
    const csrf = await author.browser.csrfTokenFrom(`/admin/statements/${id}`);
    const json = await author.browser.request('/admin/statements/preview', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ body: '# Heading\n\n[link](javascript:alert(1))' }),
    });
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({
      html: '<h1>Heading</h1>\n<p>[link](javascript:alert(1))</p>\n',
    });
    const forged = await author.browser.request('/admin/statements/preview', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'x' }),
    });
    expect(forged.status).toBe(403);

    // History: three revisions; the newest change by default, any two on request, inline too.
    const history = await author.page(`/admin/statements/${id}/history`);
    expect(textOf(history)).toContain('Revision 2 → revision 3');
    expect(textOf(history)).toContain('4 words added, 0 words removed');
    const revisionIds = [...history.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    const [r1, r2] = [...new Set(revisionIds)];
    const inline = await author.page(
      `/admin/statements/${id}/history?from=${r1}&to=${r2}&mode=inline`,
    );
    expect(inline).toContain('class="diff-inline"');
    expect(textOf(inline)).toMatch(/\[removed: [^\]]*New York/);
    expect(textOf(inline)).toMatch(/\[added: [^\]]*Paris/);

    // The provenance page shows the source and the diff from it.
    const provenance = textOf(await author.page(`/admin/statements/${id}/provenance`));
    expect(provenance).toContain('Alliance for Workers’ Liberty');
    expect(provenance).toMatch(/\[removed: [^\]]*thousands/);

    // An internal comment on the first paragraph, which the comma will change, and one on the
    // last, which stays.
    const comments = await author.page(`/admin/statements/${id}/comments`);
    const revisionId = inputValue(comments, 'revisionId');
    await author.postAndFollow(`/admin/statements/${id}/comments`, {
      revisionId,
      paragraphIndex: '0',
      body: 'Is “full stop” too abrupt?',
    });
    const commented = await ann.postAndFollow(`/admin/statements/${id}/comments`, {
      revisionId,
      paragraphIndex: '3',
      body: 'Good ending.',
    });
    expect(textOf(elementById(commented, 'paragraph-1'))).toContain('Is “full stop” too abrupt?');
    expect(textOf(elementById(commented, 'paragraph-4'))).toContain('Good ending.');
    const emptyComment = await author.post(`/admin/statements/${id}/comments`, {
      revisionId,
      paragraphIndex: '1',
      body: '  ',
    });
    expect(emptyComment.status).toBe(422);
    expect(textOf(elementById(await emptyComment.text(), 'paragraph-2'))).toContain(
      'The comment is empty',
    );

    // Submitted for review: the list counts it under "In review".
    await author.postAndFollow(`/admin/statements/${id}/submit`, {});
    expect(textOf(await author.page('/admin/statements'))).toContain('In review (1)');
    const draftsOnly = textOf(await author.page('/admin/statements?status=draft'));
    expect(draftsOnly).toContain('No statement is draft right now');

    // The review page names the missing approvals; publishing is refused, saying the same.
    const review = textOf(await ann.page(`/admin/statements/${id}/review`));
    expect(review).toContain('2 approvals from editors are missing.');
    const refused = await ann.post(`/admin/statements/${id}/publish`, { revisionId: '' });
    expect(refused.status).toBe(409);
    expect(textOf(await refused.text())).toContain(
      'Not published yet. 2 approvals from editors are missing.',
    );

    // Two editors approve the exact text; an author may not publish.
    const reviewHtml = await ann.page(`/admin/statements/${id}/review`);
    const r3 = inputValue(reviewHtml, 'revisionId');
    await ann.postAndFollow(`/admin/statements/${id}/approve`, { revisionId: r3, comment: '' });
    const cleared = textOf(
      await bob.postAndFollow(`/admin/statements/${id}/approve`, {
        revisionId: r3,
        comment: 'Good.',
      }),
    );
    expect(cleared).toContain(
      'Cleared: the approvals this site requires are given to this exact text.',
    );
    expect(cleared).toMatch(/Approved by Bob Editor \(editor\) on .* this approval counts/);
    expect((await author.post(`/admin/statements/${id}/publish`, { revisionId: r3 })).status).toBe(
      403,
    );

    // The author edits a comma: both approvals go stale, and the review page says so plainly.
    clock.advance(60_000);
    expect((await save(author, id, DRAFT_4, 'a comma')).status).toBe(303);
    const afterComma = await ann.page(`/admin/statements/${id}/review`);
    const afterText = textOf(afterComma);
    expect(afterText).toContain('2 approvals from editors are missing.');
    expect(afterText).toMatch(
      /Approved by Ann Editor \(editor\) on .* — but that was revision 3, and the text has changed since: this approval no longer counts/,
    );
    expect(afterText).toContain(
      'Since the last approved text, which Ann Editor and Bob Editor approved (revision 3)',
    );
    expect(textOf(afterComma.slice(afterComma.indexOf('id="since-heading"')))).toContain(
      'concert [added: , ] or',
    );
    const again = await bob.post(`/admin/statements/${id}/publish`, { revisionId: '' });
    expect(again.status).toBe(409);
    expect(textOf(await again.text())).toContain(
      'The approvals by Ann Editor and Bob Editor were given to an earlier text',
    );

    // The comment on the changed paragraph is now "on an earlier revision"; the other stays.
    const moved = await author.page(`/admin/statements/${id}/comments`);
    expect(textOf(elementById(moved, 'paragraph-1'))).not.toContain('too abrupt');
    expect(textOf(elementById(moved, 'paragraph-4'))).toContain('Good ending.');
    expect(textOf(moved.slice(moved.indexOf('id="earlier"')))).toMatch(
      /on an earlier revision \(revision 3, paragraph 1\) About: “To massacre ordinary workers.*” Is “full stop” too abrupt\?/,
    );

    // Approving a revision that is no longer the current text is refused, changing nothing.
    const old = await ann.post(`/admin/statements/${id}/approve`, { revisionId: r3 });
    expect(old.status).toBe(409);
    expect(textOf(await old.text())).toContain('Revision 3 is no longer the current text');

    // Re-approved, it publishes; the public page says how it was cleared and what it is based on.
    clock.set('2015-11-15T10:00:00Z');
    const r4 = inputValue(await ann.page(`/admin/statements/${id}/review`), 'revisionId');
    await ann.postAndFollow(`/admin/statements/${id}/approve`, { revisionId: r4 });
    await bob.postAndFollow(`/admin/statements/${id}/approve`, { revisionId: r4 });
    const published = textOf(
      await bob.postAndFollow(`/admin/statements/${id}/publish`, { revisionId: r4 }),
    );
    expect(published).toContain('Published. The public page now shows this text');

    const publicPage = await new Browser(server.url).get('/s/statement-on-the-paris-attacks');
    expect(publicPage.status).toBe(200);
    const publicHtml = await publicPage.text();
    const publicText = textOf(publicHtml);
    expect(publicText).toContain('Cleared by 2 editors on 15 November 2015');
    expect(publicText).toContain(
      'Based in part on “Statement on the attacks of 11 September” (Alliance for Workers’ Liberty, 12 September 2001)',
    );
    expect(publicHtml).toContain(`href="${SOURCE.sourceUrl}"`);
    expect(publicText).toContain('On the Paris attacks, 13 November 2015');
    expect(publicText).toContain('a concert, or a sporting event');
    // Internal comments are never public.
    expect(publicText).not.toContain('too abrupt');
    expect(publicText).not.toContain('Good ending.');
  });

  it('keeps statements to those who may write them, and sends strangers to sign in', async () => {
    const moderator = await member('moderator', 'Mo Derator');
    await moderator.page('/admin/statements', 403);
    const anonymous = await new Browser(server.url).get('/admin/statements/new');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe(
      `/signin?next=${encodeURIComponent('/admin/statements/new')}`,
    );
    const author = await member('author', 'Ann Author');
    // The admin navigation offers Statements to writers, not to moderators.
    expect(await author.page('/admin')).toContain('href="/admin/statements"');
    expect(await moderator.page('/admin')).not.toContain('href="/admin/statements"');
  });

  it('refuses a new statement with bad input, keeping what was typed and creating nothing', async () => {
    const author = await member('author', 'Ann Author');
    const refused = await author.post('/admin/statements', {
      title: 'Statement with a bad source',
      basis: 'source',
      ...SOURCE,
      sourceUrl: 'javascript:alert(1)',
      body: 'Our words.',
    });
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(textOf(elementById(html, 'form-problem'))).toContain(
      'The source’s URL must be a full http:// or https:// address.',
    );
    expect(inputValue(html, 'title')).toBe('Statement with a bad source');
    expect(html).toContain('Our words.');
    expect(textOf(await author.page('/admin/statements'))).toContain('No statements yet');
  });

  it('starts a new statement from an earlier one, citing it and showing the reuse', async () => {
    const author = await member('author', 'Ann Author');
    const created = await author.post('/admin/statements', {
      title: 'The first statement',
      basis: 'none',
      body: 'We say this, plainly and at length, for all to hear.',
    });
    const firstId = statementIdOf(created.headers.get('location') ?? '');
    const revisionPage = await author.page(`/admin/statements/${firstId}/history`);
    const revisionId = /<a href="\/admin\/statements\/[^/]+\/revisions\/([^"]+)">1<\/a>/.exec(
      revisionPage,
    )?.[1];
    expect(revisionId).toBeDefined();
    const startFrom = await author.page(
      `/admin/statements/new?statement=${firstId}&revision=${revisionId}`,
    );
    expect(startFrom).toContain('We say this, plainly and at length, for all to hear.');
    const second = await author.post('/admin/statements', {
      title: 'The second statement',
      basis: 'revision',
      basedOn: `${firstId}:${revisionId}`,
      body: 'We say this, plainly and at length, for all to hear. And more.',
    });
    expect(second.status).toBe(303);
    const editor = textOf(await author.page(second.headers.get('location') ?? ''));
    expect(editor).toContain('Based in part on “The first statement” (Ann Author,');
    expect(editor).toMatch(/\d+% of this text \(11 of 13 words\) is taken unchanged from it/);
  });
});
