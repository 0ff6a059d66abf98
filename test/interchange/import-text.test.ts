// Importing the plain-text thread form: the service on a real database (SQLite and PostgreSQL), the
// imported sample read back from its page over real HTTP, and `broadside import` as a child process.
// Expectations come from the sample file itself, read with simple regular expressions of our own,
// never from a hand-typed copy.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statementsContext } from '../../src/runtime.js';
import * as discussion from '../../src/discussion/service.js';
import type { ImportSummary } from '../../src/interchange/import-text.js';
import {
  describeImport,
  importTextThread,
  isAlreadyImported,
  UNKNOWN_AUTHOR,
} from '../../src/interchange/import-text.js';
import { TextThreadError } from '../../src/interchange/text-thread.js';
import { fixedClock } from '../../src/platform/clock.js';
import { openDatabase } from '../../src/platform/database/index.js';
import { AppError } from '../../src/platform/errors.js';
import type { BusEvent } from '../../src/platform/event-bus.js';
import type { StatementsContext } from '../../src/statements/service.js';
import * as statements from '../../src/statements/service.js';
import type { CliResult } from '../helpers/cli.js';
import { createInstallation } from '../helpers/cli.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestServer } from '../helpers/runtime.js';
import { startTestServer } from '../helpers/runtime.js';
import { paragraphsOf, plain, readSeed, seedPath } from '../helpers/seeds.js';

// ------------------------------------------------------------------------------------------------
// The sample file and what it says, read independently of the parser

const SAMPLE = 'paris-statement-with-comments.txt';

const samplePath = seedPath(SAMPLE);
const sampleText = readSeed(SAMPLE);
/** The statement's author, who answers in his own thread; the plain text does not name him. */
const AUTHOR = 'Jim Denham';

interface FileComment {
  number: number | undefined;
  authorName: string;
  paragraphs: string[][];
  replies: FileComment[];
}

/** The file's thread: `  N. Name said,` headers, `• Name said,` replies two spaces deeper each. */
function threadOfFile(text: string): FileComment[] {
  const roots: FileComment[] = [];
  const open: { indent: number; comment: FileComment; lines: string[] }[] = [];
  const all: { comment: FileComment; lines: string[] }[] = [];
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const top = /^ {2}(\d+)\. (.+) said,$/.exec(line);
    const reply = /^( *)• (.+) said,$/.exec(line);
    if (!top && !reply) {
      current?.push(line);
      continue;
    }
    const indent = top ? 2 : (reply?.[1] ?? '').length;
    const comment: FileComment = {
      number: top ? Number(top[1]) : undefined,
      authorName: (top ? top[2] : reply?.[2]) ?? '',
      paragraphs: [],
      replies: [],
    };
    while (open.length && (open.at(-1)?.indent ?? 0) >= indent) open.pop();
    const parent = open.at(-1);
    if (top) roots.push(comment);
    else if (parent?.indent === indent - 2) parent.comment.replies.push(comment);
    else throw new Error(`the sample is not nested as expected at "${line}"`);
    current = [];
    open.push({ indent, comment, lines: current });
    all.push({ comment, lines: current });
  }
  for (const { comment, lines } of all) comment.paragraphs = paragraphsOf(lines);
  return roots;
}

const everyOne = <T extends { replies: T[] }>(comments: readonly T[]): T[] =>
  comments.flatMap((c) => [c, ...everyOne(c.replies)]);

const fileThread = threadOfFile(sampleText);
const fileComments = everyOne(fileThread);
const fileTitle = plain(sampleText.split('\n')[0] ?? '');

/**
 * A relayed passage as the file shows it: a comment whose first paragraph is one short line ending
 * in a colon ("Ian McEwan on Paris:"), the passage after it, and perhaps a closing name and date.
 */
interface FileQuotation {
  /** The words the intro starts with, capitalised: "Ian McEwan", "Comrade Matt". */
  name: string;
  paragraphs: string[][];
  date: string | undefined;
}

