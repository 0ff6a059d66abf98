/**
 * Prepared statements kept for reuse. Kysely's SQLite driver prepares every query it runs, and
 * preparing costs more than running for most of ours (the same few hundred SQL texts, run again
 * and again); better-sqlite3 keeps no cache of its own. A statement still being iterated (a
 * streamed query) cannot run again until it finishes, so the same text is then prepared afresh.
 *
 * The cache is bounded by the length of the texts it keeps, since a prepared statement's memory
 * grows with its text (about 100 bytes per character measured, bound values included) and
 * queries with lists (`in (?, ?, …)`) come in as many texts as lengths of list.
 */
import type { Database as Connection, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Characters of SQL kept prepared: about 10 MB of statements, hundreds of ordinary queries. */
const DEFAULT_BUDGET = 100_000;

export function cachingStatements(connection: Connection, budget = DEFAULT_BUDGET): SqliteDatabase {
  // A Map iterates in insertion order: re-inserting on use makes its first key the least recent.
  const statements = new Map<string, Statement>();
  let kept = 0;
  return {
    prepare(sql) {
      const cached = statements.get(sql);
      if (cached && !cached.busy) {
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = connection.prepare(sql);
      // A busy statement stays for the next caller; a text too long to keep is used once.
      if (cached || sql.length > budget / 8) return statement;
      statements.set(sql, statement);
      kept += sql.length;
      for (const oldest of statements.keys()) {
        if (kept <= budget) break;
        statements.delete(oldest);
        kept -= oldest.length;
      }
      return statement;
    },
    close() {
      statements.clear();
      connection.close();
    },
  };
}
