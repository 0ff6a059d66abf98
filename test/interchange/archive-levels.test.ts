// Archives of other schema levels and damaged archives, on a real database: an archive written at
// any earlier level of ours is restored at that level and brought up to date, so that the site
// works; one written by a newer Broadside, one cut short and one missing lines are refused before
// anything is written. The "older" archives are made from today's the way an older Broadside
// wrote them: only the tables and columns its schema had (read from a database migrated down to
// that level), its migrations in the header, its row count at the end.
import path from 'node:path';
import { Migrator } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import type { Runtime } from '../../src/runtime.js';
import { buildApp } from '../../src/app.js';
import { accountsContext, discussionContext } from '../../src/runtime.js';
import * as accounts from '../../src/accounts/service.js';
import { getThread, readThreadPage } from '../../src/discussion/service.js';
import { ArchiveError } from '../../src/interchange/archive-model.js';
import { countRows, describeTables } from '../../src/interchange/archive-store.js';
import { ARCHIVE_TABLES } from '../../src/interchange/archive-tables.js';
import { AppError } from '../../src/platform/errors.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { createTestRuntime } from '../helpers/runtime.js';
import {
  body,
  exportToFile,
  importFromFile,
  rowsOf,
  SCHEMAS,
  scratchDirectory,
  writeLines,
} from './archive-helpers.js';
import type { RichSite } from './rich-site.js';
import { richJudge, seedRichSite, ZOE } from './rich-site.js';

/** The tables of a schema level, with their columns. */
type Shape = Map<string, string[]>;

/** Every earlier level's shape, read from a database migrated down one migration at a time. */
async function shapesOfEarlierLevels(made: TestRuntime): Promise<Map<string, Shape>> {
  const migrator = new Migrator({
    db: made.runtime.db,
    provider: { getMigrations: async () => migrations },
  });
  const shapes = new Map<string, Shape>();
  for (const level of SCHEMAS.slice(0, -1).reverse()) {
    const { error } = await migrator.migrateTo(level);
    if (error) throw error;
    const described = await describeTables(made.runtime.db);
    shapes.set(
      level,
      new Map([...described].map(([table, columns]) => [table, columns.map((c) => c.name)])),
    );
  }
  return shapes;
}

interface ParsedLine {
  table: string;
  row: Record<string, unknown>;
}

/** Today's archive as a Broadside at `level` would have written it, in format 2 or 1. */
function asWrittenAt(archive: string, level: string, shape: Shape, version: 1 | 2 = 2): string {
  const [headerText, ...lines] = archive.trimEnd().split('\n');
  lines.pop(); // the last line, {"end":…}
  const header = JSON.parse(headerText as string) as {
    exportedAt: string;
    withSecrets: boolean;
    tables: Record<string, string[]>;
  };
  const rows = lines.flatMap((line) => {
    const { table, row } = JSON.parse(line) as ParsedLine;
    const columns = shape.get(table);
    if (!columns) return [];
    const kept = Object.entries(row).filter(([column]) => columns.includes(column));
    return [JSON.stringify({ table, row: Object.fromEntries(kept) })];
  });
  if (version === 1) {
    return [
      JSON.stringify({
        format: 'broadside',
        version: 1,
        exportedAt: header.exportedAt,
        schema: level,
        withSecrets: header.withSecrets,
      }),
      ...rows,
    ].join('\n');
  }
  const tables = Object.entries(header.tables)
    .filter(([table]) => shape.has(table))
    .map(([table, columns]) => [table, columns.filter((c) => shape.get(table)?.includes(c))]);
  return [
    JSON.stringify({
      format: 'broadside',
      version: 2,
      exportedAt: header.exportedAt,
      schema: level,
      migrations: SCHEMAS.slice(0, SCHEMAS.indexOf(level) + 1),
      withSecrets: header.withSecrets,
      tables: Object.fromEntries(tables),
    }),
    ...rows,
    `{"end":true,"rows":${rows.length}}`,
  ].join('\n');
}

const keyOf = (table: string, row: Record<string, unknown>) => {
  const listed = ARCHIVE_TABLES.find((each) => each.name === table);
  return (listed?.key ?? ['id']).map((column) => String(row[column])).join('\u0000');
};

