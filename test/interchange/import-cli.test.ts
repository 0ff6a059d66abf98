// `broadside import FILE --format wxr|disqus` as a child process (acceptance 5 among others): the
// summary, a second run that creates nothing, a dry run that writes nothing, and the files that go
// wrong — truncated, not XML, of the other format, a comment whose parent is missing — each named
// with its place in the file, what came before kept, and the import completed when run again.
import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { openDatabase } from '../../src/platform/database/index.js';
import type { Installation } from '../helpers/cli.js';
import { createInstallation } from '../helpers/cli.js';
import { databaseKinds } from '../helpers/databases.js';
import type { WxrComment, WxrPost } from './exports.js';
import { disqusDocument, positionOf, scratch, wxrDocument } from './exports.js';
import { BLOG, EXPECTED, PAGE, POSTS, THREADS } from './fixtures.js';
import { shapeOf, treeOf } from './trees.js';

const BASE_URL = 'https://statements.example.org';

// Tests read every table, typed loosely on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

function database(site: Installation, onTestFinished: (fn: () => Promise<void>) => void): AnyDb {
  const opened = openDatabase<unknown>(site.target);
  onTestFinished(() => opened.close());
  return opened.db as AnyDb;
}

async function count(db: AnyDb, table: string): Promise<number> {
  const row = (await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()) as { n: number | string };
  return Number(row.n);
}

/** The summary's table: kind → [created, skipped, failed]. */
function tableOf(stdout: string): Record<string, number[]> {
  const rows: Record<string, number[]> = {};
  for (const match of stdout.matchAll(
    /^ {2}(statements|threads|comments|accounts) +([\d,]+) (?:created|would be created) +([\d,]+) skipped +([\d,]+) failed$/gm,
  )) {
    rows[match[1] ?? ''] = [match[2], match[3], match[4]].map((n) =>
      Number((n ?? '').replace(/,/g, '')),
    );
  }
  return rows;
}

const fullShape = EXPECTED.map((row) => row.slice(0, 6));

/** BLOG with one more comment in the first post. */
function blogWith(comment: WxrComment) {
  const [first, ...rest] = BLOG.posts as [WxrPost, ...WxrPost[]];
  return {
    ...BLOG,
    posts: [{ ...first, comments: [...(first.comments ?? []), comment] }, ...rest],
  };
}

