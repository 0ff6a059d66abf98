// Reading archives line by line from real files: line endings, a byte-order mark, characters split
// across the stream's chunks, bytes that are not UTF-8, and a file without line breaks.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineReadError, readLines } from '../../src/interchange/lines.js';
import { scratchDirectory } from './archive-helpers.js';

async function all(file: string, options?: { maxLineCharacters?: number }) {
  const lines = [];
  for await (const line of readLines(file, options)) lines.push(line);
  return lines;
}

describe('readLines', () => {
  it('numbers lines, drops \\r\\n and a leading byte-order mark, keeps a last line without \\n', async ({
    onTestFinished,
  }) => {
    const file = path.join(scratchDirectory(onTestFinished), 'a.ndjson');
    writeFileSync(file, '\uFEFF{"a":1}\r\nzwei\n\ndrei');
    expect(await all(file)).toEqual([
      { number: 1, text: '{"a":1}' },
      { number: 2, text: 'zwei' },
      { number: 3, text: '' },
      { number: 4, text: 'drei' },
    ]);
  });

  it('keeps characters whose bytes fall on both sides of a chunk boundary', async ({
    onTestFinished,
  }) => {
    const file = path.join(scratchDirectory(onTestFinished), 'a.ndjson');
    // 65,535 ASCII bytes, then a four-byte emoji across the 64 KiB read boundary.
    const long = `${'x'.repeat(65_535)}🙂é`;
    writeFileSync(file, `${long}\nnext\n`);
    const lines = await all(file);
    expect(lines.map((line) => line.text)).toEqual([long, 'next']);
  });

  it('refuses bytes that are not UTF-8, naming the line', async ({ onTestFinished }) => {
    const file = path.join(scratchDirectory(onTestFinished), 'a.ndjson');
    writeFileSync(
      file,
      Buffer.concat([Buffer.from('one\ntwo\nthr'), Buffer.from([0xff]), Buffer.from('ee\n')]),
    );
    const error = await all(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LineReadError);
    expect(error).toMatchObject({ line: 3, message: 'is not UTF-8 text' });
  });

  it('refuses a file that ends in the middle of a character', async ({ onTestFinished }) => {
    const file = path.join(scratchDirectory(onTestFinished), 'a.ndjson');
    writeFileSync(file, Buffer.concat([Buffer.from('one\ntw'), Buffer.from([0xc3])]));
    const error = await all(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ line: 2, message: expect.stringContaining('not UTF-8') });
  });

  it('stops at a line longer than any record could be', async ({ onTestFinished }) => {
    const file = path.join(scratchDirectory(onTestFinished), 'a.ndjson');
    writeFileSync(file, `short\n${'y'.repeat(5_000)}`);
    const error = await all(file, { maxLineCharacters: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LineReadError);
    expect(error).toMatchObject({ line: 2, message: 'is longer than 1,000 characters' });
  });
});
