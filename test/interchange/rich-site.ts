/**
 * A site with a bit of everything, for export, round-trip and personal-data tests: both demo
 * samples, members with a session and an API token, a member's statement without a subtitle,
 * a thread with nested replies, an edit, a removal, held and spam comments, reply subscriptions
 * (one delivered, one ended), a closed thread, an embedded page's thread, non-ASCII text, and
 * text that XML and JSON must escape.
 */
import type { Runtime } from '../../src/app.js';
import { accountsContext, discussionContext, statementsContext } from '../../src/app.js';
import * as accounts from '../../src/accounts/service.js';
import { claimDelivery } from '../../src/discussion/notification-store.js';
import type { NotificationDb } from '../../src/discussion/notification-store.js';
import type { DiscussionContext } from '../../src/discussion/service.js';
import * as discussion from '../../src/discussion/service.js';
import { loadDemoContent } from '../../src/interchange/demo.js';
import type { CommentModeration } from '../../src/moderation/ports.js';
import { publishStatement } from '../../src/statements/service.js';
import { addMemberWithPassword, lenientModeration } from '../helpers/runtime.js';

/** Holds "[hold]" comments and marks "[spam]" ones spam, as the moderation pipeline would. */
export const richJudge: CommentModeration = {
  ...lenientModeration,
  judge: (_db, comment) =>
    Promise.resolve(
      comment.body.includes('[hold]')
        ? { decision: 'hold', reasons: [{ code: 'suspect-term', message: 'Held by the test.' }] }
        : comment.body.includes('[spam]')
          ? { decision: 'spam', reasons: [{ code: 'classifier', message: 'Spam, says the test.' }] }
          : { decision: 'approve', reasons: [] },
    ),
};

export interface RichSite {
  siteId: string;
  /** The member's statement, with the thread the tests below look at. */
  slug: string;
  threadId: string;
  embedThreadId: string;
  /** The anonymous commenter who gave an address, a website and asked for reply mail. */
  zoe: { email: string; name: string; commentIds: string[] };
  ownerEmail: string;
  comments: {
    top: string;
    reply: string;
    deep: string;
    edited: string;
    removed: string;
    held: string;
    spam: string;
  };
}

export const ZOE = { name: 'Zoë Ångström-Łukasiewicz', email: 'zoe@example.org' };

export async function seedRichSite(runtime: Runtime): Promise<RichSite> {
  const accountsCtx = accountsContext(runtime);
  const site = await accounts.ensureSite(accountsCtx, { name: 'Broadside' });
  await accounts.updateSiteSettings(accountsCtx, site.id, () => ({
    embedOrigins: ['https://blog.example.org'],
    discussion: { maxDepth: 5 },
  }));
  const statements = statementsContext(runtime);
  await loadDemoContent(statements, { siteId: site.id });

  const { member: owner, password } = await addMemberWithPassword(runtime, {
    siteId: site.id,
    email: 'owner@example.org',
    role: 'owner',
    name: 'Olúwaseun Owner',
  });
  await addMemberWithPassword(runtime, {
    siteId: site.id,
    email: 'mod@example.org',
    role: 'moderator',
  });
  await accounts.signIn(accountsCtx, {
    siteId: site.id,
    email: owner.email,
    password,
    addressKey: 'test-address',
    userAgent: 'Test/1.0',
  });
  await accounts.createApiToken(accountsCtx, { accountId: owner.id, name: 'deploy script' });

  const { statement, thread } = await publishStatement(statements, {
    siteId: site.id,
    title: 'Über «Solidarität» — a statement',
    body: 'We stand together.\n\nA line with ]]> and <tags> & "quotes".',
    authorName: owner.displayName,
    authorAccountId: owner.id,
  });

  const ctx: DiscussionContext = {
    ...discussionContext(runtime),
    moderation: richJudge,
    replyNotifications: { enabled: true, secret: runtime.secret },
  };
  const post = (input: Omit<discussion.PostCommentInput, 'threadId'> & { threadId?: string }) =>
    discussion.postComment(ctx, { threadId: thread.id, ...input });

  const top = await post({
    author: { name: ZOE.name, email: ZOE.email, url: 'https://zoe.example.org/' },
    body: 'First! Ein schöner Text 🙂 — 討論 — مرحبا. A `]]>` and a \\backslash.',
    notifyReplies: true,
    ipHash: 'a'.repeat(64),
  });
  const reply = await post({
    parentId: top.comment.id,
    author: { accountId: owner.id, name: owner.displayName, email: owner.email },
    body: '> First!\n\nThanks, *Zoë*.',
  });
  const deeper = await post({
    parentId: reply.comment.id,
    author: { name: 'Bob', email: 'bob@example.org' },
    body: 'Third level.',
    notifyReplies: true,
  });
  const deep = await post({
    parentId: deeper.comment.id,
    author: { name: ZOE.name, email: 'ZOE@Example.org' },
    body: 'Fourth level, same address in capitals.',
  });
  const edited = await post({
    author: { name: 'Carla', email: 'carla@example.org', url: 'https://carla.example.net/' },
    body: 'Before the edit.',
  });
  await discussion.editComment(ctx, {
    commentId: edited.comment.id,
    body: 'After the edit.',
    editor: { editToken: edited.editToken },
  });
  const removed = await post({
    parentId: top.comment.id,
    author: { name: 'Dan', email: 'dan@example.org' },
    body: 'To be removed.',
    notifyReplies: true,
  });
  await discussion.deleteComment(ctx, {
    commentId: removed.comment.id,
    editor: { isModerator: true },
  });
  const held = await post({ author: { name: ZOE.name, email: ZOE.email }, body: 'Hmm [hold]' });
  const spam = await post({ author: { name: 'Spammer' }, body: 'Buy now [spam]' });
  // Bob's subscription was told of Zoë's deep reply.
  const bobSubscription = await (runtime.db as NotificationDb)
    .selectFrom('subscriptions')
    .select('id')
    .where('comment_id', '=', deeper.comment.id)
    .executeTakeFirstOrThrow();
  await claimDelivery(
    runtime.db as NotificationDb,
    bobSubscription.id,
    deep.comment.id,
    runtime.clock.now(),
  );

  const embed = await discussion.createThread(ctx, {
    siteId: site.id,
    title: 'A post on the blog',
    url: 'https://blog.example.org/2026/11/a-post',
  });
  await discussion.postComment(ctx, {
    threadId: embed.id,
    author: { name: ZOE.name, email: ZOE.email },
    body: 'On the embed.',
  });
  const port = discussion.moderatedComments(ctx);
  const closed = await ctx.db
    .transaction()
    .execute((trx) => port.setThreadStatus(trx, { threadId: embed.id, status: 'closed' }));
  await closed.announce();

  return {
    siteId: site.id,
    slug: statement.slug,
    threadId: thread.id,
    embedThreadId: embed.id,
    zoe: {
      ...ZOE,
      commentIds: [top.comment.id, deep.comment.id, held.comment.id],
    },
    ownerEmail: owner.email,
    comments: {
      top: top.comment.id,
      reply: reply.comment.id,
      deep: deep.comment.id,
      edited: edited.comment.id,
      removed: removed.comment.id,
      held: held.comment.id,
      spam: spam.comment.id,
    },
  };
}
