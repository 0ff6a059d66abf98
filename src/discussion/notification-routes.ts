/**
 * Routes of reply notifications: the confirmation link (a page with a button, and its POST), the
 * unsubscribe link (a page with a button, and the RFC 8058 one-click POST), and the comment
 * permalink that mails point to.
 * Registering them also starts the bus listener that sends the mail.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError } from '../platform/errors.js';
import type { EventBus } from '../platform/event-bus.js';
import type { HttpServer } from '../platform/http/server.js';
import type { PageRenderer } from '../web/page.js';
import {
  ConfirmPage,
  ConfirmedPage,
  UnsubscribePage,
  UnsubscribedPage,
} from './notification-views.js';
import type { NotificationsContext, ReplyListener, SubscriptionSummary } from './notifications.js';
import * as notifications from './notifications.js';
import type { Thread } from './store.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The reply-notification mailer (set by registerReplyNotifications): `settled()` waits for mail under way. */
    replyNotifications: ReplyListener;
  }
}

/**
 * Where a thread is shown: a path on this site (`/s/paris`) or an absolute URL (an embedding
 * page), or undefined when unknown. Discussion does not know statements' pages, so the
 * composition root passes this in.
 */
export type ThreadPageResolver = (
  thread: Thread,
) => string | undefined | Promise<string | undefined>;

export interface ReplyNotificationDeps {
  ctx: NotificationsContext;
  bus: EventBus;
  page: PageRenderer;
  /** For `/c/:commentId`. By default only embed threads (which know their page's URL) resolve. */
  threadPage?: ThreadPageResolver;
}

const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });
const CommentParams = Type.Object({ commentId: Type.String({ minLength: 1, maxLength: 100 }) });

const byEmbedUrl: ThreadPageResolver = (thread) => thread.url;

const titleOf = (summary: SubscriptionSummary) =>
  summary.state === 'ended' ? 'E-mails stopped' : 'Address confirmed';

export async function registerReplyNotifications(
  app: HttpServer,
  deps: ReplyNotificationDeps,
): Promise<ReplyListener> {
  const { ctx, page } = deps;
  const threadPage = deps.threadPage ?? byEmbedUrl;
  const pageSchema = { hide: true } as const;

  const listener = notifications.listenForReplies(ctx, deps.bus);
  app.decorate('replyNotifications', listener);
  app.addHook('onClose', async () => listener.stop());

  // GET only shows a button, for the same reason as the unsubscribe link below: mail scanners and
  // link previews follow links, and must not confirm an address that nobody agreed for.
  app.get(
    '/notifications/confirm/:token',
    { schema: { ...pageSchema, params: TokenParams } },
    async (request, reply) => {
      const { token } = request.params;
      const summary = await notifications.describeConfirmationLink(ctx, token);
      return page.send(request, reply, {
        title: summary.state === 'pending' ? 'Confirm e-mails about replies' : titleOf(summary),
        body: () =>
          ConfirmPage({
            summary,
            action: `/notifications/confirm/${encodeURIComponent(token)}`,
          }),
      });
    },
  );

  // The button's POST confirms. Exempt from the CSRF check, like the one-click unsubscribe below:
  // the secret token in the URL is the authority, and the route reads no session, so the person
  // who opened the link from their mail needs no cookie. A forged cross-site POST would have to
  // know that token — and whoever knows it could confirm anyway; the worst it can do is what the
  // link is for: subscribe the address the link was mailed to, for that one comment.
  app.post(
    '/notifications/confirm/:token',
    { schema: { ...pageSchema, params: TokenParams }, config: { csrf: false } },
    async (request, reply) => {
      const summary = await notifications.confirmSubscription(ctx, request.params.token);
      return page.send(request, reply, {
        title: titleOf(summary),
        body: () => ConfirmedPage({ summary }),
      });
    },
  );

  // GET only shows a button: mail scanners and link previews follow links, and must not
  // unsubscribe anyone by doing so.
  app.get(
    '/notifications/unsubscribe/:token',
    { schema: { ...pageSchema, params: TokenParams } },
    async (request, reply) => {
      const { token } = request.params;
      const summary = await notifications.describeUnsubscribeLink(ctx, token);
      return page.send(request, reply, {
        title: 'Stop e-mails about replies',
        body: () =>
          UnsubscribePage({
            summary,
            action: `/notifications/unsubscribe/${encodeURIComponent(token)}`,
          }),
      });
    },
  );

  // The button's POST, and RFC 8058 one-click unsubscribe: mail providers POST
  // `List-Unsubscribe=One-Click` with no cookie and no CSRF token. The token in the URL is the
  // authority, so the route is exempt from the CSRF check; it reads no session. Its own scope
  // also accepts a multipart body (which some providers send) without parsing it.
  await app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'string', bodyLimit: 4096 },
      (_request, _body, done) => done(null, {}),
    );
    scope.post(
      '/notifications/unsubscribe/:token',
      { schema: { ...pageSchema, params: TokenParams }, config: { csrf: false } },
      async (request, reply) => {
        const result = await notifications.unsubscribe(ctx, request.params.token);
        return page.send(request, reply, {
          title: 'Unsubscribed',
          body: () => UnsubscribedPage({ summary: result, alreadyEnded: result.alreadyEnded }),
        });
      },
    );
  });

  // The permalink in notification mails: to the comment on whatever page shows its thread.
  app.get(
    '/c/:commentId',
    { schema: { ...pageSchema, params: CommentParams } },
    async (request, reply) => {
      const { comment, thread } = await notifications.locateComment(ctx, request.params.commentId);
      const target = await threadPage(thread);
      if (!target) {
        throw new NotFoundError(
          `Comment ${comment.id} exists, but the page that shows its discussion is not known.`,
          'comment-page-unknown',
        );
      }
      return reply.redirect(`${target}#comment-${encodeURIComponent(comment.id)}`, 302);
    },
  );

  return listener;
}
