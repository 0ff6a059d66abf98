// Importing a Disqus export (acceptance 2): a file written here, with every thread first and posts in
// an order where replies come before the posts they answer, nesting five levels deep, deleted and
// spam posts, HTML messages, non-ASCII names and CDATA; threads joining a statement of this site by
// its address, or becoming the discussions of external pages; imported on SQLite and PostgreSQL
// into exactly the expected trees, then again creating nothing, then completed once the file is
// mended.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statementsContext } from '../../src/runtime.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/discussion/model.js';
import { importDisqus, statementSlugOf } from '../../src/interchange/import-disqus.js';
import type {
  ImportContext,
  ImportProblem,
  ImportReport,
} from '../../src/interchange/import-engine.js';
import { fixedClock } from '../../src/platform/clock.js';
import { hashAddress } from '../../src/platform/address-hash.js';
import { publishStatement } from '../../src/statements/service.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestServer } from '../helpers/runtime.js';
import { startTestServer, TEST_SECRET } from '../helpers/runtime.js';
import type { DisqusThread } from './exports.js';
import { disqusDocument, positionOf, scratch } from './exports.js';
import { PAGE, POSTS, THREADS, post } from './fixtures.js';
import type { TreeRow } from './trees.js';
import { shapeOf, treeOf } from './trees.js';

const BASE_URL = 'https://statements.example.org';
const tallies = (report: ImportReport) =>
  Object.fromEntries(
    Object.entries(report.tallies).map(([kind, t]) => [kind, [t.created, t.skipped, t.failed]]),
  );

describe('statementSlugOf', () => {
  const base = new URL('https://statements.example.org/');
  it('knows a statement page of this site, in either scheme, with or without a query', () => {
    expect(statementSlugOf(new URL('http://statements.example.org/s/on-paris?x=1'), base)).toBe(
      'on-paris',
    );
    expect(statementSlugOf(new URL('https://statements.example.org/s/on-paris/'), base)).toBe(
      'on-paris',
    );
    expect(statementSlugOf(new URL('https://other.example.org/s/on-paris'), base)).toBeUndefined();
    expect(
      statementSlugOf(new URL('https://statements.example.org/s/on-paris/more'), base),
    ).toBeUndefined();
    expect(
      statementSlugOf(new URL('https://statements.example.org/x/s/on-paris'), base),
    ).toBeUndefined();
  });
  it('respects a base address with a path', () => {
    const under = new URL('https://example.org/broadside/');
    expect(statementSlugOf(new URL('https://example.org/broadside/s/a-b'), under)).toBe('a-b');
    expect(statementSlugOf(new URL('https://example.org/s/a-b'), under)).toBeUndefined();
  });
});

