/**
 * Reading text the way the term matcher needs it: one pass over a comment that folds every
 * character with obscenity's transformers (look-alike Unicode letters, l33t, case) and our own few
 * rules (accents, invisible characters, character references), and lays the result out as *letters* and the *separators*
 * between them, with each letter's place in the original text. `terms.ts` decides what a match is.
 *
 * - **Letters** are letters of any script, folded (`Ｋ`, `К`, `κ`, `ķ` → `k`); l33t digits
 *   (`0 1 2 3 4 5 6 7 9` → `o i z e a s g t g`) and, inside a word only, the symbols `@ ( ! | $`
 *   (`n!gger`, but not the `!` ending "Yids!"; a `$` may also start a word, as in `$pic`) and the
 *   mask `*` ({@link MASK}: "n*gger", but not "*bold*").
 * - **Ignored** entirely: zero-width characters (U+200B/C/D, U+2060, U+FEFF), the soft hyphen and
 *   other format characters, and combining marks (`k̲i̲k̲e̲`, accents written separately).
 * - **Separators** between two letters are kinds, not text: none (same word), `HARD` (up to three
 *   punctuation characters and no space: `k.i.k.e`, `k-i-k-e`, `Paki's`), `SOFT` (white space
 *   only), `BREAK` (white space with punctuation, three characters at most: `k. i`, `k - i`) and
 *   `WIDE` (anything longer: `a == b`).
 * - Digits that are no l33t letter (`8`) stay inside their word, so "faaa68a" is no word "fag".
 * - Character references (`&#107;`, `&iuml;`) are read as the character the Markdown renderer
 *   shows, spanning the whole reference in the original text.
 *
 * The scan writes into module-level buffers that grow as needed and are reused by the next call, so
 * judging a comment allocates almost nothing; callers copy what they keep.
 */
import markdownIt from 'markdown-it';
import {
  resolveConfusablesTransformer,
  resolveLeetSpeakTransformer,
  toAsciiLowerCaseTransformer,
} from 'obscenity';

/**
 * A `*` inside a word ("n*gger"): a letter masked by the writer, standing for one letter or none
 * ("k*i*k*e"). The matcher decides which; it is never a letter of a term.
 */
export const MASK = 0x2a;

/** The separator before a letter: `NONE` means the letter continues the word before it. */
export const NONE = 0;
export const HARD = 1;
export const SOFT = 2;
export const BREAK = 3;
export const WIDE = 4;

// What a character is, in the low 3 bits of its table entry; the folded letter in the rest.
const OTHER = 0; // punctuation and symbols: separates words
const LETTER = 1;
const DIGIT = 2; // a digit: a letter (l33t, or itself), counted as a substitution
const SYMBOL = 3; // a l33t symbol: a letter only inside a word
const IGNORE = 4;
const SPACE = 5;
const DOLLAR = 6; // `$`: a l33t `s` inside a word, or at the start of one before a real letter

/** Characters that obscenity's confusables table folds to `l` but that imitate an `i`. */
const I_LIKE = new Set([0x49, 0x131, 0x399, 0x3b9, 0x406, 0x456, 0x4c0, 0x4cf, 0x1c0, 0x7c]);
/** `/` is a l33t `l` in obscenity's dictionary, but "and/or" must stay two words. */
const NOT_LEET = new Set([0x2f]);
/**
 * Comments are Markdown, and the renderer turns character references into characters ("&#107;"
 * shows as "k"), so they are read as the characters they show.
 */
const unescape = markdownIt().utils.unescapeAll;
/** Longest character reference read (`&CounterClockwiseContourIntegral;` is 33). */
const MAX_REFERENCE = 34;

/** l33t that obscenity's dictionary lacks: `9` for `g` ("ni99a"). */
const MORE_LEET = new Map([[0x39, 0x67]]);

/**
 * Each BMP code point's class and folded letter, filled on first sight (classifying all 65,536 up
 * front costs a noticeable pause at start-up); -1 marks one not classified yet.
 */
const table = new Int32Array(0x10000).fill(-1);
const astral = new Map<number, number>();

