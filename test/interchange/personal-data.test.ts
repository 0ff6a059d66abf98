// Personal-data requests on a real database: exporting everything stored about an address, and
// erasing it while the thread stays whole and readable, with both in the audit trail.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discussionContext } from '../../src/app.js';
import { getThread, readThreadPage } from '../../src/discussion/service.js';
import type { BusEvent } from '../../src/platform/event-bus.js';
import { auditSubject } from '../../src/interchange/audit.js';
import type { PersonalDataContext } from '../../src/interchange/personal-data.js';
import {
  describeErasure,
  ERASED_AUTHOR_NAME,
  erasePersonalData,
  exportPersonalData,
  previewErasure,
} from '../../src/interchange/personal-data.js';
import { AppError } from '../../src/platform/errors.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { createTestRuntime } from '../helpers/runtime.js';
import type { RichSite } from './rich-site.js';
import { richJudge, seedRichSite, ZOE } from './rich-site.js';

/** A real pino logger whose lines are kept, parsed, for the test to read. */
function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const cli = { kind: 'command-line' } as const;

describe.each(databaseKinds)('personal data on $name', (kind) => {
  let made: TestRuntime;
  let site: RichSite;
  let ctx: PersonalDataContext;
  let audit: Record<string, unknown>[];

  beforeEach(async () => {
    made = await createTestRuntime({ kind, moderation: richJudge });
    site = await seedRichSite(made.runtime);
    const recorded = recordingLogger();
    audit = recorded.lines;
    ctx = { ...made.runtime, logger: recorded.logger };
  });
  afterEach(async () => {
    await made.close();
  });

  const commentRow = (id: string) =>
    made.runtime.db
      .selectFrom('comments')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow() as Promise<Record<string, unknown>>;

  it('exports every comment and subscription of an address, whatever its capitals', async () => {
    const document = await exportPersonalData(ctx, { email: '  ZOE@example.ORG ', actor: cli });
    expect(document).toMatchObject({
      format: 'broadside-personal-data',
      version: 1,
      email: ZOE.email,
      account: null,
    });
    const comments = document.comments as { id: string; body: string; authorName: string }[];
    // Three under the statement (one held) and one on the embedded page.
    expect(comments).toHaveLength(4);
    expect(comments.map((c) => c.id)).toEqual(expect.arrayContaining(site.zoe.commentIds));
    expect(comments[0]).toMatchObject({
      authorName: ZOE.name,
      authorEmail: ZOE.email,
      authorUrl: 'https://zoe.example.org/',
      statementSlug: site.slug,
      addressHash: 'a'.repeat(64),
      status: 'approved',
    });
    expect(comments.map((c) => (c as { pageUrl?: string }).pageUrl)).toContain(
      'https://blog.example.org/2026/11/a-post',
    );
    const subscriptions = document.subscriptions as { commentId: string; email: string }[];
    expect(subscriptions).toEqual([
      expect.objectContaining({ commentId: site.comments.top, email: ZOE.email }),
    ]);
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      msg: 'personal data exported',
      audit: {
        action: 'personal-data.export',
        subject: auditSubject(made.runtime.secret, ZOE.email),
        actor: cli,
        counts: { comments: 4, subscriptions: 1 },
      },
    });
    expect(JSON.stringify(audit)).not.toContain(ZOE.email);
  });

  it('includes a member’s account, memberships and earlier versions of their comments', async () => {
    const document = await exportPersonalData(ctx, { email: site.ownerEmail, actor: cli });
    expect(document.account).toMatchObject({
      email: site.ownerEmail,
      displayName: 'Olúwaseun Owner',
      memberships: [{ siteId: site.siteId, role: 'owner' }],
    });
    expect((document.comments as { id: string }[]).map((c) => c.id)).toEqual([site.comments.reply]);
    const carla = await exportPersonalData(ctx, { email: 'carla@example.org', actor: cli });
    expect(carla.comments).toEqual([
      expect.objectContaining({
        id: site.comments.edited,
        body: 'After the edit.',
        earlierVersions: [{ body: 'Before the edit.', replacedAt: expect.any(String) }],
      }),
    ]);
    const nobody = await exportPersonalData(ctx, { email: 'nobody@example.org', actor: cli });
    expect(nobody.comments).toEqual([]);
    expect(nobody.subscriptions).toEqual([]);
  });

  it('refuses an address that is not one', async () => {
    const error = await exportPersonalData(ctx, { email: 'not an address', actor: cli }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid-email');
  });

  it('erases the person from their comments, keeping the tree, and bumps the threads', async () => {
    const before = await Promise.all(site.zoe.commentIds.map(commentRow));
    const versionsBefore = (
      await Promise.all(
        [site.threadId, site.embedThreadId].map((id) =>
          getThread(discussionContext(made.runtime), id),
        ),
      )
    ).map((thread) => thread.version);
    const events: BusEvent[] = [];
    made.runtime.bus.subscribe(`thread:${site.threadId}`, (event) => events.push(event));

    expect(await previewErasure(ctx, { email: ZOE.email })).toMatchObject({
      counts: { subscriptions: 1, comments: 4 },
    });
    const summary = await erasePersonalData(ctx, { email: ZOE.email, actor: cli });
    expect(summary).toMatchObject({
      email: ZOE.email,
      counts: { subscriptions: 1, comments: 4 },
      threads: 2,
    });
    expect(describeErasure(summary)).toBe('zoe@example.org: 1 subscription, 4 comments erased.');

    const after = await Promise.all(site.zoe.commentIds.map(commentRow));
    after.forEach((row, index) => {
      const old = before[index] as Record<string, unknown>;
      expect(row).toMatchObject({
        author_name: ERASED_AUTHOR_NAME,
        author_email: null,
        author_url: null,
        author_account_id: null,
        ip_hash: null,
        edit_token_hash: null,
      });
      // Where and what it was is kept: the reply tree and the text.
      for (const column of ['thread_id', 'parent_id', 'path', 'depth', 'number', 'body', 'status'])
        expect(row[column], column).toEqual(old[column]);
    });
    // Nobody else's comments or subscriptions changed.
    expect((await commentRow(site.comments.reply)).author_name).toBe('Olúwaseun Owner');
    const left = await made.runtime.db.selectFrom('subscriptions').select('comment_id').execute();
    expect(left.map((s) => s.comment_id)).not.toContain(site.comments.top);
    expect(left.length).toBeGreaterThan(0);

    const discussion = discussionContext(made.runtime);
    const threads = await Promise.all(
      [site.threadId, site.embedThreadId].map((id) => getThread(discussion, id)),
    );
    expect(threads.map((t) => t.version)).toEqual(versionsBefore.map((v) => v + 1));
    // The thread reads as before, with the placeholder author.
    const page = await readThreadPage(discussion, {
      thread: threads[0] as (typeof threads)[number],
      page: 1,
      sort: 'oldest',
    });
    const shown = page.comments.find((c) => c.id === site.comments.top);
    expect(shown?.authorName).toBe(ERASED_AUTHOR_NAME);
    expect(page.comments.find((c) => c.id === site.comments.reply)?.parentId).toBe(
      site.comments.top,
    );
    expect(events.map((e) => [e.type, e.payload.commentId])).toEqual(
      expect.arrayContaining([
        ['comment.edited', site.comments.top],
        ['comment.edited', site.comments.deep],
      ]),
    );
    expect(events.every((e) => e.payload.version === threads[0]?.version)).toBe(true);

    const again = await exportPersonalData(ctx, { email: ZOE.email, actor: cli });
    expect(again.comments).toEqual([]);
    expect(again.subscriptions).toEqual([]);
    expect(audit.map((entry) => (entry.audit as { action: string }).action)).toEqual([
      'personal-data.erase',
      'personal-data.export',
    ]);
  });

  it('unlinks a member’s comments from their account, and keeps the account', async () => {
    const summary = await erasePersonalData(ctx, { email: site.ownerEmail, actor: cli });
    expect(summary.counts.comments).toBe(1);
    expect(summary.account?.email).toBe(site.ownerEmail);
    expect(await commentRow(site.comments.reply)).toMatchObject({
      author_name: ERASED_AUTHOR_NAME,
      author_account_id: null,
    });
    const account = await made.runtime.db
      .selectFrom('accounts')
      .select('email')
      .where('email', '=', site.ownerEmail)
      .executeTakeFirst();
    expect(account).toBeDefined();
  });
});