describe.each(databaseKinds)('importDisqus on $name', (kind) => {
  let server: TestServer;
  const clock = fixedClock('2026-11-24T10:00:00Z');

  beforeEach(async () => {
    server = await startTestServer({ kind, clock, env: { BASE_URL } });
    await publishStatement(statementsContext(server.runtime), {
      siteId: server.siteId,
      title: 'Statement on Paris',
      body: 'We stand with Paris.',
      authorName: 'Jim Denham',
      slug: 'statement-on-paris',
    });
  });
  afterEach(async () => {
    await server.close();
  });

  const context = (): ImportContext => ({
    statements: statementsContext(server.runtime),
    siteId: server.siteId,
    secret: server.runtime.secret,
    baseUrl: server.runtime.config.baseUrl,
    settings: DEFAULT_DISCUSSION_SETTINGS,
  });

  const run = async (file: string) => {
    const problems: ImportProblem[] = [];
    const report = await importDisqus(
      context(),
      { file, totalBytes: 1 },
      {
        onProblem: (p) => problems.push(p),
      },
    );
    return { report, problems };
  };

  it('imports threads by address and posts into exactly the expected trees; again, nothing new; mended, the rest', async ({
    onTestFinished,
  }) => {
    const files = scratch(onTestFinished);
    const document = disqusDocument({ threads: THREADS, posts: POSTS });
    const file = files.write('disqus.xml', document);

    const { report, problems } = await run(file);
    expect(report.stopped).toBeUndefined();
    expect(problems.map((p) => [p.kind, p.position, p.message])).toEqual([
      [
        'threads',
        positionOf(document, '<thread dsq:id="t6"'),
        'thread t6: its <link> “not a web address” is not a web address (http or https); its 1 posts are not imported',
      ],
      [
        'comments',
        positionOf(document, '<post dsq:id="m1"'),
        'post m1: the post it replies to (999) is not in the file',
      ],
    ]);
    expect(tallies(report)).toEqual({
      statements: [0, 0, 0],
      threads: [1, 4, 1],
      comments: [12, 1, 2],
      accounts: [0, 0, 0],
    });
    expect(report.tallies.threads.skippedBecause).toEqual({
      'joined the discussion of a statement': 1,
      'same page as another thread of the file': 1,
      'deleted in Disqus': 1,
      'no comments': 1,
    });

    // The statement's discussion: numbered by date (p6 before p1), five levels, statuses.
    const statementTree = await treeOf(server.runtime.db, { statement: 'statement-on-paris' });
    expect(shapeOf(statementTree)).toEqual([
      ['disqus:p6', null, 1, 1, 'Poster p6', 'approved'],
      ['disqus:p1', null, 1, 2, 'Ann', 'approved'],
      ['disqus:p2', 'disqus:p1', 2, null, 'Łucja Wiśniewska', 'approved'],
      ['disqus:p3', 'disqus:p2', 3, null, 'Poster p3', 'approved'],
      ['disqus:p4', 'disqus:p3', 4, null, 'Poster p4', 'approved'],
      ['disqus:p5', 'disqus:p4', 5, null, 'Ελένη', 'approved'],
      ['disqus:p7', null, 1, 3, 'Poster p7', 'spam'],
      ['disqus:p8', null, 1, 4, 'Poster p8', 'deleted'],
      ['disqus:p9', 'disqus:p8', 2, null, 'Poster p9', 'approved'],
    ]);
    const byId = new Map(statementTree.map((r) => [r.external_id, r]));
    const p2 = byId.get('disqus:p2') as TreeRow;
    const p2CreatedAt = new Date('2015-11-16T10:05:00.000Z');
    expect(p2.created_at).toBe(p2CreatedAt.toISOString());
    expect(p2.author_email).toBe('lucja@example.org');
    expect(p2.ip_hash).toBe(
      hashAddress({ secret: TEST_SECRET, address: '198.51.100.7', now: p2CreatedAt }),
    );
    expect(p2.html).toBe(
      '<p>Hello <strong>world</strong></p>\n<p>Second<br>\nline with a trap and <a href="https://example.org/ok" rel="nofollow ugc noopener">a link</a>.</p>\n',
    );
    expect(byId.get('disqus:p6')?.html).toBe(
      '<p>Plain text, no markup: 2 * 3 = 6 ]]&gt; done</p>\n',
    );
    expect(byId.get('disqus:p8')).toMatchObject({ body: '', html: '', author_email: null });
    for (const row of statementTree) expect(row.html).not.toMatch(/<script|javascript:|target=/);

    // The external page's discussion: threads t2 and t4 name the same page; closed as t2 was.
    const pageTree = await treeOf(server.runtime.db, { url: PAGE });
    expect(shapeOf(pageTree)).toEqual([
      ['disqus:q1', null, 1, 1, 'Poster q1', 'approved'],
      ['disqus:q2', 'disqus:q1', 2, null, 'Poster q2', 'approved'],
      ['disqus:q3', null, 1, 2, 'Poster q3', 'approved'],
    ]);
    const page = await server.runtime.db
      .selectFrom('threads')
      .select(['title', 'status', 'comment_count', 'statement_id'])
      .where('url', '=', PAGE)
      .executeTakeFirstOrThrow();
    expect(page).toMatchObject({ title: 'Paris & after', status: 'closed', statement_id: null });
    expect(Number(page.comment_count)).toBe(3);
    const threadCount = await server.runtime.db.selectFrom('threads').select('id').execute();
    expect(threadCount).toHaveLength(2); // the statement's and the page's

    // Again: nothing new; the same two problems.
    const again = await run(file);
    expect(tallies(again.report)).toEqual({
      statements: [0, 0, 0],
      threads: [0, 5, 1],
      comments: [0, 13, 2],
      accounts: [0, 0, 0],
    });
    expect(shapeOf(await treeOf(server.runtime.db, { statement: 'statement-on-paris' }))).toEqual(
      shapeOf(statementTree),
    );

    // Mended (the missing parent added): the rest is created, under it.
    const mended = files.write(
      'mended.xml',
      disqusDocument({
        threads: THREADS,
        posts: [...POSTS, post({ id: '999', thread: 't1', createdAt: '2015-11-16T12:45:00Z' })],
      }),
    );
    const last = await run(mended);
    expect(last.report.tallies.comments.created).toBe(2);
    const final = await treeOf(server.runtime.db, { statement: 'statement-on-paris' });
    expect(shapeOf(final).slice(-2)).toEqual([
      ['disqus:999', null, 1, 5, 'Poster 999', 'approved'],
      ['disqus:m1', 'disqus:999', 2, null, 'Poster m1', 'approved'],
    ]);
  });

  it('reports a post in a loop of parents, and one whose thread is not in the file', async ({
    onTestFinished,
  }) => {
    const document = disqusDocument({
      threads: [THREADS[1] as DisqusThread],
      posts: [
        post({ id: 'a', thread: 't2', parent: 'b', createdAt: '2015-11-16T10:00:00Z' }),
        post({ id: 'b', thread: 't2', parent: 'a', createdAt: '2015-11-16T10:01:00Z' }),
        post({ id: 'c', thread: 't9', createdAt: '2015-11-16T10:02:00Z' }),
        post({ id: 'd', thread: 't2', createdAt: '2015-11-16T10:03:00Z' }),
      ],
    });
    const file = scratch(onTestFinished).write('loop.xml', document);
    const { report, problems } = await run(file);
    expect(problems.map((p) => p.message).sort()).toEqual([
      'post a: the posts it replies to, followed up, loop back to it; it has no place in a tree',
      'post b: the posts it replies to, followed up, loop back to it; it has no place in a tree',
      'post c: its thread (t9) is not in the file',
    ]);
    expect(report.tallies.comments.created).toBe(1);
  });
});