const confusables = resolveConfusablesTransformer().transform;
const leet = resolveLeetSpeakTransformer().transform;
const lower = toAsciiLowerCaseTransformer().transform;

const LETTER_RE = /^\p{L}$/u;
const MARK_RE = /^\p{M}$/u;
const FORMAT_RE = /^\p{Cf}$/u;
const SPACE_RE = /^[\s\p{Z}]$/u;

function isAsciiLetter(cp: number): boolean {
  return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a);
}

function entry(kind: number, value: number): number {
  return (value << 3) | kind;
}

/** Classifies one code point; run once per code point and cached in the table. */
function classify(cp: number): number {
  const ch = String.fromCodePoint(cp);
  if (FORMAT_RE.test(ch) || MARK_RE.test(ch)) return entry(IGNORE, 0);
  if (SPACE_RE.test(ch)) return entry(SPACE, 0);
  if (I_LIKE.has(cp)) return cp === 0x7c ? entry(SYMBOL, 0x69) : entry(LETTER, 0x69);
  if (cp === 0x24) return entry(DOLLAR, 0x73);
  if (cp === 0x2a) return entry(SYMBOL, MASK);
  const isLetter = LETTER_RE.test(ch);
  // Lower-case first, so that both cases of a letter fold alike (obscenity's tables may not).
  if (isLetter && cp >= 0x80) {
    const lowered = ch.toLowerCase();
    const loweredCp = lowered.codePointAt(0) ?? cp;
    if (loweredCp !== cp && [...lowered].length === 1) return classify(loweredCp);
  }
  const folded = cp < 0x80 ? cp : (confusables(cp) ?? cp);
  if (folded >= 0x30 && folded <= 0x39) {
    const letter = MORE_LEET.get(folded) ?? leet(folded);
    // A digit that is no l33t letter is kept as itself: part of its word, matching no term.
    if (letter === undefined || letter === folded) return entry(isLetter ? LETTER : DIGIT, folded);
    return entry(isLetter ? LETTER : DIGIT, letter);
  }
  if (!isAsciiLetter(folded) && folded < 0x80 && !NOT_LEET.has(folded)) {
    const letter = leet(folded);
    if (letter !== undefined && letter !== folded && isAsciiLetter(letter)) {
      return entry(isLetter ? LETTER : SYMBOL, letter);
    }
  }
  if (isAsciiLetter(folded)) return entry(LETTER, lower(folded) ?? folded);
  if (!isLetter) return entry(OTHER, 0);
  // A letter obscenity does not fold: strip accents (NFKD), else lower-case it in its own script.
  const bare = ch.normalize('NFKD').replace(/\p{M}/gu, '');
  const bareCp = bare.codePointAt(0) ?? cp;
  if (bare.length === 1 && isAsciiLetter(bareCp)) return entry(LETTER, lower(bareCp) ?? bareCp);
  const lowered = ch.toLowerCase();
  const loweredCp = lowered.codePointAt(0) ?? cp;
  return entry(LETTER, [...lowered].length === 1 ? loweredCp : cp);
}

/** The table entry of a BMP code unit, classifying it on first sight. */
function lookUp(unit: number): number {
  const known = table[unit] ?? -1;
  if (known >= 0) return known;
  const found = unit >= 0xd800 && unit <= 0xdfff ? entry(OTHER, 0) : classify(unit);
  table[unit] = found;
  return found;
}

function classifyAny(cp: number): number {
  if (cp < 0x10000) return lookUp(cp);
  let found = astral.get(cp);
  if (found === undefined) {
    found = classify(cp);
    if (astral.size < 10_000) astral.set(cp, found);
  }
  return found;
}

/** A term's letter as the scanner would read it, or `undefined` when it cannot be matched. */
export function foldTermLetter(cp: number): number | undefined {
  const info = classifyAny(cp);
  const kind = info & 7;
  if (kind === LETTER || kind === DIGIT || kind === SYMBOL) return info >>> 3;
  return undefined;
}

/** Whether a term character is dropped when reading (combining marks). */
export function isIgnorable(cp: number): boolean {
  return (classifyAny(cp) & 7) === IGNORE;
}

