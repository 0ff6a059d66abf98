/**
 * Term lists as moderators write them: plain text, one entry a line, read strictly so that a bad
 * upload is refused whole with every problem by line. `terms.ts` compiles what this reads.
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
 */
import { UnprocessableError } from '../platform/errors.js';
import { foldTermLetter, isIgnorable } from './term-text.js';

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

/** Most entries a list may hold. */
export const MAX_TERMS = 2000;
/** Most letters in one entry. */
export const MAX_TERM_LETTERS = 40;
const MAX_TERM_WORDS = 6;
const MAX_LINE_LENGTH = 200;

export type TermMode = 'word' | 'prefix' | 'anywhere' | 'exception';

export interface ReadTerm {
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

/** Reads one entry (without its comment); returns the term, or the problems with it. */
export function readTerm(text: string): ReadTerm | string[] {
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

export function skeletonOf(words: number[][]): number[] {
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
