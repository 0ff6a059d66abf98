/**
 * Reads a text file line by line in constant memory, refusing bytes that are not UTF-8 (where a
 * line-oriented reader would quietly turn them into U+FFFD) and lines too long to be a record.
 */
import { createReadStream } from 'node:fs';

export interface Line {
  /** 1-based. */
  number: number;
  /** Without its line ending (`\n` or `\r\n`). */
  text: string;
}

export class LineReadError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'LineReadError';
  }
}

/** The longest line accepted: far above any row, low enough that a file without newlines fails fast. */
export const MAX_LINE_CHARACTERS = 64 * 1024 * 1024;

/** Without a Windows line ending, or the byte-order mark some editors put at the start. */
function tidy(line: string, number: number): string {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  return number === 1 && text.startsWith('\uFEFF') ? text.slice(1) : text;
}

export async function* readLines(
  file: string,
  options: { maxLineCharacters?: number } = {},
): AsyncGenerator<Line> {
  const max = options.maxLineCharacters ?? MAX_LINE_CHARACTERS;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let number = 0;
  const split = function* (text: string) {
    pending += text;
    let start = 0;
    for (;;) {
      const end = pending.indexOf('\n', start);
      if (end === -1) break;
      number += 1;
      const line = pending.slice(start, end);
      yield { number, text: tidy(line, number) };
      start = end + 1;
    }
    pending = pending.slice(start);
    if (pending.length > max) {
      throw new LineReadError(`is longer than ${max.toLocaleString('en')} characters`, number + 1);
    }
  };
  for await (const chunk of createReadStream(file)) {
    let text: string;
    try {
      text = decoder.decode(chunk as Buffer, { stream: true });
    } catch {
      // What comes before the first bad byte is still read, so that the error names its line.
      const loose = new TextDecoder('utf-8').decode(chunk as Buffer);
      const bad = loose.indexOf('\uFFFD');
      yield* split(bad === -1 ? '' : loose.slice(0, bad));
      throw new LineReadError('is not UTF-8 text', number + 1);
    }
    yield* split(text);
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    throw new LineReadError('ends in the middle of a character: it is not UTF-8 text', number + 1);
  }
  yield* split(rest);
  if (pending !== '') {
    number += 1;
    yield { number, text: tidy(pending, number) };
  }
}
