/**
 * Word-level diffs (jsdiff's `diffWordsWithSpace`, so that the parts put back together give both
 * texts exactly) in a shape views render side by side or inline, and the reuse share: how much of
 * a new text comes, unchanged, from its source. Pure.
 */
import { diffArrays, diffWordsWithSpace } from 'diff';
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
   * False when the texts differ too much to align word by word within {@link DIFF_BUDGET}:
   * the diff then aligns whole sentences first (and words within the changed stretches where it
   * can), so it may show a little more as changed than a word-level diff would.
   */
  exact: boolean;
}

/**
 * How much aligning one diff may cost, in Myers' terms: (tokens of both texts) × (edit distance
 * explored). Aligning word by word is quadratic for texts that share little; a fixed budget keeps
 * every diff to a fraction of a second (and deterministic, unlike a timeout) whatever the texts.
 */
export const DIFF_BUDGET = 10_000_000;
const MIN_EDIT_LENGTH = 50;

/** The edit distance worth exploring for texts of `tokens` tokens in all, within `budget`. */
function editLengthFor(tokens: number, budget: number): number {
  return Math.max(MIN_EDIT_LENGTH, Math.floor(budget / Math.max(1, tokens)));
}

/** Roughly how many tokens jsdiff's word tokenizer makes of a text (words, spaces, marks). */
function tokensOf(text: string): number {
  return (text.match(/[\p{L}\p{N}]+|\s+|[^\p{L}\p{N}\s]/gu) ?? []).length;
}

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
  // Half the budget for the word-by-word attempt, half for the fallback's refinements.
  const words = alignWords(before, after, { left: DIFF_BUDGET / 2 });
  const parts = words ?? alignSentences(before, after, { left: DIFF_BUDGET / 2 });
  const count = (kind: DiffPartKind) =>
    parts.filter((part) => part.kind === kind).reduce((n, part) => n + countWords(part.text), 0);
  return {
    parts,
    added: count('added'),
    removed: count('removed'),
    unchanged: count('same'),
    exact: words !== undefined,
  };
}

/** The word-by-word alignment, or undefined when it would cost more than the budget left. */
function alignWords(
  before: string,
  after: string,
  budget: { left: number },
): DiffPart[] | undefined {
  if (budget.left <= 0) return undefined;
  const tokens = tokensOf(before) + tokensOf(after);
  const maxEditLength = editLengthFor(tokens, budget.left);
  const changes = diffWordsWithSpace(before, after, { maxEditLength });
  budget.left -= tokens * Math.min(maxEditLength, tokens);
  return changes?.map((change) => ({
    kind: change.added ? 'added' : change.removed ? 'removed' : 'same',
    text: change.value,
  }));
}

/** Sentences with the whitespace after them, so that joining them gives the text back. */
function sentencesOf(text: string): string[] {
  return text.split(/(?<=[.!?…]["”’)\]]*\s+)/).filter((sentence) => sentence !== '');
}

/**
 * For texts too different to align word by word: align whole sentences (far fewer tokens), then
 * words within each changed stretch where that is cheap enough; what still cannot be aligned is
 * shown removed and added whole.
 */
function alignSentences(before: string, after: string, budget: { left: number }): DiffPart[] {
  const whole = (removed: string, added: string): DiffPart[] => [
    ...(removed === '' ? [] : [{ kind: 'removed' as const, text: removed }]),
    ...(added === '' ? [] : [{ kind: 'added' as const, text: added }]),
  ];
  const left = sentencesOf(before);
  const right = sentencesOf(after);
  const changes = diffArrays(left, right, {
    maxEditLength: editLengthFor(left.length + right.length, DIFF_BUDGET),
  });
  if (!changes) return whole(before, after);
  const parts: DiffPart[] = [];
  let removed = '';
  let added = '';
  const flush = () => {
    if (removed !== '' || added !== '')
      parts.push(...(alignWords(removed, added, budget) ?? whole(removed, added)));
    removed = '';
    added = '';
  };
  for (const change of changes) {
    const text = change.value.join('');
    if (change.removed) removed += text;
    else if (change.added) added += text;
    else {
      flush();
      parts.push({ kind: 'same', text });
    }
  }
  flush();
  return parts;
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
export function reuseShare(
  source: string,
  text: string,
  /** The word diff from `source` to `text`, when the caller has it already. */
  diff: WordDiff = wordDiff(source, text),
): ReuseShare {
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
