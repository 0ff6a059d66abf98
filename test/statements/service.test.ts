// Publishing and listing statements on a real database, once per database kind.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as accounts from '../../src/accounts/service.js';
import { accountsContext, statementsContext } from '../../src/runtime.js';
import * as discussion from '../../src/discussion/service.js';
import { fixedClock } from '../../src/platform/clock.js';
import type { StatementsContext } from '../../src/statements/service.js';
import * as statements from '../../src/statements/service.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { createTestRuntime } from '../helpers/runtime.js';
import { buildStatement } from './factories.js';
import { failure } from '../helpers/failure.js';

describe.each(databaseKinds)('statements on $name', (kind) => {
  let test: TestRuntime;
  let ctx: StatementsContext;
  let siteId: string;
  const clock = fixedClock('2026-11-24T10:00:00Z');

  beforeEach(async () => {
    clock.set('2026-11-24T10:00:00Z');
    test = await createTestRuntime({ kind, clock });
    ctx = statementsContext(test.runtime);
    siteId = (await accounts.ensureSite(accountsContext(test.runtime), { name: 'Test' })).id;
  });
  afterEach(async () => {
    await test.close();
  });

  const countRows = async (table: string) =>
    Number(
      (
        (await test.runtime.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()) as { n: number | string }
      ).n,
    );

  it('publishes a statement with its rendered body and opens its discussion', async () => {
    const { statement, thread } = await statements.publishStatement(
      ctx,
      buildStatement(siteId, { title: 'Statement on the Paris attacks' }),
    );
    expect(statement).toMatchObject({
      slug: 'statement-on-the-paris-attacks',
      title: 'Statement on the Paris attacks',
      authorName: 'Jim Denham',
      clearanceNote: 'Personal statement, not cleared',
      publishedAt: new Date('2026-11-24T10:00:00Z'),
    });
    expect(statement.html).toContain('<strong>together</strong>');
    expect(statement.html).toContain('<h2>What we say</h2>'); // headings are on for statements
    expect(thread).toMatchObject({
      statementId: statement.id,
      title: statement.title,
      authorName: 'Jim Denham',
      status: 'open',
    });
    const found = await statements.getPublishedStatement(ctx, {
      siteId,
      slug: statement.slug,
    });
    expect(found.statement).toEqual(statement);
    expect(found.thread.id).toBe(thread.id);
  });

  it('gives the statement author’s member account the badge in its thread', async () => {
    const { member } = await accounts.addMember(accountsContext(test.runtime), {
      siteId,
      email: 'jim@example.org',
      role: 'author',
      displayName: 'Jim Denham',
    });
    const { thread } = await statements.publishStatement(
      ctx,
      buildStatement(siteId, { authorAccountId: member.id }),
    );
    const own = await discussion.postComment(ctx.discussion, {
      threadId: thread.id,
      author: { accountId: member.id, name: 'Jim Denham' },
      body: 'Critical comments are welcome.',
    });
    const other = await discussion.postComment(ctx.discussion, {
      threadId: thread.id,
      author: { name: 'Jim Denham' }, // the same name is not the same person
      body: 'Impostor.',
    });
    expect(own.comment.isStatementAuthor).toBe(true);
    expect(other.comment.isStatementAuthor).toBe(false);
  });

  it('writes neither the statement nor the thread when either fails', async () => {
    const first = await statements.publishStatement(ctx, buildStatement(siteId));
    // A thread id that is already taken makes the thread's insert fail after the statement's.
    const clashing: StatementsContext = {
      ...ctx,
      discussion: {
        ...ctx.discussion,
        ids: { id: () => first.thread.id, token: ctx.ids.token },
      },
    };
    const before = [await countRows('statements'), await countRows('threads')];
    await expect(
      statements.publishStatement(clashing, buildStatement(siteId, { title: 'Never' })),
    ).rejects.toThrow();
    expect([await countRows('statements'), await countRows('threads')]).toEqual(before);
    expect(await statements.findStatementBySlug(ctx, { siteId, slug: 'never' })).toBeUndefined();
  });

  it('keeps slugs unique per site: -2, -3 … for the same title; an explicit slug taken is refused', async () => {
    const slugs = [];
    for (let i = 0; i < 3; i++)
      slugs.push(
        (await statements.publishStatement(ctx, buildStatement(siteId, { title: 'On Paris' })))
          .statement.slug,
      );
    expect(slugs).toEqual(['on-paris', 'on-paris-2', 'on-paris-3']);
    // A title whose slug merely starts the same way is not a clash.
    const longer = await statements.publishStatement(
      ctx,
      buildStatement(siteId, { title: 'On Paris again' }),
    );
    expect(longer.statement.slug).toBe('on-paris-again');

    const chosen = await statements.publishStatement(
      ctx,
      buildStatement(siteId, { slug: 'paris-2015' }),
    );
    expect(chosen.statement.slug).toBe('paris-2015');
    const taken = await failure(
      statements.publishStatement(ctx, buildStatement(siteId, { slug: 'paris-2015' })),
    );
    expect([taken.status, taken.code]).toEqual([409, 'slug-taken']);
    expect(taken.message).toContain('"paris-2015"');
  });

  it('refuses an incomplete statement with a clear error and writes nothing', async () => {
    const cases: [Partial<Parameters<typeof buildStatement>[1]>, string][] = [
      [{ title: '   ' }, 'title-missing'],
      [{ body: '' }, 'body-empty'],
      [{ authorName: '' }, 'author-name-missing'],
      [{ slug: 'Bad Slug' }, 'invalid-slug'],
    ];
    for (const [overrides, code] of cases) {
      const error = await failure(
        statements.publishStatement(ctx, buildStatement(siteId, overrides)),
      );
      expect([error.status, error.code]).toEqual([422, code]);
    }
    expect(await countRows('statements')).toBe(0);
    expect(await countRows('threads')).toBe(0);
  });

  it('lists published statements newest first, a page at a time, and hides scheduled ones', async () => {
    const titles: string[] = [];
    for (let i = 1; i <= 5; i++) {
      clock.set(`2026-11-2${i}T09:00:00Z`);
      titles.push(
        (await statements.publishStatement(ctx, buildStatement(siteId, { title: `Day ${i}` })))
          .statement.title,
      );
    }
    // Two at the same moment: the order between them is still total (by id).
    await statements.publishStatement(
      ctx,
      buildStatement(siteId, {
        title: 'Same moment',
        publishedAt: new Date('2026-11-23T09:00:00Z'),
      }),
    );
    const scheduled = await statements.publishStatement(
      ctx,
      buildStatement(siteId, { title: 'Tomorrow', publishedAt: new Date('2026-11-26T09:00:00Z') }),
    );

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await statements.listPublishedStatements(ctx, siteId, {
        limit: 2,
        before: cursor,
      });
      seen.push(...page.items.map((item) => item.title));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    expect(seen[0]).toBe('Day 5');
    expect(seen.indexOf('Day 4')).toBeLessThan(seen.indexOf('Day 3'));
    expect(seen.indexOf('Day 2')).toBe(5 - 1);
    expect(seen.at(-1)).toBe('Day 1');
    expect(seen).not.toContain('Tomorrow');

    const hidden = await failure(
      statements.getPublishedStatement(ctx, { siteId, slug: scheduled.statement.slug }),
    );
    expect(hidden.status).toBe(404);
    clock.set('2026-11-26T09:00:01Z');
    const now = await statements.listPublishedStatements(ctx, siteId, { limit: 1 });
    expect(now.items.map((item) => item.title)).toEqual(['Tomorrow']);

    const bad = await failure(
      statements.listPublishedStatements(ctx, siteId, { limit: 2, before: 'garbage' }),
    );
    expect([bad.status, bad.code]).toEqual([400, 'invalid-cursor']);
  });
});
