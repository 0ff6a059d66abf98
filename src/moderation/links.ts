/**
 * The links in a comment body, found as the Markdown renderer makes them — inline links and
 * images (`[text](url)`, `![alt](url)`: images render as links), reference links, `<autolinks>`,
 * and bare `http(s)://…` URLs, `www.` hosts and e-mail addresses — and the hosts they lead to.
 * Pure; moderation must not import discussion, so this mirrors its rules (see
 * `src/discussion/markdown.ts`) with `linkify-it` and a few regular expressions instead of a full
 * Markdown parse, which would cost more than every other rule together.
 *
 * Two answers, for two rules:
 * - `links`: what renders as a clickable link (outside code), for "too many links";
 * - `hosts`: every host the body points to, also in bare domains the renderer leaves as text
 *   ("evil.example/offer") and in code, for the domain block list: a reader can copy those.
 */
import { domainToASCII } from 'node:url';
import { isIP } from 'node:net';
import { LinkifyIt } from 'linkify-it';
import markdownIt from 'markdown-it';

export interface FoundLink {
  /** The link's target as the renderer would store it (after entity and escape decoding). */
  href: string;
  /** Lower-case ASCII host (IDN as punycode), without a trailing dot. */
  host: string;
  /** Where in the body the link's source text is: `[start, end)` in UTF-16 code units. */
  start: number;
  end: number;
}

export interface LinkScan {
  links: FoundLink[];
  /** Every distinct host mentioned, links' and bare domains' alike, in order of appearance. */
  hosts: string[];
}

// The same recognition as the renderer's linkify: schemes http(s) and mailto, fuzzy links and
// e-mail addresses, no bare IP addresses, no `ftp:` and no protocol-relative `//host`.
const linkify = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: false })
  .add('ftp:', null)
  .add('//', null);

// markdown-it decodes backslash escapes and HTML entities in link destinations (so
// `http://evil&#46;example` goes to evil.example); decode them the same way.
const { unescapeAll, normalizeReference } = markdownIt('zero').utils;

