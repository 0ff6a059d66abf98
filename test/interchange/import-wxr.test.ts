// Importing a WordPress export (acceptance 1): a file written here, with nesting five levels deep,
// pending, spam and trashed comments, a pingback, HTML (hostile too) in comments, non-ASCII names,
// CDATA sections, a post without comments, a draft and an attachment, imported on SQLite and
// PostgreSQL into exactly the expected tree; imported again, nothing new; interrupted, resumed to
// the same result.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountsContext, statementsContext } from '../../src/runtime.js';
import { listMembers } from '../../src/accounts/service.js';
import type { DiscussionSettings } from '../../src/discussion/model.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/discussion/model.js';
import type {
  ImportContext,
  ImportOptions,
  ImportReport,
} from '../../src/interchange/import-engine.js';
import { importWxr, parseWordPressDate } from '../../src/interchange/import-wxr.js';
import { DRAFT_COMMENTS, DRAFTS_NOTE } from '../../src/interchange/import-wxr.js';
import {
  DRAFT_WITHOUT_ACCOUNT,
  IMPORTED_CLEARANCE_NOTE,
} from '../../src/interchange/statement-sink.js';
import { fixedClock } from '../../src/platform/clock.js';
import { hashAddress } from '../../src/platform/address-hash.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestServer } from '../helpers/runtime.js';
import { startTestServer, TEST_SECRET } from '../helpers/runtime.js';
import type { WxrPost } from './exports.js';
import { scratch, wxrDocument } from './exports.js';
import { BLOG, EXPECTED } from './fixtures.js';
import type { TreeRow } from './trees.js';
import { treeOf } from './trees.js';

async function count(server: TestServer, table: string): Promise<number> {
  const row = (await server.runtime.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()) as { n: number | string };
  return Number(row.n);
}

const tallies = (report: ImportReport) =>
  Object.fromEntries(
    Object.entries(report.tallies).map(([kind, t]) => [
      kind,
      { created: t.created, skipped: t.skipped, failed: t.failed },
    ]),
  );

const shapeOf = (rows: TreeRow[]) =>
  rows.map((r) => [
    r.external_id,
    r.parent,
    r.depth,
    r.number,
    r.author_name,
    r.status,
    r.kind,
    r.created_at.slice(11, 16),
  ]);

describe('parseWordPressDate', () => {
  it('reads WordPress dates as UTC and refuses zero and impossible dates', () => {
    expect(parseWordPressDate('2015-11-16 10:05:09')?.toISOString()).toBe(
      '2015-11-16T10:05:09.000Z',
    );
    expect(parseWordPressDate('0000-00-00 00:00:00')).toBeUndefined();
    expect(parseWordPressDate('2015-02-31 10:00:00')).toBeUndefined();
    expect(parseWordPressDate('yesterday')).toBeUndefined();
  });
});

