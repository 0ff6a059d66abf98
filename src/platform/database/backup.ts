/**
 * An online backup of a SQLite database file with SQLite's backup API: a consistent copy taken
 * while the server goes on reading and writing (PostgreSQL has pg_dump for this).
 */
import { existsSync, linkSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';

export interface BackupResult {
  bytes: number;
  /** SQLite's `PRAGMA integrity_check` of the copy: `ok`. */
  integrity: string;
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

/**
 * Copies the database `source` to `destination`, which must not exist yet. The pages are copied in
 * one step, so the copy is the database at one moment however busy it is (copying in steps would
 * start over whenever another process writes, and might never finish). The copy is written beside
 * `destination`, switched to a rollback journal (one self-contained file, no `-wal`), checked
 * with `integrity_check`, and only then renamed into place.
 */
export async function backupSqliteFile(source: string, destination: string): Promise<BackupResult> {
  const partial = path.join(
    path.dirname(destination),
    `.${path.basename(destination)}.partial-${process.pid}`,
  );
  if (existsSync(destination)) {
    throw new BackupError(`${destination} already exists; choose a new name, or remove it first`);
  }
  let database: SqliteDatabase.Database;
  try {
    database = new SqliteDatabase(source, { fileMustExist: true });
  } catch (error) {
    throw new BackupError(`cannot open the database ${source}: ${(error as Error).message}`);
  }
  try {
    database.pragma('busy_timeout = 5000');
    // Everything in the second step (the first only measures): see above.
    await database.backup(partial, { progress: () => 0x7fffffff });
  } catch (error) {
    rmSync(partial, { force: true });
    throw new BackupError(`the backup failed: ${(error as Error).message}`);
  } finally {
    database.close();
  }
  let integrity: string;
  try {
    const copy = new SqliteDatabase(partial, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
      integrity = String(copy.pragma('integrity_check', { simple: true }));
    } finally {
      copy.close();
    }
    if (integrity !== 'ok')
      throw new BackupError(`the copy failed its integrity check: ${integrity}`);
    // A hard link, unlike a rename, never replaces a file that appeared meanwhile.
    linkSync(partial, destination);
    rmSync(partial);
  } catch (error) {
    rmSync(partial, { force: true });
    for (const suffix of ['-wal', '-shm', '-journal']) rmSync(partial + suffix, { force: true });
    if (error instanceof BackupError) throw error;
    if ((error as { code?: string }).code === 'EEXIST') {
      throw new BackupError(`${destination} already exists; choose a new name, or remove it first`);
    }
    throw new BackupError(`the copy could not be checked: ${(error as Error).message}`);
  }
  return { bytes: statSync(destination).size, integrity };
}
