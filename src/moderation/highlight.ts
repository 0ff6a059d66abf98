/**
 * Where the queue highlights a comment's text: the ranges that the rules matched (`matches` of
 * its reasons), merged and clamped, as segments to render as escaped text with `<mark>` around
 * the matched ones. Pure; ranges are in UTF-16 code units of the comment's Markdown body.
 */
import type { VerdictReason } from './model.js';

export interface TextSegment {
  text: string;
  /** The list entries that matched this stretch; absent for plain text. */
  terms?: string[];
}

/**
 * Splits `body` into plain and matched segments. Overlapping or touching ranges become one mark
 * naming every term; ranges outside the text (an edited body, a stale reason) are clipped or
 * dropped, and a range never splits a surrogate pair.
 */
export function highlightSegments(body: string, reasons: readonly VerdictReason[]): TextSegment[] {
  const ranges = reasons
    .flatMap((reason) => reason.matches ?? [])
    .map((match) => ({
      start: snap(body, Math.max(0, Math.floor(match.start)), 'back'),
      end: snap(body, Math.min(body.length, Math.ceil(match.end)), 'forward'),
      term: match.term,
    }))
    .filter((range) => Number.isFinite(range.start) && range.end > range.start)
    .sort((a, b) => a.start - b.start || a.end - b.end);

  const merged: { start: number; end: number; terms: string[] }[] = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.end) {
      last.end = Math.max(last.end, range.end);
      if (!last.terms.includes(range.term)) last.terms.push(range.term);
    } else {
      merged.push({ start: range.start, end: range.end, terms: [range.term] });
    }
  }

  const segments: TextSegment[] = [];
  let at = 0;
  for (const range of merged) {
    if (range.start > at) segments.push({ text: body.slice(at, range.start) });
    segments.push({ text: body.slice(range.start, range.end), terms: range.terms });
    at = range.end;
  }
  if (at < body.length || segments.length === 0) segments.push({ text: body.slice(at) });
  return segments;
}

/** Moves an index off the middle of a surrogate pair, so a mark never cuts a character in two. */
function snap(text: string, index: number, direction: 'back' | 'forward'): number {
  if (index <= 0 || index >= text.length) return index;
  const code = text.charCodeAt(index);
  const inPair = code >= 0xdc00 && code <= 0xdfff && isHighSurrogate(text.charCodeAt(index - 1));
  if (!inPair) return index;
  return direction === 'back' ? index - 1 : index + 1;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
