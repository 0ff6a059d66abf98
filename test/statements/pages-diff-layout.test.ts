// How the statement pages lay a word diff out: rows cut at the paragraph breaks both texts share
// (so side-by-side columns stay level), each side giving back its whole text, changes separated
// only by spaces read as one, and long unchanged stretches folded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffRows, foldUnchanged } from '../../src/statements/diff-layout.js';
import type { DiffRow } from '../../src/statements/diff-layout.js';
import { wordDiff } from '../../src/statements/diffs.js';

const textOf = (segments: DiffRow['left']) => segments.map((segment) => segment.text).join('');

describe('diff rows', () => {
  it('cut both texts at the paragraph breaks they share, keeping changes inside their row', () => {
    const before = 'One two three.\n\nFour five.\n\nSix.';
    const after = 'One 2 three.\n\nFour five.\n\nSix and seven.';
    const rows = diffRows(wordDiff(before, after).parts);
    expect(rows.map((row) => [textOf(row.left), textOf(row.right), row.changed])).toEqual([
      ['One two three.', 'One 2 three.', true],
      ['Four five.', 'Four five.', false],
      ['Six.', 'Six and seven.', true],
    ]);
  });

  it('give back each whole text, paragraph by paragraph, whatever the edit', () => {
    const paragraph = fc
      .array(fc.constantFrom('we', 'say', 'this', 'plainly', ',', 'and', 'loud', '.'), {
        minLength: 1,
        maxLength: 8,
      })
      .map((words) => words.join(' '));
    const text = fc.array(paragraph, { minLength: 1, maxLength: 5 }).map((ps) => ps.join('\n\n'));
    fc.assert(
      fc.property(text, text, (before, after) => {
        const rows = diffRows(wordDiff(before, after).parts);
        const side = (pick: (row: DiffRow) => DiffRow['left']) =>
          rows.map((row) => textOf(pick(row))).filter((t) => t !== '');
        // Rows split at shared breaks; a break inside a change stays in its row's text.
        expect(
          side((row) => row.left)
            .join('\n\n')
            .replace(/\n\n+/g, '\n\n'),
        ).toBe(before);
        expect(
          side((row) => row.right)
            .join('\n\n')
            .replace(/\n\n+/g, '\n\n'),
        ).toBe(after);
      }),
    );
  });

  it('read words changed one by one, with only spaces between them, as one change', () => {
    const rows = diffRows(
      wordDiff('thousands of ordinary office workers', 'ordinary workers enjoying a drink').parts,
    );
    const removed = rows[0]?.left.filter((segment) => segment.kind === 'removed') ?? [];
    expect(removed.length).toBeLessThan(3);
    expect(removed.map((segment) => segment.text).join('|')).toContain('thousands of');
  });

  it('count a change of punctuation alone as a change', () => {
    const [row] = diffRows(wordDiff('a concert or a match', 'a concert, or a match').parts);
    expect(row?.changed).toBe(true);
    expect(row?.right).toContainEqual({ kind: 'added', text: ',' });
  });
});

describe('folding unchanged paragraphs', () => {
  const row = (changed: boolean, name: string): DiffRow => ({
    parts: [{ kind: 'same', text: name }],
    left: [{ kind: 'same', text: name }],
    right: [{ kind: 'same', text: name }],
    changed,
  });

  it('keeps one paragraph of context on each side of a change and folds the rest', () => {
    const rows = [
      row(false, 'a'),
      row(false, 'b'),
      row(false, 'c'),
      row(true, 'D'),
      row(false, 'e'),
      row(false, 'f'),
      row(false, 'g'),
      row(false, 'h'),
      row(true, 'I'),
      row(false, 'j'),
    ];
    const shape = foldUnchanged(rows).map((block) =>
      'row' in block
        ? textOf(block.row.left)
        : `[${block.fold.map((r) => textOf(r.left)).join('')}]`,
    );
    expect(shape).toEqual(['[ab]', 'c', 'D', 'e', '[fg]', 'h', 'I', 'j']);
  });

  it('folds everything when nothing changed, and nothing when short runs separate changes', () => {
    expect(foldUnchanged([row(false, 'a'), row(false, 'b')])).toEqual([
      { fold: [row(false, 'a'), row(false, 'b')] },
    ]);
    const short = [row(true, 'A'), row(false, 'b'), row(false, 'c'), row(true, 'D')];
    expect(foldUnchanged(short).every((block) => 'row' in block)).toBe(true);
  });
});
