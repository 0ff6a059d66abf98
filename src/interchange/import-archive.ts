/**
 * `broadside import FILE --format broadside`: restores a Broadside archive into an empty database.
 *
 * - **Checked first** (archive-check.ts): an archive of a newer Broadside, an incomplete one (cut
 *   short, without its last line) or a damaged one (rows missing) is refused before anything is
 *   written.
 * - **Empty** means: nothing in any archived table but what a first start writes (the site, its
 *   setup link), which the archive's site replaces. Anything else is refused, naming what is there.
 * - **Same schema level**: rows are committed every few thousand. When the database's sites are
 *   the archive's own, an earlier restore of it was interrupted: it goes on, and rows already
 *   there (same primary key) are skipped.
 * - **Older schema level** (the header lists fewer migrations than this Broadside has): in one
 *   transaction, the empty database is taken back to the archive's level (the later migrations'
 *   `down`), the rows are restored there, and the later migrations run again over them — so the
 *   site is what upgrading the old installation would have given: tables added since hold what
 *   those migrations make of the old rows (a statement's first revision, say), columns added since
 *   their defaults. Interrupted, it leaves nothing; restoring it twice is refused.
 * - **Problems.** A malformed line, or a row the database refuses (its parent missing), is reported
 *   as `FILE:LINE: reason` and skipped, and the restore goes on — or stops there with `strict`.
 * - **Dry run.** Everything is done in one transaction that is rolled back at the end.
 */
import type { Migrations } from '../platform/database/migrate.js';
import { isRowRefusal } from '../platform/database/refusals.js';
import { ConflictError } from '../platform/errors.js';
import type { CheckedArchive } from './archive-check.js';
import { checkArchive } from './archive-check.js';
import type { ArchiveHeader, ArchiveRow, TargetTable } from './archive-model.js';
import { ArchiveError, parseRowLine, schemaOf } from './archive-model.js';
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
  /** Opens the archive from its start; called twice (it is checked whole first). */
  open: () => AsyncIterable<Line>;
  /**
   * This program's migrations, in order: an archive's level is checked against their names, and
   * an older archive is brought up to date with them.
   */
  migrations: Migrations;
  /** The tables, in order; the archive's list unless a test gives another. */
  tables?: readonly ArchiveTable[];
  dryRun?: boolean;
  /** Stop at the first malformed line or refused row instead of skipping it. */
  strict?: boolean;
  /** Rows per transaction (per savepoint for an older archive). */
  batchRows?: number;
  /** Called every thousand lines while checking, after every batch, after every migration. */
  onProgress?: (progress: ArchiveProgress) => void;
}

export type ArchiveProgress =
  | {
      phase: 'checking';
      /** The last line read. */
      line: number;
      /** Row lines read. */
      rows: number;
    }
  | {
      phase: 'restoring';
      line: number;
      /** Rows handled, of every table: created, skipped or failed. */
      rows: number;
      /** Of which comments: the bulk of any site. */
      comments: number;
    }
  | {
      /** An older archive's rows restored, the later migrations are run over them. */
      phase: 'upgrading';
      done: number;
      total: number;
    };

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
  /** The migrations run over an older archive's rows to bring them up to date (else none). */
  upgraded: string[];
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

/** How writes are grouped: a transaction per batch, or savepoints in one transaction. */
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

/**
 * One transaction, a savepoint per batch (so that a refused row undoes only its batch), committed
 * at the end — or rolled back, for a dry run. `trx` is for work outside the batches (migrations).
 */
async function oneTransaction(db: ArchiveDb, keep: boolean): Promise<Writer & { trx: ArchiveDb }> {
  const trx = await db.startTransaction().execute();
  return {
    trx,
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
    finish: () => (keep ? trx.commit().execute() : trx.rollback().execute()),
    abandon: () => trx.rollback().execute(),
  };
}

/** Restores an archive; see the module's comment for the rules. */
export async function importBroadsideArchive(
  ctx: { db: ArchiveDb },
  input: ImportArchiveInput,
): Promise<ImportArchiveSummary> {
  const tables = input.tables ?? ARCHIVE_TABLES;
  const names = Object.keys(input.migrations);
  const checked = await checkArchive(input.open(), { migrations: names, tables }, (p) =>
    input.onProgress?.({ phase: 'checking', ...p }),
  );
  const { header } = checked;
  const upgrades = names.slice(header.migrations.length);

  const resumed = await checkEmpty(ctx.db, tables, checked.sites);
  if (resumed && upgrades.length > 0) {
    // Restored in one transaction, so it is whole: again would take the site back to its level.
    throw new ConflictError(
      `This archive has already been restored into this database (its site is here). An archive of an older Broadside is restored in one step, so there is nothing to resume; to restore it again, start from an empty database.`,
      'archive-already-restored',
    );
  }
  const summary: ImportArchiveSummary = {
    header,
    tables: tables.map((t) => ({ table: t.name, created: 0, skipped: 0, failed: 0 })),
    problems: [],
    problemCount: 0,
    resumed,
    upgraded: upgrades,
    dryRun: input.dryRun === true,
  };

  if (upgrades.length === 0) {
    const targets = await targetTables(ctx.db, tables, header);
    const writer = input.dryRun ? await oneTransaction(ctx.db, false) : committingWriter(ctx.db);
    try {
      if (!resumed) await writer.run((trx) => clearFirstStart(trx, tables));
      await restoreRows(writer, targets, input, checked, summary);
      await writer.finish();
    } catch (error) {
      await writer.abandon().catch(() => {});
      throw error;
    }
    return summary;
  }

  const writer = await oneTransaction(ctx.db, !input.dryRun);
  try {
    await clearFirstStart(writer.trx, tables);
    for (const name of [...upgrades].reverse()) {
      const migration = input.migrations[name];
      if (!migration?.down) {
        throw new ArchiveError(
          `the archive's schema is ${schemaOf(header)}, and the migration ${name} cannot be undone to restore it at that level`,
          1,
        );
      }
      await migration.down(writer.trx);
    }
    const targets = await targetTables(writer.trx, tables, header);
    await restoreRows(writer, targets, input, checked, summary);
    for (const [index, name] of upgrades.entries()) {
      await input.migrations[name]?.up(writer.trx);
      input.onProgress?.({ phase: 'upgrading', done: index + 1, total: upgrades.length });
    }
    await writer.finish();
  } catch (error) {
    await writer.abandon().catch(() => {});
    throw error;
  }
  return summary;
}

