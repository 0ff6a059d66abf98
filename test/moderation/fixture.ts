/**
 * A real runtime for moderation's service tests: a fresh database (SQLite or PostgreSQL), a
 * fixed clock, discussion's real `ModeratedComments`, a site with a moderator, and helpers to
 * open threads and post comments through discussion's own use cases.
 */
import * as accounts from '../../src/accounts/service.js';
import { accountsContext, discussionContext } from '../../src/runtime.js';
import type { Role } from '../../src/accounts/model.js';
import type { CommentAuthor, DiscussionContext } from '../../src/discussion/service.js';
import * as discussion from '../../src/discussion/service.js';
import type { Thread } from '../../src/discussion/store.js';
import type { ModerationContext, Moderator } from '../../src/moderation/context.js';
import type { CommentModeration } from '../../src/moderation/ports.js';
import { fixedClock } from '../../src/platform/clock.js';
import type { BusEvent } from '../../src/platform/event-bus.js';
import { createLogger } from '../../src/platform/logger.js';
import type { Mailer } from '../../src/platform/mail.js';
import type { DatabaseKind } from '../helpers/databases.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { createTestRuntime, holdMarkedComments } from '../helpers/runtime.js';

export const START = '2026-11-24T10:00:00.000Z';
export const BASE_URL = new URL('https://statements.example.org/');

export interface ModerationFixture {
  test: TestRuntime;
  clock: ReturnType<typeof fixedClock>;
  siteId: string;
  ctx: ModerationContext;
  discussion: DiscussionContext;
  moderator: Moderator;
  /** Everything published on the bus (live updates), in order. */
  events: BusEvent[];
  openThread(title?: string, url?: string): Promise<Thread>;
  /** Posts through discussion (judged by the runtime's moderation); "[hold]" in a body holds it. */
  post(
    thread: Thread,
    body: string,
    author?: CommentAuthor,
    options?: { ipHash?: string; parentId?: string },
  ): Promise<string>;
  addMember(email: string, role: Role, name?: string): Promise<Moderator>;
  close(): Promise<void>;
}

export async function moderationFixture(
  kind: DatabaseKind,
  options: { moderation?: (ctx: ModerationContext) => CommentModeration; mailer?: Mailer } = {},
): Promise<ModerationFixture> {
  const clock = fixedClock(START);
  const test = await createTestRuntime({ kind, clock, moderation: holdMarkedComments });
  const { runtime } = test;
  const siteId = (await accounts.ensureSite(accountsContext(runtime), { name: 'Test' })).id;
  const base = discussionContext(runtime);
  const ctx: ModerationContext = {
    db: runtime.db,
    clock,
    ids: runtime.ids,
    comments: discussion.moderatedComments(base),
    // As the composition root resolves it: embeds know their page; statements are at /s/….
    threadPage: (thread) =>
      thread.url ?? (thread.statementId ? `/s/${thread.statementId}` : undefined),
    classifierTimeoutMs: 500,
    mailer: options.mailer ?? runtime.mailer,
    baseUrl: BASE_URL,
    logger: createLogger('silent'),
  };
  const discussionCtx: DiscussionContext = options.moderation
    ? { ...base, moderation: options.moderation(ctx) }
    : base;
  const events: BusEvent[] = [];
  const subscriptions: (() => void)[] = [];

  const addMember = async (email: string, role: Role, name?: string): Promise<Moderator> => {
    const { member } = await accounts.addMember(accountsContext(runtime), {
      siteId,
      email,
      role,
      displayName: name,
    });
    return { accountId: member.id, name: member.displayName };
  };
  const moderator = await addMember('mo@example.org', 'moderator', 'Mo Derator');

  return {
    test,
    clock,
    siteId,
    ctx,
    discussion: discussionCtx,
    moderator,
    events,
    addMember,
    async openThread(title = 'On Paris', url?: string) {
      const thread = await discussion.createThread(discussionCtx, { siteId, title, url });
      subscriptions.push(runtime.bus.subscribe(`thread:${thread.id}`, (e) => events.push(e)));
      return thread;
    },
    async post(thread, body, author = { name: 'Ann', email: 'ann@example.org' }, options = {}) {
      const { comment } = await discussion.postComment(discussionCtx, {
        threadId: thread.id,
        parentId: options.parentId,
        author,
        body,
        ipHash: options.ipHash ?? 'address-of-ann',
      });
      return comment.id;
    },
    async close() {
      for (const unsubscribe of subscriptions) unsubscribe();
      await test.close();
    },
  };
}

/** A comment's status, flag and reasons as stored (read back, not taken from a return value). */
export async function stored(fixture: ModerationFixture, commentId: string) {
  const comment = await discussion.findComment(fixture.discussion, commentId);
  if (!comment) throw new Error(`no comment ${commentId}`);
  return { status: comment.status, flagged: comment.flagged, reasons: comment.reasons };
}
