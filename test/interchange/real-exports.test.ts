// Importing exports as WordPress 6.4 and Disqus really write them (test/fixtures/interchange/,
// written by hand after their exporters): WordPress's header comments, terms, postmeta and
// commentmeta, drafts and pending posts whose GMT date is 0000-00-00 00:00:00, every post status
// and the post types a site holds besides posts and pages, every comment type and status, replies
// listed before their parents or pointing elsewhere, authors the file does not list, old escaped
// titles, hostile comment HTML; the same file with a byte-order mark and CRLF line ends; and
// Disqus's shape with anonymous authors, deleted threads, posts of threads that never appear and
// thread addresses with http://, queries and fragments, filed where the embed looks for them.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountsContext, statementsContext } from '../../src/runtime.js';
import { updateSiteSettings } from '../../src/accounts/service.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/discussion/model.js';
import { importDisqus } from '../../src/interchange/import-disqus.js';
import type {
  ImportContext,
  ImportProblem,
  ImportReport,
} from '../../src/interchange/import-engine.js';
import { DRAFT_COMMENTS, DRAFTS_NOTE, importWxr } from '../../src/interchange/import-wxr.js';
import { readExport } from '../../src/interchange/read-export.js';
import type { WxrRecord } from '../../src/interchange/wxr-reader.js';
import { fixedClock } from '../../src/platform/clock.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestServer } from '../helpers/runtime.js';
import { startTestServer, TEST_SECRET } from '../helpers/runtime.js';
import { positionOf, scratch, wxrDocument } from './exports.js';
import type { TreeRow } from './trees.js';
import { shapeOf, treeOf } from './trees.js';

const WORDPRESS = new URL('../fixtures/interchange/wordpress-6.4.xml', import.meta.url).pathname;
const DISQUS = new URL('../fixtures/interchange/disqus-export.xml', import.meta.url).pathname;
const wordpressText = readFileSync(WORDPRESS, 'utf8');
const disqusText = readFileSync(DISQUS, 'utf8');

const tallies = (report: ImportReport) =>
  Object.fromEntries(
    Object.entries(report.tallies).map(([kind, t]) => [kind, [t.created, t.skipped, t.failed]]),
  );

/** Where a WordPress comment starts in the fixture. */
const commentAt = (id: number) =>
  positionOf(wordpressText, `<wp:comment>\n\t\t\t<wp:comment_id>${id}</wp:comment_id>`);
/** Where a Disqus post starts in the fixture. */
const postAt = (id: string) => positionOf(disqusText, `<post dsq:id="${id}">`);

/** The discussion of the strike statement, as the fixture must import (in path order). */
const STRIKE_TREE = [
  ['wxr:101', null, 1, 1, 'Anna Kowalska', 'approved'],
  // Listed after its reply (103) and replied to by 116, which is listed last.
  ['wxr:102', 'wxr:101', 2, null, 'Zoë Łukasiewicz', 'approved'],
  ['wxr:103', 'wxr:102', 3, null, 'Dave', 'approved'],
  ['wxr:116', 'wxr:103', 4, null, "Pat O'Neill", 'approved'],
  // comment_type '' (WordPress before 5.5) and held for moderation; no name given.
  ['wxr:104', null, 1, 2, 'Anonymous', 'pending'],
  ['wxr:105', null, 1, 3, 'Union News » Strike round-up', 'approved'],
  ['wxr:106', null, 1, 4, 'Labour Blog', 'approved'],
  ['wxr:107', null, 1, 5, 'Sam on Mastodon', 'approved'],
  ['wxr:108', null, 1, 6, 'Carol', 'deleted'],
  ['wxr:109', null, 1, 7, 'Spammer', 'spam'],
  // Its GMT date is 0000-00-00 00:00:00: placed by its local date (15:00).
  ['wxr:110', null, 1, 8, 'Imported Earlier', 'approved'],
  ['wxr:113', null, 1, 9, 'Mallory', 'approved'],
  // A `review` is a visitor's comment too.
  ['wxr:115', null, 1, 10, 'Reviewer', 'approved'],
];

