// `broadside moderation check` as operators run it: the built command, comments on standard input,
// one JSON line out per comment. Run `npm run build` first.
import { Writable } from 'node:stream';
import type { Kysely } from 'kysely';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseTextThread } from '../../src/interchange/text-thread.js';
import type { TextComment } from '../../src/interchange/text-thread.js';
import { findFirstSite } from '../../src/accounts/store.js';
import type { AccountsDb } from '../../src/accounts/store.js';
import { checkComments, MAX_LINE_LENGTH } from '../../src/moderation/check.js';
import { DEFAULT_MODERATION_SETTINGS } from '../../src/moderation/model.js';
import { compileRules } from '../../src/moderation/rules.js';
import { ensureRulesRow, updateRules } from '../../src/moderation/store.js';
import type { ModerationDb } from '../../src/moderation/store.js';
import { openDatabase } from '../../src/platform/database/index.js';
import type { CliResult, Installation } from '../helpers/cli.js';
import { createInstallation, runCli } from '../helpers/cli.js';
import { databaseKinds } from '../helpers/databases.js';
import { readSeed } from '../helpers/seeds.js';

interface OutputLine {
  line: number;
  decision?: string;
  reasons?: {
    code: string;
    message: string;
    matches?: { start: number; end: number; term: string }[];
  }[];
  error?: string;
}

function check(installation: Installation, input: string): Promise<CliResult> {
  return runCli(['moderation', 'check'], { env: installation.env, input });
}

function outputLines(result: CliResult): OutputLine[] {
  return result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as OutputLine);
}

/** Every comment and reply of the sample thread, in reading order, with who wrote it. */
function sampleComments(): { authorName: string; body: string; under: number | undefined }[] {
  const out: { authorName: string; body: string; under: number | undefined }[] = [];
  const walk = (comments: TextComment[], under: number | undefined) => {
    for (const comment of comments) {
      out.push({ authorName: comment.authorName, body: comment.body, under });
      walk(comment.replies, comment.number ?? under);
    }
  };
  walk(parseTextThread(readSeed('paris-statement-with-comments.txt')).comments, undefined);
  return out;
}

async function withDatabase<T>(
  installation: Installation,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one handle read as both capabilities' tables
  work: (db: Kysely<any>) => Promise<T>,
): Promise<T> {
  const database = openDatabase<unknown>(installation.target);
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    return await work(database.db as Kysely<any>);
  } finally {
    await database.close();
  }
}

