// The WXR export: a file WordPress can import — well-formed XML (checked by a real parser, saxes)
// with every published statement as a post and its comment tree, statuses and authors intact.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { SaxesParser } from 'saxes';
import { afterEach, describe, expect, it } from 'vitest';
import {
  assignLogins,
  cdata,
  loginFrom,
  rssDate,
  wordpressCommentStatus,
  wordpressDate,
  xmlSafe,
} from '../../src/interchange/wxr-model.js';
import { exportWxr } from '../../src/interchange/export-wxr.js';
import { fileSink } from '../../src/interchange/text-sink.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { createTestRuntime } from '../helpers/runtime.js';
import { scratchDirectory } from './archive-helpers.js';
import { richJudge, seedRichSite } from './rich-site.js';

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Parses XML into a small tree with saxes, failing on anything not well-formed. */
function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true });
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  parser.on('opentag', (tag) => {
    const element: XmlElement = {
      name: tag.name,
      attributes: Object.fromEntries(
        Object.values(tag.attributes).map((attribute) => [attribute.name, attribute.value]),
      ),
      children: [],
      text: '',
    };
    stack.at(-1)?.children.push(element);
    stack.push(element);
  });
  const addText = (text: string) => {
    const current = stack.at(-1);
    if (current) current.text += text;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => stack.pop());
  parser.on('error', (error) => {
    throw error;
  });
  parser.write(xml).close();
  return root.children[0] as XmlElement;
}

const child = (element: XmlElement, name: string) =>
  element.children.find((c) => c.name === name) as XmlElement;
const children = (element: XmlElement, name: string) =>
  element.children.filter((c) => c.name === name);
const textOf = (element: XmlElement, name: string) => child(element, name)?.text;

describe('WXR pieces', () => {
  it('keeps `]]>` whole across CDATA sections, as a parser reads them', () => {
    const xml = `<a>${cdata('x ]]> y ]]]]> z')}</a>`;
    expect(xml).toBe('<a><![CDATA[x ]]]]><![CDATA[> y ]]]]]]><![CDATA[> z]]></a>');
    expect(parseXml(xml).text).toBe('x ]]> y ]]]]> z');
  });

  it('drops characters XML 1.0 cannot carry, and keeps the rest of Unicode', () => {
    expect(xmlSafe('a\u0000b\u0008c\u000bd\ufffee\uffff\ud800f\tg\nh\ri')).toBe('abcdef\tg\nh\ri');
    expect(xmlSafe('Zoë 🙂 討論 مرحبا')).toBe('Zoë 🙂 討論 مرحبا');
  });

  it('writes WordPress dates and statuses', () => {
    const date = new Date('2015-11-14T09:05:03.250Z');
    expect(wordpressDate(date)).toBe('2015-11-14 09:05:03');
    expect(rssDate(date)).toBe('Sat, 14 Nov 2015 09:05:03 +0000');
    expect(wordpressCommentStatus('approved')).toBe('1');
    expect(wordpressCommentStatus('pending')).toBe('0');
    expect(wordpressCommentStatus('spam')).toBe('spam');
    expect(wordpressCommentStatus('deleted')).toBe('trash');
    expect(wordpressCommentStatus('rejected')).toBe('trash');
  });

  it('gives every author a distinct login', () => {
    expect(loginFrom('Olúwaseun Owner')).toBe('oluwaseun-owner');
    expect(loginFrom('討論')).toBe('author');
    const logins = assignLogins([
      { key: 'a', email: 'jim@example.org', displayName: 'Jim' },
      { key: 'b', email: undefined, displayName: 'Jim' },
      { key: 'c', email: undefined, displayName: 'jim' },
      { key: 'a', email: 'jim@example.org', displayName: 'Jim' },
    ]);
    expect([...logins.values()].map((a) => [a.id, a.login])).toEqual([
      [1, 'jim'],
      [2, 'jim-2'],
      [3, 'jim-3'],
    ]);
  });
});