/** The index of the first character at or after `at` in `text` that reading does not ignore. */
export function skipIgnorable(text: string, at: number): number {
  let i = at;
  while (i < text.length && (lookUp(text.charCodeAt(i)) & 7) === IGNORE) i++;
  return i;
}

/** The letters of the last scanned text; valid until the next {@link scanText}. */
export interface Scan {
  /** Number of letters. */
  count: number;
  /** Folded letter code points. */
  letters: Int32Array;
  /** Original UTF-16 start (inclusive) and end (exclusive) of each letter. */
  starts: Int32Array;
  ends: Int32Array;
  /** Separator kind before each letter: `NONE` within a word; the first letter has `WIDE`. */
  seps: Uint8Array;
  /** 1 when the letter is a l33t substitution (a digit or symbol), 0 for a real letter. */
  subs: Uint8Array;
}

const scan: Scan = {
  count: 0,
  letters: new Int32Array(1024),
  starts: new Int32Array(1024),
  ends: new Int32Array(1024),
  seps: new Uint8Array(1024),
  subs: new Uint8Array(1024),
};

function grow(size: number): void {
  let capacity = scan.letters.length;
  while (capacity < size) capacity *= 2;
  if (capacity === scan.letters.length) return;
  const letters = new Int32Array(capacity);
  letters.set(scan.letters);
  const starts = new Int32Array(capacity);
  starts.set(scan.starts);
  const ends = new Int32Array(capacity);
  ends.set(scan.ends);
  const seps = new Uint8Array(capacity);
  seps.set(scan.seps);
  const subs = new Uint8Array(capacity);
  subs.set(scan.subs);
  Object.assign(scan, { letters, starts, ends, seps, subs });
}

/**
 * Scans `text` into the shared {@link Scan} buffers and returns them. One pass, no allocation
 * beyond growing the buffers for a longer text than any before.
 */
export function scanText(text: string): Scan {
  const tab = table;
  const length = text.length;
  if (length > scan.letters.length) grow(length);
  const { letters, starts, ends, seps, subs } = scan;
  let n = 0;
  let inWord = false;
  let spaces = 0;
  let punct = 0;
  // Symbols after a letter wait for the next character to know whether they are letters.
  let pendingCount = 0;
  let pendingLeading = false;

  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i);
    let info: number;
    let width = 1;
    if (unit === 0x26) {
      const reference = referenceAt(text, i);
      if (reference > 0) {
        width = reference >>> 21;
        info = classifyAny(reference & 0x1fffff);
      } else info = lookUp(unit);
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < length) {
      const cp = text.codePointAt(i) ?? unit;
      if (cp > 0xffff) {
        info = classifyAny(cp);
        width = 2;
      } else info = lookUp(unit);
    } else {
      info = tab[unit] ?? -1;
      if (info < 0) info = lookUp(unit);
    }
    const kind = info & 7;

    if (kind === IGNORE) {
      i += width - 1;
      continue;
    }
    if (kind === LETTER || kind === DIGIT) {
      if (pendingCount > 0) {
        if (!pendingLeading || kind === LETTER) {
          // The waiting symbols were letters after all: `n!gger`, `$pic`.
          for (let k = 0; k < pendingCount; k++) {
            letters[n] = pendingValues[k] ?? 0;
            starts[n] = pendingStarts[k] ?? 0;
            ends[n] = pendingEnds[k] ?? 0;
            seps[n] = k === 0 && pendingLeading ? separatorKind(n, spaces, punct) : NONE;
            subs[n] = 1;
            n++;
          }
          inWord = true;
        } else {
          punct += pendingCount;
          inWord = false;
        }
        pendingCount = 0;
      }
      letters[n] = info >>> 3;
      starts[n] = i;
      ends[n] = i + width;
      seps[n] = inWord ? NONE : separatorKind(n, spaces, punct);
      subs[n] = kind === DIGIT ? 1 : 0;
      n++;
      inWord = true;
      spaces = 0;
      punct = 0;
    } else if (
      (kind === SYMBOL || kind === DOLLAR) &&
      (inWord || (pendingCount > 0 && !pendingLeading)) &&
      pendingCount < MAX_PENDING
    ) {
      pendingValues[pendingCount] = info >>> 3;
      pendingStarts[pendingCount] = i;
      pendingEnds[pendingCount] = i + width;
      pendingCount++;
      pendingLeading = false;
      inWord = false;
    } else if (kind === DOLLAR && pendingCount === 0) {
      pendingValues[0] = info >>> 3;
      pendingStarts[0] = i;
      pendingEnds[0] = i + width;
      pendingCount = 1;
      pendingLeading = true;
    } else {
      if (pendingCount > 0) {
        punct += pendingCount;
        pendingCount = 0;
      }
      inWord = false;
      if (kind === SPACE) spaces++;
      else punct++;
    }
    i += width - 1;
  }
  scan.count = n;
  return scan;
}

