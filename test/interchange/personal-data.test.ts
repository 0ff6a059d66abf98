// Personal-data requests on a real database: exporting everything stored about an address, and
// erasing it while the thread stays whole and readable, with both in the audit trail.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discussionContext } from '../../src/runtime.js';
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

const cli = { kind: 'command-line' } as const;

describe.each(databaseKinds)('personal data on $name', (kind) => {
  let made: TestRuntime;
  let site: RichSite;
  let ctx: PersonalDataContext;

  beforeEach(async () => {
    made = await createTestRuntime({ kind, moderation: richJudge });
    site = await seedRichSite(made.runtime);
    ctx = made.runtime;
  });
  afterEach(async () => {
    await made.close();
  });

  /** The audit log's personal-data entries, oldest first. */
  const audit = () =>
    made.runtime.db
      .selectFrom('moderation_actions')
      .selectAll()
      .where('action', 'like', 'person-%')
      .orderBy('at')
      .orderBy('id')
      .execute() as Promise<Record<string, unknown>[]>;

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
    // Her co-signature, the ban on her address, and the log's entry of it.
    expect(document.signatures).toEqual([
      expect.objectContaining({
        id: site.signatureId,
        statementSlug: site.reviewed.slug,
        name: ZOE.name,
        email: ZOE.email,
        status: 'verified',
      }),
    ]);
    expect(document.bans).toEqual([
      expect.objectContaining({ kind: 'email', reason: 'Testing bans — «ü»' }),
    ]);
    expect(document.auditEntries).toEqual([
      expect.objectContaining({ action: 'ban', target: `email:${ZOE.email}` }),
    ]);
    // Reports made from an address are not the e-mail address's.
    expect(document.reports).toEqual([]);
    const entries = await audit();
    expect(entries).toEqual([
      expect.objectContaining({
        site_id: site.siteId,
        action: 'person-export',
        actor_kind: 'system',
        actor_account_id: null,
        target: auditSubject(made.runtime.secret, ZOE.email),
        reason:
          'Exported 1 subscription, 4 comments, 1 signature, 1 ban, 1 audit log entry (command line).',
      }),
    ]);
    expect(JSON.stringify(entries)).not.toContain(ZOE.email);
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
      counts: {
        subscriptions: 1,
        comments: 4,
        signatures: 1,
        bans: 1,
        auditEntries: 1,
        reports: 0,
      },
    });
    const summary = await erasePersonalData(ctx, { email: ZOE.email, actor: cli });
    expect(summary).toMatchObject({
      email: ZOE.email,
      counts: {
        subscriptions: 1,
        comments: 4,
        signatures: 1,
        bans: 1,
        auditEntries: 1,
        reports: 0,
      },
      threads: 2,
    });
    expect(describeErasure(summary)).toBe(
      'zoe@example.org: 1 subscription, 4 comments, 1 signature, 1 ban, 1 audit log entry erased.',
    );

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
    expect(again.signatures).toEqual([]);
    expect(again.bans).toEqual([]);
    expect(again.auditEntries).toEqual([]);
    expect((await audit()).map((entry) => entry.action)).toEqual(['person-erase', 'person-export']);

    // The co-signature is gone; the ban stays on record, ended, matching no address; the log's
    // entry of it no longer names her.
    const db = made.runtime.db;
    expect(
      await db
        .selectFrom('statement_signatures')
        .select('id')
        .where('email', '=', ZOE.email)
        .execute(),
    ).toEqual([]);
    const bans = await db.selectFrom('bans').selectAll().where('kind', '=', 'email').execute();
    expect(bans).toEqual([
      expect.objectContaining({ value: `erased:${bans[0]?.id}`, lifted_at: expect.any(String) }),
    ]);
    // Her address ban (by its keyed hash, not by e-mail) is not hers to erase by e-mail.
    expect(
      await db.selectFrom('bans').select('id').where('kind', '=', 'address').execute(),
    ).toHaveLength(1);
    const banEntries = await db
      .selectFrom('moderation_actions')
      .select('target')
      .where('action', '=', 'ban')
      .execute();
    expect(banEntries.map((e) => e.target)).toContain('email:(erased)');
    expect(JSON.stringify(banEntries)).not.toContain(ZOE.email);
  });

  it('exports and unlinks the reports a member made, and logs who asked', async () => {
    const db = made.runtime.db;
    const owner = await db
      .selectFrom('accounts')
      .select(['id', 'email'])
      .where('email', '=', site.ownerEmail)
      .executeTakeFirstOrThrow();
    const asOwner = { kind: 'member', accountId: owner.id, email: owner.email } as const;
    const document = await exportPersonalData(ctx, { email: 'mod@example.org', actor: asOwner });
    expect(document.reports).toEqual([
      expect.objectContaining({ commentId: site.comments.edited, reason: 'spam' }),
    ]);
    const summary = await erasePersonalData(ctx, { email: 'mod@example.org', actor: asOwner });
    expect(summary.counts).toMatchObject({ reports: 1, comments: 0, bans: 0 });
    const reports = await db
      .selectFrom('reports')
      .select(['id', 'reporter_key', 'reporter_account_id', 'note'])
      .where('comment_id', '=', site.comments.edited)
      .orderBy('created_at')
      .execute();
    // The reader's report (by address) is untouched; the member's counts on, without its author.
    expect(reports).toHaveLength(2);
    expect(reports.map((r) => r.reporter_account_id)).toEqual([null, null]);
    expect(reports.map((r) => r.reporter_key)).toContain(`erased:${reports[1]?.id}`);
    expect(reports.map((r) => r.reporter_key)).toContain(`address:${'b'.repeat(64)}`);
    expect(await audit()).toEqual([
      expect.objectContaining({
        action: 'person-export',
        actor_kind: 'member',
        actor_account_id: owner.id,
        actor_name: 'Olúwaseun Owner',
      }),
      expect.objectContaining({ action: 'person-erase', reason: 'Erased 1 report.' }),
    ]);
  });

  it('writes nothing, audit entry included, when the erasure fails', async () => {
    const error = await erasePersonalData(ctx, { email: 'not an address', actor: cli }).catch(
      (e: unknown) => e,
    );
    expect((error as AppError).code).toBe('invalid-email');
    expect(await audit()).toEqual([]);
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