describe.each(databaseKinds)('broadside moderation check on $name', (kind) => {
  const install = () => createInstallation(kind, onTestFinished);

  it('judges plain lines and JSON lines, one verdict a line, with the reasons', async () => {
    const installation = await install();
    const result = await check(
      installation,
      [
        'Arm the Kurds and then what, allow them to set up an independent state?',
        '{"body":"Who cares about free speech but they got a couple of Yids.","authorName":"G","authorEmail":"g@example.org"}',
        '',
        '{"body":"Read https://a.example.org, https://b.example.org and https://c.example.org"}',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(outputLines(result)).toEqual([
      { line: 1, decision: 'approve', reasons: [] },
      {
        line: 2,
        decision: 'hold',
        reasons: [
          {
            code: 'suspect-term',
            message: 'Contains “yid”, a term on the suspect list',
            matches: [{ start: 53, end: 57, term: 'yid' }],
          },
        ],
      },
      {
        line: 4,
        decision: 'hold',
        reasons: [
          { code: 'too-many-links', message: "3 links; more than 2 need a moderator's look" },
        ],
      },
    ]);
  });

  it('holds exactly one comment of the sample thread: the slur under comment 6', async () => {
    const installation = await install();
    const comments = sampleComments();
    // Every "Name said," header of the file is one comment.
    const headers = readSeed('paris-statement-with-comments.txt').match(/ said,$/gm) ?? [];
    expect(comments).toHaveLength(headers.length);
    const input = comments
      .map(({ authorName, body }) => JSON.stringify({ body, authorName }))
      .join('\n');
    const result = await check(installation, input);
    expect(result.code, result.stderr).toBe(0);
    const lines = outputLines(result);
    expect(lines).toHaveLength(comments.length);
    const held = lines.filter((line) => line.decision !== 'approve');
    expect(held).toHaveLength(1);
    const [slur] = held;
    const comment = comments[(slur?.line ?? 0) - 1];
    expect(comment?.under).toBe(6);
    expect(comment?.body).toContain('a couple of Yids');
    expect(slur?.decision).toBe('hold');
    expect(slur?.reasons).toHaveLength(1);
    expect(slur?.reasons?.[0]).toMatchObject({ code: 'suspect-term' });
    expect(slur?.reasons?.[0]?.message).toMatch(/“yids?”/);
  });

  it('names a malformed line, goes on, and exits 1', async () => {
    const installation = await install();
    const result = await check(
      installation,
      [
        'first',
        '{"body": unquoted}',
        '{"text":"the wrong field"}',
        '{"authorName":"no body"}',
        '["not","an","object"]',
        '{"body":"fine","authorName":7}',
        'last',
      ].join('\r\n'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'broadside: 4 of 7 lines could not be checked; their output lines say why\n',
    );
    const lines = outputLines(result);
    expect(lines.map((line) => [line.line, line.decision ?? 'error'])).toEqual([
      [1, 'approve'],
      [2, 'error'],
      [3, 'error'],
      [4, 'error'],
      [5, 'approve'], // does not start with `{`: a plain comment
      [6, 'error'],
      [7, 'approve'],
    ]);
    expect(lines[1]?.error).toMatch(/^malformed JSON: /);
    expect(lines[2]?.error).toBe(
      'unknown field "text"; the fields are body, authorName, authorEmail',
    );
    expect(lines[3]?.error).toBe('"body" must be the comment\'s text');
    expect(lines[5]?.error).toBe('"authorName" must be text');
  });

  it("uses the site's current rules, and stores nothing", async () => {
    const installation = await install();
    // A site with its own lists: `user add` creates the site.
    expect(
      (await installation.cli('user', 'add', '--email', 'o@example.org', '--role', 'owner')).code,
    ).toBe(0);
    await withDatabase(installation, async (db) => {
      const site = await findFirstSite(db as AccountsDb);
      if (!site) throw new Error('no site');
      const now = new Date();
      await ensureRulesRow(db as ModerationDb, site.id, now);
      await updateRules(db as ModerationDb, {
        siteId: site.id,
        blockedTerms: 'vermin',
        suspectTerms: 'wobbly',
        settings: { maxLinks: 0, blockedDomains: 'spam.example' },
        updatedAt: now,
        updatedBy: undefined,
      });
    });
    const result = await check(
      installation,
      [
        'they are v3rmin',
        'a wobbly argument',
        'a couple of Yids',
        'see https://x.example.org',
        'buy at https://shop.spam.example',
      ].join('\n'),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(
      outputLines(result).map((line) => [line.decision, line.reasons?.map((r) => r.code)]),
    ).toEqual([
      ['reject', ['blocked-term']],
      ['hold', ['suspect-term']],
      ['approve', []], // the site's own suspect list replaced the shipped one
      ['hold', ['too-many-links']],
      ['reject', ['blocked-domain']],
    ]);
    const counts = await withDatabase(installation, async (db) => ({
      comments: await db
        .selectFrom('comments')
        .select(db.fn.countAll().as('n'))
        .executeTakeFirstOrThrow(),
      actions: await db
        .selectFrom('moderation_actions')
        .select(db.fn.countAll().as('n'))
        .executeTakeFirstOrThrow(),
    }));
    expect(Number(counts.comments.n)).toBe(0);
    expect(Number(counts.actions.n)).toBe(0);
  });

  it('works before the site exists, with the shipped rules, without creating it', async () => {
    const installation = await install();
    const result = await check(installation, 'a couple of Yids\n');
    expect(outputLines(result)).toMatchObject([{ line: 1, decision: 'hold' }]);
    const sites = await withDatabase(installation, (db) =>
      db.selectFrom('sites').select(db.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    );
    expect(Number(sites.n)).toBe(0);
  });

  it('streams a large input through, line by line', async () => {
    const installation = await install();
    const count = 20_000;
    const input = Array.from({ length: count }, (_, i) =>
      i % 1000 === 999
        ? `comment ${i}: a couple of Yids`
        : `comment ${i}: the labour movement must act`,
    ).join('\n');
    const result = await check(installation, input);
    expect(result.code, result.stderr).toBe(0);
    const lines = outputLines(result);
    expect(lines).toHaveLength(count);
    expect(lines.filter((line) => line.decision === 'hold').map((line) => line.line)).toEqual(
      Array.from({ length: count / 1000 }, (_, k) => (k + 1) * 1000),
    );
  });
});

describe('reading the input', () => {
  const rules = compileRules(DEFAULT_MODERATION_SETTINGS);

  /** Runs the check over `chunks` into a slow sink that is full after every line. */
  async function run(chunks: (string | Buffer)[]) {
    const written: string[] = [];
    let drains = 0;
    const output = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString('utf8'));
        setImmediate(done);
      },
    });
    output.on('drain', () => drains++);
    async function* input() {
      for (const chunk of chunks) yield chunk;
    }
    const summary = await checkComments({
      input: input(),
      output,
      rules,
      siteId: 'site',
      now: new Date('2026-11-24T12:00:00Z'),
    });
    const lines = written
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as OutputLine);
    return { summary, lines, drains };
  }

  it('takes lines split anywhere across chunks, UTF-8 characters included', async () => {
    const text = '\uFEFFfirst\r\nsecond — a couple of Yids\r\n\r\nthird';
    const bytes = Buffer.from(text, 'utf8');
    const dash = bytes.indexOf(Buffer.from('—', 'utf8'));
    const { summary, lines } = await run([
      bytes.subarray(0, 2), // inside the byte order mark
      bytes.subarray(2, dash + 1), // inside the dash
      bytes.subarray(dash + 1),
    ]);
    expect(summary).toEqual({ comments: 3, failed: 0 });
    expect(lines.map((line) => [line.line, line.decision])).toEqual([
      [1, 'approve'],
      [2, 'hold'],
      [4, 'approve'],
    ]);
    // Offsets are into the line as given, without the line end.
    const match = lines[1]?.reasons?.[0]?.matches?.[0];
    expect('second — a couple of Yids'.slice(match?.start, match?.end)).toBe('Yids');
  });

  it('waits for a full output to drain', async () => {
    const { lines, drains } = await run(['a\nb\nc\nd\n']);
    expect(lines).toHaveLength(4);
    expect(drains).toBeGreaterThanOrEqual(3);
  });

  it('refuses a line longer than the limit without keeping it, and goes on', async () => {
    const long = 'x'.repeat(MAX_LINE_LENGTH / 4);
    const { summary, lines } = await run(['before\n', long, long, long, long, long, '\nafter']);
    expect(summary).toEqual({ comments: 3, failed: 1 });
    expect(lines).toEqual([
      { line: 1, decision: 'approve', reasons: [] },
      { line: 2, error: `longer than ${MAX_LINE_LENGTH} characters` },
      { line: 3, decision: 'approve', reasons: [] },
    ]);
  });
});
