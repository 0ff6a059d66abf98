// Acceptance 3 of the interchange issue, and the documented way to move a site to PostgreSQL:
// export → restore into an empty database of the other kind → export again gives the same bytes
// (all but the header's time), from SQLite to PostgreSQL and back; and the site reads the same.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { accountsContext } from '../../src/runtime.js';
import * as accounts from '../../src/accounts/service.js';
import type { DatabaseKind } from '../helpers/databases.js';
import { databaseKinds, sqliteKind } from '../helpers/databases.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { createTestRuntime } from '../helpers/runtime.js';
import { ARCHIVE_TABLES, archivedTables } from '../../src/interchange/archive-tables.js';
import { body, exportToFile, importFromFile, rowsOf, scratchDirectory } from './archive-helpers.js';
import { richJudge, seedRichSite, ZOE } from './rich-site.js';

const postgres = databaseKinds.find((kind) => kind.name === 'postgres');
// Without BROADSIDE_TEST_POSTGRES only SQLite → SQLite runs; with it, both directions.
const pairs: [DatabaseKind, DatabaseKind][] = postgres
  ? [
      [sqliteKind, postgres],
      [postgres, sqliteKind],
    ]
  : [[sqliteKind, sqliteKind]];

describe.each(pairs.map(([from, to]) => ({ from, to, name: `${from.name} → ${to.name}` })))(
  'moving a site $name',
  ({ from, to }) => {
    const opened: TestRuntime[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((each) => each.close()));
    });
    const open = async (kind: DatabaseKind) => {
      const made = await createTestRuntime({ kind, moderation: richJudge });
      opened.push(made);
      return made.runtime;
    };

    it.for([{ withSecrets: false }, { withSecrets: true }])(
      'gives the same archive back, byte for byte (with secrets: $withSecrets)',
      async ({ withSecrets }, test) => {
        const directory = scratchDirectory(test.onTestFinished);
        const source = await open(from);
        const site = await seedRichSite(source);
        const first = await exportToFile(source, path.join(directory, 'first.ndjson'), {
          withSecrets,
        });

        const target = await open(to);
        // As a first `serve` on the new database would have left it.
        await accounts.ensureSite(accountsContext(target), { name: 'Broadside' });
        const summary = await importFromFile(target, path.join(directory, 'first.ndjson'));
        expect(summary.problems).toEqual([]);
        const second = await exportToFile(target, path.join(directory, 'second.ndjson'), {
          withSecrets,
        });

        expect(second.split('\n')[0]).not.toBe(''); // a header
        expect(body(second)).toBe(body(first));
        // Everything came: the samples, NULLs, non-ASCII text, removed and held comments.
        expect(rowsOf(second, 'statements')).toHaveLength(5);
        // Every table the archive carries has rows in it, so a table the restore dropped or
        // refused would show (only what an import makes is missing from this site).
        for (const { table } of archivedTables(ARCHIVE_TABLES, withSecrets)) {
          if (table.name === 'import_origins') continue;
          expect(rowsOf(second, table.name).length, table.name).toBeGreaterThan(0);
        }
        // The reviewed statement's revisions, the one its page shows being the published one.
        const reviewed = rowsOf(second, 'statements').find((s) => s.id === site.reviewed.id);
        expect(reviewed).toMatchObject({
          status: 'published',
          published_revision_id: site.reviewed.revisionIds[1],
          current_revision_id: site.reviewed.revisionIds[1],
        });
        expect(
          rowsOf(second, 'statement_revisions').filter((r) => r.statement_id === site.reviewed.id),
        ).toHaveLength(2);
        expect(rowsOf(second, 'comments').map((c) => c.status)).toEqual(
          expect.arrayContaining(['approved', 'deleted', 'pending', 'spam']),
        );
        expect(rowsOf(second, 'statements').some((s) => s.subtitle === null)).toBe(true);
        expect(second).toContain('Über «Solidarität»');

        // And the moved site serves the same statement page.
        const { app } = await buildApp(target);
        try {
          const page = await app.inject({ method: 'GET', url: `/s/${site.slug}` });
          expect(page.statusCode).toBe(200);
          expect(page.body).toContain('Zoë Ångström-Łukasiewicz');
          expect(page.body).toContain('After the edit.');
          const reviewedPage = await app.inject({ method: 'GET', url: `/s/${site.reviewed.slug}` });
          expect(reviewedPage.statusCode).toBe(200);
          expect(reviewedPage.body).toContain('«ein Zuhause»');
          expect(reviewedPage.body).toContain(ZOE.name); // the co-signatory
        } finally {
          await app.close();
        }
      },
    );
  },
);
