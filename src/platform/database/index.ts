/**
 * The database connection: Kysely over better-sqlite3 (a file in DATA_DIR) or over pg. Every
 * difference between the two databases lives in this folder; nowhere else asks which one it has.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseTarget } from '../config.js';
import { cachingStatements } from './statement-cache.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Database<DB> {
  readonly db: Kysely<DB>;
  readonly dialect: DialectName;
  /** Throws when the database cannot be reached; used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Called with errors on idle pooled connections (PostgreSQL restarts, network drops). */
  onIdleError?: (error: Error) => void;
  /** PostgreSQL pool size per process. */
  poolSize?: number;
}

export function openDatabase<DB>(target: DatabaseTarget, options: OpenOptions = {}): Database<DB> {
  return target.kind === 'sqlite'
    ? openSqlite<DB>(target.file)
    : openPostgres<DB>(target.url, options);
}

function openSqlite<DB>(file: string): Database<DB> {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const connection = new SqliteDatabase(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL'); // durable with WAL except on power loss mid-checkpoint
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000'); // another process (the CLI) may hold the write lock
  const db = new Kysely<DB>({
    dialect: new SqliteDialect({ database: cachingStatements(connection) }),
  });
  return {
    db,
    dialect: 'sqlite',
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

function openPostgres<DB>(url: string, options: OpenOptions): Database<DB> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  pool.on('error', (error) => options.onIdleError?.(error));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

/**
 * Runs `work` in a transaction of `db`, or, when `db` already is one, inside it: Kysely has no
 * nested transactions, and this lets a use case (publish a statement, post a comment) be part of a
 * larger one (an import) that commits or rolls back as a whole. Whoever opened the outer
 * transaction owns the commit, so it should also hold back the events the inner steps announce.
 */
export function inTransaction<DB, T>(
  db: Kysely<DB>,
  work: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** Pages of SQLite's write-ahead log between checkpoints: SQLite's default, and during bulk writing. */
const CHECKPOINT_PAGES = 1_000;
const BULK_CHECKPOINT_PAGES = 10_000;

/**
 * Prepares `db` for a long run of large transactions (an import) and returns what undoes it.
 * SQLite copies its write-ahead log into the database every 1,000 pages (4 MB): with transactions
 * of thousands of rows that is at every commit, and every copy waits for the disk twice. Ten times
 * the log between copies made an import's commits 40% cheaper. PostgreSQL needs nothing.
 */
export async function startBulkWriting(db: Kysely<unknown>): Promise<() => Promise<void>> {
  if (locksRows(db)) return async () => {};
  await sql.raw(`pragma wal_autocheckpoint = ${BULK_CHECKPOINT_PAGES}`).execute(db);
  return async () => {
    await sql.raw(`pragma wal_autocheckpoint = ${CHECKPOINT_PAGES}`).execute(db);
  };
}

/** True when `error` is a unique-constraint violation, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/**
 * Whether `SELECT … FOR UPDATE` is available. PostgreSQL needs it to serialise read-then-write
 * sequences between concurrent transactions; SQLite has no row locks and needs none, because its
 * write transactions are already serialised (one connection per process, one writer per file).
 * Use as `query.$if(locksRows(db), (q) => q.forUpdate())`.
 */
export function locksRows(db: Kysely<unknown> | { getExecutor(): { adapter: unknown } }): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
