/**
 * Finding entries in scanned text (`term-text.ts`): the walk of the skeleton trie that picks the few
 * places worth a look, the window read around each for obscenity, and the rules for where a match
 * may end, whether it is made of enough real letters, and how overlapping matches merge. Every
 * step is bounded, so that the work stays linear in the text however hostile it is.
 */
import type { StatefulTransformer } from 'obscenity';
import type { ReasonMatch } from './model.js';
import { BREAK, MASK, NONE, SOFT, WIDE, joins, skipIgnorable, type Scan } from './term-text.js';

export interface Trie {
  /** Transitions: `next[node * stride + letterIndex]`, 0 = none; the root is node 1. */
  next: Int32Array;
  /** Bucket index + 1 of each node, 0 when no entry ends there. */
  buckets: Int32Array;
  /** 1 when every entry ending at the node is a whole word (so the word must end there too). */
  wholeWord: Uint8Array;
  size: number;
}

/** The letters of all skeletons, numbered from 1 (0: a letter no entry has); `stride` = size + 1. */
export interface Alphabet {
  bmp: Uint16Array;
  all: Map<number, number>;
  stride: number;
  /** The letter of each number. */
  letters: Int32Array;
}

/**
 * Where the trie walk may look: `(start letter, bucket, path)` triples, the path being an index in
 * `paths` (-1 for none) — what each mask from the start stood for, as letters, 0 for none.
 */
export interface Candidates {
  found: number[];
  paths: number[][];
}

/** Most masks (`*`) one match may cross, and most of them standing for a letter. */
const MAX_MASKS = 8;
const MAX_MASKED_LETTERS = 2;
/** Most trie steps after the first mask of a word: masks branch, hostile text must not. */
const MASK_STEPS = 4096;

/** A window of the scanned text, read for obscenity: joined words, one space between others. */
export interface Window {
  text: string;
  /** Index in `text` of the candidate letter. */
  at: number;
  /** The scanned letter behind each code unit of `text`; -1 for spaces. */
  letterAt: number[];
  /** Whether a word edge lies before each position of `text` (length + 1 entries). */
  edge: boolean[];
}

/**
 * Reads the scanned letters from the group before `p` (with one group of context before it when
 * `context`) up to `limit` characters past `p` or the end of the phrase, collapsing repeats.
 * `undefined` when the letter at `p` collapses into the one before it (an earlier start covers it).
 */
export function windowOf(
  s: Scan,
  p: number,
  context: boolean,
  limit: number,
  collapser: StatefulTransformer,
  masks: readonly number[] = [],
): Window | undefined {
  // Back to the start of the group (and of the one before, for exceptions), but never further
  // than an exception could reach: a long run of joined letters must not make this quadratic.
  const earliest = p - limit - 1;
  let from = p;
  while (from > 0 && from > earliest && joins(s, from)) from--;
  if (context && from > 0 && from > earliest && s.seps[from] === SOFT) {
    from--;
    while (from > 0 && from > earliest && joins(s, from)) from--;
  }
  while (from < p && s.seps[from] === NONE) from++;
  collapser.reset();
  let text = '';
  const letterAt: number[] = [];
  const edge: boolean[] = [];
  let at = -1;
  let pendingEdge = true;
  let mask = 0;
  let j = from;
  for (; j < s.count; j++) {
    if (j > p && text.length - at > limit) break;
    if (j > from && s.seps[j] !== NONE) {
      if (!joins(s, j)) {
        if (s.seps[j] === BREAK || s.seps[j] === WIDE) break;
        text += ' ';
        letterAt.push(-1);
        edge.push(true);
        collapser.transform(0x20);
      }
      pendingEdge = true;
    }
    let letter = s.letters[j] ?? 0;
    if (letter === MASK) {
      // A mask stands for the letter the trie walk chose for it, or for nothing (a word edge).
      letter = j > p ? (masks[mask++] ?? 0) : 0;
      if (letter === 0) {
        pendingEdge = true;
        continue;
      }
    }
    const kept = collapser.transform(letter);
    if (j === p) {
      if (kept === undefined) return undefined;
      at = text.length;
    }
    if (kept === undefined) continue;
    const ch = String.fromCodePoint(kept);
    text += ch;
    for (let k = 0; k < ch.length; k++) {
      letterAt.push(j);
      edge.push(k === 0 && pendingEdge);
    }
    pendingEdge = false;
  }
  edge.push(j >= s.count || s.seps[j] !== NONE || pendingEdge);
  return { text, at, letterAt, edge };
}