/** What a first start wrote (the site the server made for itself) makes way for the archive's. */
async function clearFirstStart(db: ArchiveDb, tables: readonly ArchiveTable[]): Promise<void> {
  for (const table of [...tables].reverse()) {
    if (table.firstStart) await deleteAllRows(db, table.name);
  }
}

/** Reads the archive again, writing its rows in batches through `writer`. */
async function restoreRows(
  writer: Writer,
  targets: ReadonlyMap<string, TargetTable>,
  input: ImportArchiveInput,
  checked: CheckedArchive,
  summary: ImportArchiveSummary,
): Promise<void> {
  const counts = new Map(summary.tables.map((each) => [each.table, each]));
  const countsOf = (table: string) => counts.get(table) as TableCounts;
  const problem = (line: number, message: string, table?: string) => {
    if (input.strict) throw new ArchiveError(message, line);
    if (table) countsOf(table).failed += 1;
    summary.problemCount += 1;
    if (summary.problems.length < MAX_REPORTED_PROBLEMS) summary.problems.push({ line, message });
  };
  let lastLine = 1;
  const progress = () => {
    const handled = (each: TableCounts) => each.created + each.skipped + each.failed;
    input.onProgress?.({
      phase: 'restoring',
      line: lastLine,
      rows: summary.tables.reduce((total, each) => total + handled(each), 0),
      comments: handled(countsOf('comments') ?? { created: 0, skipped: 0, failed: 0 }),
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
      // Some row of the batch was refused: find which, one row at a time.
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

  const batchRows = input.batchRows ?? DEFAULT_BATCH_ROWS;
  let batch: PendingRow[] = [];
  for await (const line of input.open()) {
    lastLine = line.number;
    if (line.number === 1 || line.number === checked.trailerLine || line.text.trim() === '') {
      continue;
    }
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
}

/**
 * The archive's tables as the restoring database has them (at the archive's level). The tables
 * and columns its header declares must all be there: they are what the database had at that
 * level, so one missing means the header does not tell the archive's level truly.
 */
async function targetTables(
  db: ArchiveDb,
  tables: readonly ArchiveTable[],
  header: ArchiveHeader,
): Promise<Map<string, TargetTable>> {
  const described = await describeTables(db);
  const declared = header.tables;
  if (declared) {
    const missing: string[] = [];
    for (const [name, columns] of declared) {
      const have = described.get(name);
      if (!have || !tables.some((table) => table.name === name)) {
        missing.push(`the table ${name}`);
        continue;
      }
      for (const column of columns) {
        if (!have.some((each) => each.name === column)) missing.push(`${name}.${column}`);
      }
    }
    if (missing.length > 0) {
      throw new ArchiveError(
        `the header declares ${missing.join(', ')}, which the schema at its level (${schemaOf(header)}) does not have: the archive is damaged`,
        1,
      );
    }
  }
  const targets = new Map<string, TargetTable>();
  for (const table of tables) {
    const columns = described.get(table.name);
    // Not in this database at this level, or not in the archive: its rows are refused as of an
    // unknown table.
    if (!columns || (declared && !declared.has(table.name))) continue;
    const wanted = declared?.get(table.name) ?? columns.map((column) => column.name);
    const known = columns.filter((column) => wanted.includes(column.name));
    targets.set(table.name, {
      table,
      columns: new Set(known.map((column) => column.name)),
      integerColumns: new Set(
        known.filter((column) => isIntegerType(column.dataType)).map((column) => column.name),
      ),
      requiredColumns: columns
        .filter((column) => !column.isNullable && !column.hasDefaultValue)
        .map((column) => column.name),
    });
  }
  return targets;
}

/**
 * Refuses a database that holds anything but what a first start writes; true when it holds an
 * interrupted restore of this same archive (its sites are the archive's).
 */
async function checkEmpty(
  db: ArchiveDb,
  tables: readonly ArchiveTable[],
  archiveSites: ReadonlySet<string>,
): Promise<boolean> {
  const existing = await describeTables(db);
  const present = tables.filter((table) => existing.has(table.name));
  const sites = present.some((table) => table.name === 'sites') ? await siteIds(db) : [];
  if (sites.length > 0 && sites.every((id) => archiveSites.has(id))) return true;
  const found: string[] = [];
  for (const table of present) {
    if (table.firstStart) continue;
    const rows = await countRows(db, table.name);
    if (rows > 0) found.push(`${rows.toLocaleString('en')} ${table.name}`);
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
