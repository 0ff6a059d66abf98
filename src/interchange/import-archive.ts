/**
 * `broadside import FILE --format broadside`: restores a Broadside archive into an empty database,
 * line by line, committing every few thousand rows.
 *
 * - **Empty** means: nothing in any archived table but what a first start writes (the site, its
 *   setup link), which the archive's site replaces. Anything else is refused, naming what is there.
 * - **Resuming.** When the database's sites are the archive's own, an earlier restore of it was
 *   interrupted: it goes on, and rows already there (same primary key) are skipped.
 * - **Schema.** An archive of a newer Broadside (a schema this one does not know) is refused; an
 *   older one is restored, its rows lacking the columns added since (which take their defaults).
 * - **Problems.** A malformed line, or a row the database refuses (its parent missing), is reported
 *   as `FILE:LINE: reason` and skipped, and the restore goes on — or stops there with `strict`.
 * - **Dry run.** Everything is done in one transaction that is rolled back at the end.
 */
import { isRowRefusal } from '../platform/database/refusals.js';
import { ConflictError } from '../platform/errors.js';
import type { ArchiveHeader, ArchiveRow, TargetTable } from './archive-model.js';
import { ArchiveError, parseHeader, parseRowLine } from './archive-model.js';
import type { ArchiveDb } from './archive-store.js';
import {
  countRows,
  deleteAllRows,
  describeTables,
  insertRows,
  isIntegerType,
  siteIds,
} from './archive-store.js';
import type { ArchiveTable } from './archive-tables.js';
import { ARCHIVE_TABLES } from './archive-tables.js';
import type { Line } from './lines.js';

export interface ImportArchiveInput {
  /** Opens the archive from its start; called twice (its sites are looked at first). */
  open: () => AsyncIterable<Line>;
  /** This program's migrations, oldest first. */
  knownSchemas: readonly string[];
  /** The tables, in order; the archive's list unless a test gives another. */
  tables?: readonly ArchiveTable[];
  dryRun?: boolean;
  /** Stop at the first malformed line or refused row instead of skipping it. */
  strict?: boolean;
  /** Rows per transaction. */
  batchRows?: number;
  /** Called after every batch. */
  onProgress?: (progress: ArchiveProgress) => void;
}

export interface ArchiveProgress {
  /** The last line read. */
  line: number;
  /** Rows, of every table. */
  created: number;
  skipped: number;
  failed: number;
  /** Comments handled (created, skipped or failed): the bulk of any site. */
  comments: number;
}

export interface TableCounts {
  table: string;
  /** Rows inserted. */
  created: number;
  /** Rows already there (an interrupted restore run again). */
  skipped: number;
  /** Rows malformed or refused by the database. */
  failed: number;
}

export interface ArchiveProblem {
  line: number;
  message: string;
}

export interface ImportArchiveSummary {
  header: ArchiveHeader;
  tables: TableCounts[];
  /** The first {@link MAX_REPORTED_PROBLEMS} problems, in the order met. */
  problems: ArchiveProblem[];
  problemCount: number;
  /** The database held an interrupted restore of this archive, which was continued. */
  resumed: boolean;
  dryRun: boolean;
}

export const MAX_REPORTED_PROBLEMS = 100;
const DEFAULT_BATCH_ROWS = 2_000;
/** Rows per INSERT, and bind parameters per INSERT (below SQLite's 32,766 and PostgreSQL's 65,535). */
const ROWS_PER_INSERT = 500;
const PARAMETERS_PER_INSERT = 30_000;

interface PendingRow {
  line: number;
  target: TargetTable;
  row: ArchiveRow;
}

/** How writes are grouped: a transaction per batch, or (dry run) savepoints in one rolled back. */
interface Writer {
  run<T>(work: (db: ArchiveDb) => Promise<T>): Promise<T>;
  finish(): Promise<void>;
  abandon(): Promise<void>;
}

function committingWriter(db: ArchiveDb): Writer {
  return {
    run: (work) => db.transaction().execute(work),
    finish: async () => {},
    abandon: async () => {},
  };
}

async function dryRunWriter(db: ArchiveDb): Promise<Writer> {
  const trx = await db.startTransaction().execute();
  return {
    async run(work) {
      const point = await trx.savepoint('archive_batch').execute();
      try {
        const result = await work(point);
        await point.releaseSavepoint('archive_batch').execute();
        return result;
      } catch (error) {
        const back = await point.rollbackToSavepoint('archive_batch').execute();
        await back.releaseSavepoint('archive_batch').execute();
        throw error;
      }
    },
    finish: () => trx.rollback().execute(),
    abandon: () => trx.rollback().execute(),
  };
}

