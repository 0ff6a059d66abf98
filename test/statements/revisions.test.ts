// The text of a revision: normalisation, content hash, paragraphs and comment anchoring.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anchorComment,
  contentHash,
  normaliseContent,
  normaliseText,
  paragraphExcerpt,
  paragraphsOf,
} from '../../src/statements/revisions.js';

describe('content hash', () => {
  const base = {
    title: 'Statement on the Paris attacks',
    subtitle: 'A first draft',
    body: 'We condemn.\n\nWe stand together.',
  };

  it('is the SHA-256 of the documented JSON input', () => {
    const expected = createHash('sha256')
      .update(JSON.stringify(['broadside-content-v1', base.title, base.subtitle, base.body]))
      .digest('hex');
    expect(contentHash(base)).toBe(expected);
    expect(contentHash(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores what normalisation removes: NFC, line endings, trailing blanks, title spacing', () => {
    const decomposed = {
      title: '  Statement  on the Paris\tattacks ',
      subtitle: 'A first draft',
      body: '\r\nWe condemn.  \r\n\r\nWe stand together.\t\n\n',
    };
    expect(contentHash(decomposed)).toBe(contentHash(base));
    const nfd = { ...base, body: 'Déclaration'.normalize('NFD') };
    expect(contentHash(nfd)).toBe(contentHash({ ...base, body: 'Déclaration'.normalize('NFC') }));
    expect(contentHash({ ...base, subtitle: '  ' })).toBe(
      contentHash({ ...base, subtitle: undefined }),
    );
  });

  it('changes with any visible change: a comma, a word, a paragraph break, the subtitle', () => {
    const hash = contentHash(base);
    expect(contentHash({ ...base, body: 'We condemn,\n\nWe stand together.' })).not.toBe(hash);
    expect(contentHash({ ...base, body: 'We condemn.\nWe stand together.' })).not.toBe(hash);
    expect(contentHash({ ...base, subtitle: 'A second draft' })).not.toBe(hash);
    expect(contentHash({ ...base, subtitle: undefined })).not.toBe(hash);
    // Fields cannot run into each other.
    expect(contentHash({ title: 'ab', subtitle: 'c', body: 'd' })).not.toBe(
      contentHash({ title: 'a', subtitle: 'bc', body: 'd' }),
    );
  });

  it('is stable under normalising twice, for any text', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (title, subtitle, body) => {
        const once = normaliseContent({ title, subtitle, body });
        expect(normaliseContent(once)).toEqual(once);
        expect(contentHash(once)).toBe(contentHash({ title, subtitle, body }));
      }),
    );
  });

  it('keeps inner blank lines and leading indentation (they are Markdown)', () => {
    expect(normaliseText('  - item\n\n\n    code  ')).toBe('  - item\n\n\n    code');
  });
});

describe('paragraphs and comment anchoring', () => {
  const body = 'First paragraph.\n\nSecond, on two\nlines.\n\n\nThird.';

  it('splits the body at blank lines, numbering from 0', () => {
    const paragraphs = paragraphsOf(body);
    expect(paragraphs.map((p) => [p.index, p.text])).toEqual([
      [0, 'First paragraph.'],
      [1, 'Second, on two\nlines.'],
      [2, 'Third.'],
    ]);
    expect(paragraphsOf('')).toEqual([]);
  });

  it('keeps a comment on its paragraph while that paragraph is unchanged, wherever it moves', () => {
    const [, second] = paragraphsOf(body);
    const anchor = { paragraphIndex: 1, paragraphHash: second?.hash ?? '' };
    const moved = paragraphsOf(`New opening.\n\n${body}`);
    expect(anchorComment(anchor, moved)).toEqual({ state: 'attached', paragraphIndex: 2 });
    const edited = paragraphsOf(body.replace('two\nlines', 'two lines'));
    expect(anchorComment(anchor, edited)).toEqual({ state: 'earlier-revision' });
  });

  it('picks the nearest copy when the same paragraph appears twice', () => {
    const paragraphs = paragraphsOf('Same.\n\nOther.\n\nOther.\n\nSame.');
    const same = paragraphs[3]?.hash ?? '';
    expect(anchorComment({ paragraphIndex: 3, paragraphHash: same }, paragraphs)).toEqual({
      state: 'attached',
      paragraphIndex: 3,
    });
    expect(anchorComment({ paragraphIndex: 1, paragraphHash: same }, paragraphs)).toEqual({
      state: 'attached',
      paragraphIndex: 0,
    });
  });

  it('anchors every comment of an unchanged body to the same paragraph', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z][a-z ]{0,20}[a-z.]$/), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (blocks, pick) => {
          const paragraphs = paragraphsOf(blocks.join('\n\n'));
          const target = paragraphs[pick % paragraphs.length];
          if (!target) return;
          const anchor = anchorComment(
            { paragraphIndex: target.index, paragraphHash: target.hash },
            paragraphs,
          );
          expect(anchor.state).toBe('attached');
          if (anchor.state === 'attached')
            expect(paragraphs[anchor.paragraphIndex]?.text).toBe(target.text);
        },
      ),
    );
  });

  it('shows a short excerpt of a long paragraph', () => {
    const long = 'word '.repeat(100);
    const excerpt = paragraphExcerpt(long, 40);
    expect(excerpt.length).toBeLessThanOrEqual(40);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(paragraphExcerpt('Short.')).toBe('Short.');
  });
});
