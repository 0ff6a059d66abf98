/**
 * The text of a revision: how it is normalised before it is stored, its content hash (what an
 * approval is bound to), and its paragraphs (what internal comments are anchored to). Pure.
 *
 * Normalisation (version 1, the `broadside-content-v1` prefix of the hash input):
 * - every field is put in Unicode NFC, so "é" typed as one code point or as e + U+0301 is the
 *   same text;
 * - line endings become LF (CRLF and lone CR alike);
 * - the body loses trailing spaces and tabs at the end of each line, and blank lines at its
 *   start and end (Markdown's two-trailing-spaces hard break is therefore not kept: write a
 *   backslash at the end of the line instead);
 * - the title and subtitle are single lines: runs of whitespace become one space, trimmed; an
 *   empty subtitle is no subtitle.
 * The stored revision holds the normalised text, so its hash is always the hash of what is stored.
 * content_hash = lower-case hex SHA-256 of the UTF-8 JSON array
 * `["broadside-content-v1", title, subtitle or "", body]` — JSON, so no field can run into the next.
 */
import { createHash } from 'node:crypto';

export const CONTENT_HASH_VERSION = 'broadside-content-v1';

/** What a revision's content hash covers. */
export interface RevisionContent {
  title: string;
  subtitle: string | undefined;
  /** Markdown. */
  body: string;
}

/** A multi-line text (a body, a pasted source) in normal form: NFC, LF, no trailing blanks. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\f\v\u00a0]+$/gm, '')
    .replace(/^\n+|\n+$/g, '');
}

/** A one-line field (title, subtitle, names) in normal form: NFC, single spaces, trimmed. */
export function normaliseLine(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** Content as given: the subtitle may be left out. */
export type ContentInput = Pick<RevisionContent, 'title' | 'body'> & { subtitle?: string };

export function normaliseContent(content: ContentInput): RevisionContent {
  const subtitle = content.subtitle === undefined ? '' : normaliseLine(content.subtitle);
  return {
    title: normaliseLine(content.title),
    subtitle: subtitle === '' ? undefined : subtitle,
    body: normaliseText(content.body),
  };
}

/** SHA-256 (hex) of the normalised content; see the module comment for the exact input. */
export function contentHash(content: ContentInput): string {
  const { title, subtitle, body } = normaliseContent(content);
  return createHash('sha256')
    .update(JSON.stringify([CONTENT_HASH_VERSION, title, subtitle ?? '', body]), 'utf8')
    .digest('hex');
}

/** Whether two revisions say exactly the same thing once normalised. */
export function sameContent(a: ContentInput, b: ContentInput): boolean {
  return contentHash(a) === contentHash(b);
}

// --- paragraphs ------------------------------------------------------------------------------

/** A block of the body between blank lines, as internal comments see it. */
export interface Paragraph {
  /** 0-based position in the body. */
  index: number;
  /** The paragraph's Markdown, normalised. */
  text: string;
  /** SHA-256 (hex) of `text`: equal hashes mean an unchanged paragraph. */
  hash: string;
}

/** Longest excerpt of a paragraph kept with a comment, to show what it was about. */
export const PARAGRAPH_EXCERPT_LENGTH = 160;

export function paragraphHash(text: string): string {
  return createHash('sha256').update(normaliseText(text), 'utf8').digest('hex');
}

/** The body's paragraphs, in order: blocks separated by one or more blank lines. */
export function paragraphsOf(body: string): Paragraph[] {
  const text = normaliseText(body);
  if (text === '') return [];
  return text
    .split(/\n[ \t]*\n+/)
    .map((block) => block.replace(/^\n+|\n+$/g, ''))
    .filter((block) => block.trim() !== '')
    .map((block, index) => ({ index, text: block, hash: paragraphHash(block) }));
}

/** The start of a paragraph, on one line, for showing beside a comment. */
export function paragraphExcerpt(text: string, max = PARAGRAPH_EXCERPT_LENGTH): string {
  const line = normaliseLine(text);
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/** Where an internal comment made on one revision belongs in another. */
export type CommentAnchor =
  { state: 'attached'; paragraphIndex: number } | { state: 'earlier-revision' };

/**
 * Anchors a comment, made on paragraph `anchor.paragraphIndex` (hash `anchor.paragraphHash`) of
 * some revision, in a revision with `paragraphs`: attached to the identical paragraph when there
 * is one (the nearest to the original position when the same paragraph appears several times),
 * else "on an earlier revision".
 */
export function anchorComment(
  anchor: { paragraphIndex: number; paragraphHash: string },
  paragraphs: readonly Paragraph[],
): CommentAnchor {
  let best: Paragraph | undefined;
  for (const paragraph of paragraphs) {
    if (paragraph.hash !== anchor.paragraphHash) continue;
    const distance = Math.abs(paragraph.index - anchor.paragraphIndex);
    if (!best || distance < Math.abs(best.index - anchor.paragraphIndex)) best = paragraph;
  }
  return best ? { state: 'attached', paragraphIndex: best.index } : { state: 'earlier-revision' };
}
