/**
 * The composition root of the server: builds the HTTP server from the capabilities over a
 * runtime (`runtime.ts`). `buildApp` does not listen, so tests use it directly.
 */
import { registerAuthentication } from './accounts/auth.js';
import type { Permission } from './accounts/model.js';
import { can } from './accounts/model.js';
import { registerAccountRoutes } from './accounts/routes.js';
import { ensureSite } from './accounts/service.js';
import type { Site } from './accounts/store.js';
import { discussionSettingsOf } from './discussion/model.js';
import { moderatedComments } from './discussion/service.js';
import { registerModerationRoutes } from './moderation/api-routes.js';
import { registerModerationPages } from './moderation/pages.js';
import type { ModerationContext } from './moderation/context.js';
import { startDigestTimer } from './moderation/digest.js';
import { setThreadStatus as setModeratedThreadStatus } from './moderation/service.js';
import { createDiscussionPages } from './discussion/pages.js';
import { registerEmbedRoutes } from './discussion/embed.js';
import { registerThreadFeedRoutes } from './discussion/feed.js';
import { registerStatementApi } from './statements/api-routes.js';
import { registerSignatureLinkRoutes } from './statements/signature-link.js';
import { registerStatementRoutes } from './statements/routes.js';
import { registerStatementAdminRoutes } from './statements/admin-routes.js';
import { registerStatementReviewRoutes } from './statements/review-routes.js';
import { registerSignatureRoutes } from './statements/signature-routes.js';
import { registerReplyNotifications } from './discussion/notification-routes.js';
import { registerPersonRoutes } from './interchange/person-routes.js';
import { registerDiscussionRoutes } from './discussion/routes.js';
import { NotFoundError } from './platform/errors.js';
import { getPublishedStatement, statementPath } from './statements/service.js';
import type { HttpServer } from './platform/http/server.js';
import { createHttpServer, sharedRateLimit } from './platform/http/server.js';
import { SESSION_COOKIE } from './accounts/model.js';
import { loadAssetLinks, registerAssets } from './web/assets.js';
import { ErrorContent, errorTitle } from './web/error-page.js';
import type { AdminNavItem } from './web/page.js';
import { createPageRenderer } from './web/page.js';
import type { Runtime } from './runtime.js';
import { accountsContext, discussionContext, statementsContext } from './runtime.js';

/** The admin pages, each shown to those whose role has its permission. Later capabilities add theirs. */
const ADMIN_NAV: (AdminNavItem & { permission: Permission })[] = [
  { href: '/admin', label: 'Dashboard', permission: 'admin.view' },
  { href: '/admin/statements', label: 'Statements', permission: 'statements.write' },
  { href: '/admin/signatures', label: 'Signatures', permission: 'signatures.moderate' },
  { href: '/admin/members', label: 'Members', permission: 'members.manage' },
  { href: '/admin/embed', label: 'Embedding', permission: 'settings.manage' },
  { href: '/admin/moderation', label: 'Moderation', permission: 'comments.moderate' },
  { href: '/admin/personal-data', label: 'Personal data', permission: 'members.manage' },
  { href: '/admin/account', label: 'Your account', permission: 'admin.view' },
];

