/** Long reads that must see the database as it was at one moment (exports), on either database. */
import type { Kysely } from 'kysely';

/**
 * Runs `work` in a read-only transaction that sees one consistent snapshot however many queries it
 * makes, while other connections go on writing. PostgreSQL: `REPEATABLE READ, READ ONLY`. SQLite
 * (WAL): a deferred transaction takes its snapshot at its first read and keeps it to the end (Kysely
 * passes it no isolation level, and needs none); writers are not blocked, but the WAL cannot be
 * checkpointed past the snapshot until it ends.
 */
export function inReadSnapshot<DB, T>(
  db: Kysely<DB>,
  work: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(work);
}