describe.each(databaseKinds)('real exports on $name', (kind) => {
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

  const context = (): ImportContext => ({
    statements: statementsContext(server.runtime, DEFAULT_DISCUSSION_SETTINGS),
    siteId: server.siteId,
    secret: server.runtime.secret,
    baseUrl: server.runtime.config.baseUrl,
    settings: DEFAULT_DISCUSSION_SETTINGS,
  });

  async function importWordPress(file: string) {
    const problems: ImportProblem[] = [];
    const report = await importWxr(
      context(),
      { file, totalBytes: 1 },
      { onProblem: (p) => problems.push(p) },
    );
    return { report, problems };
  }

  async function expectTheStrikeStatement() {
    const tree = await treeOf(server.runtime.db, { statement: 'statement-on-the-strike' });
    expect(shapeOf(tree)).toEqual(STRIKE_TREE);
    const byId = new Map(tree.map((r) => [r.external_id, r]));
    const row = (id: number) => byId.get(`wxr:${id}`) as TreeRow;
    expect(row(110).created_at).toBe('2016-03-01T15:00:00.000Z');
    // Pingbacks, trackbacks and webmentions are linkbacks.
    expect([105, 106, 107].map((id) => row(id).kind)).toEqual([
      'pingback',
      'trackback',
      'pingback',
    ]);
    expect(row(101).body).toBe(
      'Solidarity! 👊🏽 تضامن\n\nSecond paragraph, with a [report](<https://example.org/report?id=1&page=2>).',
    );
    expect(row(102).html).toBe(
      '<blockquote>\n<p>Solidarity!</p>\n</blockquote>\n<p>Agreed — and <strong>bring</strong> <em><strong>banners</strong></em>.</p>\n',
    );
    expect(row(105).html).toBe('<p>[…] the Trades Council’s statement […]</p>\n');
    // Hostile HTML: its words and its one safe link, nothing active, unclosed tags closed.
    expect(row(113).html).toBe(
      '<p>Look here, there and <a href="https://example.org/ok" rel="nofollow ugc noopener">this</a>.</p>\n' +
        '<p>Unclosed <strong>bold <em>and italic</em></strong></p>\n' +
        '<p><em><strong>next paragraph</strong></em></p>\n' +
        '<pre><code>  indented\n    code &lt;kept&gt;\n</code></pre>\n' +
        '<p>line</p>\n<p>after breaks</p>\n',
    );
    expect(row(113).author_url).toBeNull(); // javascript: is not a website
    for (const r of tree)
      expect(r.html).not.toMatch(
        /<script|<style|<iframe|<img|<svg|<form|javascript:|data:|\son\w+=/i,
      );
    // The secretary's own comment is linked to the account made for the author of the post.
    expect(row(116).author_account_id).not.toBeNull();
    expect(row(116).is_statement_author).toBe(1);
  }

  it('imports a WordPress 6.4 export: posts, pages, drafts, statuses, types and comments as WordPress writes them', async () => {
    const { report, problems } = await importWordPress(WORDPRESS);
    expect(report.stopped).toBeUndefined();
    expect(tallies(report)).toEqual({
      statements: [8, 9, 0],
      threads: [5, 0, 0],
      comments: [14, 5, 2],
      accounts: [2, 0, 0],
    });
    expect(report.tallies.statements.skippedBecause).toEqual({
      'in the WordPress trash': 1,
      'an automatic draft (WordPress keeps one for a post opened and never written)': 1,
      'not a post or page (attachment)': 1,
      'not a post or page (revision)': 1,
      'not a post or page (nav_menu_item)': 1,
      'not a post or page (wp_block)': 1,
      'not a post or page (wp_template)': 1,
      'not a post or page (product)': 1,
      'not a post or page (shop_order)': 1,
    });
    expect(report.tallies.comments.skippedBecause).toEqual({
      // WordPress 6.9's editorial notes are comments of type `note`: never public.
      'not a comment (type “note”)': 1,
      [DRAFT_COMMENTS]: 1,
      'their post is not imported: in the WordPress trash': 1,
      'their post is not imported: not a post or page (product)': 1,
      // A shop's order notes (payment details) are never imported.
      'their post is not imported: not a post or page (shop_order)': 1,
    });
    expect(report.notes).toEqual({ [DRAFTS_NOTE]: 3, 'invalid author websites left out': 1 });
    expect(problems).toEqual([
      {
        kind: 'comments',
        position: commentAt(111),
        message: 'comment 111: the comment it replies to (999) is not in the file',
      },
      {
        kind: 'comments',
        position: commentAt(112),
        message: 'comment 112: the comment it replies to (201) is a comment on another post',
      },
    ]);

    const statements = await server.runtime.db
      .selectFrom('statements')
      .select(['slug', 'title', 'status', 'author_name', 'published_at', 'author_account_id'])
      .orderBy('slug')
      .execute();
    expect(
      statements.map((s) => [s.slug, s.title, s.status, s.author_name, s.published_at]),
    ).toEqual([
      ['about', 'About us', 'published', "Pat O'Neill", '2016-01-01T00:00:00.000Z'],
      // A draft and a pending post, both with the zero GMT date: drafts, undated.
      [
        'draft-response-to-the-council',
        'Draft: response to the council',
        'draft',
        'Zoë Łukasiewicz',
        null,
      ],
      // Scheduled for later.
      ['may-day-rally', 'May Day rally', 'published', "Pat O'Neill", '2030-05-01T09:00:00.000Z'],
      // By a user the file does not list: their login as the name, no account.
      [
        'no-longer-listed',
        'A post by someone no longer listed',
        'published',
        'departed',
        '2016-02-01T09:00:00.000Z',
      ],
      // A private post is not public: a draft.
      ['officers-only', 'Officers only', 'draft', "Pat O'Neill", null],
      [
        'statement-on-the-strike',
        'Statement on the strike & the “left”',
        'published',
        "Pat O'Neill",
        '2016-03-01T09:30:00.000Z',
      ],
      ['waiting-for-review', 'Waiting for review', 'draft', "Pat O'Neill", null],
      // An old export's escaped title: `&#8217;`, `&amp;#8212;` and `&#160;` all decoded.
      [
        'winters-report',
        'Winter’s report — part two',
        'published',
        "Pat O'Neill",
        '2016-12-01T09:00:00.000Z',
      ],
    ]);
    expect(statements.find((s) => s.slug === 'no-longer-listed')?.author_account_id).toBeNull();
    // The draft's note says when it was last saved: its local date, for want of the GMT one.
    const notes = await server.runtime.db
      .selectFrom('statement_revisions')
      .innerJoin('statements', 'statements.id', 'statement_revisions.statement_id')
      .select(['statements.slug', 'statement_revisions.note'])
      .where('statements.status', '=', 'draft')
      .orderBy('statements.slug')
      .execute();
    expect(notes.map((n) => [n.slug, n.note])).toEqual([
      [
        'draft-response-to-the-council',
        'Imported draft from https://tyneside.example.org (last saved 2016-04-02)',
      ],
      ['officers-only', 'Imported draft from https://tyneside.example.org (last saved 2016-04-04)'],
      ['waiting-for-review', 'Imported draft from https://tyneside.example.org'],
    ]);
    const body = await server.runtime.db
      .selectFrom('statements')
      .select('body')
      .where('slug', '=', 'statement-on-the-strike')
      .executeTakeFirstOrThrow();
    expect(body.body).toBe(
      'We stand with the strikers. It’s that simple.\n\n> An injury to one is an injury to all.\n>\n> *IWW*\n\nThe picket line at dawn\n\n```\nif (pay < inflation) { strike(); }\n```',
    );
    await expectTheStrikeStatement();

    // The page closed to comments has a closed discussion.
    const about = await server.runtime.db
      .selectFrom('threads')
      .innerJoin('statements', 'statements.id', 'threads.statement_id')
      .select('threads.status')
      .where('statements.slug', '=', 'about')
      .executeTakeFirstOrThrow();
    expect(about.status).toBe('closed');

    // Again: nothing new, the same two problems.
    const again = await importWordPress(WORDPRESS);
    expect(tallies(again.report)).toEqual({
      statements: [0, 17, 0],
      threads: [0, 5, 0],
      comments: [0, 19, 2],
      accounts: [0, 2, 0],
    });
  });

  it('reads the same export with a byte-order mark and CRLF line ends exactly as without', async ({
    onTestFinished,
  }) => {
    const windows = `\ufeff${wordpressText.replace(/\n/g, '\r\n')}`;
    const file = scratch(onTestFinished).write('windows.xml', windows);
    const { report, problems } = await importWordPress(file);
    expect(tallies(report)).toEqual({
      statements: [8, 9, 0],
      threads: [5, 0, 0],
      comments: [14, 5, 2],
      accounts: [2, 0, 0],
    });
    // Positions are counted as the file shows them (the mark is not a column).
    expect(problems.map((p) => p.position)).toEqual([commentAt(111), commentAt(112)]);
    await expectTheStrikeStatement();
  });

  it('imports a Disqus export as Disqus writes it, filing each thread where the embed looks for its page', async () => {
    // The site embeds its discussions on the WordPress blog, now on https.
    await updateSiteSettings(accountsContext(server.runtime), server.siteId, () => ({
      embedOrigins: ['https://tyneside.example.org'],
    }));
    const problems: ImportProblem[] = [];
    const report = await importDisqus(
      context(),
      { file: DISQUS, totalBytes: 1 },
      { onProblem: (p) => problems.push(p) },
    );
    expect(tallies(report)).toEqual({
      statements: [0, 0, 0],
      threads: [2, 3, 0],
      comments: [8, 1, 3],
      accounts: [0, 0, 0],
    });
    expect(report.tallies.threads.skippedBecause).toEqual({
      'same page as another thread of the file': 1,
      'deleted in Disqus': 1,
      'no comments': 1,
    });
    expect(report.tallies.comments.skippedBecause).toEqual({
      'its thread is deleted in Disqus': 1,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          kind: 'comments',
          position: postAt('2561122344'),
          message: 'post 2561122344: its thread (9999999999) is not in the file',
        },
        {
          kind: 'comments',
          position: postAt('2561122345'),
          message: 'post 2561122345: the post it replies to (1111111111) is not in the file',
        },
        {
          kind: 'comments',
          position: postAt('2561122342'),
          message:
            'post 2561122342: the post it replies to (2561122334) belongs to another thread (4523187220)',
        },
      ]),
    );
    expect(problems).toHaveLength(3);

    // http://…/, and https://…/?utm_source=…#disqus_thread: one page, at the address the embed
    // on the https site asks for.
    const threads = await server.runtime.db
      .selectFrom('threads')
      .select(['url', 'title', 'status'])
      .orderBy('url')
      .execute();
    expect(threads).toEqual([
      {
        url: 'https://tyneside.example.org/2016/03/statement-on-the-strike/',
        title: 'Statement on the strike – Tyneside Trades Council',
        status: 'open',
      },
      {
        url: 'https://tyneside.example.org/2016/04/closed-thread',
        title: 'A thread closed to comments',
        status: 'closed',
      },
    ]);
    const page = 'https://tyneside.example.org/2016/03/statement-on-the-strike/';
    const tree = await treeOf(server.runtime.db, { url: page });
    expect(shapeOf(tree)).toEqual([
      ['disqus:2561122334', null, 1, 1, 'Anna Kowalska', 'approved'],
      ['disqus:2561122335', 'disqus:2561122334', 2, null, 'Guest', 'approved'],
      ['disqus:2561122336', 'disqus:2561122335', 3, null, 'Dave', 'approved'],
      ['disqus:2561122338', null, 1, 2, 'Removed', 'deleted'],
      // No name: the Disqus user name.
      ['disqus:2561122339', 'disqus:2561122338', 2, null, 'quiet_one', 'approved'],
      ['disqus:2561122340', null, 1, 3, 'Spammer', 'spam'],
      // From the thread of the same page with a tracking query.
      ['disqus:2561122337', null, 1, 4, 'Kim', 'approved'],
    ]);
    const byId = new Map(tree.map((r) => [r.external_id, r]));
    // Disqus's redirector taken off the link; code, emoji and right-to-left text kept.
    expect(byId.get('disqus:2561122334')?.html).toBe(
      '<p>Solidarity! 👊🏽 تضامن</p>\n<p>See <a href="https://example.org/report?id=1" rel="nofollow ugc noopener">https://example.org/report?id=1</a><br>\nand <code>strike &amp;&amp; win</code>.</p>\n',
    );
    // An anonymous guest without an e-mail address.
    expect(byId.get('disqus:2561122335')).toMatchObject({ author_email: null, status: 'approved' });
    expect(byId.get('disqus:2561122337')?.author_email).toBe('kim@example.net');

    // Again: nothing new.
    const again = await importDisqus(context(), { file: DISQUS, totalBytes: 1 }, {});
    expect(again.tallies.comments.created).toBe(0);
    expect(again.tallies.threads.created).toBe(0);
  });

  it('files a Disqus thread by its own scheme when the site has not said where it embeds', async () => {
    const report = await importDisqus(context(), { file: DISQUS, totalBytes: 1 }, {});
    expect(report.tallies.comments.created).toBe(8);
    const threads = await server.runtime.db
      .selectFrom('threads')
      .select('url')
      .orderBy('url')
      .execute();
    // The query is still dropped, as the embed drops it.
    expect(threads.map((t) => t.url)).toEqual([
      'http://tyneside.example.org/2016/03/statement-on-the-strike/',
      'https://tyneside.example.org/2016/03/statement-on-the-strike/',
      'https://tyneside.example.org/2016/04/closed-thread',
    ]);
  });
});

