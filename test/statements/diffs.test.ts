// Word diffs and the reuse share, with properties where they are natural.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MIN_REUSED_RUN,
  contentDiff,
  countWords,
  formatShare,
  reuseShare,
  sideBySide,
  wordDiff,
} from '../../src/statements/diffs.js';

const text = fc
  .array(
    fc.constantFrom('we', 'condemn', 'the', 'attack', 'Paris', ',', '.', ' ', '\n', 'they', '’s'),
    {
      maxLength: 40,
    },
  )
  .map((tokens) => tokens.join(' ').replace(/ +/g, ' '));
const join = (parts: { text: string }[]) => parts.map((part) => part.text).join('');

describe('word diff', () => {
  it('marks a changed word, keeping the rest', () => {
    const diff = wordDiff('We condemn the attack.', 'We condemn the attacks.');
    expect(diff.parts).toEqual([
      { kind: 'same', text: 'We condemn the ' },
      { kind: 'removed', text: 'attack' },
      { kind: 'added', text: 'attacks' },
      { kind: 'same', text: '.' },
    ]);
    expect(diff).toMatchObject({ added: 1, removed: 1, unchanged: 3, exact: true });
  });

  it('gives back both texts exactly: old = same + removed, new = same + added', () => {
    fc.assert(
      fc.property(text, text, (before, after) => {
        const diff = wordDiff(before, after);
        const { before: left, after: right } = sideBySide(diff);
        expect(join(left)).toBe(before);
        expect(join(right)).toBe(after);
      }),
    );
  });

  it('finds nothing to change between a text and itself', () => {
    fc.assert(
      fc.property(text, (same) => {
        const diff = wordDiff(same, same);
        expect(diff.parts.every((part) => part.kind === 'same')).toBe(true);
        expect(diff.unchanged).toBe(countWords(same));
      }),
    );
  });

  it('aligns sentences first when the texts are too different to align word by word', () => {
    const sentence = (n: number) => `Sentence number ${n} says something of its own. `;
    const source = Array.from({ length: 600 }, (_, n) => sentence(n)).join('');
    const draft = Array.from({ length: 1200 }, (_, n) =>
      sentence(n % 2 === 0 ? n / 2 : 10_000 + n),
    ).join('');
    const diff = wordDiff(source, draft);
    expect(diff.exact).toBe(false);
    const { before, after } = sideBySide(diff);
    expect(join(before)).toBe(source);
    expect(join(after)).toBe(draft);
    const reuse = reuseShare(source, draft, diff);
    expect(reuse.share).toBeGreaterThan(0.45);
    expect(reuse.share).toBeLessThan(0.55);
  });

  it('diffs title, subtitle and body, and says when nothing changed', () => {
    const a = { title: 'On Paris', subtitle: undefined, body: 'We condemn.' };
    expect(contentDiff(a, a).identical).toBe(true);
    const diff = contentDiff(a, { ...a, subtitle: 'A draft' });
    expect(diff.identical).toBe(false);
    expect(diff.subtitle.parts).toEqual([{ kind: 'added', text: 'A draft' }]);
  });
});

describe('reuse share', () => {
  it('is 1 for a copy, 0 for an unrelated text and 0 for no words', () => {
    expect(
      reuseShare('We condemn the attack in Paris.', 'We condemn the attack in Paris.').share,
    ).toBe(1);
    expect(reuseShare('We condemn the attack.', 'Solidarity with the workers.').share).toBe(0);
    expect(reuseShare('Anything at all.', '').share).toBe(0);
  });

  it('counts only unchanged runs of at least three words', () => {
    // "the" is common to both, but a run of one word is coincidence, not reuse.
    expect(reuseShare('the cat sat', 'on the mat').reusedWords).toBe(0);
    const share = reuseShare(
      'To massacre thousands of office workers is a crime against humanity.',
      'To massacre ordinary workers enjoying a drink is a crime against humanity.',
    );
    // "is a crime against humanity" (5 words) is reused; "To massacre" (2) is not.
    expect(share).toMatchObject({ reusedWords: 5, totalWords: 12 });
    expect(MIN_REUSED_RUN).toBe(3);
  });

  it('stays between 0 and 1, and never counts more words than the new text has', () => {
    fc.assert(
      fc.property(text, text, (source, draft) => {
        const { share, reusedWords, totalWords } = reuseShare(source, draft);
        expect(share).toBeGreaterThanOrEqual(0);
        expect(share).toBeLessThanOrEqual(1);
        expect(reusedWords).toBeLessThanOrEqual(totalWords);
        expect(totalWords).toBe(countWords(draft));
      }),
    );
  });

  it('shows partial shares without rounding them to 0% or 100%', () => {
    expect(formatShare(0.634)).toBe('63%');
    expect(formatShare(0.001)).toBe('<1%');
    expect(formatShare(0.999)).toBe('>99%');
    expect(formatShare(1)).toBe('100%');
  });
});
