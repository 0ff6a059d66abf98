/**
 * Comment and statement bodies: a deliberately small, safe Markdown subset rendered to HTML once,
 * at write time, plus the plain-text excerpt and the "is it empty?" test that go with it.
 * Pure; no I/O. The markdown-it instances are built once, at module load.
 *
 * The subset: paragraphs; line breaks (a single Enter is a line break, as commenters expect and
 * as the sample thread's comments 7 and 8 are written); emphasis and strong; inline code, fenced
 * and indented code blocks; blockquotes; ordered and unordered lists; links (inline, reference,
 * `<autolinks>` and bare URLs / `www.` / e-mail addresses); horizontal rules; headings only for
 * statements. Raw HTML is shown as text. Tables and strikethrough are off.
 *
 * Decisions worth knowing:
 * - Links: only `http:`, `https:` and `mailto:` survive, checked twice — by markdown-it's
 *   `validateLink` while parsing (a refused `[text](javascript:…)` stays literal text) and on the
 *   final href, parsed with WHATWG `URL` exactly as a browser would, before rendering (a link
 *   that fails is unwrapped: its text stays, the `<a>` goes). The href stored is that parsed
 *   URL's serialisation, so what was checked is what is served. Relative links are refused (the
 *   same body is shown on the page, in the embed, in feeds and in e-mail, where they would
 *   resolve differently); protocol-relative `//host/…` is upgraded to `https://host/…`. Every
 *   `<a>` carries only `href` and `rel="nofollow ugc noopener"`: no `title`, no `target`.
 * - Images never load: `![alt](url)` becomes an ordinary link to the URL whose text is the alt
 *   text (the URL when there is none). Loading it would make every reader's browser fetch from a
 *   third party, telling it who reads what; a link keeps the information and leaves that choice
 *   to the reader, who clicks. Its URL passes the same checks as any link.
 * - Headings (`options.headings`, statements only): in comments `#` and setext underlines are not
 *   syntax at all, so `# of victims` keeps its `#` and renders as the paragraph the writer typed.
 * - Quotations with attribution: a blockquote followed by a paragraph that starts with `—` or
 *   `--` becomes `<figure class="quotation"><blockquote>…</blockquote><figcaption>— …`.
 *   The attribution line may also follow the quote directly, without a blank line (Markdown
 *   would otherwise fold that "lazy" line into the quote). See {@link renderMarkdown}.
 */
import markdownIt from 'markdown-it';
import type { MarkdownIt, StateCore, Token } from 'markdown-it';

export interface RenderOptions {
  /** Allow `#` and setext headings (statements). Off for comments. */
  headings?: boolean;
}

/** The `rel` of every rendered link: user-generated, not endorsed, no `window.opener`. */
export const LINK_REL = 'nofollow ugc noopener';

const ALLOWED_SCHEME = /^(?:https?|mailto):/i;

/**
 * The href to store for a link destination, or `null` when it must not become a link: anything
 * but an absolute `http:`/`https:` URL with a host and no user name or password in it (a link
 * that hides its real host is phishing) or a non-empty `mailto:` (protocol-relative `//host` is
 * taken as `https:`). Parsed with WHATWG `URL`, so entity or case tricks, control
 * characters and whitespace are judged exactly as a browser would judge them.
 */
export function safeHref(href: string): string | null {
  const absolute = href.startsWith('//') ? `https:${href}` : href;
  if (!ALLOWED_SCHEME.test(absolute)) return null;
  let url: URL;
  try {
    url = new URL(absolute);
  } catch {
    return null;
  }
  switch (url.protocol) {
    case 'http:':
    case 'https:':
      // `https://paypal.com@evil.example` shows one host and goes to another: not a link.
      return url.hostname === '' || url.username !== '' || url.password !== '' ? null : url.href;
    case 'mailto:':
      return url.pathname === '' ? null : url.href;
    default:
      return null;
  }
}

// --- token transforms (markdown-it core rules) ---------------------------------------------

function textOfInline(children: readonly Token[]): string {
  let text = '';
  for (const child of children) {
    switch (child.type) {
      case 'text':
      case 'code_inline':
        text += child.content;
        break;
      case 'softbreak':
      case 'hardbreak':
        text += '\n';
        break;
      case 'image':
        text += textOfInline(child.children ?? []);
        break;
    }
  }
  return text;
}

/**
 * A link found by linkify in a bare domain without `www.` ("readme.md", "node.js"): too many
 * file names and abbreviations look like domains, so only `www.` and explicit schemes count.
 */