describe.each(databaseKinds)('importWxr on $name', (kind) => {
  let server: TestServer;
  const clock = fixedClock('2026-11-24T10:00:00Z');

  beforeEach(async () => {
    server = await startTestServer({
      kind,
      clock,
      env: { BASE_URL: 'https://statements.example.org' },
    });
  });
  afterEach(async () => {
    await server.close();
  });

  const context = (settings: DiscussionSettings = DEFAULT_DISCUSSION_SETTINGS): ImportContext => ({
    statements: statementsContext(server.runtime, settings),
    siteId: server.siteId,
    secret: server.runtime.secret,
    baseUrl: server.runtime.config.baseUrl,
    settings,
  });

  const importFile = async (
    file: string,
    options: ImportOptions = {},
    settings?: DiscussionSettings,
  ) => importWxr(context(settings), { file, totalBytes: 1 }, options);

  it('imports posts, pages, authors and every comment into exactly the expected tree; a second import creates nothing', async ({
    onTestFinished,
  }) => {
    const file = scratch(onTestFinished).write('blog.xml', wxrDocument(BLOG));
    const problems: unknown[] = [];
    const first = await importFile(file, { onProblem: (p) => problems.push(p) });
    expect(problems).toEqual([]);
    expect(first.stopped).toBeUndefined();
    expect(tallies(first)).toEqual({
      statements: { created: 4, skipped: 1, failed: 0 },
      threads: { created: 3, skipped: 0, failed: 0 },
      comments: { created: 13, skipped: 1, failed: 0 },
      accounts: { created: 2, skipped: 0, failed: 0 },
    });
    expect(first.tallies.statements.skippedBecause).toEqual({
      'not a post or page (attachment)': 1,
    });
    expect(first.tallies.comments.skippedBecause).toEqual({
      [DRAFT_COMMENTS]: 1,
    });
    expect(first.notes).toEqual({
      [DRAFTS_NOTE]: 1,
      'invalid author e-mail addresses left out': 1,
      'invalid author websites left out': 1,
    });

    // The tree: numbers by date, replies by date under their parents, five levels, statuses.
    const tree = await treeOf(server.runtime.db, { statement: 'statement-on-paris' });
    expect(shapeOf(tree)).toEqual(EXPECTED);
    expect(tree.every((r) => r.created_at.startsWith('2015-11-16T') && r.origin === 'import')).toBe(
      true,
    );
    const byId = new Map(tree.map((r) => [r.external_id, r]));
    const row = (id: number) => byId.get(`wxr:${id}`) as TreeRow;
    expect(row(201).reply_count).toBe(2);
    expect(row(204).reply_count).toBe(1);

    // Bodies: WordPress's line breaks and paragraphs; HTML to Markdown; CDATA with "]]>".
    expect(row(201).body).toBe('First!\nSecond line of the same paragraph.\n\n*Second* paragraph.');
    expect(row(201).html).toBe(
      '<p>First!<br>\nSecond line of the same paragraph.</p>\n<p><em>Second</em> paragraph.</p>\n',
    );
    expect(row(202).html).toBe('<blockquote>\n<p>First!</p>\n</blockquote>\n<p>I disagree.</p>\n');
    expect(row(212).html).toBe('<p>Code: a]]&gt;b</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n');
    // Hostile HTML: text kept, links kept only when safe, nothing active.
    expect(row(207).html).toBe(
      '<p>Look <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">here</a> and done</p>\n',
    );
    expect(row(206).html).toBe('<p>cheap pills</p>\n');
    for (const r of tree) {
      expect(r.html).not.toMatch(/<script|<style|<iframe|<img|javascript:|\son\w+=/i);
    }

    // Authors: e-mails lower-cased, bad ones and unsafe websites left out, the badge for the
    // statement's author by account, addresses only as keyed hashes.
    expect(row(201)).toMatchObject({
      author_email: 'anna@example.org',
      author_url: 'https://anna.example.org/',
      // As the server hashes a posted comment's address: the salt of the day it was written.
      ip_hash: hashAddress({
        secret: TEST_SECRET,
        address: '192.0.2.10',
        now: new Date('2015-11-16T10:00:00Z'),
      }),
      is_statement_author: 0,
    });
    expect(row(202).ip_hash).toBe(
      hashAddress({
        secret: TEST_SECRET,
        address: '2001:db8::1',
        now: new Date('2015-11-16T10:05:00Z'),
      }),
    );
    expect(row(206).author_email).toBeNull();
    expect(row(205).author_url).toBeNull();
    expect(row(203).is_statement_author).toBe(1);
    expect(tree.filter((r) => r.is_statement_author === 1).map((r) => r.external_id)).toEqual([
      'wxr:203',
    ]);
    expect(JSON.stringify(tree)).not.toContain('192.0.2.10');
    // The trashed comment keeps its place and its name, not its words or its author's details.
    expect(row(208)).toMatchObject({ body: '', html: '', author_email: null, author_url: null });

    // The statements: slug, title (entities decoded), date, author, clearance note.
    const statements = await server.runtime.db
      .selectFrom('statements')
      .select([
        'slug',
        'title',
        'author_name',
        'author_account_id',
        'clearance_note',
        'published_at',
        'body',
        'status',
        'current_revision_id',
      ])
      .orderBy('slug')
      .execute();
    const published = statements.filter((s) => s.status === 'published');
    expect(
      published.map((s) => [s.slug, s.title, s.author_name, s.clearance_note, s.published_at]),
    ).toEqual([
      ['about', 'About', 'Jim Denham', IMPORTED_CLEARANCE_NOTE, '2015-01-01T00:00:00.000Z'],
      [
        'closed',
        'Closed for comments',
        'Zoë Łukasiewicz',
        IMPORTED_CLEARANCE_NOTE,
        '2015-11-17T09:00:00.000Z',
      ],
      [
        'statement-on-paris',
        'Statement on Paris — «solidarité»',
        'Jim Denham',
        IMPORTED_CLEARANCE_NOTE,
        '2015-11-16T09:00:00.000Z',
      ],
    ]);
    expect(published[2]?.body).toBe('We stand with **Paris**.\n\nSecond paragraph & more.');

    // The draft: a statement draft of its author, its first revision saying where it came from,
    // without a discussion (its comment was skipped).
    const draft = statements.find((s) => s.status === 'draft');
    expect(draft).toMatchObject({
      slug: 'draft-thoughts',
      title: 'Draft thoughts',
      author_name: 'Jim Denham',
      clearance_note: null,
      published_at: null,
      body: 'Not yet.',
    });
    const revision = await server.runtime.db
      .selectFrom('statement_revisions')
      .select(['number', 'note', 'published_at'])
      .where('id', '=', String(draft?.current_revision_id))
      .executeTakeFirstOrThrow();
    expect(revision).toEqual({
      number: 1,
      note: 'Imported draft from https://blog.example.org (last saved 2015-11-20)',
      published_at: null,
    });

    // The authors of posts are members without a password; their statements and comments link
    // to their accounts.
    const members = await listMembers(accountsContext(server.runtime), server.siteId);
    expect(members.map((m) => [m.email, m.displayName, m.role, m.hasPassword])).toEqual(
      expect.arrayContaining([
        ['jim@example.org', 'Jim Denham', 'author', false],
        ['zoe@example.org', 'Zoë Łukasiewicz', 'author', false],
      ]),
    );
    const jim = members.find((m) => m.email === 'jim@example.org');
    expect(published[2]?.author_account_id).toBe(jim?.id);
    expect(draft?.author_account_id).toBe(jim?.id);
    expect(row(203).author_account_id).toBe(jim?.id);

    // Counts on the thread: public comments (approved), the last number given.
    const threads = await server.runtime.db
      .selectFrom('threads')
      .innerJoin('statements', 'statements.id', 'threads.statement_id')
      .select([
        'statements.slug',
        'threads.comment_count',
        'threads.top_level_count',
        'threads.status',
      ])
      .orderBy('statements.slug')
      .execute();
    expect(
      threads.map((t) => [t.slug, Number(t.comment_count), Number(t.top_level_count), t.status]),
    ).toEqual([
      ['about', 0, 0, 'open'],
      ['closed', 1, 1, 'closed'],
      ['statement-on-paris', 9, 5, 'open'],
    ]);

    // The page: the pingback as "linked from", the removed comment as a placeholder.
    const page = await (await fetch(`${server.url}/s/statement-on-paris`)).text();
    expect(page).toContain(
      '<span class="comment-linkback">linked from <a class="comment-author" href="https://other.example.net/reply/" rel="nofollow ugc noopener">Another blog » A reply to Paris</a></span>',
    );
    expect(page).toContain('comment removed');
    expect(page).toContain('9 comments');

    // Again: nothing new.
    const before = await Promise.all(
      ['statements', 'threads', 'comments', 'accounts'].map((t) => count(server, t)),
    );
    const second = await importFile(file);
    expect(tallies(second)).toEqual({
      statements: { created: 0, skipped: 5, failed: 0 },
      threads: { created: 0, skipped: 3, failed: 0 },
      comments: { created: 0, skipped: 14, failed: 0 },
      accounts: { created: 0, skipped: 2, failed: 0 },
    });
    expect(
      await Promise.all(
        ['statements', 'threads', 'comments', 'accounts'].map((t) => count(server, t)),
      ),
    ).toEqual(before);
    expect(shapeOf(await treeOf(server.runtime.db, { statement: 'statement-on-paris' }))).toEqual(
      EXPECTED,
    );
  });

  it('passes comments through the review hook: flagged ones keep their status, with the reasons; spam and removed ones are not reviewed', async ({
    onTestFinished,
  }) => {
    const file = scratch(onTestFinished).write('blog.xml', wxrDocument(BLOG));
    const seen: string[] = [];
    const report = await importFile(file, {
      review: (comment) => {
        seen.push(comment.authorName);
        return comment.body.includes('disagree')
          ? { flagged: true, reasons: [{ code: 'suspect-term', message: 'Disagrees.' }] }
          : { flagged: false, reasons: [] };
      },
    });
    // 13 comments, less the spam one (206) and the one in the trash (208): nobody needs to look.
    expect(seen).toHaveLength(11);
    expect(seen).not.toContain('Spammer');
    expect(seen).not.toContain('Carol');
    expect(report.flagged).toBe(1);
    const flagged = await server.runtime.db
      .selectFrom('comments')
      .select(['external_id', 'reasons', 'status'])
      .where('reasons', '!=', '[]')
      .execute();
    expect(flagged).toEqual([
      {
        external_id: 'wxr:202',
        reasons: JSON.stringify([{ code: 'suspect-term', message: 'Disagrees.' }]),
        status: 'approved',
      },
    ]);
  });

  it('writes nothing in a dry run, yet reports what it would create', async ({
    onTestFinished,
  }) => {
    const file = scratch(onTestFinished).write('blog.xml', wxrDocument(BLOG));
    const report = await importFile(file, { dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(tallies(report)).toMatchObject({
      statements: { created: 4 },
      comments: { created: 13 },
      accounts: { created: 2 },
    });
    for (const table of ['statements', 'threads', 'comments', 'import_origins'])
      expect(await count(server, table), table).toBe(0);
  });

  it('resumes an interrupted import exactly where it stopped, giving the same tree', async ({
    onTestFinished,
  }) => {
    const file = scratch(onTestFinished).write('blog.xml', wxrDocument(BLOG));
    const controller = new AbortController();
    const first = await importFile(file, {
      batchSize: 3,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.comments >= 4) controller.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    const partial = await treeOf(server.runtime.db, { statement: 'statement-on-paris' });
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(EXPECTED.length);
    // What was committed is a beginning of the final order.
    const ids = EXPECTED.map((e) => e[0]);
    const committed = partial.map((r) => r.external_id);
    const inDateOrder = [...committed].sort((a, b) => ids.indexOf(a) - ids.indexOf(b));
    expect(committed).toEqual(inDateOrder);

    const second = await importFile(file);
    expect(second.interrupted).toBe(false);
    expect(second.tallies.comments.created + first.tallies.comments.created).toBe(13);
    expect(shapeOf(await treeOf(server.runtime.db, { statement: 'statement-on-paris' }))).toEqual(
      EXPECTED,
    );
  });

  it('attaches replies deeper than the site allows to the deepest allowed level, as WordPress does', async ({
    onTestFinished,
  }) => {
    const file = scratch(onTestFinished).write('blog.xml', wxrDocument(BLOG));
    await importFile(file, {}, { ...DEFAULT_DISCUSSION_SETTINGS, maxDepth: 3 });
    const tree = await treeOf(server.runtime.db, { statement: 'statement-on-paris' });
    const chain = tree.filter((r) =>
      ['wxr:202', 'wxr:203', 'wxr:204', 'wxr:205'].includes(r.external_id),
    );
    expect(chain.map((r) => [r.external_id, r.parent, r.depth])).toEqual([
      ['wxr:202', 'wxr:201', 2],
      ['wxr:203', 'wxr:202', 3],
      ['wxr:204', 'wxr:202', 3],
      ['wxr:205', 'wxr:202', 3],
    ]);
    expect(Math.max(...tree.map((r) => r.depth))).toBe(3);
  });

  it('hashes an address with the salt of the period its comment was written in (IP_HASH_SALT_DAYS)', async ({
    onTestFinished,
  }) => {
    const [first] = BLOG.posts as [WxrPost, ...WxrPost[]];
    // Periods of 7 days from 1970-01-01: the first two dates share one, the third is in the next.
    const dates = ['2015-11-12T10:00:00Z', '2015-11-15T10:00:00Z', '2015-11-21T10:00:00Z'];
    const blog = {
      ...BLOG,
      posts: [
        {
          ...first,
          comments: dates.map((date, i) => ({
            id: 901 + i,
            author: 'Same Person',
            ip: '203.0.113.9',
            date,
            approved: '1',
            content: `Comment ${i + 1}`,
          })),
        },
      ],
    };
    const file = scratch(onTestFinished).write('salts.xml', wxrDocument(blog));
    const report = await importWxr(
      { ...context(), addressSaltDays: 7 },
      { file, totalBytes: 1 },
      {},
    );
    expect(report.tallies.comments.created).toBe(3);
    const tree = await treeOf(server.runtime.db, { statement: 'statement-on-paris' });
    const hashes = tree.map((r) => r.ip_hash);
    expect(hashes).toEqual(
      dates.map((date) =>
        hashAddress({
          secret: TEST_SECRET,
          address: '203.0.113.9',
          now: new Date(date),
          saltDays: 7,
        }),
      ),
    );
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[2]).not.toBe(hashes[1]);
  });

  it('skips a draft whose author has no account, with the reason, and its comments; a draft by a member is kept', async ({
    onTestFinished,
  }) => {
    const post = (id: number, creator: string, title: string): WxrPost => ({
      id,
      title,
      slug: `draft-${id}`,
      status: 'draft',
      creator,
      date: '2015-11-16T09:00:00Z',
      content: `The text of ${title}.`,
      comments: [
        { id: id * 10, author: 'A', date: '2015-11-16T10:00:00Z', approved: '1', content: 'Hm.' },
      ],
    });
    const blog = {
      authors: [
        { id: 1, login: 'jim', email: 'jim@example.org', displayName: 'Jim Denham' },
        { id: 2, login: 'ghost', email: 'not an address', displayName: 'No Address' },
      ],
      posts: [
        post(301, 'jim', 'A member’s draft'),
        post(302, 'ghost', 'A draft by an author without an address'),
        post(303, 'stranger', 'A draft by an author the export does not list'),
      ],
    };
    const file = scratch(onTestFinished).write('drafts.xml', wxrDocument(blog));
    const report = await importFile(file);
    expect(report.problems).toEqual([]);
    expect(tallies(report)).toMatchObject({
      statements: { created: 1, skipped: 2, failed: 0 },
      threads: { created: 0 },
      comments: { created: 0, skipped: 3, failed: 0 },
    });
    expect(report.tallies.statements.skippedBecause).toEqual({ [DRAFT_WITHOUT_ACCOUNT]: 2 });
    const drafts = await server.runtime.db
      .selectFrom('statements')
      .select(['title', 'status'])
      .execute();
    expect(drafts).toEqual([{ title: 'A member’s draft', status: 'draft' }]);

    // Nothing is remembered of the skipped ones: a second run gives the same reason again.
    const again = await importFile(file);
    expect(again.tallies.statements.skippedBecause).toEqual({
      'already imported': 1,
      [DRAFT_WITHOUT_ACCOUNT]: 2,
    });
  });
});
