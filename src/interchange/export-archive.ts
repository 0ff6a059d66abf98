/**
 * `broadside export`: the whole site as a Broadside archive (see archive-model.ts), written as it
 * is read. Every table is read in pages of a few hundred rows by key (constant memory, one indexed
 * range scan per page), all inside one read snapshot, so the archive is the site at one moment
 * even while the server goes on taking comments. The last line, written only once every row is,
 * tells a restore that the archive is whole.
 */
import type { Clock } from '../platform/clock.js';
import { inReadSnapshot } from '../platform/database/snapshot.js';
import { ArchiveError, headerLine, rowLine, trailerLine } from './archive-model.js';
import type { ArchiveDb } from './archive-store.js';
import { countRows, describeTables, readPage } from './archive-store.js';
import type { ArchiveTable } from './archive-tables.js';
import {
  ARCHIVE_TABLES,
  archivedTables,
  orderOf,
  redactedRow,
  UNARCHIVED_TABLES,
} from './archive-tables.js';
import type { TextSink } from './text-sink.js';

export interface ArchiveContext {
  db: ArchiveDb;
  clock: Clock;
}

export interface ExportArchiveInput {
  /** Where the lines go. */
  sink: TextSink;
  /**
   * Include password hashes, sessions, API tokens, edit tokens, address hashes (of comments, bans
   * and reports) and signature link hashes.
   */
  withSecrets: boolean;
  /** This program's migrations, oldest first (the database has been brought up to them). */
  migrations: readonly string[];
  /** The tables, in order; the archive's list unless a test gives another. */
  tables?: readonly ArchiveTable[];
  /** Rows read per query. */
  pageSize?: number;
  /**
   * Called after every page; the export waits for it. Given, the rows of every table are counted
   * first (in the same snapshot), for `total`.
   */
  onProgress?: (progress: ExportProgress) => void | Promise<void>;
}

export interface ExportProgress {
  /** The table being written, and its rows written so far. */
  table: string;
  rows: number;
  /** Rows written so far, of every table, and how many the archive will have. */
  written: number;
  total: number;
}

export interface ExportSummary {
  /** Rows written, by table, in the order written. */
  rows: { table: string; rows: number }[];
  /** Tables left out because the archive was made without secrets. */
  secretTablesLeftOut: string[];
  /**
   * What the database has and the table list does not — a table or column added without adding
   * it to ARCHIVE_TABLES (a bug: the test of the list catches it), so not in the archive.
   */
  notListed: string[];
}

const DEFAULT_PAGE_SIZE = 500;
/** Lines are handed to the sink in pieces of about this many characters. */
const FLUSH_CHARACTERS = 64 * 1024;

export async function exportArchive(
  ctx: ArchiveContext,
  input: ExportArchiveInput,
): Promise<ExportSummary> {
  const tables = input.tables ?? ARCHIVE_TABLES;
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  const summary: ExportSummary = {
    rows: [],
    secretTablesLeftOut: input.withSecrets ? [] : tables.filter((t) => t.secret).map((t) => t.name),
    notListed: [],
  };
  let buffer = '';
  const emit = async (line: string) => {
    buffer += line + '\n';
    if (buffer.length >= FLUSH_CHARACTERS) {
      const chunk = buffer;
      buffer = '';
      await input.sink.write(chunk);
    }
  };

  await inReadSnapshot(ctx.db, async (trx) => {
    const existing = await describeTables(trx);
    summary.notListed = notListed(existing, tables);
    for (const { table } of archivedTables(tables, input.withSecrets)) {
      if (!existing.has(table.name)) {
        throw new ArchiveError(
          `the table ${table.name} is not in the database; run \`broadside migrate\` and export again`,
        );
      }
    }
    const archived = archivedTables(tables, input.withSecrets);
    let total = 0;
    if (input.onProgress) {
      for (const { table } of archived) total += await countRows(trx, table.name);
    }
    await emit(
      headerLine({
        exportedAt: ctx.clock.now().toISOString(),
        migrations: input.migrations,
        withSecrets: input.withSecrets,
        tables: archived.map(({ table, columns }) => ({ name: table.name, columns })),
      }),
    );
    let all = 0;
    for (const { table, columns } of archived) {
      const orderBy = orderOf(table);
      let after: unknown[] | undefined;
      let written = 0;
      for (;;) {
        const page = await readPage(trx, {
          table: table.name,
          columns,
          orderBy,
          after,
          limit: pageSize,
        });
        for (const row of page) {
          const shown = input.withSecrets ? row : redactedRow(table, row);
          await emit(rowLine(table.name, columns, shown));
        }
        written += page.length;
        all += page.length;
        await input.onProgress?.({ table: table.name, rows: written, written: all, total });
        const last = page.at(-1);
        if (page.length < pageSize || !last) break;
        after = orderBy.map((column) => last[column]);
      }
      summary.rows.push({ table: table.name, rows: written });
    }
    await emit(trailerLine(all));
  });
  if (buffer) await input.sink.write(buffer);
  return summary;
}

/** Tables and columns of the database that neither the list nor UNARCHIVED_TABLES names. */
function notListed(
  existing: ReadonlyMap<string, readonly { name: string }[]>,
  tables: readonly ArchiveTable[],
): string[] {
  const missing: string[] = [];
  for (const [name, columns] of existing) {
    if (name.startsWith('kysely_') || name in UNARCHIVED_TABLES) continue;
    const listed = tables.find((table) => table.name === name);
    if (!listed) {
      missing.push(name);
      continue;
    }
    for (const column of columns) {
      if (!listed.columns.includes(column.name)) missing.push(`${name}.${column.name}`);
    }
  }
  return missing;
}
