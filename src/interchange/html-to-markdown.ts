/**
 * The HTML of imported posts and comments (WordPress, Disqus) → our Markdown subset: paragraphs,
 * line breaks, links, emphasis, inline code and code blocks, blockquotes, lists, rules, and
 * headings for statements. Everything else goes: scripts, styles, frames, forms, images (an
 * image's alt text stays where it is a link's only text) and every attribute but a link's
 * address. Text keeps its words; what would read as Markdown syntax is escaped. The result is
 * rendered by the normal renderer (`renderMarkdown`), which checks links once more.
 *
 * Parsed with htmlparser2 (forgiving, like a browser, of unclosed and misnested tags). Pure; no
 * I/O.
 *
 * WordPress stores text as people typed it and adds paragraphs only when it shows a page
 * (`wpautop`): a blank line ends a paragraph and a single line break breaks the line. Disqus stores
 * real HTML, where line breaks in the source are mere white space. `whitespace` chooses.
 */
import { Parser } from 'htmlparser2';
import { renderMarkdown, safeHref } from '../discussion/markdown.js';
import { escapeInline, escapeLineStart } from './markdown-escape.js';

export interface HtmlToMarkdownOptions {
  /**
   * `autop`: line breaks in text mean what WordPress shows (blank line = new paragraph, single
   * line break = line break). `html`: white space collapses, as in a browser (Disqus).
   */
  whitespace: 'autop' | 'html';
  /** Keep headings as `#` (statements); in comments they become ordinary paragraphs. */
  headings?: boolean;
  /** Relative links are resolved against this (a WordPress site's address); else they are dropped. */
  baseUrl?: string;
}

interface Element {
  tag: string;
  attrs: Record<string, string>;
  children: Node[];
  parent: Element | undefined;
}
type Node = Element | string;

/** Dropped with everything inside them. */
const DROPPED = new Set(
  (
    'script style template iframe frame frameset noframes object embed applet svg math noscript ' +
    'head title select textarea audio video canvas map xmp plaintext button input'
  ).split(' '),
);

/** Elements that start a block of their own; anything else is inline. */
const BLOCKS = new Set(
  (
    'p div section article header footer aside nav main figure figcaption address center dl dt ' +
    'dd details summary fieldset form table thead tbody tfoot tr caption h1 h2 h3 h4 h5 h6 ' +
    'blockquote ul ol li pre hr body html'
  ).split(' '),
);

const HEADING = /^h([1-6])$/;
const MAX_NESTING = 64;
/** Elements kept in a tree; those after are left out (their text stays), bounding its memory. */
const MAX_ELEMENTS = 50_000;
/** Quotes in quotes, and lists in lists, deeper than a reader can follow are flattened. */
const MAX_QUOTE_DEPTH = 8;
const MAX_LIST_DEPTH = 8;
/** Separates paragraphs inside inline output; never in the input (control characters are removed). */
const PARAGRAPH = '\u0001';
// The separator is a control character on purpose.
// eslint-disable-next-line no-control-regex
const LINE_OR_PARAGRAPH = /(\n|\u0001)/;
// eslint-disable-next-line no-control-regex
const LINES_AND_PARAGRAPHS = /[\n\u0001]+/g;
// Control characters other than tab and line breaks: not text, and refused in bodies.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
/** WordPress shortcodes that wrap media; their tags go, the text between them stays. */
const SHORTCODE = /\[\/?(?:caption|wp_caption|gallery|embed|audio|video|playlist)\b[^\]]*\]/g;

/**
 * Builds a small tree: nesting deeper than {@link MAX_NESTING} is flattened into its parent, and
 * elements past {@link MAX_ELEMENTS} are left out, their text kept.
 */
