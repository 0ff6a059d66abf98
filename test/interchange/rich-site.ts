/**
 * A site with a bit of everything, for export, round-trip and personal-data tests: both demo
 * samples, members with a session and an API token, a member's statement without a subtitle,
 * a thread with nested replies, an edit, a removal, held and spam comments, reply subscriptions
 * (one delivered, one ended), a closed thread, an embedded page's thread, non-ASCII text, and
 * text that XML and JSON must escape; a statement taken through review (a pasted source, two
 * revisions, an approval, an internal comment, a confirmed co-signature) and a draft; moderation's
 * rules, a ban (by e-mail and by address), readers' reports (by a member and by an address) and
 * the audit entries they leave.
 */
import type { Runtime } from '../../src/runtime.js';
import { accountsContext, discussionContext, statementsContext } from '../../src/runtime.js';
import * as accounts from '../../src/accounts/service.js';
import { claimDelivery } from '../../src/discussion/notification-store.js';
import type { NotificationDb } from '../../src/discussion/notification-store.js';
import type { DiscussionContext } from '../../src/discussion/service.js';
import * as discussion from '../../src/discussion/service.js';
import { loadDemoContent } from '../../src/interchange/demo.js';
import type { CommentModeration } from '../../src/moderation/ports.js';
import type { ModerationContext } from '../../src/moderation/context.js';
import * as moderation from '../../src/moderation/service.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailer } from '../../src/platform/mail.js';
import * as review from '../../src/statements/review-service.js';
import type { Actor } from '../../src/statements/service.js';
import * as statementService from '../../src/statements/service.js';
import { publishStatement } from '../../src/statements/service.js';
import * as signing from '../../src/statements/signature-service.js';
import { addMemberWithPassword, lenientModeration } from '../helpers/runtime.js';
import { startSmtpCapture } from '../helpers/smtp.js';

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
  /** The statement taken through review, and the draft beside it. */
  reviewed: { id: string; slug: string; revisionIds: string[] };
  draft: { id: string; title: string };
  /** Zoë's confirmed co-signature of the reviewed statement. */
  signatureId: string;
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
  const { member: mod } = await addMemberWithPassword(runtime, {
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

  const { reviewed, draft, signatureId } = await seedReviewedStatements(runtime, {
    siteId: site.id,
    owner: { accountId: owner.id, name: owner.displayName, role: 'owner' },
  });
  await seedModeration(runtime, ctx, {
    siteId: site.id,
    moderator: { accountId: mod.id, name: mod.displayName },
    zoeTop: top.comment.id,
    reported: edited.comment.id,
  });

  return {
    siteId: site.id,
    reviewed,
    draft,
    signatureId,
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

/**
 * A statement from a pasted source through two revisions, an internal comment, an approval and
 * publication, co-signed by Zoë (confirmed by the link mailed to her, through a real SMTP server);
 * and a draft that was never published.
 */
async function seedReviewedStatements(
  runtime: Runtime,
  input: { siteId: string; owner: Actor },
): Promise<Pick<RichSite, 'reviewed' | 'draft' | 'signatureId'>> {
  const smtp = await startSmtpCapture();
  const logger = createLogger('silent');
  const mailer = createMailer({ smtpUrl: new URL(smtp.url), from: 'site@example.org', logger });
  const ctx = {
    ...statementsContext(runtime),
    mail: { mailer, baseUrl: new URL('https://broadside.example.org/'), logger },
  };
  try {
    await review.setClearancePolicy(ctx, {
      siteId: input.siteId,
      policy: { kind: 'role', role: 'editor', count: 1 },
    });
    const first = await statementService.createStatement(ctx, {
      siteId: input.siteId,
      actor: input.owner,
      title: 'Housing is a right',
      body: 'Everyone needs a home.\n\nRents must fall.',
      note: 'First draft, from the 2001 declaration.',
      eventName: 'Tenants’ assembly',
      eventDate: '2026-11-20',
      basedOn: {
        kind: 'source',
        source: {
          title: 'Declaration on housing',
          author: 'Tenants’ Union',
          date: '2001-05',
          url: 'https://tenants.example.org/2001',
          text: 'Everyone needs a home. Rents must fall now.',
        },
      },
    });
    const statementId = first.statement.id;
    const second = await statementService.reviseStatement(ctx, {
      siteId: input.siteId,
      statementId,
      actor: input.owner,
      body: 'Everyone needs a home — «ein Zuhause».\n\nRents must fall.',
      note: 'Second revision.',
      baseRevisionId: first.revision.id,
    });
    await statementService.submitForReview(ctx, {
      siteId: input.siteId,
      statementId,
      actor: input.owner,
    });
    await review.addInternalComment(ctx, {
      siteId: input.siteId,
      statementId,
      revisionId: second.revision.id,
      paragraphIndex: 1,
      body: 'Say by how much?',
      actor: input.owner,
    });
    await review.approveRevision(ctx, {
      siteId: input.siteId,
      statementId,
      actor: input.owner,
      revisionId: second.revision.id,
      comment: 'Good to go.',
    });
    const published = await statementService.publishRevision(ctx, {
      siteId: input.siteId,
      statementId,
      actor: input.owner,
      revisionId: second.revision.id,
    });
    const signature = await signing.signStatement(ctx, {
      siteId: input.siteId,
      statementId,
      signature: { kind: 'person', name: ZOE.name, email: ZOE.email, country: 'Sverige' },
    });
    const token = /signatures\/confirm\/(\S+)/.exec(
      smtp.mailsTo(ZOE.email).at(-1)?.text ?? '',
    )?.[1];
    if (!token) throw new Error('no confirmation link was mailed to Zoë');
    await signing.verifySignature(ctx, decodeURIComponent(token));

    const draft = await statementService.createStatement(ctx, {
      siteId: input.siteId,
      actor: input.owner,
      title: 'A draft, not yet out',
      body: 'Work in progress.',
    });
    return {
      reviewed: {
        id: statementId,
        slug: published.statement.slug,
        revisionIds: [first.revision.id, second.revision.id],
      },
      draft: { id: draft.statement.id, title: draft.statement.title },
      signatureId: signature.id,
    };
  } finally {
    mailer.close();
    await smtp.close();
  }
}

/** The site's rules changed, Zoë banned (by e-mail and address), and two readers' reports. */
async function seedModeration(
  runtime: Runtime,
  discussionCtx: DiscussionContext,
  input: {
    siteId: string;
    moderator: { accountId: string; name: string };
    zoeTop: string;
    reported: string;
  },
): Promise<void> {
  const ctx: ModerationContext = {
    db: runtime.db,
    clock: runtime.clock,
    ids: runtime.ids,
    comments: discussion.moderatedComments(discussionCtx),
    threadPage: () => undefined,
    classifierTimeoutMs: 1000,
    mailer: runtime.mailer,
    baseUrl: runtime.config.baseUrl,
    logger: runtime.logger,
  };
  await moderation.updateSiteRules(ctx, {
    siteId: input.siteId,
    actor: input.moderator,
    changes: { suspectTerms: 'scam\nfree money', maxLinks: 3 },
  });
  await moderation.banAuthor(ctx, {
    siteId: input.siteId,
    actor: input.moderator,
    commentId: input.zoeTop,
    reason: 'Testing bans — «ü»',
    durationHours: 24,
  });
  await moderation.reportComment(ctx, {
    siteId: input.siteId,
    commentId: input.reported,
    reason: 'off-topic',
    note: 'Not about the statement.',
    reporter: { ipHash: 'b'.repeat(64) },
  });
  await moderation.reportComment(ctx, {
    siteId: input.siteId,
    commentId: input.reported,
    reason: 'spam',
    reporter: { accountId: input.moderator.accountId, ipHash: 'c'.repeat(64) },
  });
}