describe.concurrent.each(databaseKinds)('broadside import --format wxr|disqus on $name', (kind) => {
  it('imports a WordPress export with a summary, writes nothing in a dry run, creates nothing the second time', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished, { BASE_URL });
    const file = scratch(onTestFinished).write('blog.xml', wxrDocument(BLOG));

    const dry = await site.cli('import', file, '--format', 'wxr', '--dry-run');
    expect(dry, dry.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toMatch(
      new RegExp(
        `^Dry run of ${file} \\(WordPress export\\), nothing written: the import would do this \\([\\d.]+ s(, [\\d,]+ comments/s)?\\):\\n`,
      ),
    );
    expect(tableOf(dry.stdout)).toEqual({
      statements: [4, 1, 0],
      threads: [3, 0, 0],
      comments: [13, 1, 0],
      accounts: [2, 0, 0],
    });
    const db = database(site, onTestFinished);
    expect(await count(db, 'comments')).toBe(0);

    const first = await site.cli('import', file, '--format', 'wxr');
    expect(first, first.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout.split('\n')[0]).toMatch(
      new RegExp(`^Imported ${file} \\(WordPress export\\) in [\\d.]+ s(, [\\d,]+ comments/s)?:$`),
    );
    expect(tableOf(first.stdout)).toEqual({
      statements: [4, 1, 0],
      threads: [3, 0, 0],
      comments: [13, 1, 0],
      accounts: [2, 0, 0],
    });
    expect(first.stdout).toContain(
      'Skipped:\n  1 statement: not a post or page (attachment)\n  1 comment: their post is a draft, which has no discussion until it is published\n',
    );
    expect(first.stdout).toContain('\n  drafts imported as statement drafts (not published): 1\n');
    expect(first.stdout).toContain(
      '2 accounts were made for the authors of posts, without a password: each sets one through the link that `broadside user reset --email …` prints.',
    );
    expect(shapeOf(await treeOf(db, { statement: 'statement-on-paris' }))).toEqual(fullShape);

    // The authors can set a password through the reset link.
    const reset = await site.cli('user', 'reset', '--email', 'jim@example.org');
    expect(reset, reset.stderr).toMatchObject({ code: 0 });
    expect(reset.stdout).toMatch(/^A new password link for jim@example\.org/);

    const again = await site.cli('import', file, '--format', 'wxr');
    expect(again, again.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(tableOf(again.stdout)).toEqual({
      statements: [0, 5, 0],
      threads: [0, 3, 0],
      comments: [0, 14, 0],
      accounts: [0, 2, 0],
    });
    expect(await count(db, 'comments')).toBe(13);
  });

  it('stops at the end of a truncated file naming where, keeps what was complete, and completes when run on the whole file', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished, { BASE_URL });
    const files = scratch(onTestFinished);
    const whole = wxrDocument(BLOG);
    const truncated = whole.slice(0, whole.indexOf('Fourth level.') + 'Fourth'.length);
    const file = files.write('blog.xml', truncated);
    const lines = truncated.split('\n');
    const end = `${lines.length}:${(lines.at(-1) ?? '').length}`;
    const opened = positionOf(truncated, '<wp:comment_content><![CDATA[Fourth');

    const result = await site.cli('import', file, '--format', 'wxr');
    expect(result.code).toBe(1);
    const problem = `${file}:${end}: the file ends inside <wp:comment_content> (opened at ${opened.line}:${opened.column}): it is truncated; what was complete before it was read`;
    expect(result.stderr).toBe(`${problem}\n`);
    expect(result.stdout).toContain(`Stopped at ${problem}\n`);
    expect(tableOf(result.stdout)).toMatchObject({ statements: [1, 0, 0], comments: [3, 0, 0] });
    const db = database(site, onTestFinished);
    expect(shapeOf(await treeOf(db, { statement: 'statement-on-paris' }))).toEqual([
      ['wxr:201', null, 1, 1, 'Anna Kowalska', 'approved'],
      ['wxr:202', 'wxr:201', 2, null, 'Zoë Łukasiewicz', 'approved'],
      ['wxr:203', 'wxr:202', 3, null, 'Jim Denham', 'pending'],
    ]);

    // Run on the whole file: the rest is added; what was there keeps its place (211, which the
    // truncated file did not have, comes after 202 among the replies to 201).
    const rest = await site.cli('import', files.write('whole.xml', whole), '--format', 'wxr');
    expect(rest, rest.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(tableOf(rest.stdout)).toMatchObject({ statements: [3, 2, 0], comments: [10, 4, 0] });
    const byId = new Map(fullShape.map((row) => [row[0], row]));
    const order = [
      '201',
      '202',
      '203',
      '204',
      '205',
      '211',
      '207',
      '212',
      '206',
      '208',
      '209',
      '210',
    ];
    expect(shapeOf(await treeOf(db, { statement: 'statement-on-paris' }))).toEqual(
      order.map((id) => byId.get(`wxr:${id}`)),
    );
  });

  it('names a file that is not XML, and one of the other format, writing nothing', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished, { BASE_URL });
    const files = scratch(onTestFinished);
    const text = files.write('notes.txt', 'Hello, world.\n');
    const notXml = await site.cli('import', text, '--format', 'wxr');
    expect(notXml.code).toBe(1);
    expect(notXml.stderr).toBe(
      `${text}:1:1: the file is not XML: it starts with “Hello, world.”, where XML starts with “<”\n`,
    );

    const disqus = files.write('disqus.xml', disqusDocument({ threads: THREADS, posts: POSTS }));
    const wrong = await site.cli('import', disqus, '--format', 'wxr');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(
      `${disqus}:2:1: this is a Disqus export (its root element is <disqus>), not a WordPress export; import it with --format disqus\n`,
    );
    const blog = files.write('blog.xml', wxrDocument(BLOG));
    const wrongWay = await site.cli('import', blog, '--format', 'disqus');
    expect(wrongWay.code).toBe(1);
    expect(wrongWay.stderr).toMatch(
      /:3:1: this is a WordPress export \(its root element is <rss>\), not a Disqus export; import it with --format wxr\n$/,
    );

    const unknown = await site.cli('import', blog, '--format', 'blogger');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^broadside: --format: "blogger" is not a format broadside imports;/,
    );

    const missing = await site.cli(
      'import',
      files.write('x', '').replace(/x$/, 'nope.xml'),
      '--format',
      'wxr',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^broadside: cannot read .*nope\.xml: no such file\n$/);

    const db = database(site, onTestFinished);
    expect(await count(db, 'statements')).toBe(0);
  });

  it('reports a comment whose parent is missing with its place and imports the rest; --strict stops there; mended, it completes', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished, { BASE_URL });
    const files = scratch(onTestFinished);
    const orphan: WxrComment = {
      id: 250,
      parent: 999,
      author: 'Orphan',
      date: '2015-11-16T14:00:00Z',
      approved: '1',
      content: 'Whose reply?',
    };
    const document = wxrDocument(blogWith(orphan));
    const file = files.write('blog.xml', document);
    const at = positionOf(document, '<wp:comment>\n\t\t\t<wp:comment_id>250<');
    const problem = `${file}:${at.line}:${at.column}: comment 250: the comment it replies to (999) is not in the file`;

    const strict = await site.cli('import', file, '--format', 'wxr', '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe(`${problem}\n`);
    expect(strict.stdout).toContain(`Stopped at ${problem}\n`);
    // Everything placed before it was kept; nothing after it (the later posts) was read.
    expect(tableOf(strict.stdout)).toEqual({
      statements: [1, 0, 0],
      threads: [1, 0, 0],
      comments: [12, 0, 1],
      accounts: [1, 0, 0],
    });

    const lenient = await site.cli('import', file, '--format', 'wxr');
    expect(lenient.code).toBe(1);
    expect(lenient.stderr).toBe(`${problem}\n`);
    expect(lenient.stdout).toContain('1 record could not be imported');
    expect(tableOf(lenient.stdout)).toMatchObject({ statements: [3, 2, 0], comments: [1, 13, 1] });

    const mended = wxrDocument(blogWith({ ...orphan, parent: 998 })).replace(
      '<wp:comment_id>250<',
      `<wp:comment_id>998</wp:comment_id>\n\t\t\t<wp:comment_author><![CDATA[Found]]></wp:comment_author>\n\t\t\t<wp:comment_date_gmt><![CDATA[2015-11-16 13:30:00]]></wp:comment_date_gmt>\n\t\t\t<wp:comment_content><![CDATA[The missing one.]]></wp:comment_content>\n\t\t\t<wp:comment_approved><![CDATA[1]]></wp:comment_approved>\n\t\t</wp:comment>\n\t\t<wp:comment>\n\t\t\t<wp:comment_id>250<`,
    );
    const done = await site.cli('import', files.write('mended.xml', mended), '--format', 'wxr');
    expect(done, done.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(tableOf(done.stdout)).toMatchObject({ comments: [2, 14, 0] });
    const db = database(site, onTestFinished);
    const tree = shapeOf(await treeOf(db, { statement: 'statement-on-paris' }));
    expect(tree.slice(-2)).toEqual([
      ['wxr:998', null, 1, 6, 'Found', 'approved'],
      ['wxr:250', 'wxr:998', 2, null, 'Orphan', 'approved'],
    ]);
  });

  it('imports a Disqus export: threads join statements by address or become page discussions', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished, { BASE_URL });
    const files = scratch(onTestFinished);
    const blog = await site.cli(
      'import',
      files.write('blog.xml', wxrDocument(BLOG)),
      '--format',
      'wxr',
    );
    expect(blog.code).toBe(0);
    const document = disqusDocument({ threads: THREADS, posts: POSTS });
    const result = await site.cli(
      'import',
      files.write('disqus.xml', document),
      '--format',
      'disqus',
    );
    expect(result.code).toBe(1); // two records of the file are broken on purpose
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(2);
    expect(result.stdout).toMatch(
      /^Imported .*disqus\.xml \(Disqus export\) in [\d.]+ s(, [\d,]+ comments\/s)?:\n/,
    );
    expect(tableOf(result.stdout)).toEqual({
      statements: [0, 0, 0],
      threads: [1, 4, 1],
      comments: [12, 1, 2],
      accounts: [0, 0, 0],
    });
    const db = database(site, onTestFinished);
    const tree = shapeOf(await treeOf(db, { statement: 'statement-on-paris' }));
    // The WordPress comments first (numbers 1–5), then Disqus's in date order (6–9).
    expect(tree.filter((row) => row[3] !== null).map((row) => [row[0], row[3]])).toEqual([
      ['wxr:201', 1],
      ['wxr:207', 2],
      ['wxr:206', 3],
      ['wxr:208', 4],
      ['wxr:210', 5],
      ['disqus:p6', 6],
      ['disqus:p1', 7],
      ['disqus:p7', 8],
      ['disqus:p8', 9],
    ]);
    expect(shapeOf(await treeOf(db, { url: PAGE })).map((row) => row[0])).toEqual([
      'disqus:q1',
      'disqus:q2',
      'disqus:q3',
    ]);
  });
});