function isBareDomain(open: Token, text: Token | undefined): boolean {
  return (
    open.markup === 'linkify' &&
    /^https?:/i.test(String(open.attrGet('href') ?? '')) &&
    !/^(?:https?:\/\/|www\.)/i.test(text?.content ?? '')
  );
}

function linkOpen(state: StateCore, href: string, level: number): Token {
  const open = new state.Token('link_open', 'a', 1);
  open.attrs = [
    ['href', href],
    ['rel', LINK_REL],
  ];
  open.level = level;
  return open;
}

/**
 * Turns images into plain links, unwraps every link whose final href is not safe (its text
 * stays), sets `href` and `rel` as the only attributes, and gives an empty link its URL as text
 * (an invisible link is a trap, and fails accessibility checks).
 */
function secureLinks(state: StateCore): void {
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const children = block.children;
    if (!children.some((child) => child.type === 'link_open' || child.type === 'image')) continue;
    const result: Token[] = [];
    // One entry per open link: where its link_open went in `result`, or null if unwrapped.
    const open: ({ at: number; href: string } | null)[] = [];
    let unwrappedDepth = 0;
    const close = (level: number): void => {
      const link = open.pop();
      if (!link) {
        unwrappedDepth--;
        return;
      }
      const inside = result.slice(link.at + 1);
      if (!inside.some((token) => token.content.trim() !== '')) {
        const text = new state.Token('text', '', 0);
        text.content = state.md.normalizeLinkText(link.href);
        text.level = level + 1;
        result.push(text);
      }
      const token = new state.Token('link_close', 'a', -1);
      token.level = level;
      result.push(token);
    };
    for (const [index, child] of children.entries()) {
      if (child.type === 'image') {
        // Inside a link (`[![alt](img)](url)`) the image is just its alt text: no nested <a>.
        const insideLink = open.some((link) => link !== null);
        const href = insideLink ? null : safeHref(String(child.attrGet('src') ?? ''));
        const alt = new state.Token('text', '', 0);
        alt.content = textOfInline(child.children ?? []).trim();
        alt.level = child.level + (href === null ? 0 : 1);
        if (href === null) {
          result.push(alt);
          continue;
        }
        open.push({ at: result.length, href });
        result.push(linkOpen(state, href, child.level), alt);
        close(child.level);
      } else if (child.type === 'link_open') {
        const next = children[index + 1];
        const href = isBareDomain(child, next)
          ? null
          : safeHref(String(child.attrGet('href') ?? ''));
        if (href === null) {
          open.push(null);
          unwrappedDepth++;
          continue;
        }
        open.push({ at: result.length, href });
        result.push(linkOpen(state, href, child.level - unwrappedDepth));
      } else if (child.type === 'link_close') {
        close(child.level - unwrappedDepth);
      } else {
        child.level -= unwrappedDepth;
        result.push(child);
      }
    }
    block.children = result;
  }
}

const CAPTION_START = /^(?:—|--)/;
const CAPTION_LINE = /^(?:—|--)[—-]*[ \t]*\S/;

function makeCaptionDash(first: Token | undefined): boolean {
  if (first?.type !== 'text' || !CAPTION_START.test(first.content)) return false;
  first.content = first.content.replace(/^[—-]+[ \t]*/, '— ');
  return true;
}

/** The depth of link/emphasis nesting in `children` just before index `end`. */
function nestingBefore(children: readonly Token[], end: number): number {
  let depth = 0;
  for (let i = 0; i < end; i++) depth += children[i]?.nesting ?? 0;
  return depth;
}

/**
 * Wraps a blockquote and the attribution paragraph that follows it in a
 * `<figure class="quotation">`, turning the paragraph into its `<figcaption>`.
 */
