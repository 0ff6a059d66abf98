// Acceptance 1 of moderation: importing the sample thread with the site's real rules (the shipped
// lists) flags exactly one comment — the reply under comment 6, for its slur — keeps every
// comment's status, and puts that one in front of a moderator, with the reason naming the term.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as accounts from '../../src/accounts/service.js';
import { accountsContext, statementsContext } from '../../src/runtime.js';
import * as discussion from '../../src/discussion/service.js';
import type { Comment } from '../../src/discussion/store.js';
import { importTextThread } from '../../src/interchange/import-text.js';
import * as statements from '../../src/statements/service.js';
import { getQueue, listAudit } from '../../src/moderation/service.js';
import type { ModerationDb } from '../../src/moderation/store.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { createTestRuntime } from '../helpers/runtime.js';
import { readSeed } from '../helpers/seeds.js';

const SAMPLE = readSeed('paris-statement-with-comments.txt');

describe.each(databaseKinds)('importing the sample thread on $name', (kind) => {
  let test: TestRuntime;
  let siteId: string;

  beforeEach(async () => {
    test = await createTestRuntime({ kind, moderation: 'real' });
    siteId = (await accounts.ensureSite(accountsContext(test.runtime), { name: 'Test' })).id;
  });
  afterEach(async () => {
    await test.close();
  });

  it('flags exactly the reply under comment 6, for “yid”, and keeps every status', async () => {
    const ctx = statementsContext(test.runtime);
    const summary = await importTextThread(ctx, { siteId, text: SAMPLE, authorName: 'Jim Denham' });
    expect(summary.commentsCreated).toBe(15);
    const { thread } = await statements.getPublishedStatement(ctx, {
      siteId,
      slug: summary.slug,
    });
    const comments = await discussion.listComments(ctx.discussion, {
      threadId: thread.id,
      limit: 1000,
      includeHidden: true,
    });
    expect(comments).toHaveLength(15);
    expect(comments.every((c) => c.status === 'approved')).toBe(true);

    const flagged = comments.filter((c) => c.flagged);
    expect(flagged).toHaveLength(1);
    const [slur] = flagged as [Comment];
    const parent = comments.find((c) => c.id === slur.parentId);
    expect(parent?.number).toBe(6);
    expect(slur.authorName).toBe('Glasgow Working Class');
    expect(slur.reasons).toHaveLength(1);
    const [reason] = slur.reasons;
    expect(reason?.code).toBe('suspect-term');
    expect(reason?.message.toLowerCase()).toContain('yid');
    const match = reason?.matches?.[0];
    expect(match?.term).toBe('yid');
    expect(slur.body.slice(match?.start, match?.end).toLowerCase()).toMatch(/^yids?$/);
    // Comments 1–10 and the other replies carry no reasons at all.
    expect(comments.filter((c) => c !== slur).every((c) => c.reasons.length === 0)).toBe(true);

    const moderation = {
      db: test.runtime.db as ModerationDb,
      threadPage: () => '/s/statement-on-the-paris-attacks',
    };
    const queue = await getQueue(moderation, { siteId, tab: 'pending' });
    expect(queue.counts.pending).toBe(1);
    expect(queue.items.map((item) => [item.id, item.flagged, item.status])).toEqual([
      [slur.id, true, 'approved'],
    ]);
    const audit = await listAudit(moderation, { siteId });
    expect(audit.items.map((entry) => [entry.action, entry.commentId])).toEqual([
      ['flag-import', slur.id],
    ]);
  });
});
