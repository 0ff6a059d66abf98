import { describe, expect, it } from 'vitest';
import {
  CONTENT_MAX_CHARS,
  FIELD_MAX_CHARS,
  FieldText,
  PIECE_COST,
} from '../../src/interchange/xml-stream.js';

describe('FieldText', () => {
  it('joins the pieces of a field and ends it', () => {
    const field = new FieldText();
    field.start('title', 4, false);
    expect(field.add('Statement ')).toBe(true);
    expect(field.add('on Paris')).toBe(true);
    expect([field.name, field.depth]).toEqual(['title', 4]);
    expect(field.take()).toBe('Statement on Paris');
    expect(field.name).toBe('');
  });

  it('ignores text while no field is read', () => {
    const field = new FieldText();
    expect(field.add('between fields')).toBe(true);
    field.start('title', 4, false);
    expect(field.take()).toBe('');
  });

  it('cuts a field that is not a body at its bound, and goes on', () => {
    const field = new FieldText();
    field.start('dc:creator', 4, false);
    expect(field.add('x'.repeat(FIELD_MAX_CHARS))).toBe(true);
    expect(field.add('more')).toBe(true);
    expect(field.take()).toBe('x'.repeat(FIELD_MAX_CHARS));
  });

  it('drops a body that grows too long, and says so once', () => {
    const field = new FieldText();
    field.start('content:encoded', 4, true);
    expect(field.add('x'.repeat(CONTENT_MAX_CHARS - PIECE_COST))).toBe(true);
    expect(field.add('y')).toBe(false);
    expect(field.name).toBe('');
    expect(field.add('z')).toBe(true); // the rest of it is not read
    expect(field.take()).toBe('');
  });

  it('counts each piece, so a field of many tiny pieces is bounded too', () => {
    const field = new FieldText();
    field.start('wp:comment_author', 5, false);
    for (let i = 0; i < FIELD_MAX_CHARS; i += 1) field.add('a');
    // Whole pieces while they fit, then what is left of the bound from the next one.
    expect(field.take().length).toBe(Math.floor(FIELD_MAX_CHARS / (1 + PIECE_COST)) + 1);
  });
});