function attributeQuotations(state: StateCore): void {
  const tokens = state.tokens;
  if (!tokens.some((token) => token.type === 'blockquote_open')) return;
  const before = new Map<number, Token[]>();
  const after = new Map<number, Token[]>();
  const opens: number[] = [];
  let lines: string[] | undefined;

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token?.type === 'blockquote_open') {
      opens.push(i);
      continue;
    }
    if (token?.type !== 'blockquote_close') continue;
    const openIndex = opens.pop();
    const open = openIndex === undefined ? undefined : tokens[openIndex];
    if (openIndex === undefined || open === undefined) continue;

    const figureOpen = new state.Token('figure_open', 'figure', 1);
    figureOpen.attrs = [['class', 'quotation']];
    figureOpen.block = true;
    figureOpen.level = open.level;
    figureOpen.map = open.map;
    const figureClose = new state.Token('figure_close', 'figure', -1);
    figureClose.block = true;
    figureClose.level = open.level;

    // 1. The attribution is the next paragraph: `> quote` · blank line · `— Name`.
    const [pOpen, inline, pClose] = [tokens[i + 1], tokens[i + 2], tokens[i + 3]];
    if (
      pOpen?.type === 'paragraph_open' &&
      inline?.type === 'inline' &&
      pClose?.type === 'paragraph_close' &&
      CAPTION_LINE.test(inline.content) &&
      makeCaptionDash(inline.children?.[0])
    ) {
      for (const [part, type] of [
        [pOpen, 'figcaption_open'],
        [pClose, 'figcaption_close'],
      ] as const) {
        part.type = type;
        part.tag = 'figcaption';
        part.hidden = false;
      }
      before.set(openIndex, [figureOpen]);
      after.set(i + 3, [figureClose]);
      continue;
    }

    // 2. The attribution is a lazy last line of the quote's last paragraph: `> quote` · `— Name`.
    const [lastOpen, lastInline, lastClose] = [tokens[i - 3], tokens[i - 2], tokens[i - 1]];
    if (
      lastOpen?.type !== 'paragraph_open' ||
      lastOpen.level !== open.level + 1 ||
      lastOpen.map === null ||
      lastInline?.type !== 'inline' ||
      lastClose?.type !== 'paragraph_close'
    )
      continue;
    const children = lastInline.children ?? [];
    let lastBreak = -1;
    for (let k = children.length - 1; k >= 0; k--) {
      const type = children[k]?.type;
      if (type === 'softbreak' || type === 'hardbreak') {
        lastBreak = k;
        break;
      }
    }
    if (lastBreak < 1 || nestingBefore(children, lastBreak) !== 0) continue;
    // Only a line written outside the quote (no `>`) is an attribution; `> — Name` is quoted text.
    lines ??= state.src.split('\n');
    const sourceLine = (lines[lastOpen.map[1] - 1] ?? '').trimStart();
    if (
      !CAPTION_LINE.test(sourceLine) ||
      !CAPTION_START.test(children[lastBreak + 1]?.content ?? '')
    )
      continue;
    const captionChildren = children.slice(lastBreak + 1);
    if (!makeCaptionDash(captionChildren[0])) continue;
    lastInline.children = children.slice(0, lastBreak);
    const cut = lastInline.content.lastIndexOf('\n');
    const captionInline = new state.Token('inline', '', 0);
    captionInline.content = cut < 0 ? '' : lastInline.content.slice(cut + 1);
    captionInline.children = captionChildren;
    captionInline.level = open.level + 1;
    if (cut >= 0) lastInline.content = lastInline.content.slice(0, cut);
    const captionOpen = new state.Token('figcaption_open', 'figcaption', 1);
    const captionClose = new state.Token('figcaption_close', 'figcaption', -1);
    captionOpen.block = captionClose.block = true;
    captionOpen.level = captionClose.level = open.level;
    before.set(openIndex, [figureOpen]);
    after.set(i, [captionOpen, captionInline, captionClose, figureClose]);
  }
  if (before.size === 0) return;

  const result: Token[] = [];
  let depth = 0; // open figures: everything inside moves one level down
  const push = (token: Token): void => {
    if (token.type === 'figure_close') depth--;
    token.level += depth;
    result.push(token);
    if (token.type === 'figure_open') depth++;
  };
  tokens.forEach((token, index) => {
    before.get(index)?.forEach(push);
    push(token);
    after.get(index)?.forEach(push);
  });
  state.tokens = result;
}

// --- the instances ----------------------------------------------------------------------------

const MAY_HOLD_LINK = /:\/\/|www\.|@/i;

function createParser(headings: boolean): MarkdownIt {
  const md = markdownIt('default', {
    html: false,
    linkify: true,
    typographer: false,
    breaks: true,
    xhtmlOut: false,
  });
  md.disable([
    'table',
    'html_block',
    'html_inline',
    'strikethrough',
    'replacements',
    'smartquotes',
  ]);
  if (!headings) md.disable(['heading', 'lheading']);
  // Bare URLs become links as GitHub's autolinks do: `http(s)://…`, `www.…` and e-mail
  // addresses; not `ftp://` or `//host`, nor bare domains (see `isBareDomain`).
  md.linkify.set({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: false });
  md.linkify.add('ftp:', null).add('//', null);
  // markdown-it runs linkify's costly fuzzy search on every paragraph. Only links with a scheme,
  // `www.` or an `@` survive (see above), so text with none of those cannot hold one: skip it.
  // (Same output, three times faster on ordinary prose; it matters to imports of millions.)
  const linkify = md.linkify;
  const test = linkify.test.bind(linkify);
  linkify.test = (text: string) => MAY_HOLD_LINK.test(text) && test(text);
  md.validateLink = (url: string): boolean => safeHref(url) !== null;
  md.core.ruler.push('broadside_links', secureLinks);
  md.core.ruler.push('broadside_quotations', attributeQuotations);
  return md;
}

