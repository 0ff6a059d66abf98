// The discussion's indexes after every migration, on SQLite and on PostgreSQL alike.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/databases.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { createTestRuntime } from '../helpers/runtime.js';

describe.each(databaseKinds)('discussion indexes on $name', (kind) => {
  let test: TestRuntime;
  beforeEach(async () => {
    test = await createTestRuntime({ kind });
  });
  afterEach(async () => {
    await test.close();
  });

  it('has the read paths’ indexes, author e-mail with time among them', async () => {
    const query =
      kind.name === 'sqlite'
        ? sql<{ name: string }>`select name from sqlite_master where type = 'index'`
        : sql<{ name: string }>`select indexname as name from pg_indexes`;
    const names = (await query.execute(test.runtime.db)).rows.map((row) => row.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'comments_thread_created',
        'comments_author_account',
        'subscription_deliveries_comment',
        // By address and time: moderation's author history, personal-data export and erasure.
        'comments_author_email_created',
      ]),
    );
  });
});
