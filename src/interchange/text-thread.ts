/**
 * The plain-text thread form of the sample (`paris-statement-with-comments.txt`): a statement, then
 * numbered comments (`  1. Name said,`) with `•` replies one indentation level deeper each.
 * `parseTextThread` is pure (text in, a tree of Markdown bodies out); the importer stores the result.
 *
 * Rules, in the order the parser applies them:
 *
 * - **Spaces.** Non-breaking, figure and narrow spaces become ordinary spaces; within a line, runs of
 *   spaces collapse to one and the ends are trimmed. Curly quotes, dashes and accents are kept.
 *   Lines may end in LF, CRLF or CR; a leading byte-order mark is ignored.
 * - **Title.** The first non-empty line.
 * - **Subtitle.** Either (a) a line directly under the title, with no blank line between, of at
 *   most 120 characters, not ending in `.`, `,`, `;` or `:`, and followed by a blank line; or, when
 *   there is no such line, (b) the part after the first `": "` of a title of the form
 *   `Main title: subtitle`, when each side has at least two words (so "Update: strike" stays whole).
 *   The Westminster statement is of form (b).
 * - **Statement body.** Everything after the title (and subtitle) until the first numbered comment
 *   header; paragraphs are separated by blank lines.
 * - **Comments.** A numbered header `N. Name said,` must be indented (the sample uses 2 spaces), and
 *   the indentation of the first one is one *level*: every numbered header sits there, each reply
 *   header `• Name said,` sits exactly one level deeper than its parent's header. Numbers must
 *   increase; gaps are allowed (an export that lost deleted comments), repeats and decreases are not.
 *   A comment's text is every following line indented deeper than its header, up to the next header
 *   at the same or a lesser indentation. An empty body is allowed.
 * - **Line breaks.** Lines of one paragraph that were on separate lines stay separate: they are
 *   joined with a CommonMark hard break (a backslash at the end of the line), which every CommonMark
 *   renderer shows as `<br>` whatever its `breaks` option, and which survives whitespace trimming.
 * - **Escaping.** All prose goes through {@link escapeMarkdown}, so the text renders as written.
 * - **Relayed passages** in comment bodies (not in the statement) become attributed quotations:
 *   `> ` paragraphs, then a paragraph `— Name, source, date`; see {@link parseQuotationIntro}.
 */
import { UnprocessableError } from '../platform/errors.js';
import { escapeInline, escapeMarkdown } from './markdown-escape.js';

export { escapeMarkdown } from './markdown-escape.js';

export interface TextStatement {
  title: string;
  subtitle?: string;
  /** Markdown. */
  body: string;
}

export interface TextComment {
  /** The ordinal of a top-level comment ("1." …); absent on replies. */
  number?: number;
  authorName: string;
  /** Markdown; may be ''. */
  body: string;
  replies: TextComment[];
  /** 1-based line of the "said," header. */
  line: number;
}

export interface TextThread {
  statement: TextStatement;
  comments: TextComment[];
}

