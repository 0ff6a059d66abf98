// Migration 0006 on both databases: statements published by the first cut get their text as
// revision 1, published, with its content hash and the clearance they stated in words.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { migrations } from '../../migrations/index.js';
import type { Database } from '../../src/platform/database/index.js';
import { openDatabase } from '../../src/platform/database/index.js';
import { migrateToLatest } from '../../src/platform/database/migrate.js';
import { contentHash } from '../../src/statements/revisions.js';
import * as store from '../../src/statements/store.js';
import type { StatementsDb } from '../../src/statements/store.js';
import type { TestDatabase } from '../helpers/databases.js';
import { databaseKinds } from '../helpers/databases.js';

const before0006 = Object.fromEntries(
  Object.entries(migrations).filter(([name]) => name < '2026-11-24-0006'),
);

describe.each(databaseKinds)('migration 0006 on $name', (kind) => {
  let test: TestDatabase;
  let database: Database<unknown>;
  // Rows of the first cut's tables, written as it wrote them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let db: Kysely<any>;

  beforeEach(async () => {
    test = await kind.create();
    database = openDatabase<unknown>(test.target);
    db = database.db as typeof db;
    await migrateToLatest(database.db, before0006);
  });
  afterEach(async () => {
    await database.close();
    await test.drop();
  });

  it('gives every existing statement its text as published revision 1', async () => {
    const now = '2026-11-20T09:00:00.000Z';
    await db
      .insertInto('sites')
      .values({ id: 'site', slug: 'default', name: 'S', settings: '{}', created_at: now })
      .execute();
    const row = (id: string, slug: string, note: string | null) => ({
      id,
      site_id: 'site',
      slug,
      title: ' Statement  on Paris ',
      subtitle: null,
      body: 'We condemn.  \r\n\r\nCafé'.normalize('NFD'),
      html: '<p>We condemn.</p>\n<p>Café</p>\n',
      author_account_id: null,
      author_name: 'Jim Denham',
      clearance_note: note,
      published_at: now,
      created_at: now,
    });
    await db
      .insertInto('statements')
      .values([row('a', 'paris', 'Personal statement, not cleared'), row('b', 'other', null)])
      .execute();

    const { applied } = await migrateToLatest(database.db, migrations);
    expect(applied).toContain('2026-11-24-0006-statements');

    const sdb = database.db as StatementsDb;
    const statement = await store.findStatement(sdb, 'a');
    expect(statement).toMatchObject({
      status: 'published',
      signingOpen: true,
      clearanceNote: 'Personal statement, not cleared',
      updatedAt: new Date(now),
    });
    const revision = await store.findRevision(sdb, statement?.currentRevisionId ?? '');
    expect(revision).toMatchObject({
      number: 1,
      statementId: 'a',
      title: 'Statement on Paris',
      body: 'We condemn.\n\nCafé',
      publishedAt: new Date(now),
      clearance: { kind: 'declared', note: 'Personal statement, not cleared' },
    });
    expect(statement?.publishedRevisionId).toBe(revision?.id);
    // The migration's frozen copy of the hash agrees with today's.
    expect(revision?.contentHash).toBe(
      contentHash({ title: ' Statement  on Paris ', body: row('a', '', null).body }),
    );

    const other = await store.findStatement(sdb, 'b');
    const otherRevision = await store.findRevision(sdb, other?.publishedRevisionId ?? '');
    expect(otherRevision?.clearance).toEqual({ kind: 'unrecorded' });
    expect(other?.clearanceNote).toBe('Imported — clearance not recorded');
  });
});
