import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import type { Database } from '../../src/platform/database/index.js';
import {
  isUniqueViolation,
  openDatabase,
  startBulkWriting,
} from '../../src/platform/database/index.js';
import { migrateToLatest } from '../../src/platform/database/migrate.js';
import type { TestDatabase } from '../helpers/databases.js';
import { databaseKinds } from '../helpers/databases.js';

describe.each(databaseKinds)('database on $name', (kind) => {
  let testDb: TestDatabase | undefined;
  let database: Database<unknown> | undefined;

  async function open() {
    testDb = await kind.create();
    database = openDatabase<unknown>(testDb.target);
    return database;
  }

  afterEach(async () => {
    await database?.close();
    await testDb?.drop();
    database = undefined;
    testDb = undefined;
  });

  it('applies every migration once, and a second run applies none', async () => {
    const { db } = await open();
    const first = await migrateToLatest(db, migrations);
    expect(first.applied).toEqual(Object.keys(migrations));
    const second = await migrateToLatest(db, migrations);
    expect(second.applied).toEqual([]);
    const tables = (await db.introspection.getTables()).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining(['sites', 'accounts', 'memberships', 'sessions', 'api_tokens']),
    );
  });

  it('recognises unique violations and enforces foreign keys', async () => {
    const database = await open();
    await migrateToLatest(database.db, migrations);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- schema-agnostic probe
    const db = database.db as any;
    const account = {
      id: 'a1',
      email: 'a@example.org',
      display_name: 'A',
      created_at: 'x',
      updated_at: 'x',
    };
    await db.insertInto('accounts').values(account).execute();
    const duplicate = await db
      .insertInto('accounts')
      .values({ ...account, id: 'a2' })
      .execute()
      .catch((e: unknown) => e);
    expect(isUniqueViolation(duplicate)).toBe(true);
    const orphan = await db
      .insertInto('memberships')
      .values({ site_id: 'missing', account_id: 'a1', role: 'owner', created_at: 'x' })
      .execute()
      .catch((e: unknown) => e);
    expect(orphan).toBeInstanceOf(Error);
    expect(isUniqueViolation(orphan)).toBe(false);
  });

  it('answers a ping, and fails one once closed', async () => {
    const opened = await open();
    await expect(opened.ping()).resolves.toBeUndefined();
    await opened.close();
    database = undefined; // closed here, not in afterEach
    await expect(opened.ping()).rejects.toThrow();
  });

  if (kind.name === 'sqlite') {
    it('runs SQLite in WAL mode with foreign keys on and a busy timeout', async () => {
      const { db } = await open();
      const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
      expect(journal.rows[0]?.journal_mode).toBe('wal');
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
      expect(fk.rows[0]?.foreign_keys).toBe(1);
      const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(db);
      expect(busy.rows[0]?.timeout).toBe(5000);
    });

    it('checkpoints the log ten times less often while bulk writing, and as before after', async () => {
      const { db } = await open();
      const pages = async () =>
        (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db)).rows[0]
          ?.wal_autocheckpoint;
      expect(await pages()).toBe(1000);
      const end = await startBulkWriting(db);
      expect(await pages()).toBe(10000);
      await end();
      expect(await pages()).toBe(1000);
    });
  } else {
    it('sends PostgreSQL nothing for bulk writing (a pragma would be a syntax error)', async () => {
      const { db } = await open();
      const end = await startBulkWriting(db);
      await expect(end()).resolves.toBeUndefined();
    });
  }
});
