// The Broadside archive's lines: canonical values, the header's checks, and every way a row line
// can be wrong, named with its line.
import { describe, expect, it } from 'vitest';
import type { TargetTable } from '../../src/interchange/archive-model.js';
import {
  ArchiveError,
  canonicalValue,
  headerLine,
  parseHeader,
  parseRowLine,
  parseTrailer,
  rowLine,
  schemaOf,
  trailerLine,
} from '../../src/interchange/archive-model.js';
import { ARCHIVE_TABLES, archivedTables } from '../../src/interchange/archive-tables.js';

const schemas = ['2026-11-24-0001-accounts', '2026-11-24-0002-discussion'];

function failure(work: () => unknown): { line: number | undefined; message: string } {
  try {
    work();
  } catch (error) {
    if (error instanceof ArchiveError) return { line: error.line, message: error.message };
    throw error;
  }
  throw new Error('did not fail');
}

describe('canonical values', () => {
  it('keeps text, integers and null, and makes 0/1 of flags and numbers of big integers', () => {
    expect(canonicalValue('t', 'c', 'é\n"')).toBe('é\n"');
    expect(canonicalValue('t', 'c', 42)).toBe(42);
    expect(canonicalValue('t', 'c', null)).toBeNull();
    expect(canonicalValue('t', 'c', undefined)).toBeNull();
    expect(canonicalValue('t', 'c', true)).toBe(1);
    expect(canonicalValue('t', 'c', false)).toBe(0);
    expect(canonicalValue('t', 'c', 7n)).toBe(7);
  });

  it('refuses what JSON or the schema cannot hold, naming the column', () => {
    expect(() => canonicalValue('comments', 'depth', Number.NaN)).toThrow('comments.depth');
    expect(() => canonicalValue('t', 'c', 2n ** 60n)).toThrow('beyond a safe JSON integer');
    expect(() => canonicalValue('t', 'blob', Buffer.from('x'))).toThrow(/t\.blob .*Uint8Array/);
  });

  it('writes a row with the columns in the order given, whatever the order read', () => {
    expect(
      rowLine('accounts', ['id', 'email', 'n'], { n: 1, email: 'a@b', id: 'x', extra: 9 }),
    ).toBe('{"table":"accounts","row":{"id":"x","email":"a@b","n":1}}');
  });

  it('leaves secret columns and tables out unless asked for them', () => {
    const plain = archivedTables(ARCHIVE_TABLES, false);
    const names = plain.map(({ table }) => table.name);
    expect(names).not.toContain('sessions');
    expect(names).not.toContain('api_tokens');
    expect(plain.find(({ table }) => table.name === 'accounts')?.columns).not.toContain(
      'password_hash',
    );
    expect(plain.find(({ table }) => table.name === 'comments')?.columns).not.toContain(
      'edit_token_hash',
    );
    const secret = archivedTables(ARCHIVE_TABLES, true);
    expect(secret.map(({ table }) => table.name)).toContain('sessions');
    expect(secret.find(({ table }) => table.name === 'accounts')?.columns).toContain(
      'password_hash',
    );
  });
});

describe('the header', () => {
  const known = { migrations: schemas, tables: ARCHIVE_TABLES };
  const line = headerLine({
    exportedAt: '2026-11-24T12:00:00.000Z',
    migrations: schemas,
    withSecrets: false,
    tables: [
      { name: 'sites', columns: ['id', 'slug'] },
      { name: 'accounts', columns: ['id', 'email'] },
    ],
  });
  const v2 = (fields: Record<string, unknown>) =>
    JSON.stringify({
      format: 'broadside',
      version: 2,
      migrations: schemas,
      tables: { sites: ['id'] },
      ...fields,
    });

  it('is written with its keys in a fixed order and read back, with the level and the tables', () => {
    expect(line).toBe(
      '{"format":"broadside","version":2,"exportedAt":"2026-11-24T12:00:00.000Z","schema":"2026-11-24-0002-discussion","migrations":["2026-11-24-0001-accounts","2026-11-24-0002-discussion"],"withSecrets":false,"tables":{"sites":["id","slug"],"accounts":["id","email"]}}',
    );
    const header = parseHeader(line, known);
    expect(header).toMatchObject({ version: 2, migrations: schemas, withSecrets: false });
    expect(schemaOf(header)).toBe(schemas[1]);
    expect([...(header.tables ?? [])]).toEqual([
      ['sites', ['id', 'slug']],
      ['accounts', ['id', 'email']],
    ]);
  });

  it('accepts an archive of an older schema', () => {
    const header = parseHeader(v2({ migrations: [schemas[0]] }), known);
    expect(header.migrations).toEqual([schemas[0]]);
  });

  it('reads a version 1 header, whose level is every migration up to its schema', () => {
    const header = parseHeader(
      '{"format":"broadside","version":1,"exportedAt":"2026-11-24T12:00:00.000Z","schema":"2026-11-24-0001-accounts","withSecrets":true}',
      known,
    );
    expect(header).toMatchObject({ version: 1, migrations: [schemas[0]], withSecrets: true });
    expect(header.tables).toBeUndefined();
  });

  it.for([
    ['not JSON', 'not a Broadside archive'],
    ['{"format":"wxr"}', 'not a Broadside archive'],
    ['[1,2]', 'not a Broadside archive'],
    [
      '{"format":"broadside","version":3,"schema":"x"}',
      'this archive was written by a newer Broadside (format 3): this one reads formats 1 to 2; upgrade Broadside first, then restore it',
    ],
    ['{"format":"broadside","schema":"x"}', 'no valid "version"'],
    ['{"format":"broadside","version":1}', 'no "schema"'],
    [
      '{"format":"broadside","version":1,"schema":"2027-01-01-0042-future"}',
      'this archive was written by a newer Broadside (format 1): it has the migration 2027-01-01-0042-future, which this one does not know; upgrade Broadside first',
    ],
    [
      v2({
        migrations: [...schemas, '2027-01-01-0042-votes'],
        tables: { sites: ['id', 'colour'], votes: ['id'] },
      }),
      'this archive was written by a newer Broadside (format 2): it has the migration 2027-01-01-0042-votes and the table votes and the column sites.colour, which this one does not know; upgrade Broadside first',
    ],
    [v2({ migrations: [] }), 'no valid "migrations"'],
    [v2({ migrations: 'all' }), 'no valid "migrations"'],
    [
      v2({ migrations: [schemas[1]] }),
      "the header's migrations are not in the order this Broadside applies them (2026-11-24-0002-discussion where 2026-11-24-0001-accounts should be)",
    ],
    [v2({ tables: undefined }), 'no valid "tables"'],
    [v2({ tables: { sites: 'id' } }), 'no valid "tables"'],
  ])('refuses %s on line 1', ([text, message]) => {
    const { line: at, message: got } = failure(() => parseHeader(text as string, known));
    expect(at).toBe(1);
    expect(got).toContain(message);
  });
});

