// The interchange commands as people run them: the built `broadside` in a child process, against
// real installations (SQLite, and PostgreSQL when BROADSIDE_TEST_POSTGRES is set) — export,
// restore, WXR, backup of a running server, and personal-data requests.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ServeProcess } from '../helpers/cli.js';
import { createInstallation } from '../helpers/cli.js';
import { databaseKinds, sqliteKind } from '../helpers/databases.js';
import { body, rowsOf, scratchDirectory, seedInstallation as seed } from './archive-helpers.js';
import { ZOE } from './rich-site.js';

const busyServer = { RATE_LIMIT_PER_MINUTE: '100000', COMMENT_RATE_LIMIT_PER_MINUTE: '100000' };

/** Posts comments to the first statement's thread from a few clients at once until stopped. */
function keepPosting(server: ServeProcess) {
  let stopped = false;
  let posted = 0;
  const run = (async () => {
    const statements = (await (await fetch(`${server.url}/api/v1/statements`)).json()) as {
      items: { slug: string }[];
    };
    const slug = statements.items[0]?.slug ?? '';
    const thread = (await (
      await fetch(`${server.url}/api/v1/threads?statement=${slug}`)
    ).json()) as { id: string };
    const worker = async (n: number) => {
      while (!stopped) {
        const response = await fetch(`${server.url}/api/v1/threads/${thread.id}/comments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ authorName: `Writer ${n}`, body: `Comment ${posted} from ${n}` }),
        });
        if (response.status !== 201) throw new Error(`posting answered ${response.status}`);
        posted += 1;
      }
    };
    await Promise.all([1, 2, 3].map(worker));
  })();
  return {
    get posted() {
      return posted;
    },
    async until(count: number) {
      while (posted < count) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    async stop() {
      stopped = true;
      await run;
      return posted;
    },
  };
}

/** Each thread's counts agree with the comments beside it: the archive is one moment's site. */
function expectConsistent(archive: string) {
  const comments = rowsOf(archive, 'comments');
  for (const thread of rowsOf(archive, 'threads')) {
    const own = comments.filter((c) => c.thread_id === thread.id);
    expect(thread.comment_count, `thread ${String(thread.title)}`).toBe(
      own.filter((c) => c.status === 'approved').length,
    );
    const numbers = own.map((c) => Number(c.number ?? 0));
    expect(thread.top_level_count).toBe(Math.max(0, ...numbers));
  }
}

const otherKind = (name: string) => databaseKinds.find((kind) => kind.name !== name) ?? sqliteKind;

describe.each(databaseKinds)('interchange commands on $name', (kind) => {
  it('export and import --format broadside move a site into an empty installation', async ({
    onTestFinished,
  }) => {
    const directory = scratchDirectory(onTestFinished);
    const file = path.join(directory, 'site.ndjson');
    const source = await createInstallation(kind, onTestFinished);
    const site = await seed(source);

    const exported = await source.cli('export', file);
    expect(exported, exported.stderr).toMatchObject({ code: 0, stdout: '' });
    expect(exported.stderr).toMatch(/^Wrote [\d,]+ rows \(sites 1, accounts 2, .*comments \d+/);
    const archive = readFileSync(file, 'utf8');
    const toStdout = await source.cli('export');
    expect(body(toStdout.stdout)).toBe(body(archive));

    // Into the other kind of database (PostgreSQL ↔ SQLite when both are there).
    const target = await createInstallation(otherKind(kind.name), onTestFinished);
    const dry = await target.cli('import', file, '--format', 'broadside', '--dry-run');
    expect(dry, dry.stderr).toMatchObject({ code: 0 });
    expect(dry.stdout).toContain('would restore');
    expect(dry.stdout).toContain('Nothing was written (--dry-run).');
    const restored = await target.cli('import', file, '--format', 'broadside');
    expect(restored, restored.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(restored.stdout).toContain(`${file}: restored:`);
    expect(restored.stdout).toMatch(
      new RegExp(`comments: ${rowsOf(archive, 'comments').length} created`),
    );
    expect(restored.stdout).toContain('broadside user reset --email');
    expect(body((await target.cli('export')).stdout)).toBe(body(archive));

    const server = await target.serve();
    const page = await fetch(`${server.url}/s/${site.slug}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Zoë Ångström-Łukasiewicz');
  });

  it('refuses to restore over content, and names bad lines as FILE:LINE', async ({
    onTestFinished,
  }) => {
    const directory = scratchDirectory(onTestFinished);
    const file = path.join(directory, 'site.ndjson');
    const source = await createInstallation(kind, onTestFinished);
    await seed(source);
    await source.cli('export', file);

    const used = await createInstallation(kind, onTestFinished);
    await (await used.serve()).kill(); // the first start loads the demo content
    const refused = await used.cli('import', file, '--format', 'broadside');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^broadside: ${file.replace(/[.]/g, '\\.')}: The database is not empty \\(it has 2 statements, 2 statement_revisions, 2 threads`,
      ),
    );

    const lines = readFileSync(file, 'utf8').split('\n');
    lines.splice(2, 0, '{"table":"accounts","row":{"id":');
    const broken = path.join(directory, 'broken.ndjson');
    await import('node:fs').then((fs) => fs.writeFileSync(broken, lines.join('\n')));
    const target = await createInstallation(kind, onTestFinished);
    const partly = await target.cli('import', broken, '--format', 'broadside');
    expect(partly.code).toBe(1);
    expect(partly.stderr).toMatch(
      new RegExp(`^${broken.replace(/[.]/g, '\\.')}:3: not valid JSON`),
    );
    expect(partly.stdout).toContain('1 problem: the lines above were not restored');
    const strict = await (
      await createInstallation(kind, onTestFinished)
    ).cli('import', broken, '--format', 'broadside', '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^broadside: .*broken\.ndjson:3: not valid JSON/);

    const unknown = await target.cli(
      'import',
      path.join(directory, 'missing.ndjson'),
      '--format',
      'broadside',
    );
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.stderr).toContain('missing.ndjson: no such file');
    const authored = await target.cli('import', file, '--format', 'broadside', '--author', 'X');
    expect(authored.code).toBe(2);
    expect(authored.stderr).toContain('--author: only for --format text');
  });

  it('exports WXR, and refuses formats and options it does not have', async ({
    onTestFinished,
  }) => {
    const directory = scratchDirectory(onTestFinished);
    const installation = await createInstallation(kind, onTestFinished);
    await seed(installation);
    const file = path.join(directory, 'site.xml');
    const wxr = await installation.cli('export', '--format', 'wxr', file);
    expect(wxr, wxr.stderr).toMatchObject({ code: 0 });
    expect(wxr.stderr).toMatch(
      /^Wrote 5 posts \(1 draft\) and \d+ comments to .*site\.xml \(WordPress WXR 1\.2\)\./,
    );
    expect(wxr.stderr).toContain("1 discussion of other sites' pages");
    expect(readFileSync(file, 'utf8')).toContain('<wp:wxr_version>1.2</wp:wxr_version>');

    const xml = await installation.cli('export', '--format', 'xml');
    expect(xml.code).toBe(2);
    expect(xml.stderr).toContain('--format: "xml" is not one of broadside');
    const secrets = await installation.cli('export', '--format', 'wxr', '--with-secrets');
    expect(secrets.code).toBe(2);
    expect(secrets.stderr).toContain('--with-secrets: a WXR file never holds secrets');
  });

  it('exports one moment of a site while the server takes comments', async ({ onTestFinished }) => {
    const installation = await createInstallation(kind, onTestFinished, busyServer);
    const server = await installation.serve();
    const posting = keepPosting(server);
    try {
      await posting.until(20);
      const during = await installation.cli('export');
      expect(during, during.stderr).toMatchObject({ code: 0 });
      expect(posting.posted).toBeGreaterThan(20);
      expectConsistent(during.stdout);
    } finally {
      await posting.stop();
    }
    const after = await installation.cli('export');
    expectConsistent(after.stdout);
  });

  it('answers personal-data requests: export to a file, erase only when confirmed', async ({
    onTestFinished,
  }) => {
    const installation = await createInstallation(kind, onTestFinished);
    await seed(installation);
    const file = path.join(scratchDirectory(onTestFinished), 'zoe.json');

    const exported = await installation.cli('person', 'export', '--email', ZOE.email, file);
    expect(exported, exported.stderr).toMatchObject({ code: 0, stdout: '' });
    expect(exported.stderr).toContain(
      `Wrote the data of ${ZOE.email} (1 subscription, 4 comments, 1 signature, 1 ban, 1 audit log entry)`,
    );
    const document = JSON.parse(readFileSync(file, 'utf8')) as { comments: unknown[] };
    expect(document.comments).toHaveLength(4);

    const unconfirmed = await installation.cli('person', 'erase', '--email', ZOE.email);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain(
      `${ZOE.email}: 1 subscription, 4 comments, 1 signature, 1 ban, 1 audit log entry would be erased.`,
    );
    expect(unconfirmed.stderr).toContain('run again with --yes');
    const still = await installation.cli('person', 'export', '--email', ZOE.email);
    expect((JSON.parse(still.stdout) as { comments: unknown[] }).comments).toHaveLength(4);

    const erased = await installation.cli('person', 'erase', '--email', ZOE.email, '--yes');
    expect(erased, erased.stderr).toMatchObject({ code: 0 });
    expect(erased.stdout).toBe(
      `${ZOE.email}: 1 subscription, 4 comments, 1 signature, 1 ban, 1 audit log entry erased.\n`,
    );
    const after = await installation.cli('person', 'export', '--email', ZOE.email);
    expect((JSON.parse(after.stdout) as { comments: unknown[] }).comments).toEqual([]);
    const nothing = await installation.cli('person', 'erase', '--email', ZOE.email, '--yes');
    expect(nothing).toMatchObject({ code: 0, stdout: '' });
    expect(nothing.stderr).toContain('nothing to erase');
    // Every request is in the audit log, by "System", naming the address only by its hash.
    const archive = await installation.cli('export');
    const requests = rowsOf(archive.stdout, 'moderation_actions')
      .filter((row) => String(row.action).startsWith('person-'))
      .sort((x, y) => String(x.at).localeCompare(String(y.at)));
    expect(requests.map((row) => [row.action, row.actor_kind, row.actor_name])).toEqual([
      ['person-export', 'system', 'System'],
      ['person-export', 'system', 'System'],
      ['person-erase', 'system', 'System'],
      ['person-export', 'system', 'System'],
    ]);
    expect(JSON.stringify(requests)).not.toContain('zoe@');

    const bad = await installation.cli('person', 'export', '--email', 'not-an-address');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--email: "not-an-address" is not an e-mail address');
  });
});

describe('broadside backup', () => {
  it('copies a running server’s SQLite database consistently while comments pour in', async ({
    onTestFinished,
  }) => {
    const installation = await createInstallation(sqliteKind, onTestFinished, busyServer);
    const server = await installation.serve();
    const posting = keepPosting(server);
    const copies: { file: string; postedBefore: number }[] = [];
    try {
      for (const n of [1, 2, 3]) {
        await posting.until(n * 15);
        const file = path.join(installation.dataDir, `copy-${n}.db`);
        const postedBefore = posting.posted;
        const result = await installation.cli('backup', file);
        expect(result, result.stderr).toMatchObject({ code: 0 });
        expect(result.stdout).toMatch(
          /^Backed up .*broadside\.db to .*copy-\d\.db \([\d.]+ MB, integrity ok\)\.\n$/,
        );
        expect(result.stderr).toContain('keep the secret with it');
        copies.push({ file, postedBefore });
      }
    } finally {
      await posting.stop();
    }
    const posted = posting.posted;
    let previous = 0;
    for (const { file, postedBefore } of copies) {
      expect(existsSync(`${file}-wal`)).toBe(false); // one self-contained file
      const copy = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
      try {
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        const local = copy
          .prepare("select count(*) as n from comments where origin = 'local'")
          .get() as { n: number };
        // At least what was posted before the backup began, at most what was posted in all.
        expect(local.n).toBeGreaterThanOrEqual(postedBefore);
        expect(local.n).toBeLessThanOrEqual(posted);
        expect(local.n).toBeGreaterThanOrEqual(previous);
        previous = local.n;
        const threads = copy
          .prepare(
            "select t.comment_count as counted, (select count(*) from comments c where c.thread_id = t.id and c.status = 'approved') as actual from threads t",
          )
          .all() as { counted: number; actual: number }[];
        for (const thread of threads) expect(thread.counted).toBe(thread.actual);
      } finally {
        copy.close();
      }
    }

    const again = await installation.cli('backup', copies[0]?.file ?? '');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists; choose a new name');
    const nowhere = await installation.cli('backup', path.join(installation.dataDir, 'no', 'x.db'));
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('the backup failed');
  });

  it.skipIf(!databaseKinds.some((kind) => kind.name === 'postgres'))(
    'points to pg_dump on PostgreSQL',
    async ({ onTestFinished }) => {
      const postgres = databaseKinds.find((kind) => kind.name === 'postgres') ?? sqliteKind;
      const installation = await createInstallation(postgres, onTestFinished);
      const result = await installation.cli('backup', path.join(installation.dataDir, 'x.db'));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Use pg_dump: pg_dump --format=custom --file=FILE');
    },
  );
});