/** A code fence's opening line: ``` or ~~~ (three or more), in a quote or list item too. */
const FENCE_OPEN = /^((?: {0,3}(?:>|[-*+] |\d{1,9}[.)] ) {0,3})*?) {0,3}(`{3,}(?=[^`\n]*$)|~{3,})/;
/** A list item's marker: inside lists, indented lines continue the item instead of being code. */
const LIST_ITEM = /^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/m;
/** The `>` markers that open a line inside a blockquote, with the one space each may take. */
const QUOTE_MARKERS = /^(?: {0,3}> ?)*/;
/** Inline code: a run of backticks to the next run of the same length, within a paragraph. */
const INLINE_CODE = /(?<![`\\])(`+)(?!`)(?:(?!\n[ \t]*\n)[\s\S])*?[^`]\1(?!`)/g;
/** `[label]: destination "title"` on a line of its own (the destination may start a line below). */
const REFERENCE_DEFINITION = /^ {0,3}\[([^\]\n]{1,999})\]:[ \t]*\n?[ \t]*(<[^>\n]*>|\S+)[^\n]*$/gm;
// Link text: brackets may nest one level (`[![alt](img)](url)` is one link).
const LINK_TEXT = String.raw`\[((?:[^\[\]\n\\]|\\.|\[(?:[^\[\]\n\\]|\\.)*\])*)\]`;
/** `[text](destination "title")` and `![alt](…)`. */
const INLINE_LINK = new RegExp(
  String.raw`!?${LINK_TEXT}\(\s*(<[^>\n]*>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*)(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?\s*\)`,
  'g',
);
/** `[text][label]`, `[label][]` and `[label]`: links only when the label is defined. */
const REFERENCE_LINK = new RegExp(String.raw`!?${LINK_TEXT}(?:\[([^\[\]\n]*)\])?`, 'g');
const SCHEME_CHAR = /[a-z0-9+.-]/i;
/** `<scheme:…>` and `<name@host>`. */
const AUTOLINK = /<([a-z][a-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@\\]+@[^\s<>\\]+)>/gi;

/**
 * What linkify-it finds in `text` — `www.` hosts, bare domains, e-mail addresses, `mailto:` —
 * asked one word at a time, and only of words with an `@` or a dot inside: none of these spans
 * white space, and its fuzzy search over a whole comment costs more than everything else here.
 */
function linkifyMatches(text: string): LinkifyMatch[] {
  const matches: LinkifyMatch[] = [];
  CANDIDATE.lastIndex = 0;
  for (let found = CANDIDATE.exec(text); found !== null; found = CANDIDATE.exec(text)) {
    let start = found.index;
    while (start > 0 && !isSpace(text.charCodeAt(start - 1))) start--;
    let end = found.index + 1;
    while (end < text.length && !isSpace(text.charCodeAt(end))) end++;
    CANDIDATE.lastIndex = end;
    const word = text.slice(start, end);
    if (!linkify.test(word)) continue;
    for (const match of linkify.match(word) ?? []) {
      matches.push({
        url: match.url,
        raw: match.raw,
        schema: match.schema,
        index: start + match.index,
        lastIndex: start + match.lastIndex,
      });
    }
  }
  return matches;
}

interface LinkifyMatch {
  url: string;
  raw: string;
  schema: string;
  /** `[index, lastIndex)` in the text searched. */
  index: number;
  lastIndex: number;
}

/** Where a link without a scheme could be: an `@`, or a dot between two other characters. */
const CANDIDATE = /@|[^\s.]\.[^\s.]/g;

/** White space as `\s` has it, by code unit (cheaper than a regular expression per character). */
function isSpace(code: number): boolean {
  return code <= 0x20
    ? code === 0x20 || (code >= 0x09 && code <= 0x0d)
    : code === 0xa0 ||
        code === 0x1680 ||
        (code >= 0x2000 && code <= 0x200a) ||
        code === 0x2028 ||
        code === 0x2029 ||
        code === 0x202f ||
        code === 0x205f ||
        code === 0x3000 ||
        code === 0xfeff;
}

/** Replaces `[start, end)` of `text` with spaces, keeping every other offset where it was. */
function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
}

// The checks below look for rare things in every comment: written with single-character
// searches, which V8 does many times faster than searching for a longer string or a pattern.

/** Whether `text` has three `char`s in a row (a code fence's makings). */
function hasRun(text: string, char: '`' | '~'): boolean {
  for (let i = text.indexOf(char); i >= 0; i = text.indexOf(char, i + 1)) {
    if (text[i + 1] === char && text[i + 2] === char) return true;
  }
  return false;
}

/** Whether a line starts (after any `>` quote markers) with four spaces or a tab. */
function hasIndentedLine(text: string): boolean {
  for (let line = 0; line < text.length;) {
    let i = line;
    for (;;) {
      let j = i;
      while (j < i + 3 && text.charCodeAt(j) === 0x20) j++;
      if (text.charCodeAt(j) !== 0x3e) break; // `>`
      i = text.charCodeAt(j + 1) === 0x20 ? j + 2 : j + 1;
    }
    if (text.charCodeAt(i) === 0x09) return true;
    let spaces = 0;
    while (spaces < 4 && text.charCodeAt(i + spaces) === 0x20) spaces++;
    if (spaces === 4) return true;
    const next = text.indexOf('\n', i);
    if (next < 0) return false;
    line = next + 1;
  }
  return false;
}

/**
 * Blanks out fenced code blocks, from the opening fence to the closing one (at least as long, of
 * the same character), to the end of the blockquote it opened in, or to the end of the body.
 */
function blankFencedCode(text: string, code: string[]): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i] ?? '');
    if (open === null) continue;
    const quoted = (open[1] ?? '').includes('>');
    const fence = open[2] ?? '```';
    const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \t]*$`);
    let end = i + 1;
    while (end < lines.length) {
      const line = lines[end] ?? '';
      if (quoted && !/^ {0,3}>/.test(line)) break; // the quote ended, and the code with it
      end++;
      if (closing.test(quoted ? line.replace(QUOTE_MARKERS, '') : line)) break;
    }
    for (let k = i; k < end; k++) {
      code.push(lines[k] ?? '');
      lines[k] = ' '.repeat((lines[k] ?? '').length);
    }
    i = end - 1;
  }
  return lines.join('\n');
}

/**
 * Blanks out indented code blocks (lines indented by four spaces or a tab after a blank line or
 * at the start; blank lines inside continue them), recording their text in `code`. Lists are
 * left alone by the caller: their indented lines are paragraphs of an item.
 */
function blankIndentedCode(text: string, code: string[]): string {
  const lines = text.split('\n');
  let inBlock = false;
  let previousBlank = true;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    // Inside a blockquote the same rule applies to what follows the `>` markers.
    const quote = QUOTE_MARKERS.exec(line)?.[0] ?? '';
    const content = line.slice(quote.length);
    const blankLine = content.trim() === '';
    if (!blankLine && /^(?: {4}|\t)/.test(content) && (inBlock || previousBlank)) {
      inBlock = true;
      code.push(content);
      lines[i] = ' '.repeat(line.length);
    } else if (!blankLine) {
      inBlock = false;
    }
    previousBlank = blankLine;
  }
  return lines.join('\n');
}

/**
 * Where an href leads: its host, and whether the renderer makes it a link — absolute
 * `http:`/`https:` with a host and no user name or password (`https://bank.example@evil.example`
 * shows one host and goes to another: never a link, but its real host still counts), or a
 * `mailto:` with an address; protocol-relative `//host` counts as `https:`.
 */