describe.each(databaseKinds)('archives of other levels on $name', (kind) => {
  const opened: TestRuntime[] = [];
  let source: TestRuntime;
  let site: RichSite;
  let latest: string;
  let shapes: Map<string, Shape>;
  let directory: string;

  beforeAll(async () => {
    source = await createTestRuntime({ kind, moderation: richJudge });
    site = await seedRichSite(source.runtime);
    directory = scratchDirectory((fn) => afterAll(fn));
    latest = await exportToFile(source.runtime, path.join(directory, 'latest.ndjson'));
    const scratch = await createTestRuntime({ kind });
    try {
      shapes = await shapesOfEarlierLevels(scratch);
    } finally {
      await scratch.close();
    }
  });
  afterAll(() => source.close());
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((each) => each.close()));
  });

  /** A database as the first `serve` leaves it: migrated, with the site it made for itself. */
  const firstStarted = async (): Promise<Runtime> => {
    const made = await createTestRuntime({ kind, moderation: richJudge });
    opened.push(made);
    await accounts.ensureSite(accountsContext(made.runtime), { name: 'Broadside' });
    return made.runtime;
  };
  const write = (name: string, text: string) =>
    writeLines(path.join(directory, name), text.trimEnd().split('\n'));
  /** Nothing but the first start's site: what a refused restore must leave. */
  const expectUntouched = async (target: Runtime, siteId: string) => {
    expect((await accounts.ensureSite(accountsContext(target), { name: 'x' })).id).toBe(siteId);
    for (const table of ['accounts', 'statements', 'threads', 'comments']) {
      expect(await countRows(target.db, table), table).toBe(0);
    }
    // The schema is whole: a restore at an older level undoes its migrations only in its transaction.
    const described = await describeTables(target.db);
    for (const table of ARCHIVE_TABLES) expect(described.has(table.name), table.name).toBe(true);
  };

  it.for(SCHEMAS.slice(0, -1).map((level) => ({ level })))(
    'restores an archive written at $level, at that level, then brings it up to date',
    async ({ level }) => {
      const shape = shapes.get(level) as Shape;
      const older = asWrittenAt(latest, level, shape);
      const target = await firstStarted();
      const summary = await importFromFile(target, write(`${level}.ndjson`, older));
      expect(summary.problems).toEqual([]);
      expect(summary.upgraded).toEqual(SCHEMAS.slice(SCHEMAS.indexOf(level) + 1));
      const restored = await exportToFile(target, path.join(directory, `${level}-after.ndjson`));

      // Every row of the old archive is there, as it was — but for what the later migrations
      // change in it: 0006 publishes the statements of the first cut, which only published.
      const added = (table: string, column: string) => !shape.get(table)?.includes(column);
      for (const [table] of shape) {
        if (!ARCHIVE_TABLES.some((each) => each.name === table && !each.secret)) continue;
        const now = new Map(rowsOf(restored, table).map((row) => [keyOf(table, row), row]));
        const then = rowsOf(older, table);
        expect(now.size, table).toBe(then.length);
        for (const row of then) {
          const match = now.get(keyOf(table, row));
          expect(match, `${table} ${keyOf(table, row)}`).toBeDefined();
          if (table === 'statements' && added('statements', 'status')) {
            const { published_at: publishedAt, clearance_note: note, ...rest } = row;
            expect(match, table).toMatchObject(rest);
            expect(match?.published_at).toBe(publishedAt ?? row.created_at);
            expect(match?.clearance_note).toBe(note ?? 'Imported — clearance not recorded');
          } else {
            expect(match, table).toMatchObject(row);
          }
        }
      }
      // Tables added since hold only what their migrations make of the old rows: a statement's
      // first revision (0006), nothing else.
      for (const table of ARCHIVE_TABLES.filter((each) => !each.secret)) {
        if (shape.has(table.name)) continue;
        const expected =
          table.name === 'statement_revisions' ? rowsOf(older, 'statements').length : 0;
        expect(rowsOf(restored, table.name), table.name).toHaveLength(expected);
      }
      // Columns added since take what their migrations give.
      for (const comment of rowsOf(restored, 'comments')) {
        if (added('comments', 'flagged')) expect(comment.flagged).toBe(0);
        if (added('comments', 'kind')) expect(comment.kind).toBe('comment');
      }
      const revisions = rowsOf(restored, 'statement_revisions');
      for (const statement of rowsOf(restored, 'statements')) {
        if (!added('statements', 'status')) continue;
        expect(statement).toMatchObject({ status: 'published', signing: 'open' });
        const own = revisions.filter((r) => r.statement_id === statement.id);
        expect(own.map((r) => r.number)).toEqual([1]);
        expect(statement.published_revision_id).toBe(own[0]?.id);
        expect(statement.current_revision_id).toBe(own[0]?.id);
      }

      // And the site works: members, its discussion, its statement pages.
      expect(
        (await accounts.listMembers(accountsContext(target), site.siteId)).length,
      ).toBeGreaterThan(0);
      const { app } = await buildApp(target);
      try {
        expect((await app.inject({ method: 'GET', url: '/' })).statusCode).toBe(200);
        if (!shape.has('statements')) return;
        const ctx = discussionContext(target);
        const thread = await getThread(ctx, site.threadId);
        const page = await readThreadPage(ctx, { thread, page: 1, sort: 'oldest' });
        expect(page.comments.map((c) => c.authorName)).toContain(ZOE.name);
        // Published statements with a discussion: every statement of the first cut had one, but
        // today's draft, made one by 0006 here, has none (a draft gets it when published).
        const discussed = new Set(rowsOf(restored, 'threads').map((t) => t.statement_id));
        const published = rowsOf(restored, 'statements').filter(
          (s) => s.status === 'published' && discussed.has(s.id),
        );
        expect(published.length).toBeGreaterThanOrEqual(4);
        for (const statement of published) {
          const response = await app.inject({ method: 'GET', url: `/s/${String(statement.slug)}` });
          expect(response.statusCode, String(statement.slug)).toBe(200);
          expect(response.body).toContain(String(statement.title).replace(/"/g, '&quot;'));
        }
        expect((await app.inject({ method: 'GET', url: `/s/${site.slug}` })).body).toContain(
          ZOE.name,
        );
      } finally {
        await app.close();
      }
    },
  );

  it('restores a format 1 archive, of this level and of an older one', async () => {
    const level = SCHEMAS.at(-2) as string;
    const target = await firstStarted();
    const summary = await importFromFile(
      target,
      write('v1-older.ndjson', asWrittenAt(latest, level, shapes.get(level) as Shape, 1)),
    );
    expect(summary.problems).toEqual([]);
    expect(summary.header.version).toBe(1);
    expect(summary.upgraded).toEqual(SCHEMAS.slice(-1));

    // Format 1 at today's level: the same header, without the last line.
    const lines = latest.trimEnd().split('\n');
    const header = JSON.parse(lines[0] as string) as Record<string, unknown>;
    const v1 = [
      JSON.stringify({
        format: 'broadside',
        version: 1,
        exportedAt: header.exportedAt,
        schema: header.schema,
        withSecrets: false,
      }),
      ...lines.slice(1, -1),
    ].join('\n');
    const again = await firstStarted();
    const current = await importFromFile(again, write('v1.ndjson', v1));
    expect(current.problems).toEqual([]);
    expect(current.upgraded).toEqual([]);
    expect(body(await exportToFile(again, path.join(directory, 'v1-after.ndjson')))).toBe(
      body(latest),
    );
  });

  it('restores an older archive in one step: a dry run writes nothing, a second run is refused', async () => {
    const level = SCHEMAS[4] as string; // moderation: before statements had revisions
    const file = write('once.ndjson', asWrittenAt(latest, level, shapes.get(level) as Shape));
    const target = await firstStarted();
    const firstSite = (await accounts.ensureSite(accountsContext(target), { name: 'x' })).id;

    const dry = await importFromFile(target, file, { dryRun: true, batchRows: 5 });
    expect(dry.dryRun).toBe(true);
    expect(dry.upgraded).toHaveLength(SCHEMAS.length - 5);
    expect(dry.tables.find((t) => t.table === 'comments')?.created).toBe(
      rowsOf(latest, 'comments').length,
    );
    await expectUntouched(target, firstSite);

    // A row the database refuses, with --strict: the whole restore is undone, schema and all.
    const lines = asWrittenAt(latest, level, shapes.get(level) as Shape).split('\n');
    const spamAt = lines.findIndex((line) => line.includes(site.comments.spam));
    lines[spamAt] = (lines[spamAt] as string).replace(site.threadId, 'no-such-thread');
    const refused = await importFromFile(target, write('refused.ndjson', lines.join('\n')), {
      strict: true,
      batchRows: 5,
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ArchiveError);
    expect((refused as ArchiveError).line).toBe(spamAt + 1);
    await expectUntouched(target, firstSite);

    const done = await importFromFile(target, file, { batchRows: 5 });
    expect(done.problemCount).toBe(0);
    const again = await importFromFile(target, file).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(AppError);
    expect((again as AppError).code).toBe('archive-already-restored');
    expect(
      rowsOf(await exportToFile(target, path.join(directory, 'once-after.ndjson')), 'comments'),
    ).toHaveLength(rowsOf(latest, 'comments').length);
  });

  it('refuses an archive written by a newer Broadside on line 1, naming what it does not know, writing nothing', async () => {
    const target = await firstStarted();
    const firstSite = (await accounts.ensureSite(accountsContext(target), { name: 'x' })).id;
    const [headerText, ...rest] = latest.trimEnd().split('\n');
    const header = JSON.parse(headerText as string) as {
      migrations: string[];
      tables: Record<string, string[]>;
    };

    const format3 = [JSON.stringify({ ...header, version: 3 }), ...rest].join('\n');
    const byFormat = await importFromFile(target, write('format3.ndjson', format3)).catch(
      (error: unknown) => error,
    );
    expect(byFormat).toBeInstanceOf(ArchiveError);
    expect((byFormat as ArchiveError).line).toBe(1);
    expect((byFormat as ArchiveError).message).toBe(
      'this archive was written by a newer Broadside (format 3): this one reads formats 1 to 2; upgrade Broadside first, then restore it',
    );

    // A later schema: a migration, a table and a column this one has never heard of.
    const newer = [
      JSON.stringify({
        ...header,
        schema: '2099-01-01-0099-votes',
        migrations: [...header.migrations, '2099-01-01-0099-votes'],
        tables: {
          ...header.tables,
          comments: [...(header.tables.comments ?? []), 'score'],
          votes: ['id', 'comment_id'],
        },
      }),
      ...rest.slice(0, -1),
      '{"table":"votes","row":{"id":"v1","comment_id":"c1"}}',
      `{"end":true,"rows":${rest.length}}`,
    ].join('\n');
    const bySchema = await importFromFile(target, write('newer.ndjson', newer)).catch(
      (error: unknown) => error,
    );
    expect(bySchema).toBeInstanceOf(ArchiveError);
    expect((bySchema as ArchiveError).line).toBe(1);
    expect((bySchema as ArchiveError).message).toBe(
      'this archive was written by a newer Broadside (format 2): it has the migration 2099-01-01-0099-votes and the table votes and the column comments.score, which this one does not know; upgrade Broadside first, then restore it',
    );
    await expectUntouched(target, firstSite);
  });

  it('refuses an archive cut short, or missing lines, naming the line, writing nothing', async () => {
    const target = await firstStarted();
    const firstSite = (await accounts.ensureSite(accountsContext(target), { name: 'x' })).id;
    const lines = latest.trimEnd().split('\n');
    const failure = async (name: string, text: string) => {
      const error = await importFromFile(target, write(name, text)).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(ArchiveError);
      return error as ArchiveError;
    };

    // Cut in the middle of a row: the last line is half a row.
    const cut = latest.slice(0, latest.indexOf(site.comments.spam) + 5);
    const midLine = await failure('mid-line.ndjson', cut);
    const cutLine = cut.split('\n').length;
    expect(midLine.line).toBe(cutLine);
    expect(midLine.message).toContain(`the archive is incomplete: line ${cutLine} is cut short`);

    // Cut between two lines: whole rows, but no last line.
    const atLine = await failure('at-line.ndjson', lines.slice(0, 40).join('\n'));
    expect(atLine.line).toBe(40);
    expect(atLine.message).toContain(
      'the archive is incomplete: it stops after line 40, without its last line {"end":true,"rows":…}',
    );

    // A row taken out of the middle: the count at the end says so.
    const holed = [...lines.slice(0, 30), ...lines.slice(31)];
    const missing = await failure('missing.ndjson', holed.join('\n'));
    expect(missing.line).toBe(holed.length);
    expect(missing.message).toContain(
      `the archive's last line says it holds ${lines.length - 2} rows, but ${lines.length - 3} are here: lines are missing`,
    );
    await expectUntouched(target, firstSite);
  });
});