/** Restores an archive; see the module's comment for the rules. */
export async function importBroadsideArchive(
  ctx: { db: ArchiveDb },
  input: ImportArchiveInput,
): Promise<ImportArchiveSummary> {
  const tables = input.tables ?? ARCHIVE_TABLES;
  const targets = await targetTables(ctx.db, tables);
  const { header, archiveSites } = await readHeadAndSites(input, targets);

  const resumed = await checkEmpty(ctx.db, targets, archiveSites);
  const counts = new Map<string, TableCounts>(
    tables.map((t) => [t.name, { table: t.name, created: 0, skipped: 0, failed: 0 }]),
  );
  const summary: ImportArchiveSummary = {
    header,
    tables: [...counts.values()],
    problems: [],
    problemCount: 0,
    resumed,
    dryRun: input.dryRun === true,
  };
  const countsOf = (table: string) => counts.get(table) as TableCounts;
  const problem = (line: number, message: string, table?: string) => {
    if (input.strict) throw new ArchiveError(message, line);
    if (table) countsOf(table).failed += 1;
    summary.problemCount += 1;
    if (summary.problems.length < MAX_REPORTED_PROBLEMS) summary.problems.push({ line, message });
  };

  const writer = input.dryRun ? await dryRunWriter(ctx.db) : committingWriter(ctx.db);
  let lastLine = 1;
  const progress = () => {
    const all = [...counts.values()];
    const sum = (key: 'created' | 'skipped' | 'failed') =>
      all.reduce((total, each) => total + each[key], 0);
    const comments = counts.get('comments');
    input.onProgress?.({
      line: lastLine,
      created: sum('created'),
      skipped: sum('skipped'),
      failed: sum('failed'),
      comments: comments ? comments.created + comments.skipped + comments.failed : 0,
    });
  };

  const flush = async (batch: PendingRow[]) => {
    if (batch.length === 0) return;
    const grouped = [...groups(batch)];
    try {
      const inserted = await writer.run(async (trx) => {
        const done: number[] = [];
        for (const group of grouped) done.push(await insertGroup(trx, group));
        return done;
      });
      let index = 0;
      for (const group of grouped) {
        const created = inserted[index++] ?? 0;
        const each = countsOf(group[0]?.target.table.name ?? '');
        each.created += created;
        each.skipped += group.length - created;
      }
    } catch (error) {
      if (!isRowRefusal(error)) throw error;
      // Some row of the batch was refused: find which, one row per transaction.
      for (const pending of batch) {
        const name = pending.target.table.name;
        try {
          const created = await writer.run((trx) =>
            insertRows(trx, { table: name, key: pending.target.table.key, rows: [pending.row] }),
          );
          countsOf(name)[created === 1 ? 'created' : 'skipped'] += 1;
        } catch (rowError) {
          if (!isRowRefusal(rowError)) throw rowError;
          problem(pending.line, refusalMessage(pending, rowError), name);
        }
      }
    }
    progress();
  };

  try {
    if (!resumed) {
      // What a first start wrote (the site the server made for itself) makes way for the archive's.
      await writer.run(async (trx) => {
        for (const target of [...targets.values()].reverse()) {
          if (target.table.firstStart) await deleteAllRows(trx, target.table.name);
        }
      });
    }
    const batchRows = input.batchRows ?? DEFAULT_BATCH_ROWS;
    let batch: PendingRow[] = [];
    for await (const line of input.open()) {
      lastLine = line.number;
      if (line.number === 1 || line.text.trim() === '') continue;
      let parsed;
      try {
        parsed = parseRowLine(line.text, line.number, targets);
      } catch (error) {
        if (!(error instanceof ArchiveError)) throw error;
        problem(line.number, error.message, tableNameOf(line.text, targets));
        continue;
      }
      batch.push({ line: line.number, target: parsed.table, row: parsed.row });
      if (batch.length >= batchRows) {
        await flush(batch);
        batch = [];
      }
    }
    await flush(batch);
    await writer.finish();
  } catch (error) {
    await writer.abandon().catch(() => {});
    throw error;
  }
  return summary;
}

