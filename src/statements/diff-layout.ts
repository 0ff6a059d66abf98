/**
 * How a word-level diff is laid out on a page: cut into rows at the paragraph breaks both texts
 * share, so that the two sides of a side-by-side view stay level, with long runs of unchanged
 * paragraphs folded away. Pure; takes the parts of a {@link WordDiff}.
 */
import type { DiffPart, DiffPartKind } from './diffs.js';

export type SegmentKind = DiffPartKind;

export interface DiffSegment {
  kind: SegmentKind;
  text: string;
}

/** A paragraph of both texts: the old one's words (same + removed), the new one's (same + added). */
export interface DiffRow {
  /** The order of the parts as in the change list, for the inline view. */
  parts: DiffSegment[];
  left: DiffSegment[];
  right: DiffSegment[];
  changed: boolean;
}

/** Rows to show, with unchanged stretches folded: `{ fold: n }` stands for n unchanged rows. */
export type DiffBlock = { row: DiffRow } | { fold: DiffRow[] };

const PARAGRAPH_BREAK = /\n[ \t]*\n\s*/g;

/**
 * Appends to a segment list, joining runs: a change continues the one before it when only
 * spaces stand between them ("thousands", " ", "of" removed one by one read as "thousands of"),
 * so that a replaced phrase is struck through, and announced, once.
 */
function push(segments: DiffSegment[], kind: SegmentKind, text: string): void {
  if (text === '') return;
  const last = segments.at(-1);
  if (last && last.kind === kind) {
    last.text += text;
    return;
  }
  const before = segments.at(-2);
  if (
    kind !== 'same' &&
    last?.kind === 'same' &&
    /^[ \t]+$/.test(last.text) &&
    before?.kind === kind
  ) {
    segments.pop();
    before.text += last.text + text;
    return;
  }
  segments.push({ kind, text });
}

function newRow(): DiffRow {
  return { parts: [], left: [], right: [], changed: false };
}

function addToRow(row: DiffRow, kind: SegmentKind, text: string): void {
  if (text === '') return;
  push(row.parts, kind, text);
  if (kind !== 'added') push(row.left, kind, text);
  if (kind !== 'removed') push(row.right, kind, text);
  if (kind !== 'same' && text.trim() !== '') row.changed = true;
}

/**
 * Cuts a change list into paragraph rows. A paragraph break inside unchanged text ends a row on
 * both sides; breaks inside removed or added text stay inside their row (shown as line breaks),
 * since the other side has nothing to line up with them.
 */
export function diffRows(parts: readonly DiffPart[]): DiffRow[] {
  const rows: DiffRow[] = [];
  let row = newRow();
  for (const part of parts) {
    if (part.kind !== 'same') {
      addToRow(row, part.kind, part.text);
      continue;
    }
    let at = 0;
    for (const match of part.text.matchAll(PARAGRAPH_BREAK)) {
      addToRow(row, 'same', part.text.slice(at, match.index));
      if (row.parts.length > 0) rows.push(row);
      row = newRow();
      at = match.index + match[0].length;
    }
    addToRow(row, 'same', part.text.slice(at));
  }
  if (row.parts.length > 0) rows.push(row);
  return rows;
}

/**
 * Folds each run of unchanged rows longer than `2 × context + 1` down to `context` rows on each
 * side of the changes around it (the run at the start or end keeps only the side next to a
 * change). With no change at all, everything is one fold.
 */
export function foldUnchanged(rows: readonly DiffRow[], context = 1): DiffBlock[] {
  const blocks: DiffBlock[] = [];
  let i = 0;
  while (i < rows.length) {
    const row = rows[i] as DiffRow;
    if (row.changed) {
      blocks.push({ row });
      i++;
      continue;
    }
    let end = i;
    while (end < rows.length && !(rows[end] as DiffRow).changed) end++;
    const run = rows.slice(i, end);
    const keepBefore = i === 0 ? 0 : context;
    const keepAfter = end === rows.length ? 0 : context;
    if (run.length > keepBefore + keepAfter + 1) {
      for (const kept of run.slice(0, keepBefore)) blocks.push({ row: kept });
      blocks.push({ fold: run.slice(keepBefore, run.length - keepAfter) });
      for (const kept of run.slice(run.length - keepAfter)) blocks.push({ row: kept });
    } else {
      for (const kept of run) blocks.push({ row: kept });
    }
    i = end;
  }
  return blocks;
}
