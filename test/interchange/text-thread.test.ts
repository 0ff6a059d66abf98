import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import type { TextComment } from '../../src/interchange/text-thread.js';
import {
  TextThreadError,
  escapeMarkdown,
  isDateLine,
  parseQuotationIntro,
  parseTextThread,
} from '../../src/interchange/text-thread.js';
import { paragraphsOf, plain, readSeed } from '../helpers/seeds.js';

// ------------------------------------------------------------------------------------------------
// The sample files, read from disk: the canonical seeds beside the repository, or a copy in
// test/fixtures/ or demo/ (byte-identical, see demo.test.ts; what a clean clone has). Expectations
// are derived from the file itself, never from a hand-typed copy.

interface FileComment {
  number?: number;
  authorName: string;
  line: number;
  /** The file's lines between this header and the next header of any level. */
  text: string[];
  replies: FileComment[];
}

/** Reads the thread's headers with two simple regular expressions and nests them by indentation. */
function commentsOfFile(text: string): FileComment[] {
  const lines = text.split('\n');
  const roots: FileComment[] = [];
  const open: { indent: number; comment: FileComment }[] = [];
  let current: FileComment | undefined;
  lines.forEach((line, i) => {
    const top = /^ {2}(\d+)\. (.+) said,$/.exec(line);
    const reply = /^( *)• (.+) said,$/.exec(line);
    if (top) {
      current = {
        number: Number(top[1]),
        authorName: top[2] ?? '',
        line: i + 1,
        text: [],
        replies: [],
      };
      roots.push(current);
      open.length = 0;
      open.push({ indent: 2, comment: current });
    } else if (reply) {
      const indent = (reply[1] ?? '').length;
      while (open.length && (open[open.length - 1]?.indent ?? 0) >= indent) open.pop();
      const parent = open[open.length - 1];
      if (!parent || parent.indent !== indent - 2)
        throw new Error(`sample line ${i + 1} misnested`);
      current = { authorName: reply[2] ?? '', line: i + 1, text: [], replies: [] };
      parent.comment.replies.push(current);
      open.push({ indent, comment: current });
    } else current?.text.push(line);
  });
  return roots;
}

function shape(c: TextComment | FileComment): unknown {
  return {
    number: c.number,
    authorName: c.authorName,
    line: c.line,
    replies: c.replies.map(shape),
  };
}

function everyComment<T extends { replies: T[] }>(comments: readonly T[]): T[] {
  return comments.flatMap((c) => [c, ...everyComment(c.replies)]);
}

// markdown-it as the architecture configures it (raw HTML off); used to check what readers see.
const md = new MarkdownIt({ html: false, linkify: true });

