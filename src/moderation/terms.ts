/**
 * Blocked and suspect terms: moderators' lists (plain text, one term a line) and a matcher that finds
 * them in comments despite l33t, spacing, punctuation, repeated letters, look-alike letters and
 * invisible characters, whole words only, so that "Scunthorpe", "Pakistani" or "Yiddish" pass.
 *
 * ## List syntax
 *
 * One entry a line; blank lines are ignored and `#` starts a comment (a whole line or the rest of
 * one). An entry is a word or short phrase of letters (any script), with single spaces, hyphens or
 * apostrophes inside:
 *
 * - `yid` — the whole word, also with an English plural or possessive (`yids`, `yid's`; `-es` too
 *   after s, x, z, ch, sh and o). Never inside a longer word: `yid` does not match "Yiddish".
 * - `nigger*` — also as the start of a longer word (`niggerish`). At least 3 letters.
 * - `~slur` — anywhere, even inside other words. At least 3 letters; use sparingly.
 * - `!chink in the armour` — an exception: a match inside this phrase (as the comment writes it,
 *   starting at most one word before the term) does not count, for the terms of either list.
 * - A space in an entry matches a space, a hyphen or nothing (`rag head`: "raghead", "rag-head");
 *   a hyphen or apostrophe matches punctuation or nothing, but not a space (`she-male`).
 *
 * Digits are refused: in comments digits are read as letters (`y1d` is `yid`), so a term with a
 * digit could never match as written. Letters repeated in an entry must be repeated in the comment
 * (`nigger` needs the double g, so "Niger" passes); any letter may be repeated more (`kiiike`).
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
import { UnprocessableError } from '../platform/errors.js';
import type { ReasonMatch } from './model.js';
import {
  BREAK,
  MASK,
  NONE,
  WIDE,
  SOFT,
  foldTermLetter,
  isIgnorable,
  joins,
  scanText,
  skipIgnorable,
  type Scan,
} from './term-text.js';

export { DEFAULT_BLOCKED_TERMS, DEFAULT_SUSPECT_TERMS } from './default-terms.js';

/** One entry of a term list: the entry as written (markers included) and its 1-based line. */
export interface TermEntry {
  term: string;
  line: number;
}

export interface TermListProblem {
  line: number;
  message: string;
}

/** A malformed term list: every problem with its line, so an upload is refused whole. */
export class TermListError extends UnprocessableError {
  readonly problems: TermListProblem[];

  constructor(problems: TermListProblem[]) {
    const shown = problems.slice(0, 20).map((p) => `line ${p.line}: ${p.message}`);
    if (problems.length > shown.length) shown.push(`and ${problems.length - shown.length} more`);
    super(
      problems.length === 1
        ? (shown[0] ?? '')
        : `The term list has ${problems.length} problems: ${shown.join('; ')}`,
      'invalid-term-list',
      { problems },
    );
    this.problems = problems;
  }
}

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
/** Most entries a list may hold. */
export const MAX_TERMS = 2000;
/** Most letters in one entry. */
export const MAX_TERM_LETTERS = 40;
const MAX_TERM_WORDS = 6;
const MAX_LINE_LENGTH = 200;
/** Longest run of one letter an entry may require ("nigger" needs 2 g); longer runs collapse. */
const MAX_RUN = 3;

type TermMode = 'word' | 'prefix' | 'anywhere' | 'exception';

interface ReadTerm {
  mode: TermMode;
  /** Folded letters of each word (words are separated by spaces in the entry). */
  words: number[][];
  /** The entry as written, spaces normalised. */
  display: string;
}

const LETTER_RE = /\p{L}/u;
const CONTROL_RE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/u;
const JOINERS = new Set(['-', '\u2010', '\u2011', "'", '\u2019', '\u02bc']);