/**
 * Walks `trie` over the skeleton (repeats skipped, separators ignored) of the scanned letters from
 * each word start (from each letter unless `wordStarts`), adding `(start, bucket)` pairs to
 * `candidates` wherever an entry's whole skeleton is read — and, for whole-word entries, the word
 * may end there. Necessary for a match, so everything else can be skipped.
 */
export function walk(
  s: Scan,
  trie: Trie,
  alphabet: Alphabet,
  wordStarts: boolean,
  candidates: Candidates,
): void {
  const { count, letters, seps } = s;
  const { bmp, all, stride } = alphabet;
  const { next, buckets, wholeWord } = trie;
  const found = candidates.found;
  // Where each run of one letter ends, computed only for a text with long runs ("k k k k …"),
  // so that skipping them stays linear.
  let runEnds: Int32Array | undefined;
  for (let j = 0; j < count; j++) {
    if (seps[j] === NONE && (wordStarts || letters[j] === letters[j - 1])) continue;
    if (letters[j] === MASK) continue;
    let node = 1;
    let last = -1;
    for (let q = j; q < count; q++) {
      const c = letters[q] ?? 0;
      if (c === last) {
        if (letters[q + 8] === c) {
          runEnds ??= runEndsOf(s);
          q = (runEnds[q] ?? count) - 1;
        }
        continue;
      }
      if (c === MASK) {
        const budget = { steps: MASK_STEPS };
        walkMasked(s, trie, alphabet, j, q, node, last, [], candidates, budget);
        break;
      }
      last = c;
      const index = c < 0x10000 ? (bmp[c] ?? 0) : (all.get(c) ?? 0);
      if (index === 0) break;
      node = next[node * stride + index] ?? 0;
      if (node === 0) break;
      const bucket = buckets[node] ?? 0;
      if (bucket !== 0 && (wholeWord[node] === 0 || mayEndWord(s, q))) {
        found.push(j, bucket - 1, -1);
      }
    }
  }
}

/**
 * The trie walk from start `j` on from letter `q`, which is a mask: it may stand for nothing, for
 * the letter before it again, or for any letter the trie continues with. Each choice goes on as a
 * walk of its own, recorded in `path`; rare, so written for clarity rather than speed, and bounded
 * by {@link MAX_MASKS}, {@link MAX_MASKED_LETTERS} and a step budget.
 */
function walkMasked(
  s: Scan,
  trie: Trie,
  alphabet: Alphabet,
  j: number,
  from: number,
  startNode: number,
  startLast: number,
  path: number[],
  candidates: Candidates,
  budget: { steps: number },
): void {
  const { count, letters } = s;
  const { bmp, all, stride } = alphabet;
  const { next, buckets, wholeWord } = trie;
  const record = (node: number, q: number, chosen: number[]) => {
    const bucket = buckets[node] ?? 0;
    if (bucket !== 0 && (wholeWord[node] === 0 || mayEndWord(s, q))) {
      candidates.paths.push(chosen);
      candidates.found.push(j, bucket - 1, candidates.paths.length - 1);
    }
  };
  let node = startNode;
  let last = startLast;
  for (let q = from; q < count; q++) {
    if (--budget.steps < 0) return;
    const c = letters[q] ?? 0;
    if (c === MASK) {
      if (path.length >= MAX_MASKS) return;
      const substituted = path.filter((letter) => letter !== 0).length;
      walkMasked(s, trie, alphabet, j, q + 1, node, last, [...path, 0], candidates, budget);
      if (substituted >= MAX_MASKED_LETTERS) return;
      if (last !== -1) {
        walkMasked(s, trie, alphabet, j, q + 1, node, last, [...path, last], candidates, budget);
      }
      for (let index = 1; index < stride; index++) {
        const child = next[node * stride + index] ?? 0;
        const letter = alphabet.letters[index] ?? 0;
        if (child === 0 || letter === last) continue;
        const chosen = [...path, letter];
        record(child, q, chosen);
        walkMasked(s, trie, alphabet, j, q + 1, child, letter, chosen, candidates, budget);
      }
      return;
    }
    if (c === last) continue;
    last = c;
    const index = c < 0x10000 ? (bmp[c] ?? 0) : (all.get(c) ?? 0);
    if (index === 0) return;
    node = next[node * stride + index] ?? 0;
    if (node === 0) return;
    record(node, q, path);
  }
}

