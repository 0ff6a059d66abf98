// Imported comments are reviewed, not policed (moderation's "flagged on import"): the sample thread,
// written as a WordPress export, imports with every status kept, exactly one comment — the slur
// reply under comment 6 — flagged with a suspect-term reason, one `flag-import` entry in the audit
// log, and that comment in the moderators' pending queue; importing again flags nothing new.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountsContext, statementsContext } from '../../src/runtime.js';
import * as accounts from '../../src/accounts/service.js';
import type { DiscussionSettings } from '../../src/discussion/model.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/discussion/model.js';
import type { ImportContext, ImportOptions } from '../../src/interchange/import-engine.js';
import { loadImportReview } from '../../src/interchange/import-review.js';
import { importWxr } from '../../src/interchange/import-wxr.js';
import type { TextComment } from '../../src/interchange/text-thread.js';
import { parseTextThread } from '../../src/interchange/text-thread.js';
import { getQueue, listAudit } from '../../src/moderation/service.js';
import type { ModerationDb } from '../../src/moderation/store.js';
import { fixedClock } from '../../src/platform/clock.js';
import { openDatabase } from '../../src/platform/database/index.js';
import { createInstallation } from '../helpers/cli.js';
import { databaseKinds, sqliteKind } from '../helpers/databases.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { createTestRuntime } from '../helpers/runtime.js';
import { readSeed } from '../helpers/seeds.js';
import type { WxrComment } from './exports.js';
import { scratch, wxrDocument } from './exports.js';

/** The imported comments of the statement's discussion, in display order. */
async function commentsOf(db: TestRuntime['runtime']['db']) {
  const rows = await db
    .selectFrom('comments as c')
    .leftJoin('comments as p', 'p.id', 'c.parent_id')
    .select([
      'c.id',
      'c.external_id',
      'p.external_id as parent',
      'p.number as parent_number',
      'c.depth',
      'c.status',
      'c.flagged',
      'c.reasons',
      'c.body',
    ])
    .orderBy('c.path')
    .execute();
  return rows.map((row) => ({
    ...row,
    flagged: Number(row.flagged) === 1,
    reasons: JSON.parse(String(row.reasons)) as { code: string; message: string }[],
  }));
}

const SAMPLE = parseTextThread(readSeed('paris-statement-with-comments.txt'));

/** The sample's comments as WordPress comments, a minute apart in file order, all approved. */
function sampleComments(): WxrComment[] {
  const out: WxrComment[] = [];
  const start = Date.parse('2015-11-16T10:00:00Z');
  const add = (comment: TextComment, parent: number | undefined) => {
    const id = 1000 + out.length;
    out.push({
      id,
      parent,
      author: comment.authorName,
      date: new Date(start + out.length * 60_000).toISOString(),
      approved: '1',
      content: comment.body,
    });
    for (const reply of comment.replies) add(reply, id);
  };
  for (const comment of SAMPLE.comments) add(comment, undefined);
  return out;
}

const SAMPLE_BLOG = {
  title: 'Workers’ Liberty blog',
  link: 'https://blog.example.org',
  authors: [{ id: 1, login: 'jim', email: 'jim@example.org', displayName: 'Jim Denham' }],
  posts: [
    {
      id: 101,
      title: SAMPLE.statement.title,
      slug: 'statement-on-paris',
      creator: 'jim',
      date: '2015-11-16T09:00:00Z',
      content: SAMPLE.statement.body,
      comments: sampleComments(),
    },
  ],
};

