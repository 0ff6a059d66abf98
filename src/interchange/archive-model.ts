/**
 * The Broadside archive format, as pure functions: NDJSON, one header line, one line per row,
 * `{"table":"comments","row":{…}}`, and a last line `{"end":true,"rows":N}` that says the archive
 * is whole. Lines are canonical, so that the same site gives the same bytes from SQLite and from
 * PostgreSQL: keys in the order the table list declares, integers as numbers, flags as the 0/1 the
 * schema stores, null as null, text as it is.
 *
 * The header states the archive's schema level — every migration the database had — and the
 * tables and columns it holds, so that a Broadside can tell up front an archive of its own level,
 * of an older one (restored at that level, then migrated up), or of a newer one (refused).
 */
import type { ArchiveTable } from './archive-tables.js';

export const ARCHIVE_FORMAT = 'broadside';
/**
 * The version of the line format. 1: header with `schema` only, no last line. 2: the header lists
 * the migrations and the tables, and the archive ends with `{"end":true,"rows":N}`.
 */
export const ARCHIVE_VERSION = 2;

export interface ArchiveHeader {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  exportedAt: string;
  /** Every migration of the database it was made from, oldest first: its schema level. */
  migrations: readonly string[];
  /** Whether password hashes, sessions and other secrets are in it. */
  withSecrets: boolean;
  /** The tables it holds and their columns, in the order written (version 1 did not say). */
  tables: ReadonlyMap<string, readonly string[]> | undefined;
}

/** The newest migration of an archive's database: the name its level goes by. */
export const schemaOf = (header: Pick<ArchiveHeader, 'migrations'>): string =>
  header.migrations.at(-1) ?? '';

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

/** The first line of an archive written by this Broadside. */
export function headerLine(header: {
  exportedAt: string;
  migrations: readonly string[];
  withSecrets: boolean;
  tables: readonly { name: string; columns: readonly string[] }[];
}): string {
  // Spelled out so that the key order is the format's, whatever the caller's object. `schema`
  // repeats the last migration for people reading the line.
  return JSON.stringify({
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    exportedAt: header.exportedAt,
    schema: header.migrations.at(-1) ?? '',
    migrations: header.migrations,
    withSecrets: header.withSecrets,
    tables: Object.fromEntries(header.tables.map((table) => [table.name, table.columns])),
  });
}

/** The last line of an archive: it is whole, and holds `rows` row lines. */
export function trailerLine(rows: number): string {
  return `{"end":true,"rows":${rows}}`;
}

/** The row count a last line gives, or undefined when the line is not an archive's last line. */
export function parseTrailer(text: string): { rows: number } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { end, rows } = value as Record<string, unknown>;
  if (end !== true || typeof rows !== 'number' || !Number.isSafeInteger(rows) || rows < 0) {
    return undefined;
  }
  return { rows };
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

/** What this Broadside knows of schemas: its migrations, oldest first, and its table list. */
export interface KnownSchema {
  migrations: readonly string[];
  tables: readonly ArchiveTable[];
}

/** Names a few of `names`, and how many more. */
function some(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

function newerBroadside(version: number, detail: string): ArchiveError {
  return new ArchiveError(
    `this archive was written by a newer Broadside (format ${version}): ${detail}; upgrade Broadside first, then restore it`,
    1,
  );
}

/** The `tables` of a version 2 header, in their order. */
function declaredTables(value: unknown): Map<string, readonly string[]> {
  const invalid = new ArchiveError(
    'the header has no valid "tables" (each table the archive holds, with its columns)',
    1,
  );
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid;
  const tables = new Map<string, readonly string[]>();
  for (const [name, columns] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string' && c !== '')) {
      throw invalid;
    }
    tables.set(name, columns as string[]);
  }
  return tables;
}

/**
 * Reads the first line, and with it the archive's schema level. An archive whose format version,
 * migrations, tables or columns this Broadside does not know comes from a newer one, and is
 * refused here, before anything is written; one of an older level is accepted (the restore brings
 * it up to date). Whether its tables and columns are those of its level is for the restoring
 * database to say (see import-archive.ts).
 */
export function parseHeader(text: string, known: KnownSchema): ArchiveHeader {
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
    throw newerBroadside(version, `this one reads formats 1 to ${ARCHIVE_VERSION}`);
  }
  let migrations: readonly string[];
  let tables: Map<string, readonly string[]> | undefined;
  if (version === 1) {
    // Version 1 named only the newest migration: the level is every migration up to it.
    if (typeof schema !== 'string' || schema === '') {
      throw new ArchiveError('the header has no "schema"', 1);
    }
    const at = known.migrations.indexOf(schema);
    if (at === -1) {
      throw newerBroadside(version, `it has the migration ${schema}, which this one does not know`);
    }
    migrations = known.migrations.slice(0, at + 1);
  } else {
    const listed = header.migrations;
    if (
      !Array.isArray(listed) ||
      listed.length === 0 ||
      !listed.every((name) => typeof name === 'string' && name !== '')
    ) {
      throw new ArchiveError(
        'the header has no valid "migrations" (the list of its schema\'s migrations)',
        1,
      );
    }
    migrations = listed as string[];
    tables = declaredTables(header.tables);
    const unknownMigrations = migrations.filter((name) => !known.migrations.includes(name));
    if (unknownMigrations.length > 0) {
      // A newer schema: name what it has that this one does not, as far as the header says.
      const unknownTables: string[] = [];
      const unknownColumns: string[] = [];
      for (const [name, columns] of tables) {
        const table = known.tables.find((each) => each.name === name);
        if (!table) unknownTables.push(name);
        else
          unknownColumns.push(
            ...columns.filter((c) => !table.columns.includes(c)).map((c) => `${name}.${c}`),
          );
      }
      const what = [
        `the migration${unknownMigrations.length === 1 ? '' : 's'} ${some(unknownMigrations)}`,
        ...(unknownTables.length > 0
          ? [`the table${unknownTables.length === 1 ? '' : 's'} ${some(unknownTables)}`]
          : []),
        ...(unknownColumns.length > 0
          ? [`the column${unknownColumns.length === 1 ? '' : 's'} ${some(unknownColumns)}`]
          : []),
      ];
      throw newerBroadside(version, `it has ${what.join(' and ')}, which this one does not know`);
    }
    migrations.forEach((name, index) => {
      if (name !== known.migrations[index]) {
        throw new ArchiveError(
          `the header's migrations are not in the order this Broadside applies them (${name} where ${known.migrations[index] ?? 'nothing'} should be): the archive is damaged`,
          1,
        );
      }
    });
  }
  return {
    format: ARCHIVE_FORMAT,
    version,
    migrations,
    exportedAt: typeof exportedAt === 'string' ? exportedAt : '',
    withSecrets: withSecrets === true,
    tables,
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