export async function buildApp(runtime: Runtime): Promise<{ app: HttpServer; site: Site }> {
  const { config } = runtime;
  const accounts = accountsContext(runtime);
  const site = await ensureSite(accounts, { name: 'Broadside' });
  // Edit window, depth and length limits: the site's settings JSON (`discussion`), else defaults.
  const discussionSettings = discussionSettingsOf(site.settings);
  const assets = loadAssetLinks();
  if (!assets)
    runtime.logger.warn(
      'the browser assets are not built: run `npm run build`; pages will be unstyled',
    );

  const page = createPageRenderer({
    siteName: () => site.name,
    assets,
    viewerOf: (request) => {
      const member = request.member;
      if (!member) return undefined;
      return {
        name: member.displayName,
        email: member.email,
        role: member.role,
        adminNav: ADMIN_NAV.filter((item) => can(member.role, item.permission)).map(
          ({ href, label }) => ({ href, label }),
        ),
      };
    },
  });

  const app = await createHttpServer({
    logger: runtime.logger,
    secret: runtime.secret,
    baseUrl: config.baseUrl,
    trustProxy: config.trustProxy,
    rateLimitPerMinute: config.rateLimitPerMinute,
    authCookies: [SESSION_COOKIE],
    ping: () => runtime.database.ping(),
    version: runtime.version,
    renderErrorPage: (status, body) =>
      page.renderStatic(errorTitle(status), ErrorContent({ status, body })),
  });

  await registerAssets(app);
  registerAuthentication(app, accounts, {
    siteId: () => site.id,
    secureCookies: config.baseUrl.protocol === 'https:',
  });
  registerAccountRoutes(app, {
    ctx: accounts,
    page,
    siteId: () => site.id,
    secret: runtime.secret,
    secureCookies: config.baseUrl.protocol === 'https:',
  });
  await registerReplyNotifications(app, {
    ctx: { ...runtime, baseUrl: config.baseUrl },
    bus: runtime.bus,
    page,
    // Discussion never reads statements: the composition root says where a thread is shown.
    threadPage: (thread) =>
      thread.statementId
        ? statementPath(statementsContext(runtime), thread.statementId)
        : thread.url,
  });
  const discussionApi = discussionContext(runtime, discussionSettings);
  // One count of new comments per address, whether posted through the API or a page's form.
  const postingLimit = sharedRateLimit(app, {
    max: config.commentRateLimitPerMinute,
    timeWindow: 60_000,
  });
  // Moderation changes comments only through discussion's side of the seam, and learns where a
  // thread is shown from here, as reply notifications do.
  const moderationCtx: ModerationContext = {
    db: runtime.db,
    clock: runtime.clock,
    ids: runtime.ids,
    comments: moderatedComments(discussionApi),
    threadPage: (thread) =>
      thread.statementId
        ? statementPath(statementsContext(runtime), thread.statementId)
        : thread.url,
    classifierTimeoutMs: config.classifierTimeoutMs,
    mailer: runtime.mailer,
    baseUrl: config.baseUrl,
    logger: runtime.logger,
  };
  await registerDiscussionRoutes(app, {
    ctx: discussionApi,
    accounts,
    siteId: () => site.id,
    secret: runtime.secret,
    addressSaltDays: config.ipHashSaltDays,
    postingLimit,
    setThreadStatus: (input) => setModeratedThreadStatus(moderationCtx, input),
    // Discussion never reads statements: the composition root tells it which thread a slug has.
    resolveStatementThread: (siteId, slug) =>
      getPublishedStatement({ ...runtime, discussion: discussionApi }, { siteId, slug }).then(
        ({ thread }) => thread.id,
        (error: unknown) => {
          if (error instanceof NotFoundError) return undefined;
          throw error;
        },
      ),
  });
  // Moderation's API (the queue, actions, bans, audit log, rules; readers' reports) and the
  // moderators' digest, run every minute.
  registerModerationRoutes(app, {
    ctx: moderationCtx,
    siteId: () => site.id,
    secret: runtime.secret,
    addressSaltDays: config.ipHashSaltDays,
  });
  // The moderators' pages (queue, audit log, rules, bans) and readers' report forms.
  registerModerationPages(app, {
    ctx: moderationCtx,
    accounts,
    page,
    siteId: () => site.id,
    secret: runtime.secret,
    addressSaltDays: config.ipHashSaltDays,
  });
  const stopDigest = startDigestTimer(moderationCtx, () => site.id);
  app.addHook('onClose', async () => stopDigest());
  // One cache of rendered threads, for the statement pages and the embed's frame alike.
  const discussionPages = createDiscussionPages({
    ctx: discussionContext(runtime, discussionSettings),
    secret: runtime.secret,
    addressSaltDays: config.ipHashSaltDays,
    renderVersion: runtime.version,
  });
  // The home page, the statement pages with their discussion, and the statements API.
  registerStatementRoutes(app, {
    ctx: statementsContext(runtime, discussionSettings),
    page,
    siteId: () => site.id,
    siteName: () => site.name,
    discussion: discussionPages,
    baseUrl: config.baseUrl,
    postingLimit,
  });
  // The members' statement pages: list, editor, history, comments, review, signatures.
  const statementPages = {
    ctx: statementsContext(runtime, discussionSettings),
    page,
    siteId: () => site.id,
    siteName: () => site.name,
    baseUrl: config.baseUrl,
  };
  registerStatementAdminRoutes(app, statementPages);
  registerStatementReviewRoutes(app, statementPages);
  registerSignatureRoutes(app, statementPages);
  // The statements JSON API: drafting, review, publication, co-signatures.
  registerStatementApi(app, {
    ctx: statementsContext(runtime, discussionSettings),
    siteId: () => site.id,
  });
  // The link mailed to a new co-signatory: a page with a button that confirms the signature.
  registerSignatureLinkRoutes(app, { ctx: statementsContext(runtime, discussionSettings), page });
  // Atom feeds of threads, and the embed widget (its script, its frame, its admin page).
  registerThreadFeedRoutes(app, {
    ctx: discussionApi,
    baseUrl: config.baseUrl,
    siteName: () => site.name,
  });
  registerEmbedRoutes(app, {
    discussion: discussionApi,
    accounts,
    page,
    siteId: () => site.id,
    siteName: () => site.name,
    secret: runtime.secret,
    baseUrl: config.baseUrl,
    renderVersion: runtime.version,
    discussionPages,
    postingLimit,
  });

  // Personal-data requests: export and erasure of one address (interchange).
  registerPersonRoutes(app, { ctx: runtime, page });

  await app.ready();
  return { app, site };
}
