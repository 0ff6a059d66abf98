// Broadside archives on a real database: what an export holds and in what order, and restoring one
// into an empty database — refusing a full one, resuming an interrupted one, reporting bad lines.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  accountsContext,
  closeRuntime,
  createRuntime,
  discussionContext,
} from '../../src/runtime.js';
import { postComment } from '../../src/discussion/service.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import * as accounts from '../../src/accounts/service.js';
import { readThreadPage, getThread } from '../../src/discussion/service.js';
import { ArchiveError } from '../../src/interchange/archive-model.js';
import { describeTables } from '../../src/interchange/archive-store.js';
import { exportArchive } from '../../src/interchange/export-archive.js';
import {
  ARCHIVE_TABLES,
  UNARCHIVED_TABLES,
  orderOf,
} from '../../src/interchange/archive-tables.js';
import { loadDemoContent } from '../../src/interchange/demo.js';
import { statementsContext } from '../../src/runtime.js';
import { AppError } from '../../src/platform/errors.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { createTestRuntime, TEST_SECRET } from '../helpers/runtime.js';
import {
  body,
  exportToFile,
  importFromFile,
  rowsOf,
  SCHEMAS,
  scratchDirectory,
  writeLines,
} from './archive-helpers.js';
import { richJudge, seedRichSite } from './rich-site.js';