describe('the last line', () => {
  it('gives the number of rows, and is told from anything else', () => {
    expect(trailerLine(1234)).toBe('{"end":true,"rows":1234}');
    expect(parseTrailer(trailerLine(0))).toEqual({ rows: 0 });
    for (const other of [
      '{"end":true,"rows":',
      '{"end":true}',
      '{"end":"yes","rows":3}',
      '{"end":true,"rows":-1}',
      '{"table":"sites","row":{}}',
      '[]',
    ]) {
      expect(parseTrailer(other), other).toBeUndefined();
    }
  });
});

describe('row lines', () => {
  const comments: TargetTable = {
    table: ARCHIVE_TABLES.find((t) => t.name === 'comments') as TargetTable['table'],
    columns: new Set(['id', 'thread_id', 'depth', 'author_name', 'author_url']),
    integerColumns: new Set(['depth']),
    requiredColumns: ['id', 'thread_id', 'depth', 'author_name'],
  };
  const tables = new Map([['comments', comments]]);
  const row = { id: 'c1', thread_id: 't1', depth: 1, author_name: 'Zoë', author_url: null };

  it('are read into the table they name, with their values', () => {
    const parsed = parseRowLine(JSON.stringify({ table: 'comments', row }), 5, tables);
    expect(parsed.table).toBe(comments);
    expect(parsed.row).toEqual(row);
  });

  it('may lack a column that has a default or may be null (an older archive)', () => {
    const { author_url: _left, ...older } = row;
    expect(parseRowLine(JSON.stringify({ table: 'comments', row: older }), 5, tables).row).toEqual(
      older,
    );
  });

  it.for([
    ['{"table":"comments","row":', 'not valid JSON'],
    ['"just a string"', 'a line must be a JSON object'],
    ['{"row":{}}', 'the line has no "table"'],
    ['{"table":"votes","row":{}}', 'unknown table "votes": it is not one this Broadside restores'],
    ['{"table":"comments","row":[1]}', 'the line has no "row" object'],
    [
      '{"table":"comments","row":{"id":"c","thread_id":"t","depth":1,"author_name":"x","colour":"red"}}',
      'comments has no column "colour"',
    ],
    [
      '{"table":"comments","row":{"id":"c","thread_id":"t","depth":"1","author_name":"x"}}',
      'comments.depth must be a whole number or null, not "1"',
    ],
    [
      '{"table":"comments","row":{"id":"c","thread_id":"t","depth":1.5,"author_name":"x"}}',
      'comments.depth must be a whole number or null, not 1.5',
    ],
    [
      '{"table":"comments","row":{"id":5,"thread_id":"t","depth":1,"author_name":"x"}}',
      'comments.id must be text or null, not 5',
    ],
    [
      '{"table":"comments","row":{"id":"c","thread_id":"t","depth":1}}',
      'comments.author_name is missing, and a row must have it',
    ],
    [
      '{"table":"comments","row":{"id":"c","thread_id":"t","depth":1,"author_name":null}}',
      'comments.author_name is missing',
    ],
  ])('refuse %s, naming the line', ([text, message]) => {
    const { line, message: got } = failure(() => parseRowLine(text as string, 17, tables));
    expect(line).toBe(17);
    expect(got).toContain(message);
  });
});