function decode(html: string): string {
  return html
    .replace(/<br>\n?/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The rendered paragraphs (each a list of lines) of some HTML. */
function renderedParagraphs(html: string): string[][] {
  return [...html.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) => decode(m[1] ?? '').split('\n'));
}

function blockquoteOf(html: string): string | undefined {
  return /<blockquote>\n([\s\S]*?)<\/blockquote>/.exec(html)?.[1];
}

// ------------------------------------------------------------------------------------------------

describe('parseTextThread on the Paris sample file', () => {
  const text = readSeed('paris-statement-with-comments.txt');
  const fileComments = commentsOfFile(text);
  const thread = parseTextThread(text);
  const byNumber = (n: number): TextComment => {
    const found = thread.comments.find((c) => c.number === n);
    if (!found) throw new Error(`no comment ${n}`);
    return found;
  };

  it('gives exactly the 10 numbered top-level comments of the file, with its authors, in order', () => {
    expect(fileComments.map((c) => c.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(thread.comments).toHaveLength(10);
    expect(thread.comments.map((c) => [c.number, c.authorName])).toEqual(
      fileComments.map((c) => [c.number, c.authorName]),
    );
  });

  it('nests the replies as the file does, with header line numbers', () => {
    expect(thread.comments.map(shape)).toEqual(fileComments.map(shape));
    const withReplies = thread.comments.filter((c) => c.replies.length > 0).map((c) => c.number);
    expect(withReplies).toEqual([6, 7, 8, 9]);
    // 8 → Glasgow Working Class → Steven Johnston: two levels.
    const eight = byNumber(8);
    expect(eight.replies.map((r) => r.authorName)).toEqual(['Glasgow Working Class']);
    expect(eight.replies[0]?.replies.map((r) => r.authorName)).toEqual(['Steven Johnston']);
    expect(eight.replies[0]?.replies[0]?.replies).toEqual([]);
    for (const c of everyComment(thread.comments)) {
      if (c.number === undefined) expect(text.split('\n')[c.line - 1]).toMatch(/^ +• .+ said,$/);
    }
  });

  it('keeps comment 9 with an empty body', () => {
    expect(fileComments[8]?.text.every((line) => line.trim() === '')).toBe(true);
    expect(byNumber(9).body).toBe('');
  });

  it('turns the relayed passages of comments 1, 5 and 6, and no others, into attributed quotations', () => {
    const quoting = everyComment(thread.comments).filter((c) => /^>/m.test(c.body));
    expect(quoting.map((c) => c.number)).toEqual([1, 5, 6]);
    expect(byNumber(1).body).toMatch(/\n\n— Ian McEwan, on Paris, 14 November 2015$/);
    expect(byNumber(5).body).toMatch(/\n\n— Robert Greenwood, on facebook$/);
    expect(byNumber(6).body).toMatch(/\n\n— Comrade Matt$/);
    for (const c of everyComment(thread.comments)) {
      if (![1, 5, 6].includes(c.number ?? 0))
        expect(md.render(c.body)).not.toContain('<blockquote>');
    }
  });

  it('quotes exactly the file’s paragraphs after the intro line, minus the closing name and date', () => {
    for (const n of [1, 5, 6]) {
      const file = fileComments[n - 1];
      const comment = byNumber(n);
      const [intro, ...rest] = paragraphsOf(file?.text ?? []);
      // The caption names whoever the file's intro line starts with.
      const caption = comment.body.split('\n').at(-1) ?? '';
      const name = caption.replace(/^— /, '').split(',')[0] ?? '';
      expect(intro?.[0]?.startsWith(name)).toBe(true);
      const last = rest.at(-1);
      if (last?.[0] === name) {
        expect(caption).toContain(last[1]); // the closing date
        rest.pop();
      }
      const html = md.render(comment.body);
      const quoted = blockquoteOf(html);
      expect(quoted, `comment ${n}`).toBeDefined();
      expect(renderedParagraphs(quoted ?? '')).toEqual(rest);
      // The attribution is the paragraph right after the quote (the renderer's figcaption).
      expect(html).toMatch(/<\/blockquote>\n<p>— [^<]+<\/p>\n$/);
    }
    expect(byNumber(1).body).toContain('14 November 2015');
  });

  it('keeps every other comment’s text as written, including line breaks within a paragraph', () => {
    for (const [c, file] of everyComment(thread.comments).map(
      (c, i) => [c, everyComment(fileComments)[i]] as const,
    )) {
      if ([1, 5, 6].includes(c.number ?? 0)) continue;
      expect(renderedParagraphs(md.render(c.body)), `line ${c.line}`).toEqual(
        paragraphsOf(file?.text ?? []),
      );
    }
    // Comment 7 and 8 have consecutive lines without a blank line between: shown as separate lines.
    expect(md.render(byNumber(8).body)).toContain(
      'independent state?<br>\nKurds good Jocks bad.<br>',
    );
    expect(byNumber(7).body.split('\\\n')).toHaveLength(3);
  });

  it('reads the statement: the first line as title, then the body as written', () => {
    const lines = text.split('\n');
    expect(thread.statement.title).toBe(plain(lines[0] ?? ''));
    expect(thread.statement.subtitle).toBeUndefined();
    expect(thread.statement.body.startsWith('What follows is a statement drawn up by myself')).toBe(
      true,
    );
    const firstHeader = fileComments[0]?.line ?? 0;
    const expected = paragraphsOf(lines.slice(1, firstHeader - 1));
    expect(renderedParagraphs(md.render(thread.statement.body))).toEqual(expected);
    expect(thread.statement.body).not.toContain('\u00A0');
    expect(thread.statement.body).toContain('“cleared”'); // curly quotes kept
    expect(thread.statement.body).toContain('\\[in our day, Islamism\\]'); // escaped, not a link
  });

  it('reads CRLF line endings the same way', () => {
    expect(parseTextThread(text.replace(/\n/g, '\r\n'))).toEqual(thread);
  });
});

describe('parseTextThread on the Westminster sample file', () => {
  const text = readSeed('westminster-statement.txt');
  const thread = parseTextThread(text);

  it('splits "Title: subtitle" and keeps the body paragraphs, with no comments', () => {
    const first = plain(text.split('\n')[0] ?? '');
    expect(`${thread.statement.title}: ${thread.statement.subtitle}`).toBe(first);
    expect(thread.statement.title).toBe('Against Imperialism, Fascism and Takfiri Islamism');
    expect(thread.statement.subtitle).toBe('Statement on the Westminster Attack');
    const expected = paragraphsOf(text.split('\n').slice(1));
    const rendered = renderedParagraphs(md.render(thread.statement.body));
    expect(rendered).toEqual(expected);
    expect(rendered.at(-1)).toEqual(['Workers and oppressed peoples of the world – unite!']);
    expect(thread.comments).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------

describe('statement title and subtitle', () => {
  it('takes a short line directly under the title as the subtitle', () => {
    const t = parseTextThread('Paris: a first response\nWhy we say no to war\n\nBody text.\n');
    expect(t.statement).toEqual({
      title: 'Paris: a first response',
      subtitle: 'Why we say no to war',
      body: 'Body text.',
    });
  });

  it('does not take a sentence or a long line as a subtitle', () => {
    expect(parseTextThread('Title\nThis is the first line.\n\nMore.').statement).toEqual({
      title: 'Title',
      body: 'This is the first line.\n\nMore.',
    });
    const long = 'word '.repeat(30).trim();
    expect(parseTextThread(`Title\n${long}\n`).statement.subtitle).toBeUndefined();
  });

  it('splits a title at ": " only when both sides have two words or more', () => {
    expect(parseTextThread('Update: strike\n\nx').statement).toEqual({
      title: 'Update: strike',
      body: 'x',
    });
    expect(parseTextThread('At 10:30 we march\n\nx').statement.subtitle).toBeUndefined();
    expect(parseTextThread('After Paris: what socialists say\n\nx').statement).toMatchObject({
      title: 'After Paris',
      subtitle: 'what socialists say',
    });
  });
});

describe('relayed passages', () => {
  it.each([
    ['Ian McEwan on Paris:', 'Ian McEwan', ['on Paris']],
    ['Robert Greenwood commented (on facebook):', 'Robert Greenwood', ['on facebook']],
    ['Comrade Matt writes:', 'Comrade Matt', []],
    ['Nick Cohen writes in the Observer:', 'Nick Cohen', ['in the Observer']],
    ['Dr Jane Smith said:', 'Dr Jane Smith', []],
    ['Ursula von der Leyen tweeted (on Twitter):', 'Ursula von der Leyen', ['on Twitter']],
    ['The Guardian on the Paris attacks:', 'The Guardian', ['on the Paris attacks']],
    ['Seán O’Brien posted:', 'Seán O’Brien', []],
  ])('recognises %j', (line, name, source) => {
    expect(parseQuotationIntro(line)).toEqual({ name, source });
  });

  it.each([
    'Here is what I think:',
    'The problem is this:',
    'My response takes a slightly different direction.',
    'I agree with Ian McEwan on Paris:',
    'Ian McEwan wrote a fine piece on Paris:',
    'As Ian McEwan said, Paris is charming:',
    'Critical comments are welcome -JD:',
    'He writes:',
    'They said:',
    'Paris:',
    'Ian McEwan on Paris',
    'Jim on the other hand:',
    'Comrade writes:',
    'Ian McEwan, Julian Barnes, Martin Amis and Christopher Hitchens all wrote about it at length:',
  ])('leaves %j alone', (line) => {
    expect(parseQuotationIntro(line)).toBeUndefined();
  });

  it('recognises closing dates', () => {
    for (const date of ['14 November 2015', '14th Nov. 2015', 'November 14, 2015', '2015-11-14']) {
      expect(isDateLine(date), date).toBe(true);
    }
    for (const notDate of ['Ian McEwan', 'in 2015', 'November the fourteenth']) {
      expect(isDateLine(notDate), notDate).toBe(false);
    }
  });

  const commentBody = (body: string): string =>
    parseTextThread(`Title\n\nBody\n\n  1. A Person said,\n\n${body.replace(/^(?=.)/gm, '    ')}\n`)
      .comments[0]?.body ?? '';

  it('quotes to the end of the comment, keeps prose before the intro, and takes the date', () => {
    expect(
      commentBody(
        'Worth reading.\n\nJane Doe writes in the Morning Star:\n\nFirst *quoted*.\nSecond line.\n\nLast.\n\nJane Doe\n1 May 2016',
      ),
    ).toBe(
      'Worth reading.\n\n> First \\*quoted\\*.\\\n> Second line.\n>\n> Last.\n\n— Jane Doe, in the Morning Star, 1 May 2016',
    );
  });

  it('accepts a closing name alone, or name and date at the end of the last paragraph', () => {
    expect(commentBody('Jane Doe writes:\n\nQuoted.\n\nJane Doe')).toBe('> Quoted.\n\n— Jane Doe');
    expect(commentBody('Jane Doe writes:\n\nQuoted.\nJane Doe\n2 May 2016')).toBe(
      '> Quoted.\n\n— Jane Doe, 2 May 2016',
    );
  });

  it('keeps a closing name that is not the intro’s in the quotation', () => {
    expect(commentBody('Jane Doe writes:\n\nQuoted.\n\nJohn Roe\n2 May 2016')).toBe(
      '> Quoted.\n>\n> John Roe\\\n> 2 May 2016\n\n— Jane Doe',
    );
  });

  it('leaves prose alone: a colon line with nothing after it, ordinary colons, names mid-sentence', () => {
    expect(commentBody('Jane Doe writes:')).toBe('Jane Doe writes:');
    expect(commentBody('Here is what I think:\n\nWar is bad.')).toBe(
      'Here is what I think:\n\nWar is bad.',
    );
    expect(commentBody('The problem is this:\n\nNobody listens.')).toBe(
      'The problem is this:\n\nNobody listens.',
    );
    expect(commentBody('I read Ian McEwan on Paris today.\n\nIan McEwan\n14 November 2015')).toBe(
      'I read Ian McEwan on Paris today.\n\nIan McEwan\\\n14 November 2015',
    );
    // An intro line inside a longer paragraph is prose.
    expect(commentBody('Agreed.\nJane Doe writes:\nQuoted.')).toBe(
      'Agreed.\\\nJane Doe writes:\\\nQuoted.',
    );
  });
});

describe('escapeMarkdown', () => {
  it.each([
    ['1. Not a list', '1\\. Not a list'],
    ['2) Not a list', '2\\) Not a list'],
    ['- not a bullet', '\\- not a bullet'],
    ['+ not a bullet', '\\+ not a bullet'],
    ['* not a bullet', '\\* not a bullet'],
    ['# not a heading', '\\# not a heading'],
    ['#hashtag', '#hashtag'],
    ['> not a quote', '\\> not a quote'],
    ['---', '\\---'],
    ['===', '\\==='],
    ['a *literal* _one_ and `code`', 'a \\*literal\\* \\_one\\_ and \\`code\\`'],
    ['[not](a link) <b>x</b>', '\\[not\\](a link) \\<b>x\\</b>'],
    ['~~not struck~~ a|b', '\\~\\~not struck\\~\\~ a\\|b'],
    ['back\\slash', 'back\\\\slash'],
    ['&amp; and &#35; but man& woman', '\\&amp; and \\&#35; but man& woman'],
    ['1986. A year', '1986\\. A year'],
    ['2.5 million', '2.5 million'],
    ['see https://example.org/a_b*c*', 'see https://example.org/a_b*c*'],
    ['“curly” — dashes – kept', '“curly” — dashes – kept'],
  ])('escapes %j', (input, output) => {
    expect(escapeMarkdown(input)).toBe(output);
  });

  it('renders any line of plain text as exactly that text', () => {
    // URLs are left unescaped on purpose (tested above), so the alphabet cannot spell one.
    const alphabet = [...'ab1 \\`*_[]<>~|#-+=.!()&;"\'—x0'];
    const line = fc
      .array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 24 })
      .map((chars) => chars.join('').replace(/ +/g, ' ').trim())
      .filter((s) => s !== '');
    fc.assert(
      fc.property(line, (s) => {
        expect(md.render(escapeMarkdown(s))).toBe(`<p>${md.utils.escapeHtml(s)}</p>\n`);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('malformed threads', () => {
  const expectError = (text: string, message: string): void => {
    let caught: unknown;
    try {
      parseTextThread(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TextThreadError);
    const error = caught as TextThreadError;
    expect(error.message).toBe(message);
    expect(error.code).toBe('text-thread-invalid');
    expect(error.status).toBe(422);
    expect(error.line).toBe(Number(/^line (\d+):/.exec(message)?.[1]));
  };

  it('refuses a text without a title', () => {
    expectError(
      '\n \n',
      'line 1: no title: the text is empty; the first non-empty line should be the statement’s title',
    );
    expectError(
      '\n  1. Jim said,\n    Hi\n',
      'line 2: no title: the text starts with the comment header "1. Jim said,"; put the statement’s title on the first line and its text before the comments',
    );
  });

  it('refuses a reply more than one level deeper than its parent', () => {
    expectError(
      'T\n\nB\n\n  1. Jim said,\n\n    Hi\n\n        • Name said,\n\n          Deep\n',
      'line 9: reply "• Name said," is indented 8 spaces but its parent is at 2; replies go one level (2 spaces) deeper',
    );
  });

  it('refuses a reply at the numbered comments’ level, or before any comment', () => {
    expectError(
      'T\n\nB\n\n  1. Jim said,\n    Hi\n  • Ann said,\n    Yo\n',
      'line 7: reply "• Ann said," is indented 2 spaces, no deeper than the numbered comments (2); replies go one level (2 spaces) deeper than their parent',
    );
    expectError(
      'T\n\nB\n\n    • Ann said,\n      Yo\n',
      'line 5: reply "• Ann said," comes before the first numbered comment; a reply goes under a comment, one level deeper than its "said," line',
    );
  });

  it('allows gaps in the numbers but refuses repeats and decreases', () => {
    const t = parseTextThread('T\n\nB\n\n  2. A said,\n    a\n  5. B said,\n    b\n');
    expect(t.comments.map((c) => c.number)).toEqual([2, 5]);
    expectError(
      'T\n\nB\n\n  1. A said,\n    a\n  1. B said,\n    b\n',
      'line 7: comment number 1 is used twice (first at line 5); each numbered comment needs its own number',
    );
    expectError(
      'T\n\nB\n\n  3. A said,\n    a\n  2. B said,\n    b\n',
      'line 7: comment number 2 comes after number 3 (line 5); numbers must increase (gaps are allowed)',
    );
    expectError('T\n\nB\n\n  0. A said,\n    a\n', 'line 5: comment number 0 must be 1 or more');
  });

  it('refuses a numbered comment out of line with the first', () => {
    expectError(
      'T\n\nB\n\n  1. A said,\n    a\n    2. B said,\n      b\n',
      'line 7: numbered comment "2. B said," is indented 4 spaces but the first one is at 2; numbered comments line up at one level',
    );
  });

  it('refuses text outside any comment, and tabs in the indentation', () => {
    expectError(
      'T\n\nB\n\n  1. A said,\n    a\n  stray\n',
      'line 7: text indented 2 spaces is not inside the comment "A said," (line 5, indented 2); a comment\'s text is indented deeper than its "said," line',
    );
    expectError(
      'T\n\nB\n\n  1. A said,\n    a\n    • B said,\n    b\n',
      'line 8: text indented 4 spaces is not inside the comment "B said," (line 7, indented 4); a comment\'s text is indented deeper than its "said," line',
    );
    expectError(
      'T\n\nB\n\n  1. A said,\n\ta\n',
      'line 6: indentation contains a tab; indent with spaces (2 per level)',
    );
  });
});
