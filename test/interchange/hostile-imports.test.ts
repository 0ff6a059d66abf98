// Files that are broken or made to hurt: entity declarations (the billion laughs, an external
// entity naming /etc/passwd), a web page, a binary file, an empty one, one of white space only,
// UTF-16, bytes that are not UTF-8, control characters, an element with 100,000 attributes (or a
// million), a name of 100,000 characters, nesting 100,000 deep, a single comment of 20 MB, comment
// HTML nested 10,000 deep. Each ends with a clear message naming its place, after everything
// complete before it — or is read, when it can be — and never exhausts the reading thread.
// Through the built command where the behaviour is what a person sees: exit code, message, what
// was kept, and the same command completing on the mended file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { htmlToMarkdown } from '../../src/interchange/html-to-markdown.js';
import { readExport } from '../../src/interchange/read-export.js';
import type { WxrRecord } from '../../src/interchange/wxr-reader.js';
import type { ImportFileError } from '../../src/interchange/xml-stream.js';
import { FORBIDDEN_NOTE } from '../../src/interchange/xml-stream.js';
import { renderMarkdown } from '../../src/discussion/markdown.js';
import { openDatabase } from '../../src/platform/database/index.js';
import { createInstallation } from '../helpers/cli.js';
import type { Installation } from '../helpers/cli.js';
import { databaseKinds } from '../helpers/databases.js';
import { TEST_SECRET } from '../helpers/runtime.js';
import type { WxrComment, WxrPost, WxrSite } from './exports.js';
import { positionOf, scratch, wxrDocument } from './exports.js';

const comment = (id: number, content: string, extra: Partial<WxrComment> = {}): WxrComment => ({
  id,
  author: `Commenter ${id}`,
  date: `2015-11-16T10:${String(id % 60).padStart(2, '0')}:00Z`,
  approved: '1',
  content,
  ...extra,
});

/** A blog of three posts; the second's comments are given. */
const blog = (comments: WxrComment[] = [comment(21, 'Fine.')]): WxrSite => ({
  authors: [{ id: 1, login: 'jim', email: 'jim@example.org', displayName: 'Jim' }],
  posts: [
    {
      id: 1,
      title: 'First',
      slug: 'first',
      creator: 'jim',
      date: '2015-11-16T09:00:00Z',
      content: 'One.',
      comments: [comment(11, 'Before the trouble.')],
    },
    {
      id: 2,
      title: 'Second',
      slug: 'second',
      creator: 'jim',
      date: '2015-11-17T09:00:00Z',
      content: 'Two.',
      comments,
    },
    {
      id: 3,
      title: 'Third',
      slug: 'third',
      creator: 'jim',
      date: '2015-11-18T09:00:00Z',
      content: 'Three.',
      comments: [comment(31, 'After the trouble.')],
    },
  ],
});

async function readAll(file: string) {
  const records: WxrRecord[] = [];
  try {
    for await (const record of readExport('wxr', file, { addressKey: { secret: TEST_SECRET } }))
      records.push(record as WxrRecord);
  } catch (error) {
    return { records, error: error as ImportFileError };
  }
  return { records, error: undefined };
}

const commentIds = (records: WxrRecord[]) =>
  records.flatMap((r) => (r.type === 'comment' ? [r.comment.id] : []));

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&lol9;</title><wp:wxr_version>1.2</wp:wxr_version></channel></rss>
`;
const EXTERNAL_ENTITY = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&xxe;</title><wp:wxr_version>1.2</wp:wxr_version></channel></rss>
`;
const ENTITIES_REFUSED =
  'the file declares entities (<!ENTITY …> in its DOCTYPE), which no WordPress or Disqus export does; it is refused without expanding them, for entities can make a small file endless or read other files. If the export is genuine, delete the DOCTYPE';