describe.each(databaseKinds)('Broadside archives on $name', (kind) => {
  const opened: TestRuntime[] = [];
  const runtime = async () => {
    const made = await createTestRuntime({ kind, moderation: richJudge });
    opened.push(made);
    return made.runtime;
  };
  /** A database as the first `serve` leaves it: migrated, with the site it made for itself. */
  const firstStarted = async () => {
    const made = await runtime();
    await accounts.ensureSite(accountsContext(made), { name: 'Broadside' });
    return made;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((each) => each.close()));
  });

  it('lists every table and column of the schema, or says why a table is left out', async () => {
    const described = await describeTables((await runtime()).db);
    for (const [name, columns] of described) {
      if (name.startsWith('kysely_')) continue;
      const listed = ARCHIVE_TABLES.find((table) => table.name === name);
      expect(
        listed !== undefined || name in UNARCHIVED_TABLES,
        `table ${name}: add it to ARCHIVE_TABLES (parents before children) or UNARCHIVED_TABLES`,
      ).toBe(true);
      if (!listed) continue;
      expect([...listed.columns].sort(), `the columns of ${name}`).toEqual(
        columns.map((column) => column.name).sort(),
      );
    }
    for (const table of ARCHIVE_TABLES) expect(described.has(table.name), table.name).toBe(true);
  });

  it('says which tables and columns the list misses, rather than leaving them out silently', async () => {
    const source = await runtime();
    const sink = {
      chunks: [] as string[],
      write: async (chunk: string) => void sink.chunks.push(chunk),
    };
    const complete = await exportArchive(source, {
      sink,
      withSecrets: false,
      migrations: SCHEMAS,
    });
    expect(complete.notListed).toEqual([]);
    const partial = await exportArchive(source, {
      sink,
      withSecrets: false,
      migrations: SCHEMAS,
      tables: ARCHIVE_TABLES.filter((t) => t.name !== 'comment_edits').map((t) =>
        t.name === 'accounts'
          ? { ...t, columns: t.columns.filter((c) => c !== 'display_name') }
          : t,
      ),
    });
    expect(partial.notListed).toEqual(
      expect.arrayContaining(['comment_edits', 'accounts.display_name']),
    );
    expect(partial.notListed).toHaveLength(2);
  });

  it('exports every table in the list’s order, each by key, parents before children, without secrets', async (test) => {
    const source = await runtime();
    const site = await seedRichSite(source);
    const file = path.join(scratchDirectory(test.onTestFinished), 'site.ndjson');
    const archive = await exportToFile(source, file);

    const [header, ...lines] = archive.trimEnd().split('\n');
    const trailer = lines.pop();
    const archived = ARCHIVE_TABLES.filter((t) => !t.secret);
    const columnsOf = (t: (typeof archived)[number]) =>
      t.columns.filter((c) => !t.secretColumns?.includes(c));
    expect(JSON.parse(header as string)).toEqual({
      format: 'broadside',
      version: 2,
      exportedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      schema: SCHEMAS.at(-1),
      migrations: SCHEMAS,
      withSecrets: false,
      tables: Object.fromEntries(archived.map((t) => [t.name, columnsOf(t)])),
    });
    // The header's tables, in the order written.
    expect(Object.keys(JSON.parse(header as string).tables)).toEqual(archived.map((t) => t.name));
    expect(trailer).toBe(`{"end":true,"rows":${lines.length}}`);
    const tablesInOrder = [...new Set(lines.map((line) => JSON.parse(line).table as string))];
    expect(tablesInOrder).toEqual(
      ARCHIVE_TABLES.filter((t) => !t.secret)
        .map((t) => t.name)
        .filter((name) => rowsOf(archive, name).length > 0),
    );
    for (const table of ARCHIVE_TABLES.filter((t) => !t.secret)) {
      const keys = rowsOf(archive, table.name).map((row) =>
        orderOf(table).map((column) => String(row[column])),
      );
      const sorted = [...keys].sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1));
      expect(keys, `${table.name} in key order`).toEqual(sorted);
      for (const row of rowsOf(archive, table.name)) {
        expect(Object.keys(row), `${table.name}'s columns`).toEqual(
          table.columns.filter((c) => !table.secretColumns?.includes(c)),
        );
      }
    }
    const seen = new Set<string>();
    for (const comment of rowsOf(archive, 'comments')) {
      if (comment.parent_id !== null) expect(seen.has(comment.parent_id as string)).toBe(true);
      seen.add(comment.id as string);
    }
    expect(rowsOf(archive, 'comments').length).toBeGreaterThan(20); // the Paris sample's and ours
    expect(archive).not.toContain('password_hash');
    expect(archive).not.toContain('"table":"sessions"');
    expect(archive).not.toContain('edit_token_hash');
    expect(archive).toContain('Zoë Ångström-Łukasiewicz');
    expect(rowsOf(archive, 'comment_edits')).toHaveLength(1);
    expect(rowsOf(archive, 'subscription_deliveries')).toHaveLength(1);
    const comment = rowsOf(archive, 'comments').find((row) => row.id === site.comments.top);
    expect(comment).toMatchObject({
      depth: 1,
      is_statement_author: 0,
      author_url: 'https://zoe.example.org/',
    });

    const withSecrets = await exportToFile(source, `${file}.secret`, { withSecrets: true });
    expect(JSON.parse(withSecrets.slice(0, withSecrets.indexOf('\n'))).withSecrets).toBe(true);
    expect(rowsOf(withSecrets, 'sessions')).toHaveLength(1);
    expect(rowsOf(withSecrets, 'api_tokens')).toHaveLength(1);
    expect(
      rowsOf(withSecrets, 'accounts').every((row) => typeof row.password_hash === 'string'),
    ).toBe(true);
  });

  it('reads one snapshot: what another connection writes during the export is not in it', async (test) => {
    const made = await createTestRuntime({ kind, moderation: richJudge });
    opened.push(made);
    const site = await seedRichSite(made.runtime);
    // A second connection to the same database, as the server's would be.
    const writer = await createRuntime(
      loadConfig({
        DATA_DIR: made.database.dataDir,
        DATABASE_URL: made.database.databaseUrl,
        SECRET: TEST_SECRET,
      }),
      { logger: createLogger('silent') },
    );
    test.onTestFinished(() => closeRuntime(writer));
    let late: string | undefined;
    const archive = await exportToFile(
      made.runtime,
      path.join(scratchDirectory(test.onTestFinished), 'a.ndjson'),
      {
        pageSize: 2,
        onProgress: async ({ table }) => {
          if (table !== 'threads' || late) return;
          const posted = await postComment(discussionContext(writer), {
            threadId: site.threadId,
            author: { name: 'Late' },
            body: 'Posted while the export ran.',
          });
          late = posted.comment.id;
        },
      },
    );
    expect(late).toBeDefined();
    expect(rowsOf(archive, 'comments').map((c) => c.id)).not.toContain(late);
    const thread = rowsOf(archive, 'threads').find((t) => t.id === site.threadId);
    const approved = rowsOf(archive, 'comments').filter(
      (c) => c.thread_id === site.threadId && c.status === 'approved',
    );
    expect(thread?.comment_count).toBe(approved.length);
    // Outside the snapshot, it is there.
    const later = await exportToFile(made.runtime, path.join(made.database.dataDir, 'b.ndjson'));
    expect(rowsOf(later, 'comments').map((c) => c.id)).toContain(late);
  });

  it('restores into a first-started database, replacing its site, and exports the same again', async (test) => {
    const source = await runtime();
    const site = await seedRichSite(source);
    const directory = scratchDirectory(test.onTestFinished);
    const archive = await exportToFile(source, path.join(directory, 'a.ndjson'));

    const target = await firstStarted();
    const summary = await importFromFile(target, path.join(directory, 'a.ndjson'));
    expect(summary.problemCount).toBe(0);
    expect(summary.resumed).toBe(false);
    const comments = summary.tables.find((t) => t.table === 'comments');
    expect(comments).toEqual({
      table: 'comments',
      created: rowsOf(archive, 'comments').length,
      skipped: 0,
      failed: 0,
    });
    expect(body(await exportToFile(target, path.join(directory, 'b.ndjson')))).toBe(body(archive));

    // The restored site reads as the old one did.
    const ctx = discussionContext(target);
    const thread = await getThread(ctx, site.threadId);
    const page = await readThreadPage(ctx, { thread, page: 1, sort: 'oldest' });
    expect(page.comments.map((c) => c.authorName)).toContain('Zoë Ångström-Łukasiewicz');
    expect((await accounts.ensureSite(accountsContext(target), { name: 'x' })).id).toBe(
      site.siteId,
    );
  });

  it('refuses a database that has content, saying what is there, and changes nothing', async (test) => {
    const source = await runtime();
    await seedRichSite(source);
    const file = path.join(scratchDirectory(test.onTestFinished), 'a.ndjson');
    await exportToFile(source, file);

    const target = await firstStarted();
    const targetSite = await accounts.ensureSite(accountsContext(target), { name: 'Broadside' });
    await loadDemoContent(statementsContext(target), { siteId: targetSite.id });
    const error = await importFromFile(target, file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('database-not-empty');
    expect((error as AppError).message).toMatch(
      /^The database is not empty \(it has 2 statements, 2 statement_revisions, 2 threads, \d+ comments\)/,
    );
    expect((await accounts.ensureSite(accountsContext(target), { name: 'x' })).id).toBe(
      targetSite.id,
    );
  });

  it('resumes an interrupted restore, skipping what is already there', async (test) => {
    const source = await runtime();
    await seedRichSite(source);
    const directory = scratchDirectory(test.onTestFinished);
    const archive = await exportToFile(source, path.join(directory, 'a.ndjson'));
    const lines = archive.trimEnd().split('\n');
    const rows = lines.length - 2; // all but the header and the last line

    // The restore is stopped (as by Ctrl-C or a crash) once half of the rows are committed.
    const target = await firstStarted();
    let committed = 0;
    const stopped = await importFromFile(target, path.join(directory, 'a.ndjson'), {
      batchRows: 7,
      onProgress: (progress) => {
        if (progress.phase !== 'restoring') return;
        committed = progress.rows;
        if (committed >= rows / 2) throw new Error('interrupted');
      },
    }).catch((error: unknown) => error);
    expect((stopped as Error).message).toBe('interrupted');
    expect(committed).toBeLessThan(rows);
    const second = await importFromFile(target, path.join(directory, 'a.ndjson'), {
      batchRows: 7,
    });
    expect(second.resumed).toBe(true);
    const total = (key: 'created' | 'skipped') =>
      second.tables.reduce((sum, each) => sum + each[key], 0);
    expect(total('skipped')).toBe(committed);
    expect(total('created')).toBe(rows - committed);
    expect(body(await exportToFile(target, path.join(directory, 'b.ndjson')))).toBe(body(archive));
  });

  it('reports a malformed line and a refused row by line, and restores the rest', async (test) => {
    const source = await runtime();
    const site = await seedRichSite(source);
    const directory = scratchDirectory(test.onTestFinished);
    const archive = await exportToFile(source, path.join(directory, 'a.ndjson'));
    const lines = archive.trimEnd().split('\n');
    // The spam comment has no replies: pointing it at a missing thread spoils only itself.
    const spamAt = lines.findIndex((line) => line.includes(site.comments.spam));
    lines[spamAt] = (lines[spamAt] as string).replace(site.threadId, 'no-such-thread');
    lines.splice(3, 0, '{"table":"accounts","row":');
    const file = writeLines(path.join(directory, 'bad.ndjson'), lines);

    const target = await firstStarted();
    const summary = await importFromFile(target, file, { batchRows: 5 });
    expect(summary.problemCount).toBe(2);
    expect(summary.problems[0]).toEqual({
      line: 4,
      message: expect.stringContaining('not valid JSON'),
    });
    expect(summary.problems[1]?.line).toBe(spamAt + 2);
    expect(summary.problems[1]?.message).toMatch(
      new RegExp(
        `^the database refused comments id=${site.comments.spam}: .*\\(a row it refers to is missing`,
      ),
    );
    expect(summary.tables.find((t) => t.table === 'comments')?.failed).toBe(1);
    const restored = rowsOf(
      await exportToFile(target, path.join(directory, 'b.ndjson')),
      'comments',
    );
    expect(restored.map((row) => row.id)).not.toContain(site.comments.spam);
    expect(restored).toHaveLength(rowsOf(archive, 'comments').length - 1);
  });

  it('stops at the first problem when strict, keeping the batches before it', async (test) => {
    const source = await runtime();
    await seedRichSite(source);
    const directory = scratchDirectory(test.onTestFinished);
    const archive = await exportToFile(source, path.join(directory, 'a.ndjson'));
    const lines = archive.trimEnd().split('\n');
    const at = lines.findIndex((line) => line.startsWith('{"table":"threads"'));
    lines.splice(at, 0, '{"table":"votes","row":{}}');
    const file = writeLines(path.join(directory, 'bad.ndjson'), lines);

    const target = await firstStarted();
    const error = await importFromFile(target, file, { strict: true, batchRows: 1 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).line).toBe(at + 1);
    expect((error as ArchiveError).message).toContain('unknown table "votes"');
    const partial = await exportToFile(target, path.join(directory, 'b.ndjson'));
    expect(rowsOf(partial, 'statements').length).toBe(rowsOf(archive, 'statements').length);
    expect(rowsOf(partial, 'threads')).toHaveLength(0);
  });

  it('writes nothing on a dry run, and says what it would have done', async (test) => {
    const source = await runtime();
    await seedRichSite(source);
    const directory = scratchDirectory(test.onTestFinished);
    const archive = await exportToFile(source, path.join(directory, 'a.ndjson'));

    const target = await firstStarted();
    const before = await exportToFile(target, path.join(directory, 'before.ndjson'));
    const summary = await importFromFile(target, path.join(directory, 'a.ndjson'), {
      dryRun: true,
      batchRows: 9,
    });
    expect(summary.dryRun).toBe(true);
    expect(summary.tables.find((t) => t.table === 'comments')?.created).toBe(
      rowsOf(archive, 'comments').length,
    );
    expect(body(await exportToFile(target, path.join(directory, 'after.ndjson')))).toBe(
      body(before),
    );
  });

  it('restores an older archive whose rows lack a column, which takes its default', async (test) => {
    const source = await runtime();
    await seedRichSite(source);
    const directory = scratchDirectory(test.onTestFinished);
    const archive = await exportToFile(source, path.join(directory, 'a.ndjson'));
    const older = archive
      .trimEnd()
      .split('\n')
      .map((line) => {
        const parsed = JSON.parse(line) as { table?: string; row?: Record<string, unknown> };
        if (parsed.table !== 'comments' || !parsed.row) return line;
        delete parsed.row.author_url;
        return JSON.stringify(parsed);
      });
    const file = writeLines(path.join(directory, 'older.ndjson'), older);
    const target = await firstStarted();
    expect((await importFromFile(target, file)).problemCount).toBe(0);
    const restored = rowsOf(
      await exportToFile(target, path.join(directory, 'b.ndjson')),
      'comments',
    );
    expect(restored).toHaveLength(rowsOf(archive, 'comments').length);
    expect(restored.every((row) => row.author_url === null)).toBe(true);
  });

  it('refuses an archive of a newer schema before touching the database', async (test) => {
    const directory = scratchDirectory(test.onTestFinished);
    const file = writeLines(path.join(directory, 'new.ndjson'), [
      '{"format":"broadside","version":1,"exportedAt":"2030-01-01T00:00:00.000Z","schema":"2030-01-01-0099-future","withSecrets":false}',
    ]);
    const target = await firstStarted();
    const site = await accounts.ensureSite(accountsContext(target), { name: 'x' });
    const error = await importFromFile(target, file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).message).toContain('written by a newer Broadside');
    expect((await accounts.ensureSite(accountsContext(target), { name: 'y' })).id).toBe(site.id);
    expect(readFileSync(file, 'utf8')).toContain('future'); // the file is left alone
  });
});
