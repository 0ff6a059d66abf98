// The pure rules of statements: slugs, what a publishable statement needs, the list cursor.
import { describe, expect, it } from 'vitest';
import {
  FALLBACK_SLUG,
  SLUG_MAX_LENGTH,
  decodeCursor,
  encodeCursor,
  firstFreeSlug,
  isValidSlug,
  slugify,
  statementProblem,
  statementStamp,
  tidyDraft,
} from '../../src/statements/model.js';

describe('slugify', () => {
  it('lower-cases, folds to ASCII and joins words with single hyphens', () => {
    expect(slugify('Statement on the Paris attacks')).toBe('statement-on-the-paris-attacks');
    expect(slugify('  Déclaration   sur Paris — 14/11 ')).toBe('declaration-sur-paris-14-11');
    expect(slugify('Straße, Æsir, Øresund & Łódź')).toBe('strasse-aesir-oresund-and-lodz');
    expect(slugify("Don't panic!")).toBe('dont-panic');
    expect(slugify('Westminster: 22 March 2017')).toBe('westminster-22-march-2017');
  });

  it('is never empty', () => {
    expect(slugify('¿¡…!?')).toBe(FALLBACK_SLUG);
    expect(slugify('Заявление')).toBe(FALLBACK_SLUG);
  });

  it('keeps to the maximum length, cutting at a word boundary', () => {
    const slug = slugify('word '.repeat(40));
    expect(slug.length).toBeLessThanOrEqual(SLUG_MAX_LENGTH);
    expect(slug).toMatch(/^(word-)*word$/);
    const long = slugify('a'.repeat(200));
    expect(long).toBe('a'.repeat(SLUG_MAX_LENGTH));
    expect(isValidSlug(slug) && isValidSlug(long)).toBe(true);
  });

  it('accepts only lower-case letters, digits and single inner hyphens as a slug', () => {
    for (const good of ['a', 'paris-2015', 'x-y-z']) expect(isValidSlug(good)).toBe(true);
    for (const bad of ['', 'Paris', '-a', 'a-', 'a--b', 'a b', 'a/b', 'é', 'a'.repeat(81)])
      expect(isValidSlug(bad)).toBe(false);
  });
});

describe('firstFreeSlug', () => {
  it('appends -2, -3 … to a taken slug', () => {
    expect(firstFreeSlug('paris', new Set())).toBe('paris');
    expect(firstFreeSlug('paris', new Set(['paris']))).toBe('paris-2');
    expect(firstFreeSlug('paris', new Set(['paris', 'paris-2', 'paris-3']))).toBe('paris-4');
  });

  it('shortens the base so that the suffix still fits', () => {
    const base = slugify('word '.repeat(40));
    const next = firstFreeSlug(base, new Set([base]));
    expect(next.length).toBeLessThanOrEqual(SLUG_MAX_LENGTH);
    expect(next).toMatch(/-2$/);
    expect(isValidSlug(next)).toBe(true);
  });
});

describe('statementProblem', () => {
  const ok = tidyDraft({ title: ' A  title ', body: 'Text', authorName: ' Jim ' });

  it('accepts a complete draft and tidies its whitespace', () => {
    expect(ok.title).toBe('A title');
    expect(ok.authorName).toBe('Jim');
    expect(statementProblem(ok)).toBeUndefined();
  });

  it('names the first thing missing or too long', () => {
    expect(statementProblem({ ...ok, title: '' })?.code).toBe('title-missing');
    expect(statementProblem({ ...ok, body: '  ' })?.code).toBe('body-empty');
    expect(statementProblem({ ...ok, authorName: '' })?.code).toBe('author-name-missing');
    expect(statementProblem({ ...ok, slug: 'Not A Slug' })?.code).toBe('invalid-slug');
    const long = statementProblem({ ...ok, title: 'x'.repeat(201) });
    expect(long).toEqual({
      code: 'title-too-long',
      message: 'The title is 201 characters long; the limit is 200.',
    });
    expect(statementProblem({ ...ok, clearanceNote: 'x'.repeat(201) })?.code).toBe(
      'clearance-note-too-long',
    );
  });
});

describe('the list cursor', () => {
  it('round-trips and refuses what it did not make', () => {
    const cursor = { publishedAt: new Date('2015-11-14T10:00:00Z'), id: 'abc' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor('nonsense')).toBeUndefined();
    expect(decodeCursor(Buffer.from('not-a-date|x').toString('base64url'))).toBeUndefined();
  });
});

describe('statementStamp', () => {
  it('changes with anything the page shows of the statement', () => {
    const statement = {
      id: '1',
      title: 'T',
      subtitle: undefined,
      html: '<p>a</p>',
      authorName: 'A',
      clearanceNote: undefined,
      publishedAt: new Date(0),
    };
    const stamp = statementStamp(statement);
    expect(statementStamp({ ...statement })).toBe(stamp);
    expect(statementStamp({ ...statement, html: '<p>b</p>' })).not.toBe(stamp);
    expect(statementStamp({ ...statement, clearanceNote: 'Cleared' })).not.toBe(stamp);
  });
});