describe.each(databaseKinds)('reviewing a WordPress import on $name', (kind) => {
  let test: TestRuntime;
  let siteId: string;

  beforeEach(async () => {
    test = await createTestRuntime({
      kind,
      moderation: 'real',
      clock: fixedClock('2026-11-24T10:00:00Z'),
    });
    siteId = (await accounts.ensureSite(accountsContext(test.runtime), { name: 'Test' })).id;
  });
  afterEach(async () => {
    await test.close();
  });

  const context = (settings: DiscussionSettings = DEFAULT_DISCUSSION_SETTINGS): ImportContext => ({
    statements: statementsContext(test.runtime, settings),
    siteId,
    secret: test.runtime.secret,
    baseUrl: new URL('https://statements.example.org/'),
    settings,
  });
  const importFile = async (file: string, options: ImportOptions = {}) => {
    const { review } = await loadImportReview(test.runtime.db, siteId);
    return importWxr(context(), { file, totalBytes: 1 }, { review, ...options });
  };
  const moderation = () => ({
    db: test.runtime.db as ModerationDb,
    threadPage: () => '/s/statement-on-paris',
  });

  it('flags only the slur reply under comment 6, keeps its status, logs it once, and queues it; a second import flags nothing new', async ({
    onTestFinished,
  }) => {
    const comments = SAMPLE_BLOG.posts[0]?.comments ?? [];
    const file = scratch(onTestFinished).write('sample.xml', wxrDocument(SAMPLE_BLOG));
    const first = await importFile(file);
    expect(first.problems).toEqual([]);
    expect(first.tallies.comments.created).toBe(comments.length);
    expect(first.flagged).toBe(1);

    const tree = await commentsOf(test.runtime.db);
    expect(tree).toHaveLength(comments.length);
    expect(tree.every((row) => row.status === 'approved')).toBe(true);
    const flagged = tree.filter((row) => row.flagged);
    expect(flagged).toHaveLength(1);
    const [slur] = flagged;
    expect(slur?.body).toContain('they got a couple of Yids');
    expect(slur?.depth).toBe(2);
    expect(Number(slur?.parent_number)).toBe(6);
    expect(slur?.reasons.map((r) => r.code)).toEqual(['suspect-term']);
    expect(slur?.reasons[0]?.message.toLowerCase()).toContain('yid');
    expect(tree.filter((row) => row !== slur).every((row) => row.reasons.length === 0)).toBe(true);

    const queue = await getQueue(moderation(), { siteId, tab: 'pending' });
    expect(queue.counts.pending).toBe(1);
    expect(queue.items.map((item) => [item.id, item.flagged, item.status])).toEqual([
      [slur?.id, true, 'approved'],
    ]);
    const audit = await listAudit(moderation(), { siteId });
    expect(
      audit.items.map((e) => [e.actorKind, e.action, e.commentId, e.reasonCodes, e.statusAfter]),
    ).toEqual([['import', 'flag-import', slur?.id, ['suspect-term'], 'approved']]);

    const second = await importFile(file);
    expect(second.tallies.comments).toMatchObject({ created: 0, skipped: comments.length });
    expect(second.flagged).toBe(0);
    expect((await listAudit(moderation(), { siteId })).items).toHaveLength(1);
    expect((await getQueue(moderation(), { siteId, tab: 'pending' })).counts.pending).toBe(1);
  });

  it('flags a pending comment too, but not a spam or trashed one; a dry run logs nothing', async ({
    onTestFinished,
  }) => {
    const slur = 'Who cares, they got a couple of Yids.';
    const blog = {
      ...SAMPLE_BLOG,
      posts: [
        {
          ...(SAMPLE_BLOG.posts[0] as (typeof SAMPLE_BLOG.posts)[number]),
          comments: [
            { id: 1, author: 'A', date: '2015-11-16T10:00:00Z', approved: '0', content: slur },
            { id: 2, author: 'B', date: '2015-11-16T10:01:00Z', approved: 'spam', content: slur },
            { id: 3, author: 'C', date: '2015-11-16T10:02:00Z', approved: 'trash', content: slur },
            { id: 4, author: 'D', date: '2015-11-16T10:03:00Z', approved: '1', content: 'Fine.' },
          ],
        },
      ],
    };
    const file = scratch(onTestFinished).write('mixed.xml', wxrDocument(blog));

    const dry = await importFile(file, { dryRun: true });
    expect(dry.flagged).toBe(1);
    expect((await listAudit(moderation(), { siteId })).items).toEqual([]);

    const report = await importFile(file);
    expect(report.flagged).toBe(1);
    const tree = await commentsOf(test.runtime.db);
    expect(tree.map((row) => [row.external_id, row.status, row.flagged])).toEqual([
      ['wxr:1', 'pending', true],
      ['wxr:2', 'spam', false],
      ['wxr:3', 'deleted', false],
      ['wxr:4', 'approved', false],
    ]);
    const audit = await listAudit(moderation(), { siteId });
    expect(audit.items.map((e) => [e.action, e.statusAfter])).toEqual([['flag-import', 'pending']]);
  });

  it('reviews with the shipped lists, and says so, when the stored rules no longer compile', async ({
    onTestFinished,
  }) => {
    // A list written under rules a later Broadside reads more strictly: the rules page refuses
    // "b4d" (no letters-only term), so it can only have come from the database as it was.
    await test.runtime.db
      .insertInto('moderation_rules')
      .values({
        site_id: siteId,
        blocked_terms: 'paris\nb4d\n',
        suspect_terms: null,
        settings: '{}',
        version: 3,
        digest_sent_at: null,
        updated_at: '2026-11-01T00:00:00.000Z',
        updated_by: null,
      })
      .execute();
    const loaded = await loadImportReview(test.runtime.db, siteId);
    expect(loaded.fallback).toMatch(
      /^the site's moderation rules do not compile \(Blocked terms: line 2: .*\); the shipped term lists reviewed the imported comments$/,
    );

    const file = scratch(onTestFinished).write('sample.xml', wxrDocument(SAMPLE_BLOG));
    const report = await importWxr(context(), { file, totalBytes: 1 }, { review: loaded.review });
    expect(report.problems).toEqual([]);
    // The shipped suspect list still finds the slur; the site's own word ("paris") is not used.
    expect(report.flagged).toBe(1);
    const tree = await commentsOf(test.runtime.db);
    expect(tree.filter((row) => /paris/i.test(row.body)).length).toBeGreaterThan(0);
    const flagged = tree.filter((row) => row.flagged);
    expect(flagged.map((row) => row.reasons.map((r) => r.code))).toEqual([['suspect-term']]);
  });
});

describe('broadside import --format wxr', () => {
  it('reviews the imported comments under the site’s rules and says how many it flagged', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(sqliteKind, onTestFinished, {
      BASE_URL: 'https://statements.example.org',
    });
    const file = scratch(onTestFinished).write('sample.xml', wxrDocument(SAMPLE_BLOG));
    const run = await site.cli('import', file, '--format', 'wxr');
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(
      "1 imported comment was flagged on import: the site's moderation rules would have held it, so it waits in the moderation queue (Pending), its status unchanged.",
    );
    const opened = openDatabase<unknown>(site.target);
    onTestFinished(() => opened.close());
    const db = opened.db as ModerationDb;
    const entries = await db
      .selectFrom('moderation_actions')
      .select(['actor_kind', 'action'])
      .execute();
    expect(entries).toEqual([{ actor_kind: 'import', action: 'flag-import' }]);
  });
});