describe.each(databaseKinds)('exportWxr on $name', (kind) => {
  let made: TestRuntime | undefined;
  afterEach(async () => {
    await made?.close();
    made = undefined;
  });

  it('writes every published statement as a post with its whole comment tree', async (test) => {
    made = await createTestRuntime({ kind, moderation: richJudge });
    const { runtime } = made;
    const site = await seedRichSite(runtime);
    // What the forms refuse can still be in an old database: XML must not break on it.
    await runtime.db
      .updateTable('comments')
      .set({ author_name: 'Bad\u0001Name\uffff', body: 'x', html: '<p>bell\u0007 ]]> end</p>' })
      .where('id', '=', site.comments.spam)
      .execute();
    // A pingback, as a WordPress import keeps them.
    await runtime.db
      .updateTable('comments')
      .set({ kind: 'pingback' })
      .where('id', '=', site.comments.edited)
      .execute();

    const file = path.join(scratchDirectory(test.onTestFinished), 'site.xml');
    const sink = fileSink(file);
    const summary = await exportWxr(runtime, {
      siteId: site.siteId,
      siteName: 'Broadside & Co',
      baseUrl: new URL('https://statements.example.org/'),
      linkOf: (statement) => `https://statements.example.org/s/${statement.slug}`,
      generator: 'Broadside test',
      sink,
      pageSize: 3, // pages within threads and across statements
    });
    await sink.finish();
    const xml = readFileSync(file, 'utf8');
    const rss = parseXml(xml);

    expect(rss.name).toBe('rss');
    const channel = child(rss, 'channel');
    expect(textOf(channel, 'title')).toBe('Broadside & Co');
    expect(textOf(channel, 'wp:wxr_version')).toBe('1.2');
    const authors = children(channel, 'wp:author').map((a) => textOf(a, 'wp:author_login'));
    expect(authors.sort()).toEqual(['jim-denham', 'owner', 'unsigned']);

    const items = children(channel, 'item');
    // The two samples, the member's statement, the reviewed one, and the draft.
    expect(items).toHaveLength(5);
    expect(summary).toMatchObject({ posts: 5, drafts: 1 });
    const draft = items.find((item) => textOf(item, 'title') === site.draft.title) as XmlElement;
    expect(textOf(draft, 'wp:status')).toBe('draft');
    expect(textOf(draft, 'wp:post_date_gmt')).toBe('0000-00-00 00:00:00');
    expect(children(draft, 'wp:comment')).toHaveLength(0);
    // A reviewed statement is exported with its published revision's text, not its first.
    const reviewed = items.find(
      (item) => textOf(item, 'wp:post_name') === site.reviewed.slug,
    ) as XmlElement;
    expect(textOf(reviewed, 'wp:status')).toBe('publish');
    expect(textOf(reviewed, 'content:encoded')).toContain('«ein Zuhause»');
    expect(
      children(reviewed, 'wp:postmeta').map((meta) => [
        textOf(meta, 'wp:meta_key'),
        textOf(meta, 'wp:meta_value'),
      ]),
    ).toContainEqual(['broadside_status', 'published']);
    expect(summary.pageThreadsLeftOut).toBe(1);
    const post = items.find((item) => textOf(item, 'wp:post_name') === site.slug) as XmlElement;
    expect(textOf(post, 'title')).toBe('Über «Solidarität» — a statement');
    expect(textOf(post, 'dc:creator')).toBe('owner');
    expect(textOf(post, 'link')).toBe(`https://statements.example.org/s/${site.slug}`);
    expect(textOf(post, 'wp:status')).toBe('publish');
    expect(textOf(post, 'wp:post_type')).toBe('post');
    expect(textOf(post, 'content:encoded')).toContain('A line with ]]&gt; and &lt;tags&gt;');
    expect(textOf(post, 'wp:post_date_gmt')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    // The comments, compared with the database: ids, parents, authors, dates and statuses.
    const stored = await runtime.db
      .selectFrom('comments')
      .select([
        'id',
        'parent_id',
        'author_name',
        'author_email',
        'author_url',
        'status',
        'created_at',
      ])
      .where('thread_id', '=', site.threadId)
      .execute();
    const comments = children(post, 'wp:comment');
    expect(comments).toHaveLength(stored.length);
    const byNumber = new Map(comments.map((c) => [textOf(c, 'wp:comment_id'), c]));
    expect(byNumber.size).toBe(comments.length);
    const broadsideIdOf = (c: XmlElement) => textOf(child(c, 'wp:commentmeta'), 'wp:meta_value');
    const statusOf: Record<string, string> = {
      approved: '1',
      pending: '0',
      spam: 'spam',
      deleted: 'trash',
    };
    for (const comment of comments) {
      const row = stored.find((r) => r.id === broadsideIdOf(comment));
      expect(row).toBeDefined();
      if (!row) continue;
      const parentNumber = textOf(comment, 'wp:comment_parent');
      const parent = parentNumber === '0' ? undefined : byNumber.get(parentNumber);
      expect(parent ? broadsideIdOf(parent) : null).toBe(row.parent_id);
      expect(textOf(comment, 'wp:comment_approved')).toBe(statusOf[row.status]);
      expect(textOf(comment, 'wp:comment_author_email')).toBe(row.author_email ?? '');
      expect(textOf(comment, 'wp:comment_author_url')).toBe(row.author_url ?? '');
      expect(textOf(comment, 'wp:comment_date_gmt')).toBe(
        row.created_at.slice(0, 19).replace('T', ' '),
      );
      expect(textOf(comment, 'wp:comment_type')).toBe(
        row.id === site.comments.edited ? 'pingback' : 'comment',
      );
      if (row.id !== site.comments.spam) {
        expect(textOf(comment, 'wp:comment_author')).toBe(row.author_name);
      }
    }
    const top = comments.find((c) => broadsideIdOf(c) === site.comments.top) as XmlElement;
    expect(textOf(top, 'wp:comment_author')).toBe('Zoë Ångström-Łukasiewicz');
    expect(textOf(top, 'wp:comment_content')).toContain('🙂 — 討論 — مرحبا');
    const spam = comments.find((c) => broadsideIdOf(c) === site.comments.spam) as XmlElement;
    expect(textOf(spam, 'wp:comment_author')).toBe('BadName');
    expect(textOf(spam, 'wp:comment_content')).toBe('<p>bell ]]> end</p>');
    const removed = comments.find((c) => broadsideIdOf(c) === site.comments.removed) as XmlElement;
    expect(textOf(removed, 'wp:comment_content')).toBe('');

    // The Paris sample keeps its tree: replies three levels deep under numbered comments.
    const paris = items.find((item) => textOf(item, 'dc:creator') === 'jim-denham') as XmlElement;
    const parisComments = children(paris, 'wp:comment');
    expect(parisComments.length).toBeGreaterThan(10);
    const parents = new Set(parisComments.map((c) => textOf(c, 'wp:comment_parent')));
    expect(parents.size).toBeGreaterThan(2);
    expect(summary.comments).toBe(
      comments.length +
        parisComments.length +
        children(items.find((i) => i !== post && i !== paris) as XmlElement, 'wp:comment').length,
    );
  });
});