describe('reading a hostile or broken export', () => {
  it('refuses entity declarations unexpanded and unread, naming where they are', async ({
    onTestFinished,
  }) => {
    const files = scratch(onTestFinished);
    const laughs = await readAll(files.write('laughs.xml', BILLION_LAUGHS));
    expect(laughs.error).toMatchObject({
      position: { line: 3, column: 2 },
      problem: ENTITIES_REFUSED,
    });
    expect(laughs.records).toEqual([]);
    const external = await readAll(files.write('xxe.xml', EXTERNAL_ENTITY));
    expect(external.error).toMatchObject({
      position: { line: 2, column: 16 },
      problem: ENTITIES_REFUSED,
    });
    expect(JSON.stringify(external)).not.toContain('root:');
    // A DOCTYPE that declares nothing is harmless.
    const plain = wxrDocument(blog()).replace('<rss ', '<!DOCTYPE rss>\n<rss ');
    const read = await readAll(files.write('doctype.xml', plain));
    expect(read.error).toBeUndefined();
    expect(commentIds(read.records)).toEqual(['11', '21', '31']);
  });

  it('names an entity XML does not know, after what came before it', async ({ onTestFinished }) => {
    const document = wxrDocument(blog()).replace(
      '<title>Second</title>',
      '<title>Second&nbsp;post</title>',
    );
    const { records, error } = await readAll(scratch(onTestFinished).write('nbsp.xml', document));
    const at = positionOf(document, '&nbsp;');
    expect(error).toMatchObject({
      position: { line: at.line, column: at.column + '&nbsp;'.length - 1 },
      problem:
        'the XML is malformed here (&nbsp; is not defined: XML knows only &amp; &lt; &gt; &quot; &apos; and numbered ones like &#8217;); what was complete before it was read',
    });
    expect(commentIds(records)).toEqual(['11']);
  });

  it('says what a file is when it is no export at all', async ({ onTestFinished }) => {
    const files = scratch(onTestFinished);
    const cases: [string, string | Buffer, string][] = [
      [
        'page.html',
        '\n<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Export</title></head><body><p>Download<br></body></html>\n',
        '2:1: the file is a web page (HTML), not an export: save the export file itself, not the page that offers it',
      ],
      [
        'xhtml.xml',
        '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
        '2:1: this is a web page (its root element is <html>), not a WordPress export (WXR): save the export file itself, not the page that offers it',
      ],
      [
        'image.png',
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48]),
        '1:1: the file is not text: it has NUL bytes (the first is byte 8), as binary files do, where an export is XML',
      ],
      ['empty.xml', '', '1:1: the file is empty'],
      ['blank.xml', '  \n\t\r\n  \n', '4:1: the file has no XML element at all: it is not XML'],
      [
        'utf16.xml',
        Buffer.concat([
          Buffer.from([0xff, 0xfe]),
          Buffer.from('<?xml version="1.0"?><rss/>', 'utf16le'),
        ]),
        '1:1: the file is UTF-16 text, where an export is UTF-8: convert it (iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8.xml) and import that',
      ],
    ];
    for (const [name, content, message] of cases) {
      const { error } = await readAll(files.write(name, content));
      expect(error?.message, name).toBe(message);
    }
  });

  it('reads up to bytes that are not UTF-8 and names their place exactly, in any chunk', async ({
    onTestFinished,
  }) => {
    const files = scratch(onTestFinished);
    const document = wxrDocument(blog([comment(21, 'Café au lait, ')]));
    const cut = Buffer.byteLength(document.slice(0, document.indexOf('au lait')));
    const bytes = Buffer.from(document);
    // "Café " then a Latin-1 "à" (0xE0) where UTF-8 has two bytes.
    const broken = Buffer.concat([
      bytes.subarray(0, cut),
      Buffer.from([0xe0, 0x20]),
      bytes.subarray(cut),
    ]);
    const { records, error } = await readAll(files.write('latin1.xml', broken));
    const at = positionOf(document, 'au lait');
    expect(error).toMatchObject({
      position: at,
      problem: `the text is not UTF-8 here (bytes E0 20…, at byte ${cut.toLocaleString('en')} of the file); what came before it was read; save the export as UTF-8, or drop the bytes that are not (iconv -f UTF-8 -t UTF-8 -c FILE > FILE.clean.xml), and import again`,
    });
    // The first post and its comment were complete before it, in the same chunk.
    expect(commentIds(records)).toEqual(['11']);

    // A file that says it is Latin-1 is told how to convert; past the first megabyte too.
    const declared = Buffer.from(
      document
        .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
        .replace('Café au lait', `Cafe au lait${' '.repeat(1 << 20)}`),
      'latin1',
    );
    const latin = Buffer.concat([declared, Buffer.from([0xe9])]);
    const second = await readAll(files.write('declared.xml', latin));
    expect(second.error?.problem).toMatch(
      /^the text is not UTF-8 here \(bytes E9…, at byte 1,0\d\d,\d\d\d of the file\); what came before it was read; the file says it is ISO-8859-1, where an export is UTF-8: convert it \(iconv -f ISO-8859-1 -t UTF-8 FILE > FILE\.utf8\.xml\) and import that$/,
    );
    expect(commentIds(second.records)).toEqual(['11', '21', '31']);
  });

  it('reads control characters XML forbids as spaces, and counts them', async ({
    onTestFinished,
  }) => {
    const document = wxrDocument(blog([comment(21, 'Pasted\u000bfrom\u001bWord\u0000.')]));
    const { records, error } = await readAll(scratch(onTestFinished).write('word.xml', document));
    expect(error).toBeUndefined();
    const pasted = records.find((r) => r.type === 'comment' && r.comment.id === '21');
    expect(pasted).toMatchObject({ comment: { content: 'Pasted from Word .' } });
    expect(records.filter((r) => r.type === 'note')).toEqual([
      { type: 'note', note: FORBIDDEN_NOTE, count: 3 },
    ]);
  });

  it('reads 100,000 attributes and refuses a million, refuses nesting 100,000 deep, and reads names of 100,000 characters, without running out of memory', async ({
    onTestFinished,
  }) => {
    const files = scratch(onTestFinished);
    const document = wxrDocument(blog());
    const inSecond = (xml: string) => document.replace('<title>Second</title>', xml);

    // 100,000 attributes are read (and ignored); a million would take more than a reader has.
    const attributes = (n: number) => Array.from({ length: n }, (_, i) => ` a${i}="x"`).join('');
    const many = await readAll(
      files.write('attributes.xml', inSecond(`<title${attributes(100_000)}>Second</title>`)),
    );
    expect(many.error).toBeUndefined();
    expect(commentIds(many.records)).toEqual(['11', '21', '31']);
    const million = await readAll(
      files.write('million.xml', inSecond(`<title${attributes(1_000_000)}>Second</title>`)),
    );
    expect(million.error).toMatchObject({
      position: positionOf(document, '<title>Second'),
      problem:
        'an element with more attributes than can be read (more than 16 MB of them): no export has such a thing; the file is broken or made to hurt',
    });
    expect(commentIds(million.records)).toEqual(['11']);

    const deep = await readAll(
      files.write('deep.xml', inSecond(`${'<x>'.repeat(100_000)}${'</x>'.repeat(100_000)}`)),
    );
    const start = positionOf(document, '<title>Second');
    expect(deep.error).toMatchObject({
      // The 254th <x> is the 257th element from the root (rss, channel, item).
      position: { line: start.line, column: start.column + 253 * 3 },
      problem:
        'elements nested more than 256 deep: no export nests so deep; the file is broken or made to hurt',
    });

    const name = 'n'.repeat(100_000);
    const long = await readAll(files.write('name.xml', inSecond(`<${name}>Second</${name}>`)));
    expect(long.error).toBeUndefined(); // read, and ignored: it is no field of an export
    expect(commentIds(long.records)).toEqual(['11', '21', '31']);
    const root = await readAll(files.write('root.xml', `<${name}/>`));
    expect(root.error?.message).toBe(
      `1:1: this is not a WordPress export (WXR): its root element is <${'n'.repeat(40)}… (a name of 100,000 characters)>, where a WordPress export (WXR) has <rss>`,
    );
  });

  it('stops at a single comment of 20 MB with its place, after everything before it', async ({
    onTestFinished,
  }) => {
    const document = wxrDocument(blog([comment(21, 'Fine.'), comment(22, 'x'.repeat(20 << 20))]));
    const { records, error } = await readAll(scratch(onTestFinished).write('huge.xml', document));
    const opened = positionOf(
      document,
      '<wp:comment_content>',
      document.indexOf('<wp:comment_id>22<'),
    );
    expect(error?.problem).toBe(
      `a single text too long to read, inside <wp:comment_content> (opened at ${opened.line}:${opened.column}): it would take more than the 16 MB an import holds of one text; no post or comment of an export is so long, so the file is broken or made to hurt`,
    );
    expect(error?.position?.line).toBe(opened.line);
    expect(commentIds(records)).toEqual(['11', '21']);
  });

  it('reads a post whose pasted images make it 10 MB, keeping its text', async ({
    onTestFinished,
  }) => {
    const image = `data:image/png;base64,${'iVBORw0KGgo'.repeat(1_000_000)}`;
    const site = blog();
    const [first, ...rest] = site.posts as [WxrPost, ...WxrPost[]];
    const document = wxrDocument({
      ...site,
      posts: [
        { ...first, content: `<p>Before</p><p><img src="${image}" alt="chart"></p><p>After</p>` },
        ...rest,
      ],
    });
    const { records, error } = await readAll(scratch(onTestFinished).write('images.xml', document));
    expect(error).toBeUndefined();
    expect(records.find((r) => r.type === 'post')).toMatchObject({
      post: { id: '1', content: 'Before\n\nAfter', oversized: '' },
    });
    expect(commentIds(records)).toEqual(['11', '21', '31']);
  });

  it('marks a comment too large to convert, and one in a million pieces, and reads on', async ({
    onTestFinished,
  }) => {
    const files = scratch(onTestFinished);
    const big = '<p>words words</p>'.repeat(200_000); // 3.6 million characters of HTML
    // WordPress splits CDATA at every "]]>": a million of them make a million pieces.
    const pieces = ']]>'.repeat(1_000_000);
    const document = wxrDocument(
      blog([comment(21, big), comment(22, pieces), comment(23, 'Fine.')]),
    );
    const { records, error } = await readAll(files.write('big.xml', document));
    expect(error).toBeUndefined();
    const byId = new Map(
      records.flatMap((r) => (r.type === 'comment' ? [[r.comment.id, r.comment]] : [])),
    );
    expect(byId.get('21')).toMatchObject({
      content: '',
      oversized:
        'its HTML is 3,600,000 characters long, more than the 2,097,152 an import converts',
    });
    expect(byId.get('22')).toMatchObject({
      content: '',
      oversized:
        'its text is too large to import (an import reads at most 16 MB of one post or comment)',
    });
    expect(byId.get('23')).toMatchObject({ content: 'Fine.', oversized: '' });
    expect([...byId.keys()]).toEqual(['11', '21', '22', '23', '31']);
  });
});

