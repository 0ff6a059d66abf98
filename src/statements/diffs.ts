/**
 * Word-level diffs (jsdiff's `diffWordsWithSpace`, so that the parts put back together give both
 * texts exactly) in a shape views render side by side or inline, and the reuse share: how much of
 * a new text comes, unchanged, from its source. Pure.
 */
import { diffWordsWithSpace } from 'diff';
import type { RevisionContent } from './revisions.js';

export type DiffPartKind = 'same' | 'added' | 'removed';

export interface DiffPart {
  kind: DiffPartKind;
  text: string;
}

export interface WordDiff {
  /**
   * Inline order: each change in place. The `same` and `removed` parts give the old text, the
   * `same` and `added` parts the new one.
   */
  parts: DiffPart[];
  /** Words (runs of letters and digits) added, removed and kept. */
  added: number;
  removed: number;
  unchanged: number;
  /**
   * False when the texts differ too much to align word by word within {@link MAX_EDIT_LENGTH}:
   * the diff then shows the whole old text removed and the whole new one added.
   */
  exact: boolean;
}

/**
 * The largest edit distance, in tokens, worth aligning. Beyond it the texts share little and the
 * alignment would cost seconds on the longest bodies, so the diff gives up (deterministically,
 * unlike a timeout).
 */
export const MAX_EDIT_LENGTH = 10_000;

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

/** How many words a text has: runs of letters and digits, with inner apostrophes. */
export function countWords(text: string): number {
  let count = 0;
  for (const _ of text.matchAll(WORD)) count += 1;
  return count;
}

/** The word-level diff from `before` to `after`. */
export function wordDiff(before: string, after: string): WordDiff {
  if (before === after) {
    const unchanged = countWords(after);
    return {
      parts: after === '' ? [] : [{ kind: 'same', text: after }],
      added: 0,
      removed: 0,
      unchanged,
      exact: true,
    };
  }
  const changes = diffWordsWithSpace(before, after, { maxEditLength: MAX_EDIT_LENGTH });
  const parts: DiffPart[] = changes
    ? changes.map((change) => ({
        kind: change.added ? 'added' : change.removed ? 'removed' : 'same',
        text: change.value,
      }))
    : [
        ...(before === '' ? [] : [{ kind: 'removed' as const, text: before }]),
        ...(after === '' ? [] : [{ kind: 'added' as const, text: after }]),
      ];
  const words = (kind: DiffPartKind) =>
    parts.filter((part) => part.kind === kind).reduce((n, part) => n + countWords(part.text), 0);
  return {
    parts,
    added: words('added'),
    removed: words('removed'),
    unchanged: words('same'),
    exact: changes !== undefined,
  };
}

/** The two columns of a side-by-side view: the old text with its removals, the new with its additions. */
export function sideBySide(diff: WordDiff): { before: DiffPart[]; after: DiffPart[] } {
  return {
    before: diff.parts.filter((part) => part.kind !== 'added'),
    after: diff.parts.filter((part) => part.kind !== 'removed'),
  };
}

/** The diff of two revisions, field by field. */
export interface ContentDiff {
  title: WordDiff;
  subtitle: WordDiff;
  body: WordDiff;
  /** True when nothing at all changed. */
  identical: boolean;
}

export function contentDiff(before: RevisionContent, after: RevisionContent): ContentDiff {
  const title = wordDiff(before.title, after.title);
  const subtitle = wordDiff(before.subtitle ?? '', after.subtitle ?? '');
  const body = wordDiff(before.body, after.body);
  const identical = [title, subtitle, body].every((diff) =>
    diff.parts.every((part) => part.kind === 'same'),
  );
  return { title, subtitle, body, identical };
}

// --- reuse ---------------------------------------------------------------------------------

/**
 * The shortest run of consecutive unchanged words that counts as reuse. Shorter common runs are
 * the coincidences of any two texts in one language ("the", "of the").
 */
export const MIN_REUSED_RUN = 3;

export interface ReuseShare {
  /** From 0 to 1: reused words / words of the new text (0 for a text with no words). */
  share: number;
  /** Words of the new text that lie in unchanged runs of at least MIN_REUSED_RUN words. */
  reusedWords: number;
  /** Words of the new text. */
  totalWords: number;
  /** See {@link WordDiff.exact}. */
  exact: boolean;
}

/**
 * How much of `text` is taken unchanged from `source`: the words of `text` that lie in runs the
 * word diff keeps from `source`, counting only runs of at least {@link MIN_REUSED_RUN} words
 * (or the whole text, when it is shorter than that and unchanged).
 */
export function reuseShare(source: string, text: string): ReuseShare {
  const diff = wordDiff(source, text);
  const totalWords = countWords(text);
  let reusedWords = 0;
  for (const part of diff.parts) {
    if (part.kind !== 'same') continue;
    const words = countWords(part.text);
    if (words >= MIN_REUSED_RUN || words === totalWords) reusedWords += words;
  }
  return {
    share: totalWords === 0 ? 0 : reusedWords / totalWords,
    reusedWords,
    totalWords,
    exact: diff.exact,
  };
}

/** "63%" — how a share is shown. Never rounds a partial reuse to 0% or 100%. */
export function formatShare(share: number): string {
  const percent = Math.round(share * 100);
  if (percent === 0 && share > 0) return '<1%';
  if (percent === 100 && share < 1) return '>99%';
  return `${percent}%`;
}