/** The kind of the separator made of `spaces` white-space and `punct` other characters. */
function separatorKind(n: number, spaces: number, punct: number): number {
  if (n === 0) return WIDE;
  if (spaces === 0) return punct <= 3 ? HARD : WIDE;
  if (punct === 0) return SOFT;
  return spaces + punct <= 3 ? BREAK : WIDE;
}

/** Symbols waiting to be known as letters or punctuation: their folded letters and places. */
const MAX_PENDING = 8;
const pendingValues = new Int32Array(MAX_PENDING);
const pendingStarts = new Int32Array(MAX_PENDING);
const pendingEnds = new Int32Array(MAX_PENDING);

/**
 * The character reference (`&#107;`, `&#x6B;`, `&iuml;`) starting at `at`, as its code point with
 * its length shifted left by 21 bits; 0 when there is none.
 */
function referenceAt(text: string, at: number): number {
  // A name or number of ASCII letters and digits ends at the first `;`, close by.
  const limit = Math.min(text.length, at + MAX_REFERENCE);
  let semicolon = -1;
  for (let k = at + 1; k < limit; k++) {
    const unit = text.charCodeAt(k);
    if (unit === 0x3b) {
      semicolon = k;
      break;
    }
    const alphanumeric = (unit | 0x20) >= 0x61 && (unit | 0x20) <= 0x7a;
    if (!alphanumeric && !(unit >= 0x30 && unit <= 0x39) && !(k === at + 1 && unit === 0x23))
      return 0;
  }
  if (semicolon < at + 2) return 0;
  const reference = text.slice(at, semicolon + 1);
  const decoded = unescape(reference);
  if (decoded === reference) return 0;
  const cp = decoded.codePointAt(0) ?? 0;
  if (decoded.length !== (cp > 0xffff ? 2 : 1)) return 0;
  return (reference.length << 21) | cp;
}

/** Whether the letters `j - 1` and `j` of the last scan belong to one group (read as one word). */
export function joins(s: Scan, j: number): boolean {
  const sep = s.seps[j] ?? WIDE;
  if (sep === NONE) return true;
  if (sep === WIDE) return false;
  const loneBefore = isLone(s, j - 1);
  const loneAfter = isLone(s, j);
  // Spaced-out single letters join ("k i k e", "k. i. k. e."); ordinary words never do.
  if (sep !== HARD && !(loneBefore && loneAfter)) return false;
  // A lone digit is a number, not a letter of a spaced-out word, unless single real letters sit
  // on both sides of it: "Y.1.D" joins, "a = b = 0" and "2.1.1-ios" do not.
  if (loneBefore && s.subs[j - 1]) {
    if (!loneAfter || s.subs[j] || !realLone(s, j - 2) || s.seps[j - 1] === WIDE) return false;
  }
  if (loneAfter && s.subs[j]) {
    if (!loneBefore || s.subs[j - 1] || !realLone(s, j + 1) || s.seps[j + 1] === WIDE) return false;
  }
  return true;
}

/** Whether letter `k` of the last scan is a word of one character. */
function isLone(s: Scan, k: number): boolean {
  return (k === 0 || s.seps[k] !== NONE) && (k + 1 >= s.count || s.seps[k + 1] !== NONE);
}

/** Whether letter `k` exists and is a real letter standing alone. */
function realLone(s: Scan, k: number): boolean {
  return k >= 0 && k < s.count && !s.subs[k] && isLone(s, k);
}