describe('comment HTML made to hurt', () => {
  const convert = (html: string) => {
    const markdown = htmlToMarkdown(html, { whitespace: 'html' });
    return { markdown, html: renderMarkdown(markdown) };
  };

  it('flattens 10,000 nested quotes, bold and lists without overflowing the stack', () => {
    const quotes = convert(`${'<blockquote>'.repeat(10_000)}deep${'</blockquote>'.repeat(10_000)}`);
    expect(quotes.markdown).toBe(`${'> '.repeat(8)}deep`);
    const bold = convert(`${'<b>'.repeat(10_000)}bold${'</b>'.repeat(10_000)}`);
    expect(bold.html).toBe('<p><strong>bold</strong></p>\n');
    const unclosed = convert(`${'<i><b>'.repeat(5_000)}open`);
    expect(unclosed.html).toBe('<p><em><strong>open</strong></em></p>\n');
    const lists = convert(`${'<ul><li>'.repeat(10_000)}item`);
    expect(lists.markdown).toBe(`${'- '.repeat(8)}item`);
    expect(lists.html.match(/<ul>/g)).toHaveLength(8);
    expect(lists.html).toContain('<li>item</li>');
  });

  it('keeps emphasis that meets emphasis of its kind as it looks', () => {
    expect(convert('<i>one</i><i>two</i> and <b>three</b><b>four</b>').html).toBe(
      '<p><em>one</em><em>two</em> and <strong>three</strong><strong>four</strong></p>\n',
    );
    expect(convert('a <em>b <em>c</em> d</em> e').html).toBe('<p>a <em>b c d</em> e</p>\n');
  });

  it('takes the Disqus redirector off links and keeps no script, style, frame or active link', () => {
    const { html } = convert(
      '<p><a href="https://disq.us/url?url=https%3A%2F%2Fexample.org%2Fa%3Fb%3D1%3AaBcDeFgHiJ&amp;cuid=1">a</a> ' +
        '<a href="java&#x09;script:alert(1)">b</a> <a href="data:text/html,<script>alert(1)</script>">c</a> ' +
        '<a href="vbscript:msgbox">d</a></p><script>alert(1)</script><style>*{}</style><iframe src="https://evil.example/"></iframe>' +
        '<img src=x onerror=alert(1)><object data="x.swf"></object><math><mi>x</mi></math>',
    );
    expect(html).toBe(
      '<p><a href="https://example.org/a?b=1" rel="nofollow ugc noopener">a</a> b c d</p>\n',
    );
  });

  it('converts a comment of 50,000 sibling elements and more in bounded time and memory', () => {
    const { markdown } = convert('<i>a</i> '.repeat(200_000));
    // Elements past the 50,000th are left out, their text kept.
    expect(markdown.match(/a/g)).toHaveLength(200_000);
    expect(markdown.startsWith('*a* *a*')).toBe(true);
    expect(markdown.endsWith('a a')).toBe(true);
  });
});