const commentParser = createParser(false);
const statementParser = createParser(true);

function parserFor(options: RenderOptions | undefined): MarkdownIt {
  return options?.headings === true ? statementParser : commentParser;
}

// --- the API ----------------------------------------------------------------------------------

/**
 * Renders a comment (or, with `{ headings: true }`, a statement) body to safe HTML, to be stored.
 * Quotations with attribution are written as a blockquote followed by a line that starts with
 * `—` or `--` (normalised to `— `), with or without a blank line between:
 *
 * @example
 * renderMarkdown('> The death cult chose its city well.\n\n— Ian McEwan, 14 November 2015')
 * // <figure class="quotation"><blockquote><p>The death cult…</p></blockquote>
 * // <figcaption>— Ian McEwan, 14 November 2015</figcaption></figure>   (with newlines)
 */
export function renderMarkdown(source: string, options?: RenderOptions): string {
  return parserFor(options).render(source);
}

function blockText(tokens: readonly Token[]): string {
  let text = '';
  let prefix = '';
  let tight = false; // a paragraph in a tight list: one line per item
  let previousTight = false;
  let lists = 0;
  const add = (content: string): void => {
    if (content.trim() === '') return;
    if (text !== '') text += tight && previousTight ? '\n' : '\n\n';
    text += prefix + content;
    prefix = '';
    previousTight = tight;
  };
  for (const token of tokens) {
    switch (token.type) {
      case 'bullet_list_open':
      case 'ordered_list_open':
        lists++;
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        if (--lists === 0) previousTight = false; // the next list starts after a blank line
        break;
      case 'list_item_open':
        prefix = token.info === '' ? '- ' : `${token.info}${token.markup} `;
        break;
      case 'paragraph_open':
        tight = token.hidden;
        break;
      case 'inline':
        add(textOfInline(token.children ?? []).trim());
        tight = false;
        break;
      case 'code_block':
      case 'fence':
        add(token.content.replace(/\n$/, ''));
        tight = false;
        break;
    }
  }
  return text;
}

function truncate(text: string, maxLength: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxLength) return text;
  if (maxLength === 0) return '';
  let cut = chars.slice(0, maxLength - 1).join('');
  if (!/\s/.test(chars[maxLength - 1] ?? ' ')) {
    // Mid-word: back up to the last word boundary unless that loses more than 40%.
    const boundary = cut.search(/\s\S*$/);
    if (boundary >= cut.length * 0.6) cut = cut.slice(0, boundary);
  }
  return `${cut.replace(/[\s,;:–—-]+$/u, '')}…`;
}

/**
 * The visible text of a body, without markup, for feed summaries and e-mail: blocks separated by
 * a blank line, line breaks kept, list items prefixed `- ` or `1. `, links reduced to their text.
 * The result is plain text, NOT HTML-escaped: escape it wherever it goes into markup.
 * With `maxLength`, it is cut to at most that many characters (code points), at a word boundary
 * where one is near, ending in `…`.
 */
export function plainText(source: string, maxLength?: number, options?: RenderOptions): string {
  if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength >= 0))
    throw new RangeError(`maxLength must be a whole number ≥ 0, not ${maxLength}`);
  const text = blockText(parserFor(options).parse(source, {}));
  return maxLength === undefined ? text : truncate(text, maxLength);
}

// Whitespace, invisible format characters (zero-width space/joiners, soft hyphen, BOM, bidi
// marks) and the blank-looking letters used to fake an empty name or body.
const INVISIBLE = /^[\p{White_Space}\p{Cf}\u2800\u3164\uFFA0\u115F\u1160]*$/u;

/**
 * True when the body renders to nothing a reader can see: empty, whitespace, invisible
 * characters, or only markup such as `---`, `>` or `**`.
 * New comments with a blank body are refused by the caller; imported ones may be blank.
 */
export function isBlank(source: string, options?: RenderOptions): boolean {
  if (INVISIBLE.test(source)) return true;
  return INVISIBLE.test(plainText(source, undefined, options));
}