function parse(html: string): Element {
  const root: Element = { tag: '#root', attrs: {}, children: [], parent: undefined };
  let current = root;
  let depth = 0;
  let elements = 0;
  let ignored = 0; // open elements not added because of the limits
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (depth >= MAX_NESTING || elements >= MAX_ELEMENTS) {
          ignored++;
          return;
        }
        elements++;
        const element: Element = { tag: name, attrs, children: [], parent: current };
        current.children.push(element);
        current = element;
        depth++;
      },
      ontext(text) {
        const last = current.children.at(-1);
        if (typeof last === 'string') current.children[current.children.length - 1] = last + text;
        else current.children.push(text);
      },
      onclosetag() {
        if (ignored > 0) {
          ignored--;
          return;
        }
        if (current.parent) {
          current = current.parent;
          depth--;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return root;
}

interface Context {
  options: HtmlToMarkdownOptions;
  /** Inside a link: no nested links, images give their alt text. */
  inLink: boolean;
  /** Inside emphasis or strong emphasis: nested ones add nothing (`<b><b>…</b></b>`). */
  inEm?: boolean;
  inStrong?: boolean;
  /** How many quotes and lists the content is inside. */
  quotes?: number;
  lists?: number;
}

/**
 * The longest HTML converted: its tree is built in the reading thread (64 MB of heap), and no post
 * or comment whose Markdown a site could keep comes near it.
 */
export const HTML_MAX_CHARS = 2 * 1024 * 1024;
/** `data:` addresses longer than this (images pasted into a post) are dropped from long HTML. */
const DATA_ADDRESS_MIN = 256;

/**
 * `html`, if it is short enough to convert, after dropping the long `data:` addresses of a long
 * one (images pasted into a post, often most of it; never kept anyway); undefined when it is still
 * too long.
 */
export function fitHtml(html: string): string | undefined {
  if (html.length <= HTML_MAX_CHARS) return html;
  let lighter = '';
  let from = 0;
  // Scanned, not matched with a regular expression: a run of megabytes overflows a backtracking one.
  for (let at = html.indexOf('data:'); at >= 0; at = html.indexOf('data:', from)) {
    let end = at + 5;
    while (end < html.length && !ADDRESS_END.has(html.charCodeAt(end))) end++;
    lighter += html.slice(from, end - at >= DATA_ADDRESS_MIN ? at + 5 : end);
    if (end - at >= DATA_ADDRESS_MIN) lighter += ',';
    from = end;
  }
  lighter += html.slice(from);
  return lighter.length <= HTML_MAX_CHARS ? lighter : undefined;
}
/** What ends an address in HTML or CSS: quotes, `)`, `>` and white space. */
const ADDRESS_END = new Set([0x22, 0x27, 0x29, 0x3e, 0x20, 0x09, 0x0a, 0x0c, 0x0d]);

/**
 * `markdown` rendered by the discussion's renderer, or '' when it is longer than any site keeps
 * a comment (a site's `maxBodyLength` is at most 100,000): it is refused for that, unrendered.
 */
export function rendered(markdown: string): string {
  return markdown !== '' && markdown.length <= RENDERED_MAX_CHARS ? renderMarkdown(markdown) : '';
}
const RENDERED_MAX_CHARS = 100_000;

/** Why a body longer than {@link fitHtml} takes is not imported. */
export function tooLongHtml(html: string): string {
  return `its HTML is ${html.length.toLocaleString('en')} characters long, more than the ${HTML_MAX_CHARS.toLocaleString('en')} an import converts`;
}

/**
 * Converts one post's or comment's HTML to Markdown of our subset; '' when nothing readable is
 * left (a comment that was only an image).
 */
export function htmlToMarkdown(html: string, options: HtmlToMarkdownOptions): string {
  let source = html.replace(CONTROL, '');
  if (options.whitespace === 'autop') source = source.replace(SHORTCODE, '');
  // Plain text (most comments) needs no parser: the same text rules, taken directly.
  if (!/[<&]/.test(source)) return plainTextOf(source, options);
  return blocksOf(parse(source).children, { options, inLink: false }).join('\n\n');
}

/** What {@link blocksOf} makes of text without markup, without building a tree. */
function plainTextOf(text: string, options: HtmlToMarkdownOptions): string {
  const paragraphs =
    options.whitespace === 'html' ? [text] : text.replace(/\r\n?/g, '\n').split(/\n[ \t\f]*\n\s*/);
  const out: string[] = [];
  for (const paragraph of paragraphs) {
    const lines =
      options.whitespace === 'html'
        ? [paragraph.replace(/[\t\n\r\f ]+/g, ' ')]
        : paragraph.split('\n');
    let kept = '';
    for (const raw of lines) {
      const line = raw.replace(/[\t\f ]+/g, ' ').trim();
      if (line === '') {
        if (kept !== '') out.push(kept);
        kept = '';
      } else kept += (kept === '' ? '' : '\n') + escapeLineStart(escapeInline(line));
    }
    if (kept !== '') out.push(kept);
  }
  return out.join('\n\n');
}

function isBlock(node: Node): node is Element {
  return typeof node !== 'string' && BLOCKS.has(node.tag);
}

/** The Markdown blocks of a sequence of nodes: runs of inline content become paragraphs. */
function blocksOf(nodes: readonly Node[], ctx: Context): string[] {
  const blocks: string[] = [];
  let run: Node[] = [];
  const flush = () => {
    if (run.length > 0) blocks.push(...paragraphsOf(inlineOf(run, ctx)));
    run = [];
  };
  for (const node of nodes) {
    if (typeof node !== 'string' && DROPPED.has(node.tag)) continue;
    if (!isBlock(node)) {
      run.push(node);
      continue;
    }
    flush();
    blocks.push(...blockOf(node, ctx));
  }
  flush();
  return blocks.filter((block) => block !== '');
}

function blockOf(element: Element, ctx: Context): string[] {
  const { tag } = element;
  const heading = HEADING.exec(tag);
  if (heading) {
    const text = paragraphsOf(inlineOf(element.children, ctx)).join(' ').replace(/\n/g, ' ');
    if (text === '') return [];
    // A heading's text is one line; escapeLineStart does not apply after "# ".
    return [ctx.options.headings ? `${'#'.repeat(Number(heading[1]))} ${text}` : text];
  }
  switch (tag) {
    case 'blockquote': {
      const quotes = ctx.quotes ?? 0;
      if (quotes >= MAX_QUOTE_DEPTH) return blocksOf(element.children, ctx);
      const inner = blocksOf(element.children, { ...ctx, quotes: quotes + 1 }).join('\n\n');
      if (inner === '') return [];
      return [
        inner
          .split('\n')
          .map((line) => (line === '' ? '>' : `> ${line}`))
          .join('\n'),
      ];
    }
    case 'ul':
    case 'ol':
      return listOf(element, ctx);
    case 'pre':
      return codeBlockOf(element);
    case 'hr':
      return ['---'];
    case 'table':
    case 'thead':
    case 'tbody':
    case 'tfoot':
      return blocksOf(element.children, ctx);
    case 'tr': {
      // Tables are not part of the subset: a row becomes a line of its cells' text.
      const cells = element.children
        .filter((cell): cell is Element => typeof cell !== 'string')
        .map((cell) => paragraphsOf(inlineOf(cell.children, ctx)).join(' ').replace(/\n/g, ' '))
        .filter((text) => text !== '');
      return cells.length === 0 ? [] : [cells.join(' \\| ')];
    }
    default:
      return blocksOf(element.children, ctx);
  }
}

function listOf(list: Element, outer: Context): string[] {
  const lists = outer.lists ?? 0;
  if (lists >= MAX_LIST_DEPTH) {
    // Too deep to indent further: the items' content as blocks of their own.
    return list.children.flatMap((child) =>
      typeof child !== 'string' && child.tag === 'li'
        ? blocksOf(child.children, outer)
        : blocksOf([child], outer),
    );
  }
  const ctx = { ...outer, lists: lists + 1 };
  const ordered = list.tag === 'ol';
  const start = Number.parseInt(list.attrs.start ?? '1', 10);
  let number = Number.isInteger(start) && start >= 0 && start < 1e9 ? start : 1;
  const items: string[][] = [];
  for (const child of list.children) {
    if (typeof child !== 'string' && DROPPED.has(child.tag)) continue;
    // Text directly inside a list (invalid HTML) is an item of its own.
    const content = typeof child !== 'string' && child.tag === 'li' ? child.children : [child];
    const blocks = blocksOf(content, ctx);
    if (blocks.length > 0) items.push(blocks);
  }
  if (items.length === 0) return [];
  // A list inside an item keeps the list tight; a second paragraph does not.
  const prose = (blocks: string[]) => blocks.filter((block) => !NESTABLE_LIST.test(block));
  const tight = items.every((blocks) => prose(blocks).length <= 1);
  const rendered = items.map((blocks) => {
    const marker = ordered ? `${number++}. ` : '- ';
    const indent = ' '.repeat(marker.length);
    return blocks
      .map((block, i) => (i === 0 ? block : (tight ? '\n' : '\n\n') + block))
      .join('')
      .split('\n')
      .map((line, i) => (i === 0 ? marker + line : line === '' ? '' : indent + line))
      .join('\n');
  });
  return [rendered.join(tight ? '\n' : '\n\n')];
}

/** A list that may follow a line of text directly (CommonMark: bullets, or numbers from 1). */
const NESTABLE_LIST = /^(?:- |1\. )/;

function codeBlockOf(pre: Element): string[] {
  const code = rawTextOf(pre).replace(/^\n/, '').replace(/\s+$/, '');
  if (code.trim() === '') return [];
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}\n${code}\n${fence}`];
}

/** The text of an element as written (code): line breaks for `<br>`, nothing dropped but scripts. */
function rawTextOf(element: Element): string {
  let text = '';
  for (const child of element.children) {
    if (typeof child === 'string') text += child;
    else if (child.tag === 'br') text += '\n';
    else if (!DROPPED.has(child.tag)) text += rawTextOf(child);
  }
  return text;
}

/**
 * Inline Markdown of `nodes`: `\n` for a line break, {@link PARAGRAPH} between paragraphs (blank
 * lines in WordPress text, or a block element inside inline content).
 */
function inlineOf(nodes: readonly Node[], ctx: Context): string {
  let out = '';
  // Whether `out` ends with a `*` delimiter: emphasis right after it (`<i>a</i><i>b</i>`) is
  // written with `_`, for `*a**b*` would read as a literal `**`.
  let afterStar = false;
  for (const node of nodes) {
    let piece: string;
    if (typeof node === 'string') piece = textOf(node, ctx.options);
    else if (DROPPED.has(node.tag)) continue;
    else piece = inlineElementOf(node, ctx, afterStar);
    if (piece === '') continue;
    out += piece;
    afterStar = piece.endsWith('*') && !piece.endsWith('\\*');
  }
  return out;
}

function textOf(text: string, options: HtmlToMarkdownOptions): string {
  if (options.whitespace === 'html') return escapeInline(text.replace(/[\t\n\r\f ]+/g, ' '));
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t\f]*\n\s*/)
    .map((paragraph) =>
      paragraph
        .split('\n')
        .map((line) => escapeInline(line.replace(/[\t\f ]+/g, ' ')))
        .join('\n'),
    )
    .join(PARAGRAPH);
}

function inlineElementOf(element: Element, ctx: Context, afterStar = false): string {
  switch (element.tag) {
    case 'br':
      return '\n';
    case 'em':
    case 'i':
    case 'cite':
    case 'dfn':
    case 'var':
      return ctx.inEm
        ? inlineOf(element.children, ctx)
        : wrap(inlineOf(element.children, { ...ctx, inEm: true }), afterStar ? '_' : '*');
    case 'strong':
    case 'b':
      return ctx.inStrong
        ? inlineOf(element.children, ctx)
        : wrap(inlineOf(element.children, { ...ctx, inStrong: true }), afterStar ? '__' : '**');
    case 'code':
    case 'tt':
    case 'kbd':
    case 'samp':
      return codeSpanOf(rawTextOf(element));
    case 'q':
      return `“${inlineOf(element.children, ctx)}”`;
    case 'img':
      return ctx.inLink ? escapeInline((element.attrs.alt ?? '').trim()) : '';
    case 'a':
      return linkOf(element, ctx);
    default:
      // A block inside inline content (`<b><p>…</p></b>`) still separates paragraphs.
      if (BLOCKS.has(element.tag)) {
        const blocks = blocksOf(element.children, ctx);
        return blocks.length === 0 ? '' : PARAGRAPH + blocks.join(PARAGRAPH) + PARAGRAPH;
      }
      return inlineOf(element.children, ctx);
  }
}

/**
 * Wraps each line of `inner` in `delimiter` (emphasis must not span a line or a paragraph break),
 * with white space kept outside, where Markdown needs it.
 */
function wrap(inner: string, delimiter: string): string {
  return inner
    .split(LINE_OR_PARAGRAPH)
    .map((part) => {
      if (part === '\n' || part === PARAGRAPH) return part;
      const match = /^(\s*)([\s\S]*?)(\s*)$/.exec(part);
      const [, lead = '', core = '', trail = ''] = match ?? [];
      return core === '' ? part : `${lead}${delimiter}${core}${delimiter}${trail}`;
    })
    .join('');
}

function codeSpanOf(code: string): string {
  const text = code.replace(/\s+/g, ' ');
  if (text.trim() === '') return text;
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

function linkOf(element: Element, ctx: Context): string {
  if (ctx.inLink) return inlineOf(element.children, ctx); // no links inside links
  const text = inlineOf(element.children, { ...ctx, inLink: true })
    .replace(LINES_AND_PARAGRAPHS, ' ')
    .trim();
  const href = hrefOf(element.attrs.href, ctx.options.baseUrl);
  if (href === null) return text;
  return `[${text === '' ? escapeInline(href) : text}](<${href}>)`;
}

/** The address a link may have: absolute http(s) or mailto (see `safeHref`), or null. */
function hrefOf(given: string | undefined, baseUrl: string | undefined): string | null {
  const trimmed = given?.trim();
  if (!trimmed) return null;
  const href = DISQUS_REDIRECT.test(trimmed) ? unwrapDisqus(trimmed) : trimmed;
  let absolute = href;
  if (baseUrl !== undefined && !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('//')) {
    try {
      absolute = new URL(href, baseUrl).href;
    } catch {
      return null;
    }
  }
  const safe = safeHref(absolute);
  // `<…>` destinations cannot hold these; the parsed URL has them percent-encoded already.
  return safe === null || /[<>\s]/.test(safe) ? null : safe;
}

const DISQUS_REDIRECT = /^https?:\/\/disq\.us\//i;

/**
 * The address behind Disqus's redirector, which wraps every link of a comment
 * (`https://disq.us/url?url=<address>%3A<key>&cuid=…`): once the forum is gone it leads nowhere.
 */
function unwrapDisqus(href: string): string {
  let target: string | null;
  try {
    target = new URL(href).searchParams.get('url');
  } catch {
    return href;
  }
  const address = target?.replace(/:[\w-]{8,}$/, '') ?? '';
  return /^https?:\/\//i.test(address) ? address : href;
}

/**
 * Splits inline output into paragraphs and lines, trims them, escapes what a line starts with,
 * and drops what is empty. Two line breaks in a row (`<br><br>`) end a paragraph, as they look.
 */
function paragraphsOf(inline: string): string[] {
  const paragraphs: string[] = [];
  for (const chunk of inline.split(PARAGRAPH)) {
    let lines: string[] = [];
    const flush = () => {
      if (lines.length > 0) paragraphs.push(lines.join('\n'));
      lines = [];
    };
    for (const raw of chunk.split('\n')) {
      // Dropped elements leave the spaces that stood either side of them.
      const line = raw.trim().replace(/ {2,}/g, ' ');
      if (line === '') flush();
      else lines.push(escapeLineStart(line));
    }
    flush();
  }
  return paragraphs;
}

/**
 * The text of a short piece of HTML (a title, a name): tags dropped, entities decoded (WordPress
 * keeps `&#8217;` in titles), white space collapsed. Not for bodies: no Markdown is escaped.
 */
export function htmlToText(html: string): string {
  const source = html.replace(CONTROL, '');
  if (!/[<&]/.test(source)) return source.replace(/\s+/g, ' ').trim();
  let text = '';
  let dropped = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (DROPPED.has(name)) dropped++;
      },
      ontext(data) {
        if (dropped === 0) text += data;
      },
      onclosetag(name) {
        if (DROPPED.has(name) && dropped > 0) dropped--;
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.end(source);
  return text.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}
