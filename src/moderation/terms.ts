/**
 * Blocked and suspect terms: moderators' lists (plain text, one term a line) and a matcher that finds
 * them in comments despite l33t, spacing, punctuation, repeated letters, look-alike letters and
 * invisible characters, whole words only, so that "Scunthorpe", "Pakistani" or "Yiddish" pass.
 * The list syntax is in `term-list.ts`, the reading of text in `term-text.ts`, the search in
 * `term-search.ts`; this module compiles lists and is what the rest of moderation imports.
 *
 * ## Matching
 *
 * `term-text.ts` folds the comment (obscenity's confusables, l33t and case transformers, plus
 * accents, invisible characters and character references) into letters and separators. A *word*
 * is a run of letters; words joined by short punctuation with no space (`k.i.k.e`, `nig-ger`) or
 * single letters spaced out (`k i k e`) are read together, and a term must start and end on word
 * edges — so "a kike" matches and "ask Ike" does not. Runs of repeated letters are collapsed with
 * obscenity's collapse-duplicates transformer to the most any entry needs. A match needs enough
 * real letters (not l33t digits) to be a word: "600k" is a number, not "gook".
 *
 * Speed: most comments contain no term. A trie of the terms' *skeletons* (letters with repeats and
 * spaces removed) is walked from each word start of the scanned letters; only where it reaches a
 * whole skeleton — and, for a whole-word entry, the word can end there — is a short window around
 * that word built and handed to obscenity's `RegExpMatcher`, holding only the entries with that
 * skeleton and the exceptions as its whitelist. Both steps are necessary conditions for a match,
 * so skipping the rest changes no result (a property test compares with `exhaustive`). Work stays
 * linear in the text, however hostile: windows are bounded and at most {@link MAX_MATCHES} matches
 * a list are reported.
 */
import {
  RegExpMatcher,
  collapseDuplicatesTransformer,
  parseRawPattern,
  type StatefulTransformer,
} from 'obscenity';
import type { ReasonMatch } from './model.js';
import {
  TermListError,
  readTerm,
  skeletonOf,
  type ReadTerm,
  type TermEntry,
  type TermListProblem,
  type TermMode,
} from './term-list.js';
import {
  endInText,
  merge,
  plausible,
  walk,
  windowOf,
  type Alphabet,
  type Candidates,
  type Trie,
  type Window,
} from './term-search.js';
import { NONE, scanText, type Scan } from './term-text.js';

export { DEFAULT_BLOCKED_TERMS, DEFAULT_SUSPECT_TERMS } from './default-terms.js';
export {
  MAX_TERM_LETTERS,
  MAX_TERMS,
  TermListError,
  parseTermList,
  type TermEntry,
  type TermListProblem,
} from './term-list.js';

export interface TermMatches {
  blocked: ReasonMatch[];
  suspect: ReasonMatch[];
}

export interface TermMatcher {
  /**
   * Matches in `text`, per list, sorted by position, overlapping matches merged; at most
   * {@link MAX_MATCHES} a list (a comment made of slurs needs no more to be judged or shown).
   */
  match(text: string): TermMatches;
}

/** Most matches reported a list. */
export const MAX_MATCHES = 100;
/** Longest run of one letter an entry may require ("nigger" needs 2 g); longer runs collapse. */
const MAX_RUN = 3;

type ListName = 'blocked' | 'suspect';

interface CompiledTerm {
  list: ListName;
  mode: Exclude<TermMode, 'exception'>;
  /** The entry as written: what a ReasonMatch names. */
  entry: string;
  /** Whether `-es` is a plural ending for it (after s, x, z, ch, sh, o). */
  esPlural: boolean;
}

/** A trie node's entries: one obscenity matcher per list, over only the entries ending here. */
interface Bucket {
  blocked: RegExpMatcher | undefined;
  suspect: RegExpMatcher | undefined;
}

function runsOf(word: number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const c of word) {
    const last = runs[runs.length - 1];
    if (last && last[0] === c) last[1]++;
    else runs.push([c, 1]);
  }
  return runs;
}