// Tests read every table, typed loosely on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

async function count(
  site: Installation,
  table: string,
  onTestFinished: (fn: () => Promise<void>) => void,
) {
  const opened = openDatabase<unknown>(site.target);
  onTestFinished(() => opened.close());
  const row = (await (opened.db as AnyDb)
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()) as { n: number | string };
  return Number(row.n);
}

describe.concurrent.each(databaseKinds)('broadside import of a hostile file on $name', (kind) => {
  it('refuses a billion laughs and an external entity with their place, writing nothing', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished);
    const files = scratch(onTestFinished);
    for (const [name, content, at] of [
      ['laughs.xml', BILLION_LAUGHS, '3:2'],
      ['xxe.xml', EXTERNAL_ENTITY, '2:16'],
    ] as const) {
      const file = files.write(name, content);
      const result = await site.cli('import', file, '--format', 'wxr');
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toBe(`${file}:${at}: ${ENTITIES_REFUSED}\n`);
      expect(result.stdout).toContain(`Stopped at ${file}:${at}: the file declares entities`);
    }
    expect(await count(site, 'statements', onTestFinished)).toBe(0);
  });

  it('imports what comes before bytes that are not UTF-8, names their place, and completes when mended', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished);
    const files = scratch(onTestFinished);
    const document = wxrDocument(blog());
    const cut = Buffer.byteLength(
      document.slice(0, document.indexOf('<item>', document.indexOf('Second'))),
    );
    const bytes = Buffer.from(document);
    const file = files.write(
      'blog.xml',
      Buffer.concat([bytes.subarray(0, cut), Buffer.from([0xc3, 0x28]), bytes.subarray(cut)]),
    );
    const at = positionOf(document, '<item>', document.indexOf('Second'));
    const broken = await site.cli('import', file, '--format', 'wxr');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe(
      `${file}:${at.line}:${at.column}: the text is not UTF-8 here (bytes C3 28…, at byte ${cut.toLocaleString('en')} of the file); what came before it was read; save the export as UTF-8, or drop the bytes that are not (iconv -f UTF-8 -t UTF-8 -c FILE > FILE.clean.xml), and import again\n`,
    );
    expect(await count(site, 'statements', onTestFinished)).toBe(2);
    expect(await count(site, 'comments', onTestFinished)).toBe(2);

    const mended = await site.cli('import', files.write('mended.xml', document), '--format', 'wxr');
    expect(mended, mended.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(mended.stdout).toMatch(/^ {2}statements +1 created +2 skipped +0 failed$/m);
    expect(await count(site, 'comments', onTestFinished)).toBe(3);
  });

  it('ends a 20 MB comment with a clear message, not an out-of-memory crash; keeps what came before; completes without it', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished);
    const files = scratch(onTestFinished);
    const huge = comment(22, 'x'.repeat(20 << 20));
    const document = wxrDocument(blog([comment(21, 'Fine.'), huge]));
    const file = files.write('huge.xml', document);
    const opened = positionOf(
      document,
      '<wp:comment_content>',
      document.indexOf('<wp:comment_id>22<'),
    );
    const result = await site.cli('import', file, '--format', 'wxr');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^${file}:${opened.line}:\\d+: a single text too long to read, inside <wp:comment_content> \\(opened at ${opened.line}:${opened.column}\\): it would take more than the 16 MB an import holds of one text; no post or comment of an export is so long, so the file is broken or made to hurt\\n$`,
      ),
    );
    expect(result.stdout).not.toMatch(/out of memory|heap/i);
    // The first post and the second, with the comment before the huge one.
    expect(await count(site, 'statements', onTestFinished)).toBe(2);
    expect(await count(site, 'comments', onTestFinished)).toBe(2);

    const without = wxrDocument(blog([comment(21, 'Fine.'), { ...huge, content: 'Shorter.' }]));
    const rest = await site.cli('import', files.write('mended.xml', without), '--format', 'wxr');
    expect(rest, rest.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(await count(site, 'comments', onTestFinished)).toBe(4);
  });

  it('refuses a comment of 3 MB of HTML alone, with its place, and counts control characters read as spaces', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished);
    const document = wxrDocument(
      blog([
        comment(21, '<p>words words</p>'.repeat(200_000)),
        comment(22, 'Vertical\u000btab.', { parent: 21 }),
        comment(23, 'Fine\u001b.'),
      ]),
    );
    const file = scratch(onTestFinished).write('big.xml', document);
    const result = await site.cli('import', file, '--format', 'wxr');
    expect(result.code).toBe(1);
    const at = (id: number) => positionOf(document, `<wp:comment>\n\t\t\t<wp:comment_id>${id}<`);
    expect(result.stderr.split('\n')).toEqual([
      `${file}:${at(21).line}:${at(21).column}: comment 21: its HTML is 3,600,000 characters long, more than the 2,097,152 an import converts`,
      `${file}:${at(22).line}:${at(22).column}: comment 22: the comment it replies to could not be imported either (see ${at(21).line}:${at(21).column})`,
      '',
    ]);
    expect(result.stdout).toMatch(/^ {2}comments +3 created +0 skipped +2 failed$/m);
    expect(result.stdout).toContain(`Notes:\n  ${FORBIDDEN_NOTE}: 2\n`);
    expect(await count(site, 'comments', onTestFinished)).toBe(3);
  });
});

// The fixtures of real exports must stay as their exporters write them (LF, no mark), since the
// tests derive the other forms from them.
describe('the fixtures', () => {
  it('are as WordPress and Disqus write them', () => {
    for (const name of ['wordpress-6.4.xml', 'disqus-export.xml']) {
      const text = readFileSync(
        new URL(`../fixtures/interchange/${name}`, import.meta.url),
        'utf8',
      );
      expect(text.startsWith('<?xml version="1.0" encoding="')).toBe(true);
      expect(text).not.toContain('\r');
    }
  });
});
