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

export async function* readLines(
  file: string,
  options: { maxLineCharacters?: number } = {},
): AsyncGenerator<Line> {
  const max = options.maxLineCharacters ?? MAX_LINE_CHARACTERS;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let number = 0;
  const decode = (chunk?: Buffer) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new LineReadError('is not UTF-8 text', number + 1);
    }
  };
  const split = function* (text: string) {
    pending += text;
    let start = 0;
    for (;;) {
      const end = pending.indexOf('\n', start);
      if (end === -1) break;
      number += 1;
      const line = pending.slice(start, end);
      yield { number, text: line.endsWith('\r') ? line.slice(0, -1) : line };
      start = end + 1;
    }
    pending = pending.slice(start);
    if (pending.length > max) {
      throw new LineReadError(`is longer than ${max.toLocaleString('en')} characters`, number + 1);
    }
  };
  for await (const chunk of createReadStream(file)) {
    yield* split(decode(chunk as Buffer));
  }
  yield* split(decode());
  if (pending !== '') {
    number += 1;
    yield { number, text: pending };
  }
}