/** Malformed plain-text thread. The message starts with `line N:` and says what to fix. */
export class TextThreadError extends UnprocessableError {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`, 'text-thread-invalid', { line });
  }
}

const TOP_HEADER = /^( +)(\d+)\. (.*\S) said,$/;
const REPLY_HEADER = /^( *)• (.*\S) said,$/;
/** Any numbered header, indented or not: used to find misplaced ones. */
const ANY_TOP_HEADER = /^( *)(\d+)\. (.*\S) said,$/;

/** Parses the plain-text thread form. Throws {@link TextThreadError} on malformed input. */
export function parseTextThread(text: string): TextThread {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(SPACE_LIKE, ' ').trimEnd());

  const titleAt = lines.findIndex((line) => line.trim() !== '');
  if (titleAt < 0) {
    throw new TextThreadError(
      1,
      'no title: the text is empty; the first non-empty line should be the statement’s title',
    );
  }
  const titleLine = lines[titleAt] ?? '';
  if (TOP_HEADER.test(titleLine) || REPLY_HEADER.test(titleLine)) {
    throw new TextThreadError(
      titleAt + 1,
      `no title: the text starts with the comment header "${titleLine.trim()}"; ` +
        'put the statement’s title on the first line and its text before the comments',
    );
  }

  let title = collapse(titleLine);
  let subtitle: string | undefined;
  let bodyFrom = titleAt + 1;
  const next = lines[titleAt + 1] ?? '';
  if (isSubtitleLine(next) && (lines[titleAt + 2] ?? '').trim() === '') {
    subtitle = collapse(next);
    bodyFrom = titleAt + 2;
  } else {
    const split = splitTitle(title);
    if (split) [title, subtitle] = split;
  }

  let firstHeader = lines.findIndex((line, i) => i >= bodyFrom && TOP_HEADER.test(line));
  if (firstHeader < 0) firstHeader = lines.length;
  for (let i = bodyFrom; i < firstHeader; i++) {
    const reply = REPLY_HEADER.exec(lines[i] ?? '');
    if (reply) {
      throw new TextThreadError(
        i + 1,
        `reply "• ${reply[2]} said," comes before the first numbered comment; ` +
          'a reply goes under a comment, one level deeper than its "said," line',
      );
    }
  }

  const statement: TextStatement = {
    title,
    body: renderParagraphs(paragraphsOf(lines.slice(bodyFrom, firstHeader))),
  };
  if (subtitle !== undefined) statement.subtitle = subtitle;

  return { statement, comments: parseComments(lines, firstHeader) };
}

interface OpenComment {
  comment: TextComment;
  indent: number;
  /** Body lines as read (indentation kept); '' for a blank line. */
  text: string[];
}

function parseComments(lines: readonly string[], from: number): TextComment[] {
  const comments: TextComment[] = [];
  if (from >= lines.length) return comments;
  const level = indentOf(lines[from] ?? ''); // the first numbered header's indentation
  const stack: OpenComment[] = [];
  let lastNumber: { number: number; line: number } | undefined;

  const close = (open: OpenComment): void => {
    open.comment.body = renderCommentBody(paragraphsOf(open.text));
  };
  const closeDownTo = (indent: number): void => {
    while (stack.length > 0 && (stack[stack.length - 1]?.indent ?? 0) >= indent) {
      close(stack.pop() as OpenComment);
    }
  };

  for (let i = from; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const lineNo = i + 1;
    if (raw.trim() === '') {
      stack[stack.length - 1]?.text.push('');
      continue;
    }
    if (/^ *\t/.test(raw)) {
      throw new TextThreadError(
        lineNo,
        `indentation contains a tab; indent with spaces (${level} per level)`,
      );
    }
    const indent = indentOf(raw);

    const top = ANY_TOP_HEADER.exec(raw);
    if (top) {
      const number = Number(top[2]);
      const authorName = collapse(top[3] ?? '');
      if (indent !== level) {
        throw new TextThreadError(
          lineNo,
          `numbered comment "${number}. ${authorName} said," is indented ${indent} spaces ` +
            `but the first one is at ${level}; numbered comments line up at one level`,
        );
      }
      if (number < 1) {
        throw new TextThreadError(lineNo, `comment number ${number} must be 1 or more`);
      }
      if (lastNumber && number === lastNumber.number) {
        throw new TextThreadError(
          lineNo,
          `comment number ${number} is used twice (first at line ${lastNumber.line}); ` +
            'each numbered comment needs its own number',
        );
      }
      if (lastNumber && number < lastNumber.number) {
        throw new TextThreadError(
          lineNo,
          `comment number ${number} comes after number ${lastNumber.number} (line ${lastNumber.line}); ` +
            'numbers must increase (gaps are allowed)',
        );
      }
      lastNumber = { number, line: lineNo };
      closeDownTo(0);
      const comment: TextComment = { number, authorName, body: '', replies: [], line: lineNo };
      comments.push(comment);
      stack.push({ comment, indent, text: [] });
      continue;
    }

    const reply = REPLY_HEADER.exec(raw);
    if (reply) {
      const authorName = collapse(reply[2] ?? '');
      closeDownTo(indent);
      const parent = stack[stack.length - 1];
      if (!parent) {
        throw new TextThreadError(
          lineNo,
          `reply "• ${authorName} said," is indented ${indent} spaces, no deeper than the ` +
            `numbered comments (${level}); replies go one level (${level} spaces) deeper than their parent`,
        );
      }
      if (indent !== parent.indent + level) {
        throw new TextThreadError(
          lineNo,
          `reply "• ${authorName} said," is indented ${indent} spaces but its parent is at ` +
            `${parent.indent}; replies go one level (${level} spaces) deeper`,
        );
      }
      const comment: TextComment = { authorName, body: '', replies: [], line: lineNo };
      parent.comment.replies.push(comment);
      stack.push({ comment, indent, text: [] });
      continue;
    }

    const current = stack[stack.length - 1];
    if (!current) throw new Error('unreachable: comment text before any header');
    if (indent <= current.indent) {
      throw new TextThreadError(
        lineNo,
        `text indented ${indent} spaces is not inside the comment "${current.comment.authorName} said," ` +
          `(line ${current.comment.line}, indented ${current.indent}); a comment's text is indented ` +
          `deeper than its "said," line`,
      );
    }
    current.text.push(raw);
  }
  closeDownTo(0);
  return comments;
}

