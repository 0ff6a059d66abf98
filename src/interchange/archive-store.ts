/**
 * The SQL of archives: reading any listed table page by page in key order, and writing rows back.
 * Tables and columns come from the archive's table list (never from the archive itself, which is
 * checked against it first), so every identifier here is one of ours.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { ArchiveRow } from './archive-model.js';

// Every table of the schema, by name: the archive is the one part of the program that reads them
// all generically, so it is typed loosely on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ArchiveDb = Kysely<any>;

export interface ColumnInfo {
  name: string;
  /** As the database names it: `integer` / `int4`, `text`… */
  dataType: string;
  isNullable: boolean;
  hasDefaultValue: boolean;
}

/** The tables the database has, with their columns (Kysely's introspection, both databases). */
export async function describeTables(db: ArchiveDb): Promise<Map<string, ColumnInfo[]>> {
  const tables = await db.introspection.getTables();
  return new Map(
    tables
      .filter((table) => !table.isView)
      .map((table) => [
        table.name,
        table.columns.map((column) => ({
          name: column.name,
          dataType: column.dataType,
          isNullable: column.isNullable,
          hasDefaultValue: column.hasDefaultValue,
        })),
      ]),
  );
}

/** Whether a column holds integers (SQLite's `integer`, PostgreSQL's `int4` and kin). */
export function isIntegerType(dataType: string): boolean {
  return /int/i.test(dataType);
}

const tuple = (values: readonly unknown[]) => sql.join(values.map((value) => sql`${value}`));
const columnTuple = (columns: readonly string[]) => sql.join(columns.map((c) => sql.ref(c)));

/**
 * The next `limit` rows of `table` after the row whose `orderBy` values are `after` (from the
 * start without it), in `orderBy` order: one indexed range scan however deep into the table.
 */
export async function readPage(
  db: ArchiveDb,
  input: {
    table: string;
    columns: readonly string[];
    orderBy: readonly string[];
    after: readonly unknown[] | undefined;
    limit: number;
  },
): Promise<Record<string, unknown>[]> {
  let query = db.selectFrom(input.table).select([...input.columns]);
  if (input.after !== undefined) {
    query = query.where(sql<boolean>`(${columnTuple(input.orderBy)}) > (${tuple(input.after)})`);
  }
  for (const column of input.orderBy) query = query.orderBy(column);
  return (await query.limit(input.limit).execute()) as Record<string, unknown>[];
}

/** How many rows `table` has (exactly: a full count, for an empty database or an export's total). */
export async function countRows(db: ArchiveDb, table: string): Promise<number> {
  const row = (await db
    .selectFrom(table)
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow()) as { n: number | string };
  return Number(row.n);
}

/** The ids of the sites a database has. */
export async function siteIds(db: ArchiveDb): Promise<string[]> {
  const rows = (await db.selectFrom('sites').select('id').execute()) as { id: string }[];
  return rows.map((row) => row.id);
}

export async function deleteAllRows(db: ArchiveDb, table: string): Promise<void> {
  await db.deleteFrom(table).execute();
}

/**
 * Inserts rows that all give the same columns; one already there with the same `key` is skipped
 * (an interrupted restore run again), any other conflict is an error. Returns how many went in.
 */
export async function insertRows(
  db: ArchiveDb,
  input: { table: string; key: readonly string[]; rows: readonly ArchiveRow[] },
): Promise<number> {
  if (input.rows.length === 0) return 0;
  const result = await db
    .insertInto(input.table)
    .values(input.rows as ArchiveRow[])
    .onConflict((conflict) => conflict.columns(input.key as string[]).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}