function quotationOf(comment: FileComment): FileQuotation | undefined {
  const [intro, ...rest] = comment.paragraphs;
  const line = intro?.[0] ?? '';
  if (intro?.length !== 1 || !/^[^.?!]{1,80}:$/.test(line) || rest.length === 0) return undefined;
  const name = (/^(?:[A-Z]\S* )*[A-Z]\S*/.exec(line)?.[0] ?? '').trim();
  const last = rest.at(-1) ?? [];
  let date: string | undefined;
  if (last.length === 2 && last[0] === name && /^\d{1,2} [A-Z][a-z]+ \d{4}$/.test(last[1] ?? '')) {
    date = last[1];
    rest.pop();
  }
  return { name, paragraphs: rest, date };
}

// ------------------------------------------------------------------------------------------------
// Reading a page: a small, strict HTML tree builder for the server's well-formed output

interface Element {
  tag: string;
  attrs: Map<string, string>;
  children: (Element | string)[];
  parent: Element | undefined;
}

const VOID = new Set('area base br col embed hr img input link meta source track wbr'.split(' '));
const RAW_TEXT = new Set(['script', 'style', 'textarea']);

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    return named[name] ?? (name === 'nbsp' ? '\u00A0' : whole);
  });
}

function parseHtml(html: string): Element {
  const root: Element = { tag: '#root', attrs: new Map(), children: [], parent: undefined };
  let current = root;
  const token =
    /<!--[\s\S]*?-->|<!doctype[^>]*>|<\/([a-z][\w-]*)\s*>|<([a-z][\w-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*(\/?)>|[^<]+|</gi;
  for (let match = token.exec(html); match; match = token.exec(html)) {
    const [whole, closing, opening, attrText = '', selfClosing] = match;
    if (closing) {
      const tag = closing.toLowerCase();
      if (current.tag !== tag)
        throw new Error(`</${tag}> closes <${current.tag}> at ${match.index}`);
      current = current.parent ?? root;
    } else if (opening) {
      const attrs = new Map<string, string>();
      for (const a of attrText.matchAll(
        /([^\s=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g,
      ))
        attrs.set(a[1]?.toLowerCase() ?? '', decodeEntities(a[2] ?? a[3] ?? a[4] ?? ''));
      const element: Element = { tag: opening.toLowerCase(), attrs, children: [], parent: current };
      current.children.push(element);
      if (RAW_TEXT.has(element.tag)) {
        const end = html.toLowerCase().indexOf(`</${element.tag}`, token.lastIndex);
        element.children.push(decodeEntities(html.slice(token.lastIndex, end)));
        token.lastIndex = end;
        current = element;
      } else if (!VOID.has(element.tag) && !selfClosing) current = element;
    } else if (!whole.startsWith('<!')) current.children.push(decodeEntities(whole));
  }
  if (current !== root) throw new Error(`<${current.tag}> is never closed`);
  return root;
}

/** `el`, which the test requires to be there. */
function present(el: Element | undefined, what: string): Element {
  if (!el) throw new Error(`the page has no ${what}`);
  return el;
}

const classesOf = (el: Element) => (el.attrs.get('class') ?? '').split(/\s+/).filter(Boolean);
const hasClass = (el: Element, name: string) => classesOf(el).includes(name);

function descendants(el: Element, stopAt: (e: Element) => boolean = () => false): Element[] {
  const out: Element[] = [];
  for (const child of el.children) {
    if (typeof child === 'string' || stopAt(child)) continue;
    out.push(child, ...descendants(child, stopAt));
  }
  return out;
}

/** What a reader sees: text with HTML's white space collapsed, and `<br>` as a line break. */
function textOf(el: Element): string {
  return el.children
    .map((child) =>
      typeof child === 'string'
        ? child.replace(/[ \t\n\r]+/g, ' ')
        : child.tag === 'br'
          ? '\n'
          : textOf(child),
    )
    .join('');
}

/** A `<p>`'s lines as a reader sees them. */
const linesOf = (p: Element) =>
  textOf(p)
    .split('\n')
    .map((line) => plain(line));

interface PageComment {
  item: Element;
  /** The elements of this comment itself, not of its replies. */
  own: Element[];
  number: number | undefined;
  authorName: string;
  hasAuthorBadge: boolean;
  body: Element;
  replies: PageComment[];
}

const isCommentItem = (el: Element) =>
  el.tag === 'li' && hasClass(el, 'comment') && (el.attrs.get('id') ?? '').startsWith('comment-');

/** The comments of a statement page, nested as the page nests them. */
function commentsOfPage(html: string): PageComment[] {
  const read = (item: Element): PageComment => {
    const own = descendants(item, isCommentItem);
    const first = (name: string) => own.find((el) => hasClass(el, name));
    const numberText = first('comment-number') && textOf(first('comment-number') as Element);
    const body = first('comment-body');
    if (!body) throw new Error(`comment ${item.attrs.get('id')} has no body`);
    return {
      item,
      own,
      number: numberText === undefined ? undefined : Number(/^(\d+)\.$/.exec(numberText)?.[1]),
      authorName: textOf(first('comment-author') ?? item).trim(),
      hasAuthorBadge: own.some((el) => hasClass(el, 'badge') && textOf(el).trim() === 'author'),
      body,
      replies: descendants(item)
        .filter(isCommentItem)
        .filter((el) => nearestCommentAncestor(el) === item)
        .map(read),
    };
  };
  const all = descendants(parseHtml(html)).filter(isCommentItem);
  return all.filter((item) => nearestCommentAncestor(item) === undefined).map(read);
}

function nearestCommentAncestor(el: Element): Element | undefined {
  for (let up = el.parent; up; up = up.parent) if (isCommentItem(up)) return up;
  return undefined;
}

/** A tree's shape for comparing: numbers, authors, nesting. */
function shape(c: { number: number | undefined; authorName: string; replies: unknown[] }): unknown {
  return {
    number: c.number,
    authorName: c.authorName,
    replies: (c.replies as (typeof c)[]).map(shape),
  };
}

// ------------------------------------------------------------------------------------------------

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe.each(databaseKinds)('importTextThread on $name', (kind) => {
  let server: TestServer;
  let ctx: StatementsContext;
  const clock = fixedClock('2026-11-24T10:00:00Z');

  beforeEach(async () => {
    clock.set('2026-11-24T10:00:00Z');
    server = await startTestServer({ kind, clock });
    ctx = statementsContext(server.runtime);
  });
  afterEach(async () => {
    await server.close();
  });

  const importSample = (overrides: { text?: string; dryRun?: boolean; authorName?: string } = {}) =>
    importTextThread(ctx, {
      siteId: server.siteId,
      text: sampleText,
      authorName: AUTHOR,
      ...overrides,
    });

  const count = async (table: string) =>
    Number(
      (
        (await server.runtime.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()) as { n: number | string }
      ).n,
    );

  it('reproduces the sample on its page: numbers, authors, nesting, badge, quotations, comment 9', async () => {
    const summary = await importSample();
    expect(summary).toMatchObject({
      statementCreated: true,
      commentsCreated: fileComments.length,
      commentsSkipped: 0,
      dryRun: false,
      warnings: [],
    });

    const response = await fetch(`${server.url}/s/${summary.slug}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    const page = commentsOfPage(html);
    const onPage = everyOne(page);

    // Exactly the file's 10 numbered top-level comments, with its authors, in order.
    expect(fileThread.map((c) => c.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(page.map((c) => [c.number, c.authorName])).toEqual(
      fileThread.map((c) => [c.number, c.authorName]),
    );
    // Replies carry no number; the whole tree has the file's shape.
    expect(onPage.filter((c) => !page.includes(c)).every((c) => c.number === undefined)).toBe(true);
    expect(page.map(shape)).toEqual(fileThread.map(shape));
    expect(page.filter((c) => c.replies.length > 0).map((c) => c.number)).toEqual([6, 7, 8, 9]);
    const eight = page[7];
    expect(eight?.replies).toHaveLength(1);
    expect(eight?.replies[0]?.replies.map((r) => r.authorName)).toEqual(
      fileThread[7]?.replies[0]?.replies.map((r) => r.authorName),
    );
    expect(eight?.replies[0]?.replies[0]?.replies).toEqual([]);
    const heading = descendants(parseHtml(html)).find(
      (el) => el.attrs.get('id') === 'comments-title',
    );
    expect(textOf(present(heading, '"N comments" heading')).trim()).toBe(
      `${fileComments.length} comments`,
    );

    // The author badge: on exactly the statement author's own comments, 1, 5, 6 and 9.
    const byAuthor = fileComments.filter((c) => c.authorName === AUTHOR);
    expect(byAuthor.map((c) => c.number)).toEqual([1, 5, 6, 9]);
    expect(onPage.filter((c) => c.hasAuthorBadge).map((c) => c.number)).toEqual([1, 5, 6, 9]);
    for (const [i, comment] of onPage.entries()) {
      expect(comment.hasAuthorBadge, `comment ${i + 1} in page order`).toBe(
        fileComments[i]?.authorName === AUTHOR,
      );
    }

    // Relayed passages: attributed quotations in 1, 5 and 6, and nowhere else.
    const quoting = fileComments.filter((c) => quotationOf(c) !== undefined);
    expect(quoting.map((c) => c.number)).toEqual([1, 5, 6]);
    for (const [i, comment] of onPage.entries()) {
      const file = fileComments[i] as FileComment;
      const quotation = quotationOf(file);
      const figures = comment.own.filter((el) => el.tag === 'figure');
      const where = `comment ${file.number ?? `reply by ${file.authorName}`}`;
      if (!quotation) {
        expect(figures, where).toEqual([]);
        expect(
          comment.own.filter((el) => el.tag === 'blockquote'),
          where,
        ).toEqual([]);
        // Ordinary prose stays prose, paragraph for paragraph and line for line.
        const paragraphs = descendants(comment.body).filter((el) => el.tag === 'p');
        expect(paragraphs.map(linesOf), where).toEqual(file.paragraphs);
        continue;
      }
      expect(figures, where).toHaveLength(1);
      const figure = figures[0] as Element;
      expect(hasClass(figure, 'quotation'), where).toBe(true);
      const caption = descendants(figure).find((el) => el.tag === 'figcaption');
      const captionText = plain(textOf(present(caption, `figcaption in ${where}`)));
      expect(captionText.startsWith(`— ${quotation.name}`), `${where}: ${captionText}`).toBe(true);
      if (quotation.date) expect(captionText).toContain(quotation.date);
      const quoted = descendants(figure)
        .filter((el) => el.tag === 'blockquote')
        .flatMap((bq) => descendants(bq).filter((el) => el.tag === 'p'));
      expect(quoted.map(linesOf), where).toEqual(quotation.paragraphs);
      // Nothing else in the comment: the intro line became the caption.
      const outside = descendants(comment.body).filter(
        (el) => el.tag === 'p' && !descendants(figure).includes(el),
      );
      expect(outside, where).toEqual([]);
    }
    const first = present(page[0]?.body, 'comment 1');
    const mcEwan = descendants(first).find((el) => el.tag === 'figcaption');
    expect(textOf(present(mcEwan, 'caption of comment 1'))).toMatch(
      /^— Ian McEwan\b.*14 November 2015$/,
    );

    // Comment 9 lost its only link: an empty body, still in the tree with its reply.
    expect(fileThread[8]?.paragraphs).toEqual([]);
    const nine = page[8];
    expect(nine?.number).toBe(9);
    const nineBody = present(nine?.body, 'body of comment 9');
    expect(textOf(nineBody).trim()).toBe('');
    expect(descendants(nineBody)).toEqual([]);

    // The statement: the file's title, its author, and the honest clearance note.
    const document = descendants(parseHtml(html));
    const text = (name: string) =>
      document
        .filter((el) => hasClass(el, name))
        .map((el) => textOf(el).trim())
        .join('|');
    expect(text('statement-header').startsWith(fileTitle)).toBe(true);
    expect(document.find((el) => el.tag === 'h1' && textOf(el) === fileTitle)).toBeDefined();
    expect(text('statement-author')).toBe(AUTHOR);
    expect(text('clearance-note')).toBe('Personal statement, not cleared');
  });

  it('creates nothing the second time, and says it was already imported', async () => {
    const first = await importSample();
    const rows = { statements: await count('statements'), comments: await count('comments') };
    const second = await importSample();
    expect(second).toEqual({
      ...first,
      statementCreated: false,
      commentsCreated: 0,
      commentsSkipped: fileComments.length,
    });
    expect(isAlreadyImported(second)).toBe(true);
    expect(describeImport(second)).toMatch(
      /^Already imported: ".+" and all 15 comments of the file are there; nothing created\.$/,
    );
    expect({ statements: await count('statements'), comments: await count('comments') }).toEqual(
      rows,
    );
  });

  it('keeps the numbers of the file, gaps included, and numbers later comments after them', async () => {
    const text = [
      'Gaps',
      '',
      'A statement whose export lost some comments.',
      '',
      '  2. Ann said,',
      '',
      '    First.',
      '',
      '  5. Bob said,',
      '',
      '    Second.',
      '',
      '    • Cy said,',
      '',
      '      A reply.',
      '',
    ].join('\n');
    const summary = await importTextThread(ctx, { siteId: server.siteId, text, authorName: 'Ann' });
    const { thread } = await statements.getPublishedStatement(ctx, {
      siteId: server.siteId,
      slug: summary.slug,
    });
    expect(thread.topLevelCount).toBe(5);
    const listed = await discussion.listComments(ctx.discussion, {
      threadId: thread.id,
      limit: 10,
    });
    expect(listed.map((c) => [c.number, c.authorName, c.externalId, c.isStatementAuthor])).toEqual([
      [2, 'Ann', 'text:2', true],
      [5, 'Bob', 'text:5', false],
      [undefined, 'Cy', 'text:5.1', false],
    ]);
    // The materialised path's first segment is the number.
    expect(listed.map((c) => parseInt(c.path.slice(0, 6), 36))).toEqual([2, 5, 5]);
    const local = await discussion.postComment(ctx.discussion, {
      threadId: thread.id,
      author: { name: 'Di' },
      body: 'Posted here.',
    });
    expect(local.comment.number).toBe(6);
  });

  it('dates the statement before the import and the comments a minute apart in file order', async () => {
    const summary = await importSample();
    const { statement, thread } = await statements.getPublishedStatement(ctx, {
      siteId: server.siteId,
      slug: summary.slug,
    });
    const now = clock.now().getTime();
    expect(statement.publishedAt?.getTime()).toBe(now - fileComments.length * 60_000);
    const listed = await discussion.listComments(ctx.discussion, {
      threadId: thread.id,
      limit: 100,
    });
    expect(listed.map((c) => c.createdAt.getTime())).toEqual(
      listed.map((_, i) => now - (fileComments.length - 1 - i) * 60_000),
    );
    expect(listed.map((c) => c.origin)).toEqual(listed.map(() => 'import'));
    expect(listed.map((c) => c.authorName)).toEqual(fileComments.map((c) => c.authorName));
  });

  it('adds only what is missing when the file has grown since it was imported', async () => {
    await importSample();
    const grown = `${sampleText.trimEnd()}\n\n    • ${AUTHOR} said,\n\n      A late reply.\n\n  12. Newcomer said,\n\n    A late comment.\n`;
    const summary = await importSample({ text: grown });
    expect(summary).toMatchObject({
      statementCreated: false,
      commentsCreated: 2,
      commentsSkipped: 15,
    });
    expect(describeImport(summary)).toMatch(
      /^Imported into the existing statement ".+": created 2 comments \(15 skipped as already imported\)\.$/,
    );
    const html = await (await fetch(`${server.url}/s/${summary.slug}`)).text();
    const page = commentsOfPage(html);
    expect(page.map((c) => c.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]);
    expect(page[9]?.replies.map((r) => [r.authorName, r.hasAuthorBadge])).toEqual([[AUTHOR, true]]);
  });

  it('on a dry run checks everything, says what would be created, and writes nothing', async () => {
    const events: BusEvent[] = [];
    server.runtime.bus.subscribe(`site:${server.siteId}`, (event) => events.push(event));
    server.runtime.bus.subscribe('comments', (event) => events.push(event));
    const summary = await importSample({ dryRun: true });
    expect(summary).toMatchObject({
      statementCreated: true,
      commentsCreated: 15,
      commentsSkipped: 0,
      dryRun: true,
    });
    expect(describeImport(summary)).toMatch(
      /^Dry run, nothing written: the import would create the statement ".+" and 15 comments/,
    );
    expect(await count('statements')).toBe(0);
    expect(await count('threads')).toBe(0);
    expect(await count('comments')).toBe(0);
    expect(events).toEqual([]);

    // The real import afterwards announces the statement and every comment, once committed.
    await importSample();
    expect(events.map((e) => e.type)).toEqual([
      'statement.published',
      ...fileComments.map(() => 'comment.created'),
    ]);
  });

  it('writes nothing when a comment cannot be stored, and names its line', async () => {
    const events: BusEvent[] = [];
    server.runtime.bus.subscribe(`site:${server.siteId}`, (event) => events.push(event));
    const lines = sampleText.trimEnd().split('\n');
    const tooLong = `${lines.join('\n')}\n\n  11. Long Winded said,\n\n    ${'word '.repeat(2_500).trim()}\n`;
    const error = await failure(importSample({ text: tooLong }));
    expect(error).toBeInstanceOf(TextThreadError);
    expect((error as TextThreadError).line).toBe(lines.length + 2);
    expect(error.message).toMatch(
      /^line \d+: comment 11 by Long Winded cannot be imported: The comment is 12,499 characters long; the limit is 10,000\.$/,
    );
    for (const table of ['statements', 'threads', 'comments']) expect(await count(table)).toBe(0);
    expect(events).toEqual([]);
  });

  it('refuses a slug that belongs to a statement with another title', async () => {
    const { statement } = await statements.publishStatement(ctx, {
      siteId: server.siteId,
      title: 'Something else',
      body: 'Text.',
      authorName: 'Someone',
      slug: 'taken',
    });
    const error = await failure(
      importTextThread(ctx, {
        siteId: server.siteId,
        text: sampleText,
        authorName: AUTHOR,
        slug: statement.slug,
      }),
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('slug-taken');
    expect(error.message).toBe(
      'The slug "taken" is already used by another statement, "Something else"; import under another slug.',
    );
    expect(await count('statements')).toBe(1);
  });

  it('without an author publishes as "Unknown author", warns, and gives no badge', async () => {
    const summary: ImportSummary = await importTextThread(ctx, {
      siteId: server.siteId,
      text: sampleText,
    });
    expect(summary.warnings).toEqual([expect.stringContaining(`"${UNKNOWN_AUTHOR}"`)]);
    const html = await (await fetch(`${server.url}/s/${summary.slug}`)).text();
    expect(everyOne(commentsOfPage(html)).filter((c) => c.hasAuthorBadge)).toEqual([]);
    expect(html).toContain(`<span class="statement-author">${UNKNOWN_AUTHOR}</span>`);
  });
});

// ------------------------------------------------------------------------------------------------
// `broadside import` as a person runs it

const BASE_URL = 'https://statements.example.org/';

/** The one line a failed command printed on standard error (and fails unless it is exactly one). */
function onlyErrorLine(result: CliResult): string {
  expect(result.stderr.endsWith('\n'), result.stderr).toBe(true);
  expect(result.stderr.slice(0, -1).split('\n')).toHaveLength(1);
  return result.stderr.trimEnd();
}

function tempDir(onTestFinished: (fn: () => void) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'broadside-import-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe.concurrent.each(databaseKinds)('broadside import on $name', (kind) => {
  const importArgs = (...extra: string[]) => [
    'import',
    samplePath,
    '--format',
    'text',
    '--author',
    AUTHOR,
    ...extra,
  ];

  it('imports the sample, prints what it created and the statement’s address, and creates nothing the second time', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished, { BASE_URL });
    const dry = await site.cli(...importArgs('--dry-run'));
    expect(dry, dry.stderr).toMatchObject({ code: 0, stderr: '' });
    const [dryLine, dryLink] = dry.stdout.trimEnd().split('\n');
    expect(dryLine).toMatch(
      /^Dry run, nothing written: the import would create the statement "An initial attempt .+" and 15 comments \(0 skipped as already imported\)\.$/,
    );

    const first = await site.cli(...importArgs());
    expect(first, first.stderr).toMatchObject({ code: 0, stderr: '' });
    const [line, link, ...more] = first.stdout.trimEnd().split('\n');
    expect(more).toEqual([]);
    // The dry run wrote nothing: the real import still creates everything.
    expect(line).toBe(
      `Imported "${fileTitle}": created the statement and ${fileComments.length} comments (0 skipped as already imported).`,
    );
    expect(link).toMatch(
      /^ {2}https:\/\/statements\.example\.org\/s\/an-initial-attempt-[a-z0-9-]+$/,
    );
    expect(dryLink).toBe(link);

    const again = await site.cli(...importArgs());
    expect(again, again.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toBe(
      `Already imported: "${fileTitle}" and all 15 comments of the file are there; nothing created.\n${link}\n`,
    );
  });

  it('refuses an unknown format with exit code 2 and one line, touching nothing', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished);
    const result = await site.cli('import', samplePath, '--format', 'csv', '--author', AUTHOR);
    expect(result.code).toBe(2);
    expect(onlyErrorLine(result)).toBe(
      'broadside: --format: "csv" is not a format broadside imports; use text (the plain-text thread form), wxr (a WordPress export), disqus (a Disqus export) or broadside (a Broadside archive)',
    );
    expect(result.stdout).toBe('');
    expect(readdirSync(site.dataDir)).toEqual([]);
  });

  it('refuses a slug that cannot be one with exit code 2, touching nothing', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished);
    const result = await site.cli(...importArgs('--slug', 'Paris Statement'));
    expect(result.code).toBe(2);
    expect(onlyErrorLine(result)).toBe(
      'broadside: --slug: "Paris Statement" is not a slug; use lower-case letters, digits and single hyphens, at most 80 characters',
    );
    expect(readdirSync(site.dataDir)).toEqual([]);
  });

  it('names a missing file in one line, touching nothing', async ({ onTestFinished }) => {
    const site = await createInstallation(kind, onTestFinished);
    const missing = path.join(tempDir(onTestFinished), 'no-such-thread.txt');
    const result = await site.cli('import', missing, '--format', 'text', '--author', AUTHOR);
    expect(result.code).toBe(1);
    expect(onlyErrorLine(result)).toBe(`broadside: cannot read ${missing}: no such file`);
    expect(readdirSync(site.dataDir)).toEqual([]);
  });

  it('reports a malformed file as FILE:LINE: problem with exit code 1, writing nothing', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished);
    const bad = path.join(tempDir(onTestFinished), 'bad-thread.txt');
    writeFileSync(
      bad,
      [
        'Title',
        '',
        'Body.',
        '',
        '  1. Ann said,',
        '',
        '    Hello.',
        '',
        '     • Bob said,',
        '',
      ].join('\n'),
    );
    const result = await site.cli('import', bad, '--format', 'text', '--author', 'Ann');
    expect(result.code).toBe(1);
    expect(onlyErrorLine(result)).toBe(
      `broadside: ${bad}:9: reply "• Bob said," is indented 5 spaces but its parent is at 2; replies go one level (2 spaces) deeper`,
    );
    expect(result.stdout).toBe('');
    expect(readdirSync(site.dataDir)).toEqual([]);
  });

  it('rolls everything back when a comment cannot be stored, naming FILE:LINE', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished);
    const file = path.join(tempDir(onTestFinished), 'long-thread.txt');
    const lines = sampleText.trimEnd().split('\n');
    writeFileSync(
      file,
      `${lines.join('\n')}\n\n  11. Long Winded said,\n\n    ${'x'.repeat(10_001)}\n`,
    );
    const result = await site.cli('import', file, '--format', 'text', '--author', AUTHOR);
    expect(result.code).toBe(1);
    expect(onlyErrorLine(result)).toBe(
      `broadside: ${file}:${lines.length + 2}: comment 11 by Long Winded cannot be imported: The comment is 10,001 characters long; the limit is 10,000.`,
    );
    const database = openDatabase<Record<'statements' | 'threads' | 'comments', { id: string }>>(
      site.target,
    );
    onTestFinished(() => database.close());
    for (const table of ['statements', 'threads', 'comments'] as const) {
      expect(await database.db.selectFrom(table).select('id').execute(), table).toEqual([]);
    }
  });
});
