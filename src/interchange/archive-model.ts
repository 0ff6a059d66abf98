/**
 * The Broadside archive format, as pure functions: NDJSON, one header line, then one line per row,
 * `{"table":"comments","row":{…}}`. Lines are canonical, so that the same site gives the same bytes
 * from SQLite and from PostgreSQL: keys in the order the table list declares, integers as numbers,
 * flags as the 0/1 the schema stores, null as null, text as it is.
 */
import type { ArchiveTable } from './archive-tables.js';

export const ARCHIVE_FORMAT = 'broadside';
/** The version of the line format; the schema (tables and columns) is versioned by `schema`. */
export const ARCHIVE_VERSION = 1;

export interface ArchiveHeader {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  exportedAt: string;
  /** The newest migration of the database it was made from. */
  schema: string;
  /** Whether password hashes, sessions and other secrets are in it. */
  withSecrets: boolean;
}

export type ArchiveValue = string | number | null;
export type ArchiveRow = Record<string, ArchiveValue>;

/** Something the archive cannot hold, or a line that is not what it should be. */
export class ArchiveError extends Error {
  constructor(
    message: string,
    /** The 1-based line of the archive, when the problem is in one. */
    readonly line?: number,
  ) {
    super(message);
    this.name = 'ArchiveError';
  }
}

export function headerLine(header: ArchiveHeader): string {
  // Spelled out so that the key order is the format's, whatever the caller's object.
  return JSON.stringify({
    format: header.format,
    version: header.version,
    exportedAt: header.exportedAt,
    schema: header.schema,
    withSecrets: header.withSecrets,
  });
}

/** One value as the archive writes it, whichever database it was read from. */
export function canonicalValue(table: string, column: string, value: unknown): ArchiveValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new ArchiveError(`${table}.${column} holds ${value}, which JSON cannot represent`);
    }
    return value;
  }
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new ArchiveError(`${table}.${column} holds ${value}, beyond a safe JSON integer`);
    }
    return Number(value);
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new ArchiveError(
    `${table}.${column} holds a value of a kind the archive does not carry (${Object.prototype.toString.call(value)}); the schema stores only text and integers`,
  );
}

/** The line of one row: its columns, in the order given, and nothing else. */
export function rowLine(
  table: string,
  columns: readonly string[],
  row: Record<string, unknown>,
): string {
  const values: ArchiveRow = {};
  for (const column of columns) values[column] = canonicalValue(table, column, row[column]);
  return `{"table":${JSON.stringify(table)},"row":${JSON.stringify(values)}}`;
}

function parseJsonObject(text: string, line: number, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ArchiveError(`not valid JSON (${(error as Error).message})`, line);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArchiveError(`${what} must be a JSON object`, line);
  }
  return value as Record<string, unknown>;
}

/**
 * Reads the first line. `knownSchemas` are this program's migrations: an archive of a schema it
 * does not know comes from a newer Broadside, whose tables and columns it cannot promise to hold.
 */
export function parseHeader(text: string, knownSchemas: readonly string[]): ArchiveHeader {
  const notArchive =
    'not a Broadside archive: the first line must be its header, {"format":"broadside",…}';
  let header: Record<string, unknown>;
  try {
    header = parseJsonObject(text, 1, 'the header');
  } catch {
    throw new ArchiveError(notArchive, 1);
  }
  if (header.format !== ARCHIVE_FORMAT) throw new ArchiveError(notArchive, 1);
  const { version, schema, exportedAt, withSecrets } = header;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new ArchiveError('the header has no valid "version"', 1);
  }
  if (version > ARCHIVE_VERSION) {
    throw new ArchiveError(
      `the archive is in format version ${version}, newer than this Broadside reads (${ARCHIVE_VERSION}); restore it with a newer Broadside`,
      1,
    );
  }
  if (typeof schema !== 'string' || schema === '') {
    throw new ArchiveError('the header has no "schema"', 1);
  }
  if (!knownSchemas.includes(schema)) {
    throw new ArchiveError(
      `the archive was made by a newer Broadside (schema ${schema}; this one knows up to ${knownSchemas.at(-1) ?? 'none'}); upgrade Broadside, then restore it`,
      1,
    );
  }
  return {
    format: ARCHIVE_FORMAT,
    version,
    schema,
    exportedAt: typeof exportedAt === 'string' ? exportedAt : '',
    withSecrets: withSecrets === true,
  };
}

/** What the restoring database says about a table: its columns and which of them need a value. */
export interface TargetTable {
  table: ArchiveTable;
  /** Column name → whether it is an integer column (else text). */
  integerColumns: ReadonlySet<string>;
  /** Columns that are NOT NULL without a default: a row must give them. */
  requiredColumns: readonly string[];
  /** Columns the restoring database has. */
  columns: ReadonlySet<string>;
}

export interface ParsedRow {
  table: TargetTable;
  /** The row's values, by column, as the archive gave them (a subset of the table's columns). */
  row: ArchiveRow;
}

/** Reads one row line, checking it against the table list and the restoring database's schema. */
export function parseRowLine(
  text: string,
  line: number,
  tables: ReadonlyMap<string, TargetTable>,
): ParsedRow {
  const record = parseJsonObject(text, line, 'a line');
  const { table: name, row } = record;
  if (typeof name !== 'string') throw new ArchiveError('the line has no "table"', line);
  const target = tables.get(name);
  if (!target) {
    throw new ArchiveError(
      `unknown table "${name}": it is not one this Broadside restores (${[...tables.keys()].join(', ')})`,
      line,
    );
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    throw new ArchiveError(`the line has no "row" object`, line);
  }
  const values: ArchiveRow = {};
  for (const [column, value] of Object.entries(row as Record<string, unknown>)) {
    if (!target.columns.has(column)) {
      throw new ArchiveError(`${name} has no column "${column}"`, line);
    }
    if (value === null) values[column] = null;
    else if (target.integerColumns.has(column)) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        throw new ArchiveError(
          `${name}.${column} must be a whole number or null, not ${JSON.stringify(value)}`,
          line,
        );
      }
      values[column] = value;
    } else {
      if (typeof value !== 'string') {
        throw new ArchiveError(
          `${name}.${column} must be text or null, not ${JSON.stringify(value)}`,
          line,
        );
      }
      values[column] = value;
    }
  }
  for (const column of target.requiredColumns) {
    if (values[column] === undefined || values[column] === null) {
      throw new ArchiveError(`${name}.${column} is missing, and a row must have it`, line);
    }
  }
  return { table: target, row: values };
}