describe('reading across the chunks of a large export', () => {
  // The reader takes the file a megabyte at a time: what straddles two chunks must read as one.
  const CHUNK = 1 << 20;

  async function contentsOf(file: string): Promise<Map<string, { content: string; line: number }>> {
    const out = new Map<string, { content: string; line: number }>();
    for await (const record of readExport('wxr', file, { addressKey: { secret: TEST_SECRET } })) {
      const r = record as WxrRecord;
      if (r.type === 'comment')
        out.set(r.comment.id, { content: r.comment.content, line: r.comment.position.line });
    }
    return out;
  }

  /** A WordPress export whose comment 2 has `text` starting at byte `at` of the file. */
  function exportWith(text: string, at: number): string {
    const document = (padding: string) =>
      wxrDocument({
        posts: [
          {
            id: 1,
            title: 'Big',
            slug: 'big',
            creator: 'jim',
            date: '2015-11-16T09:00:00Z',
            content: 'Body',
            comments: [
              {
                id: 1,
                author: 'Pad',
                date: '2015-11-16T10:00:00Z',
                approved: '1',
                content: padding,
              },
              {
                id: 2,
                author: 'Edge',
                date: '2015-11-16T10:01:00Z',
                approved: '1',
                content: `before${text}after`,
              },
              { id: 3, author: 'Next', date: '2015-11-16T10:02:00Z', approved: '1', content: 'x' },
            ],
          },
        ],
      });
    const probe = document('');
    const offset = Buffer.byteLength(probe.slice(0, probe.indexOf(`before${text}`) + 6));
    return document('p'.repeat(at - offset));
  }

  it('keeps a character of four bytes and a CRLF whole where a chunk ends inside them', async ({
    onTestFinished,
  }) => {
    const files = scratch(onTestFinished);
    for (const [name, text] of [
      ['emoji', '👊🏽'],
      ['crlf', '\r\n'],
    ] as const) {
      for (const shift of [1, 2, 3]) {
        const document = exportWith(text, CHUNK - shift);
        const bytes = Buffer.from(document);
        expect(bytes.subarray(CHUNK - shift, CHUNK - shift + 2)).toEqual(
          Buffer.from(text).subarray(0, 2),
        );
        const comments = await contentsOf(files.write(`${name}-${shift}.xml`, document));
        expect(comments.get('2')?.content, `${name} cut ${shift}`).toBe(
          text === '\r\n' ? 'before\nafter' : `before${text}after`,
        );
        // Lines are counted as the file has them after the cut.
        expect(comments.get('3')?.line).toBe(
          positionOf(document, '<wp:comment>\n\t\t\t<wp:comment_id>3<').line,
        );
      }
    }
  });
});