// ---------------------------------------------------------------------------------------------
// Text helpers

const SPACE_LIKE = /[\u00A0\u2007\u202F]/g;

function collapse(line: string): string {
  return line
    .replace(SPACE_LIKE, ' ')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

function indentOf(line: string): number {
  return /^ */.exec(line)?.[0].length ?? 0;
}

function isSubtitleLine(line: string): boolean {
  const text = collapse(line);
  return (
    text !== '' &&
    text.length <= 120 &&
    !/[.,;:]$/.test(text) &&
    !TOP_HEADER.test(line) &&
    !REPLY_HEADER.test(line)
  );
}

function splitTitle(title: string): [string, string] | undefined {
  const at = title.indexOf(': ');
  if (at < 0) return undefined;
  const main = title.slice(0, at).trim();
  const sub = title.slice(at + 2).trim();
  const words = (s: string): number => s.split(' ').filter(Boolean).length;
  return words(main) >= 2 && words(sub) >= 2 ? [main, sub] : undefined;
}

/** Groups lines into paragraphs (blank-line separated), each a list of collapsed lines. */
function paragraphsOf(lines: readonly string[]): string[][] {
  const paragraphs: string[][] = [];
  let current: string[] = [];
  for (const line of lines) {
    const text = collapse(line);
    if (text === '') {
      if (current.length > 0) paragraphs.push(current);
      current = [];
    } else {
      current.push(text);
    }
  }
  if (current.length > 0) paragraphs.push(current);
  return paragraphs;
}

/** Lines of one paragraph, escaped, joined with CommonMark hard breaks. */
function renderParagraph(lines: readonly string[], prefix = ''): string {
  return lines.map((line) => prefix + escapeMarkdown(line)).join('\\\n');
}

function renderParagraphs(paragraphs: readonly (readonly string[])[]): string {
  return paragraphs.map((p) => renderParagraph(p)).join('\n\n');
}

function renderCommentBody(paragraphs: string[][]): string {
  const quotation = findQuotation(paragraphs);
  if (!quotation) return renderParagraphs(paragraphs);
  const before = renderParagraphs(paragraphs.slice(0, quotation.introIndex));
  const quoted = quotation.paragraphs.map((p) => renderParagraph(p, '> ')).join('\n>\n');
  const caption = `— ${escapeInline(attributionText(quotation.attribution))}`;
  return [before, quoted, caption].filter(Boolean).join('\n\n');
}

// ---------------------------------------------------------------------------------------------
// Relayed passages → attributed quotations

export interface QuotationIntro {
  /** Who: "Ian McEwan", "Comrade Matt". */
  name: string;
  /** Where or what, as written: "on Paris", "on facebook", "in the Guardian". */
  source: string[];
}

export interface Attribution extends QuotationIntro {
  date?: string;
}

const TITLES = new Set(
  (
    'Comrade Comrades Dr Dr. Doctor Mr Mr. Mrs Mrs. Ms Ms. Mx Miss Prof Prof. Professor Sir ' +
    'Dame Lord Lady Rev Rev. Reverend Father Brother Sister Cllr Councillor Senator President ' +
    'The'
  ).split(' '),
);

const NOT_A_NAME = new Set(
  (
    'I He She It We You They This That These Those Here There What Who Which Someone Somebody ' +
    'Everyone Everybody Nobody No One My Your His Her Our Their Its A An And But So Then Also ' +
    'As If When Well Yes Now Today Yesterday All Some Many Most People'
  ).split(' '),
);

const WORD = String.raw`\p{Lu}[\p{L}\p{M}'’.\-]*`;
const PARTICLE = String.raw`(?:de|da|di|du|del|della|der|den|van|von|la|le|bin|ibn|al|el|ter|ten)`;
const NAME = String.raw`(${WORD}(?:\s+(?:${PARTICLE}\s+){0,2}${WORD}){0,5})`;
const VERB = String.raw`(?:writes|wrote|said|says|commented|comments|posted|posts|tweeted|tweets|argues|argued|adds|added|notes|noted|replied|replies|responded|responds|remarked|remarks|observed|observes|explained|explains|declared|declares|stated|states|puts it|put it)`;
const SOURCE = String.raw`(?:(?:the|a|an)\s+)?${WORD}(?:\s+[\p{L}\p{N}'’.\-]+){0,3}`;
const PAREN = String.raw`\(((?:on|in|at|via|from)\s+[^()]{1,40})\)`;
const INTRO = new RegExp(
  String.raw`^${NAME}\s+(?:${VERB}(?:\s+((?:on|in|at|for)\s+${SOURCE}))?|((?:on|in)\s+${SOURCE}))(?:\s+${PAREN})?\s*:$`,
  'u',
);

/**
 * Recognises the line that introduces a relayed passage ("Ian McEwan on Paris:", "Robert Greenwood
 * commented (on facebook):", "Comrade Matt writes:"); undefined for anything else. The rule:
 * an *intro* paragraph of one line, at most 80 characters, ending in `:`, of the form
 * `NAME REPORTING[ (PAREN)]:` where NAME is one to four capitalised words (particles such as "de",
 * "van", "al" allowed between them) optionally preceded by up to two titles ("Comrade", "Dr",
 * "The"…), not starting with a pronoun or a common sentence opener ("I", "He", "This", "Here"…);
 * REPORTING is a reporting verb (writes, wrote, said, says, commented, posted, tweeted, argues,
 * adds, notes, replied…) optionally followed by `on|in|at|for SOURCE`, or directly `on|in SOURCE`
 * ("Ian McEwan on Paris"); SOURCE is up to four words, the first capitalised (after an optional
 * "the"/"a"); PAREN starts with on/in/at/via/from ("(on facebook)"). The quotation is every
 * paragraph after the intro to the end of the comment; a final paragraph that is the intro's name
 * alone, or the name and a date on two lines (or those two lines ending the last paragraph), is
 * the closing signature: removed from the quotation, its date goes into the attribution. The intro
 * is replaced by the attribution paragraph `— Name, source, date`; source words are kept as
 * written, without parentheses ("— Robert Greenwood, on facebook"). The paragraphs before the intro
 * stay as prose. Without at least one quoted paragraph, nothing is changed.
 */
export function parseQuotationIntro(line: string): QuotationIntro | undefined {
  const text = collapse(line);
  if (text.length > 80) return undefined;
  const match = INTRO.exec(text);
  if (!match) return undefined;
  const name = match[1] ?? '';
  const words = name.split(' ');
  let titles = 0;
  while (titles < words.length && TITLES.has(words[titles] ?? '')) titles++;
  const nameWords = words.slice(titles);
  if (titles > 2 || nameWords.length < 1 || nameWords.length > 4) return undefined;
  if (NOT_A_NAME.has(words[0] ?? '') || nameWords.some((w) => NOT_A_NAME.has(w))) return undefined;
  const source = [match[2], match[3], match[4]].filter((s): s is string => Boolean(s));
  return { name, source };
}

const MONTH = String.raw`(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`;
const WEEKDAY = String.raw`(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?`;
const DATE = new RegExp(
  String.raw`^${WEEKDAY}(?:\d{1,2}(?:st|nd|rd|th)?\s+${MONTH},?\s+\d{4}|${MONTH}\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|${MONTH}\s+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})$`,
  'i',
);

/** True for a line that is only a date: "14 November 2015", "Nov 14, 2015", "2015-11-14"… */
export function isDateLine(line: string): boolean {
  return DATE.test(collapse(line));
}

function sameName(a: string, b: string): boolean {
  const bare = (s: string): string => {
    const words = collapse(s).toLowerCase().split(' ');
    while (words.length > 1 && TITLES.has(capitalise(words[0] ?? ''))) words.shift();
    return words.join(' ');
  };
  return bare(a) === bare(b);
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

interface FoundQuotation {
  introIndex: number;
  paragraphs: string[][];
  attribution: Attribution;
}

function findQuotation(paragraphs: readonly string[][]): FoundQuotation | undefined {
  for (let i = 0; i < paragraphs.length - 1; i++) {
    const paragraph = paragraphs[i] ?? [];
    if (paragraph.length !== 1) continue;
    const intro = parseQuotationIntro(paragraph[0] ?? '');
    if (!intro) continue;
    const quoted = paragraphs.slice(i + 1).map((p) => [...p]);
    const attribution: Attribution = { ...intro };
    const last = quoted[quoted.length - 1] ?? [];
    const n = last.length;
    if (n >= 2 && sameName(last[n - 2] ?? '', intro.name) && isDateLine(last[n - 1] ?? '')) {
      attribution.date = last[n - 1];
      last.splice(n - 2, 2);
    } else if (n >= 1 && sameName(last[n - 1] ?? '', intro.name)) {
      last.splice(n - 1, 1);
    }
    if (last.length === 0) quoted.pop();
    if (quoted.length === 0) return undefined;
    return { introIndex: i, paragraphs: quoted, attribution };
  }
  return undefined;
}

/** "Ian McEwan, on Paris, 14 November 2015". */
export function attributionText(attribution: Attribution): string {
  return [attribution.name, ...attribution.source, attribution.date]
    .filter((part): part is string => Boolean(part))
    .join(', ');
}