function patternChar(c: number): string {
  const ch = String.fromCodePoint(c);
  return '[]?|\\'.includes(ch) ? `\\${ch}` : ch;
}

export interface CompileOptions {
  /**
   * Skip the trie and run obscenity at every word start (every letter for `~` entries): the
   * reference the fast path must agree with, for tests and diagnosis. Much slower.
   */
  exhaustive?: boolean;
}

/**
 * Compiles both lists into one matcher. Entries are re-read, so a hand-built list is checked too
 * ({@link TermListError}). Compiling is cheap but not free: cache the matcher per rules version.
 */
export function compileTermMatcher(
  lists: { blocked: TermEntry[]; suspect: TermEntry[] },
  options: CompileOptions = {},
): TermMatcher {
  const problems: TermListProblem[] = [];
  const terms: { read: ReadTerm; list: ListName }[] = [];
  const exceptions: Record<ListName, ReadTerm[]> = { blocked: [], suspect: [] };
  for (const list of ['blocked', 'suspect'] as const) {
    for (const entry of lists[list]) {
      const read = readTerm(entry.term.replace(/#.*$/, ''));
      if (Array.isArray(read)) {
        for (const message of read) problems.push({ line: entry.line, message });
      } else if (read.mode === 'exception') exceptions[list].push(read);
      else terms.push({ read, list });
    }
  }
  if (problems.length > 0) throw new TermListError(problems);
  // "chinky" → "chinkies": a plural the `s` ending cannot reach, matched as its own spelling.
  for (const { read, list } of [...terms]) {
    const last = read.words[read.words.length - 1] ?? [];
    const [before, y] = last.slice(-2);
    if (
      read.mode !== 'word' ||
      y !== 0x79 ||
      before === undefined ||
      /[aeiouy]/.test(String.fromCodePoint(before))
    )
      continue;
    const plural = [...last.slice(0, -1), 0x69, 0x65, 0x73];
    terms.push({ read: { ...read, words: [...read.words.slice(0, -1), plural] }, list });
  }

  // How many of each letter a run may keep: the most any entry needs.
  const thresholds = new Map<number, number>();
  for (const { read } of terms) {
    for (const word of read.words) {
      for (const [c, count] of runsOf(word)) {
        thresholds.set(c, Math.min(MAX_RUN, Math.max(count, thresholds.get(c) ?? 1)));
      }
    }
  }
  const collapser = collapseDuplicatesTransformer({
    customThresholds: new Map([...thresholds].map(([c, t]) => [String.fromCodePoint(c), t])),
  }).factory();

  // The alphabet of all skeletons, and a trie per anchoring (word start / anywhere).
  const alphabet = new Map<number, number>();
  for (const { read } of terms) {
    for (const c of skeletonOf(read.words))
      if (!alphabet.has(c)) alphabet.set(c, alphabet.size + 1);
  }
  const stride = alphabet.size + 1;
  const bmpAlphabet = new Uint16Array(0x10000);
  const alphabetLetters = new Int32Array(stride);
  for (const [c, index] of alphabet) {
    if (c < 0x10000) bmpAlphabet[c] = index;
    alphabetLetters[index] = c;
  }

  const compiled: CompiledTerm[] = [];
  const bucketPatterns: Map<number, { id: number; pattern: string }[]>[] = [];
  // Node 0 is unused (0 means "no transition"); node 1 is the root.
  const builders: Record<'start' | 'anywhere', number[][]> = {
    start: [[], []],
    anywhere: [[], []],
  };
  const nodeBucket = { start: new Map<number, number>(), anywhere: new Map<number, number>() };
  const prefixNodes = new Set<number>();
  let longest = 0;
  for (const { read, list } of terms) {
    const mode = read.mode as CompiledTerm['mode'];
    const last = read.words[read.words.length - 1] ?? [];
    const tail = String.fromCodePoint(...last.slice(-2));
    compiled.push({ list, mode, entry: read.display, esPlural: /(?:[sxzo]|ch|sh)$/.test(tail) });
    const id = compiled.length - 1;
    const pattern = read.words
      .map((word) =>
        runsOf(word)
          .map(
            ([c, count]) =>
              patternChar(c).repeat(count) +
              `[${patternChar(c)}]`.repeat((thresholds.get(c) ?? 1) - count),
          )
          .join(''),
      )
      .join('[ ]');
    const length = read.words.reduce(
      (sum, word) => sum + runsOf(word).reduce((s, [c]) => s + (thresholds.get(c) ?? 1), 0) + 1,
      0,
    );
    longest = Math.max(longest, length);
    const kind = mode === 'anywhere' ? 'anywhere' : 'start';
    const nodes = builders[kind];
    let node = 1;
    for (const c of skeletonOf(read.words)) {
      const index = alphabet.get(c) ?? 0;
      const row = nodes[node] ?? (nodes[node] = []);
      let child = row[index];
      if (child === undefined) {
        nodes.push([]);
        child = nodes.length - 1;
        row[index] = child;
      }
      node = child;
    }
    if (mode === 'prefix') prefixNodes.add(node);
    let bucket = nodeBucket[kind].get(node);
    if (bucket === undefined) {
      bucket = bucketPatterns.length;
      bucketPatterns.push(new Map());
      nodeBucket[kind].set(node, bucket);
    }
    const byList = bucketPatterns[bucket] ?? new Map();
    const key = list === 'blocked' ? 0 : 1;
    const group = byList.get(key) ?? [];
    group.push({ id, pattern });
    byList.set(key, group);
  }

  // Exceptions, read exactly as comments are: the whitelist of every matcher, whichever list
  // they were written in (a phrase that is innocent is innocent of every term).
  const whitelist = new Set<string>();
  let longestException = 0;
  for (const exception of [...exceptions.blocked, ...exceptions.suspect]) {
    const window = windowOf(scanText(exception.display.slice(1)), 0, false, Infinity, collapser);
    if (!window) continue;
    whitelist.add(window.text);
    whitelist.add(window.text.replace(/ /g, ''));
    longestException = Math.max(longestException, window.text.length);
  }
  const whitelistedTerms = [...whitelist];

  const buckets: Bucket[] = bucketPatterns.map((byList) => {
    const matcherFor = (list: ListName): RegExpMatcher | undefined => {
      const group = byList.get(list === 'blocked' ? 0 : 1);
      if (!group) return undefined;
      return new RegExpMatcher({
        blacklistedTerms: group.map(({ id, pattern }) => ({
          id,
          pattern: parseRawPattern(pattern),
        })),
        whitelistedTerms,
      });
    };
    return { blocked: matcherFor('blocked'), suspect: matcherFor('suspect') };
  });

  const toTrie = (kind: 'start' | 'anywhere'): Trie => {
    const nodes = builders[kind];
    const size = Math.max(nodes.length, 2);
    const next = new Int32Array(size * stride);
    nodes.forEach((row, node) =>
      row.forEach((child, index) => (next[node * stride + index] = child)),
    );
    const bucketOf = new Int32Array(size);
    const wholeWord = new Uint8Array(size);
    for (const [node, bucket] of nodeBucket[kind]) {
      bucketOf[node] = bucket + 1;
      if (kind === 'start' && !prefixNodes.has(node)) wholeWord[node] = 1;
    }
    return { next, buckets: bucketOf, wholeWord, size };
  };

  return new CompiledTermMatcher(
    compiled,
    buckets,
    toTrie('start'),
    nodeBucket.anywhere.size > 0 ? toTrie('anywhere') : undefined,
    { bmp: bmpAlphabet, all: alphabet, stride, letters: alphabetLetters },
    collapser,
    Math.max(longest + 2, longestException),
    exceptions.blocked.length + exceptions.suspect.length > 0,
    options.exhaustive === true,
  );
}

class CompiledTermMatcher implements TermMatcher {
  constructor(
    private readonly terms: CompiledTerm[],
    private readonly buckets: Bucket[],
    private readonly startTrie: Trie,
    private readonly anywhereTrie: Trie | undefined,
    private readonly alphabet: Alphabet,
    private readonly collapser: StatefulTransformer,
    private readonly limit: number,
    private readonly hasExceptions: boolean,
    private readonly exhaustive: boolean,
  ) {}

  match(text: string): TermMatches {
    const s = scanText(text);
    if (this.exhaustive) return this.confirm(text, s, this.everyCandidate(s));
    const candidates: Candidates = { found: [], paths: [] };
    walk(s, this.startTrie, this.alphabet, true, candidates);
    if (this.anywhereTrie) walk(s, this.anywhereTrie, this.alphabet, false, candidates);
    if (candidates.found.length === 0) return { blocked: [], suspect: [] };
    return this.confirm(text, s, candidates);
  }

  /** Every word start with every start-anchored bucket, every letter with every `~` bucket. */
  private everyCandidate(s: Scan): Candidates {
    const found: number[] = [];
    for (let j = 0; j < s.count; j++) {
      for (const trie of [this.startTrie, this.anywhereTrie]) {
        if (!trie || (trie === this.startTrie && s.seps[j] === NONE)) continue;
        for (const bucket of trie.buckets) if (bucket !== 0) found.push(j, bucket - 1, -1);
      }
    }
    return { found, paths: [] };
  }

  /** Runs obscenity on a window around each candidate and keeps matches on word edges. */
  private confirm(text: string, s: Scan, candidates: Candidates): TermMatches {
    const found: Record<ListName, ReasonMatch[]> = { blocked: [], suspect: [] };
    let windowFor = -1;
    let windowPath = -1;
    let window: Window | undefined;
    const list = candidates.found;
    for (let c = 0; c < list.length; c += 3) {
      const p = list[c] ?? 0;
      const bucket = this.buckets[list[c + 1] ?? 0];
      const path = list[c + 2] ?? -1;
      if (!bucket) continue;
      const open = (name: ListName) =>
        bucket[name] !== undefined && found[name].length < MAX_MATCHES;
      if (!open('blocked') && !open('suspect')) continue;
      if (p !== windowFor || path !== windowPath) {
        const masks = candidates.paths[path] ?? [];
        window = windowOf(s, p, this.hasExceptions, this.limit, this.collapser, masks);
        windowFor = p;
        windowPath = path;
      }
      if (!window) continue;
      for (const name of ['blocked', 'suspect'] as const) {
        const matcher = bucket[name];
        if (!matcher || !open(name)) continue;
        for (const payload of matcher.getAllMatches(window.text)) {
          if (payload.startIndex !== window.at) continue;
          const term = this.terms[payload.termId];
          if (!term) continue;
          const end = this.endOf(window, payload.endIndex + 1, term);
          if (end === undefined || !plausible(s, window, window.at, end)) continue;
          found[name].push({
            start: s.starts[window.letterAt[window.at] ?? 0] ?? 0,
            end: endInText(text, s, window.letterAt[end - 1] ?? 0),
            term: term.entry,
          });
        }
      }
    }
    return { blocked: merge(found.blocked), suspect: merge(found.suspect) };
  }

  /** Where a match really ends: on a word edge, after a plural ending, or anywhere for `*`/`~`. */
  private endOf(window: Window, matchEnd: number, term: CompiledTerm): number | undefined {
    const text = window.text;
    let end = matchEnd;
    if (term.mode === 'anywhere') return end;
    if (term.mode === 'prefix') {
      // Highlight the whole word it starts ("niggers", "n i g g e r s", "nigger-lover"), as far as
      // the window reads.
      while (end < text.length && text.charCodeAt(end) !== 0x20) end++;
      return end;
    }
    if (text.charCodeAt(end) === 0x73 && window.edge[end + 1]) return end + 1;
    if (term.esPlural && text.startsWith('es', end) && window.edge[end + 2]) return end + 2;
    return window.edge[end] ? end : undefined;
  }
}