export function hrefTarget(href: string): { host: string; linkable: boolean } | undefined {
  const absolute = href.startsWith('//') ? `https:${href}` : href;
  if (!/^(?:https?|mailto):/i.test(absolute)) return undefined;
  let url: URL;
  try {
    url = new URL(absolute);
  } catch {
    return undefined;
  }
  if (url.protocol === 'mailto:') {
    const address = safeDecode(url.pathname.split(',')[0] ?? '');
    const at = address.lastIndexOf('@');
    const host = at < 0 ? undefined : normaliseHost(address.slice(at + 1));
    return host === undefined ? undefined : { host, linkable: true };
  }
  const host = normaliseHost(url.hostname);
  if (host === undefined) return undefined;
  return { host, linkable: url.username === '' && url.password === '' };
}

/** The host of an href the renderer makes a link of; `undefined` when it makes none. */
export function linkHost(href: string): string | undefined {
  const target = hrefTarget(href);
  return target?.linkable === true ? target.host : undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A host as the block list compares it: lower-case ASCII (IDN as punycode, `domainToASCII`),
 * without trailing dots; `undefined` when it is not a host at all.
 */
export function normaliseHost(host: string): string | undefined {
  const trimmed = host.trim().replace(/\.+$/, '');
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('[')) return trimmed.toLowerCase(); // an IPv6 literal
  const ascii = domainToASCII(trimmed);
  return ascii === '' ? undefined : ascii.replace(/\.+$/, '');
}