function hex(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Reads one entry (without its comment); returns the term or the problems with it. */
function readTerm(text: string): ReadTerm | string[] {
  const problems: string[] = [];
  let body = text.trim().replace(/[ \t]+/g, ' ');
  let mode: TermMode = 'word';
  if (body.startsWith('!')) {
    mode = 'exception';
    body = body.slice(1).trim();
  } else if (body.startsWith('~')) {
    mode = 'anywhere';
    body = body.slice(1).trim();
  }
  if (body.endsWith('*')) {
    if (mode === 'exception') problems.push('an exception (!) cannot end in *');
    else if (mode === 'anywhere') problems.push('~ already matches inside words; drop the *');
    else mode = 'prefix';
    body = body.slice(0, -1).trim();
  }
  const words: number[][] = [[]];
  let previous: 'start' | 'letter' | 'space' | 'joiner' = 'start';
  for (const ch of body) {
    const cp = ch.codePointAt(0) ?? 0;
    const current = words[words.length - 1] ?? [];
    if (ch === ' ') {
      if (previous === 'joiner') problems.push('a hyphen or apostrophe must sit between letters');
      words.push([]);
      previous = 'space';
    } else if (JOINERS.has(ch)) {
      if (previous !== 'letter') problems.push('a hyphen or apostrophe must sit between letters');
      previous = 'joiner';
    } else if (/\p{N}/u.test(ch)) {
      problems.push(
        `"${ch}" is a digit; comments are read with digits as letters (1 → i, 3 → e), so write the term in letters`,
      );
    } else if (CONTROL_RE.test(ch)) {
      problems.push(`contains an invisible or control character (${hex(cp)})`);
    } else if (isIgnorable(cp)) {
      if (previous !== 'letter')
        problems.push(`a combining mark (${hex(cp)}) must follow a letter`);
    } else if ('*~!'.includes(ch)) {
      problems.push(`"${ch}" may only start (~, !) or end (*) an entry`);
    } else if (LETTER_RE.test(ch)) {
      const folded = foldTermLetter(cp);
      if (folded === undefined) problems.push(`the letter "${ch}" (${hex(cp)}) cannot be matched`);
      else current.push(folded);
      previous = 'letter';
    } else {
      problems.push(
        `"${ch}" (${hex(cp)}) cannot be matched: use letters, single spaces, hyphens and apostrophes`,
      );
    }
  }
  if (previous === 'joiner') problems.push('a hyphen or apostrophe must sit between letters');
  const nonEmpty = words.filter((word) => word.length > 0);
  const letters = nonEmpty.reduce((sum, word) => sum + word.length, 0);
  if (problems.length === 0) {
    if (letters < 2 || skeletonOf(nonEmpty).length < 2) {
      problems.push(`"${body}" is too short: a term needs at least 2 different letters`);
    } else if (letters > MAX_TERM_LETTERS) {
      problems.push(`too long: ${letters} letters (at most ${MAX_TERM_LETTERS})`);
    } else if (nonEmpty.length > MAX_TERM_WORDS) {
      problems.push(`too long: ${nonEmpty.length} words (at most ${MAX_TERM_WORDS})`);
    } else if ((mode === 'prefix' || mode === 'anywhere') && letters < 3) {
      problems.push('a term matched as a prefix (*) or anywhere (~) needs at least 3 letters');
    }
  }
  if (problems.length > 0) return problems;
  const marked = `${mode === 'exception' ? '!' : mode === 'anywhere' ? '~' : ''}${body}${mode === 'prefix' ? '*' : ''}`;
  return { mode, words: nonEmpty, display: marked };
}

function skeletonOf(words: number[][]): number[] {
  const out: number[] = [];
  for (const word of words) for (const c of word) if (out[out.length - 1] !== c) out.push(c);
  return out;
}

function keyOf(term: ReadTerm): string {
  return `${term.mode}:${term.words.map((word) => String.fromCodePoint(...word)).join(' ')}`;
}

/**
 * Parses a term list (see the module comment for the syntax). Throws {@link TermListError} listing
 * every problem with its line: control characters, terms too short or too long, characters that
 * cannot be matched, duplicates (after folding case and look-alike letters), too many entries.
 */
export function parseTermList(text: string): TermEntry[] {
  const problems: TermListProblem[] = [];
  const entries: TermEntry[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.length > MAX_LINE_LENGTH) {
      problems.push({
        line,
        message: `the line is too long (at most ${MAX_LINE_LENGTH} characters)`,
      });
      return;
    }
    const hash = raw.indexOf('#');
    const content = (hash >= 0 ? raw.slice(0, hash) : raw).replace(/\t/g, ' ');
    if (content.trim() === '') {
      if (hash >= 0 && CONTROL_RE.test(raw.slice(0, hash).replace(/\t/g, ''))) {
        problems.push({ line, message: 'contains an invisible or control character' });
      }
      return;
    }
    const read = readTerm(content);
    if (Array.isArray(read)) {
      for (const message of read) problems.push({ line, message });
      return;
    }
    const key = keyOf(read);
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({ line, message: `"${read.display}" repeats line ${first}` });
      return;
    }
    seen.set(key, line);
    entries.push({ term: read.display, line });
  });
  if (entries.length > MAX_TERMS) {
    const over = entries[MAX_TERMS];
    problems.push({
      line: over?.line ?? lines.length,
      message: `too many entries: ${entries.length} (at most ${MAX_TERMS} a list)`,
    });
  }
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line);
    throw new TermListError(problems);
  }
  return entries;
}

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

interface Trie {
  /** Transitions: `next[node * stride + letterIndex]`, 0 = none; the root is node 1. */
  next: Int32Array;
  /** Bucket index + 1 of each node, 0 when no entry ends there. */
  buckets: Int32Array;
  /** 1 when every entry ending at the node is a whole word (so the word must end there too). */
  wholeWord: Uint8Array;
  size: number;
}

/** The letters of all skeletons, numbered from 1 (0: a letter no entry has); `stride` = size + 1. */
interface Alphabet {
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
interface Candidates {
  found: number[];
  paths: number[][];
}

/** Most masks (`*`) one match may cross, and most of them standing for a letter. */
const MAX_MASKS = 8;
const MAX_MASKED_LETTERS = 2;
/** Most trie steps after the first mask of a word: masks branch, hostile text must not. */
const MASK_STEPS = 4096;

/** A window of the scanned text, read for obscenity: joined words, one space between others. */
interface Window {
  text: string;
  /** Index in `text` of the candidate letter. */
  at: number;
  /** The scanned letter behind each code unit of `text`; -1 for spaces. */
  letterAt: number[];
  /** Whether a word edge lies before each position of `text` (length + 1 entries). */
  edge: boolean[];
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

/**
 * Reads the scanned letters from the group before `p` (with one group of context before it when
 * `context`) up to `limit` characters past `p` or the end of the phrase, collapsing repeats.
 * `undefined` when the letter at `p` collapses into the one before it (an earlier start covers it).
 */
function windowOf(
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

/**
 * Walks `trie` over the skeleton (repeats skipped, separators ignored) of the scanned letters from
 * each word start (from each letter unless `wordStarts`), adding `(start, bucket)` pairs to
 * `candidates` wherever an entry's whole skeleton is read — and, for whole-word entries, the word
 * may end there. Necessary for a match, so everything else can be skipped.
 */
function walk(
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
function endInText(text: string, s: Scan, last: number): number {
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
function plausible(s: Scan, window: Window, start: number, end: number): boolean {
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
function merge(matches: ReasonMatch[]): ReasonMatch[] {
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