/** For each scanned letter, the index after the run of equal letters it belongs to. */
function runEndsOf(s: Scan): Int32Array {
  const { count, letters } = s;
  const ends = new Int32Array(count);
  for (let k = count - 1; k >= 0; k--) {
    ends[k] = k + 1 < count && letters[k + 1] === letters[k] ? (ends[k + 1] ?? count) : k + 1;
  }
  return ends;
}

/**
 * Where the match ending at scanned letter `last` ends in the original text: after the repeats
 * collapsed into it ("KIKEEE") and any combining marks or invisible characters that follow.
 */
export function endInText(text: string, s: Scan, last: number): number {
  let j = last;
  while (j + 1 < s.count && s.letters[j + 1] === s.letters[j] && s.seps[j + 1] === NONE) j++;
  return skipIgnorable(text, s.ends[j] ?? 0);
}

/**
 * Whether a whole-word entry whose skeleton ends at letter `q` may end there: the run of that letter
 * is followed by a separator, the end, or a plural ending. A cheap necessary condition that spares
 * obscenity the countless "con…" words behind `coon` and "abo…" words behind `abo`.
 */
function mayEndWord(s: Scan, q: number): boolean {
  const { letters, seps, count } = s;
  let r = skipRun(s, q);
  if (r >= count || seps[r] !== NONE || letters[r] === MASK) return true;
  if (letters[r] === 0x65) r = skipRun(s, r);
  if (r >= count || seps[r] !== NONE) return true;
  if (letters[r] !== 0x73) return false;
  r = skipRun(s, r);
  return r >= count || seps[r] !== NONE;
}

/** The index after the run of letters equal to `letters[q]` within the word, from `q`. */
function skipRun(s: Scan, q: number): number {
  const { letters, seps, count } = s;
  const c = letters[q];
  let r = q + 1;
  while (r < count && letters[r] === c && seps[r] === NONE) r++;
  return r;
}

/**
 * Whether a match is made of enough real letters to be meant as a word: l33t digits alone make
 * numbers and codes, not slurs ("600k" is not "gook", "FF46" not "fag"). Counting runs of a repeated
 * letter once, at least two real letters, or no more substitutions than real letters.
 */
export function plausible(s: Scan, window: Window, start: number, end: number): boolean {
  const first = window.letterAt[start] ?? 0;
  const last = window.letterAt[end - 1] ?? 0;
  let real = 0;
  let substituted = 0;
  for (let j = first; j <= last; j++) {
    if (j > first && s.letters[j] === s.letters[j - 1]) continue;
    if (s.subs[j]) substituted++;
    else real++;
  }
  return real >= 2 || (real >= 1 && substituted <= real);
}

/** Sorts matches and merges overlapping ones, keeping the longest match's entry. */
export function merge(matches: ReasonMatch[]): ReasonMatch[] {
  if (matches.length <= 1) return matches;
  matches.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: ReasonMatch[] = [];
  let longest = 0;
  for (const match of matches) {
    const last = out[out.length - 1];
    if (last && match.start < last.end) {
      const length = match.end - match.start;
      if (length > longest) {
        last.term = match.term;
        longest = length;
      }
      last.end = Math.max(last.end, match.end);
    } else {
      out.push({ ...match });
      longest = match.end - match.start;
    }
  }
  return out;
}