/** Finds the links (and the hosts) in a comment body; see the module comment. */
export function scanLinks(body: string): LinkScan {
  const links: FoundLink[] = [];
  const hosts = new Set<string>();

  /** Records a link; false when the renderer would refuse it (its text stays text). */
  const add = (rawHref: string, start: number, end: number, decode: boolean): boolean => {
    const href = decode ? unescapeAll(rawHref) : rawHref;
    const target = hrefTarget(href);
    if (target !== undefined) hosts.add(target.host);
    if (target?.linkable !== true) return false;
    links.push({ href, host: target.host, start, end });
    return true;
  };

  // Code renders as code: nothing in it is a link; blank it out (offsets kept) but remember it
  // for the hosts a reader could still copy.
  let text = body;
  const code: string[] = [];
  if (hasRun(text, '`') || hasRun(text, '~')) text = blankFencedCode(text, code);
  if (hasIndentedLine(text) && !LIST_ITEM.test(text)) {
    text = blankIndentedCode(text, code);
  }
  if (text.includes('`')) {
    text = text.replace(INLINE_CODE, (match) => {
      code.push(match);
      return ' '.repeat(match.length);
    });
  }

  if (text.includes('[')) {
    const definitions = new Map<string, string>();
    for (const match of text.matchAll(REFERENCE_DEFINITION)) {
      const label = normalizeReference(match[1] ?? '');
      // The first definition of a label wins, as in CommonMark.
      if (label !== '' && !definitions.has(label))
        definitions.set(label, (match[2] ?? '').replace(/^<|>$/g, ''));
      text = blank(text, match.index, match.index + match[0].length);
    }
    for (const match of text.matchAll(INLINE_LINK)) {
      const end = match.index + match[0].length;
      // A refused link stays literal text, which the renderer's linkify still reads.
      if (add((match[2] ?? '').replace(/^<|>$/g, ''), match.index, end, true))
        text = blank(text, match.index, end);
    }
    if (definitions.size > 0) {
      for (const match of text.matchAll(REFERENCE_LINK)) {
        const end = match.index + match[0].length;
        if (text[end] === '(' || text[end] === ':') continue;
        const label = normalizeReference(match[2] || match[1] || '');
        const href = definitions.get(label);
        if (href === undefined) continue;
        add(href, match.index, end, true);
        text = blank(text, match.index, end);
      }
    }
  }

  if (text.includes('<')) {
    for (const match of text.matchAll(AUTOLINK)) {
      const target = match[1] ?? '';
      const end = match.index + match[0].length;
      add(
        /^[a-z][a-z0-9+.-]*:/i.test(target) ? target : `mailto:${target}`,
        match.index,
        end,
        false,
      );
      text = blank(text, match.index, end);
    }
  }

  // markdown-it links `scheme://…` wherever the scheme starts after a non-scheme character (its
  // inline rule), where linkify-it alone wants a word boundary: `word```http://…` is a link.
  for (let colon = text.indexOf('://'); colon > 0; colon = text.indexOf('://', colon + 3)) {
    let start = colon;
    while (start > Math.max(0, colon - 10) && SCHEME_CHAR.test(text[start - 1] ?? '')) start--;
    if (start === colon || !/[a-z]/i.test(text[start] ?? '')) continue;
    const wordEnd = text.slice(colon).search(/\s/);
    const match = linkify.matchAtStart(
      text.slice(start, wordEnd < 0 ? undefined : colon + wordEnd),
    );
    if (match === null || match.url.length <= colon - start) continue;
    const url = match.url.replace(/\*+$/, ''); // as markdown-it: trailing `*` closes emphasis
    const end = start + url.length;
    add(url, start, end, false);
    text = blank(text, start, end);
    colon = end - 3;
  }

  for (const match of linkifyMatches(text)) {
    // A bare domain ("readme.md", "evil.example/offer") stays text in the renderer: not a
    // link, but still a host a reader can type in.
    const bareDomain =
      match.schema === '' && !/^www\./i.test(match.raw) && !match.url.startsWith('mailto:');
    if (bareDomain) {
      const host = hrefTarget(match.url)?.host;
      if (host !== undefined) hosts.add(host);
      continue;
    }
    add(match.url, match.index, match.lastIndex, false);
  }

  for (const quoted of code) {
    for (const match of linkifyMatches(quoted.replace(/[`~]/g, ' '))) {
      const host = hrefTarget(match.url)?.host;
      if (host !== undefined) hosts.add(host);
    }
  }

  links.sort((a, b) => a.start - b.start);
  return { links, hosts: [...hosts] };
}

/**
 * The block-list entry that covers `host`, if any: the host itself or a parent domain
 * (`evil.example` covers `a.evil.example`, not `notevil.example`). IP addresses match only
 * exactly. `blocked` holds normalised entries (see `parseDomainList` in rules.ts).
 */
export function blockedDomainOf(host: string, blocked: ReadonlySet<string>): string | undefined {
  if (blocked.size === 0) return undefined;
  if (blocked.has(host)) return host;
  if (isIP(host) !== 0 || host.startsWith('[')) return undefined;
  for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
    const parent = host.slice(dot + 1);
    if (blocked.has(parent)) return parent;
  }
  return undefined;
}