/** The archive's tables as the restoring database has them. */
async function targetTables(
  db: ArchiveDb,
  tables: readonly ArchiveTable[],
): Promise<Map<string, TargetTable>> {
  const described = await describeTables(db);
  const targets = new Map<string, TargetTable>();
  for (const table of tables) {
    const columns = described.get(table.name);
    if (!columns) continue; // not in this database: its rows are refused as of an unknown table
    const known = columns.filter((column) => table.columns.includes(column.name));
    targets.set(table.name, {
      table,
      columns: new Set(known.map((column) => column.name)),
      integerColumns: new Set(
        known.filter((column) => isIntegerType(column.dataType)).map((column) => column.name),
      ),
      requiredColumns: known
        .filter((column) => !column.isNullable && !column.hasDefaultValue)
        .map((column) => column.name),
    });
  }
  return targets;
}

/** The header, and the ids of the archive's sites (its first rows, the list's first table). */
async function readHeadAndSites(
  input: ImportArchiveInput,
  targets: ReadonlyMap<string, TargetTable>,
): Promise<{ header: ArchiveHeader; archiveSites: Set<string> }> {
  let header: ArchiveHeader | undefined;
  const archiveSites = new Set<string>();
  for await (const line of input.open()) {
    if (line.number === 1) {
      header = parseHeader(line.text, input.knownSchemas);
      continue;
    }
    if (line.text.trim() === '') continue;
    let parsed;
    try {
      parsed = parseRowLine(line.text, line.number, targets);
    } catch {
      break; // reported by the restore itself
    }
    if (parsed.table.table.name !== 'sites') break;
    if (typeof parsed.row.id === 'string') archiveSites.add(parsed.row.id);
  }
  if (!header) throw new ArchiveError('the file is empty: it is not a Broadside archive', 1);
  return { header, archiveSites };
}

/**
 * Refuses a database that holds anything but what a first start writes; true when it holds an
 * interrupted restore of this same archive (its sites are the archive's).
 */
async function checkEmpty(
  db: ArchiveDb,
  targets: ReadonlyMap<string, TargetTable>,
  archiveSites: ReadonlySet<string>,
): Promise<boolean> {
  const sites = targets.has('sites') ? await siteIds(db) : [];
  if (sites.length > 0 && sites.every((id) => archiveSites.has(id))) return true;
  const found: string[] = [];
  for (const target of targets.values()) {
    if (target.table.firstStart) continue;
    const rows = await countRows(db, target.table.name);
    if (rows > 0) found.push(`${rows.toLocaleString('en')} ${target.table.name}`);
  }
  if (found.length === 0) return false;
  throw new ConflictError(
    `The database is not empty (it has ${found.join(', ')}), and an archive is restored only into an empty one. Point DATABASE_URL (or DATA_DIR) at a new database and import before its first \`broadside serve\` (or start that with DEMO_CONTENT=false).`,
    'database-not-empty',
  );
}

/** Consecutive rows of one table that give the same columns: one INSERT each (or a few). */
function* groups(batch: readonly PendingRow[]): Generator<PendingRow[]> {
  let current: PendingRow[] = [];
  let signature = '';
  for (const pending of batch) {
    const columns = Object.keys(pending.row);
    const next = `${pending.target.table.name}:${columns.join(',')}`;
    const limit = Math.min(
      ROWS_PER_INSERT,
      Math.floor(PARAMETERS_PER_INSERT / Math.max(1, columns.length)),
    );
    if (next !== signature || current.length >= limit) {
      if (current.length > 0) yield current;
      current = [];
      signature = next;
    }
    current.push(pending);
  }
  if (current.length > 0) yield current;
}

async function insertGroup(db: ArchiveDb, group: PendingRow[]): Promise<number> {
  const table = group[0]?.target.table;
  if (!table) return 0;
  return insertRows(db, { table: table.name, key: table.key, rows: group.map((p) => p.row) });
}

function refusalMessage(pending: PendingRow, error: unknown): string {
  const { table } = pending.target;
  const key = table.key.map((column) => `${column}=${String(pending.row[column])}`).join(', ');
  const reason = error instanceof Error ? error.message : String(error);
  const hint = /foreign key/i.test(reason)
    ? ' (a row it refers to is missing: refused or left out earlier in the archive)'
    : '';
  return `the database refused ${table.name} ${key}: ${reason}${hint}`;
}

/** The table a malformed line names, when it names one we know (for the per-table counts). */
function tableNameOf(text: string, targets: ReadonlyMap<string, TargetTable>): string | undefined {
  const match = /^\s*\{\s*"table"\s*:\s*"([a-z_]+)"/.exec(text);
  return match?.[1] !== undefined && targets.has(match[1]) ? match[1] : undefined;
}
