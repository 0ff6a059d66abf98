/**
 * Routes of the embed widget:
 * - `GET /embed.js` — the script other sites include (built by Vite, short cache);
 * - `GET /embed/thread?url=…` — the frame: the discussion of the page at `url` (its query string
 *   dropped unless the site keeps it), opened on its first view when that page's origin is on the
 *   allow-list, and titled after its address; `GET /embed/threads/:threadId` — the same
 *   frame for the frame's own links (pages, sort, after a post);
 * - `POST /embed/threads/:threadId/comments` — the frame's comment forms;
 * - `GET /admin/embed` and its two forms — the allow-list, for owners (`settings.manage`).
 *
 * Two decisions worth knowing:
 * - Framing. Every page of the site says `frame-ancestors 'none'`; a frame response says
 *   `frame-ancestors <the page's origin>` instead, and only when that origin is allowed. That header
 *   is the real enforcement: `url` can be forged, but a browser shows the frame only inside a page
 *   on the origin named. A refusal may be framed by the origin it refuses, so that its owner sees why.
 * - Forgery. Inside a cross-site frame the browser sends no SameSite cookie, so the usual CSRF
 *   token (tied to a cookie) cannot work. The comment form's route instead takes the browser's word
 *   (`config: { csrf: 'same-origin' }`: `Origin` must be this server, and `Sec-Fetch-Site`
 *   `same-origin`), which no other site can forge from a browser, plus a signed token that ties the
 *   form to its thread and expires (embed-model.ts). The frame sets no cookie itself, and answers
 *   with `Referrer-Policy: same-origin` (the site's `no-referrer` would make browsers send
 *   `Origin: null`). A member whose session cookie does arrive (an embed on the same site) posts as
 *   themselves, as on the site's own pages; the Origin check makes that as safe as the token.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { Type } from 'typebox';
import { requirePermission } from '../accounts/auth.js';
import type { AccountsContext } from '../accounts/service.js';
import { AppError } from '../platform/errors.js';
import { ifNoneMatchHolds } from '../platform/http/conditional.js';
import type { HttpServer, SharedRateLimit } from '../platform/http/server.js';
import { allowFramingBy } from '../platform/http/server.js';
import { publicDir, readManifest } from '../web/assets.js';
import type { PageContext, PageRenderer } from '../web/page.js';
import { issueEmbedFormToken } from './embed-model.js';
import type { EmbedContext, EmbeddedThread } from './embed-service.js';
import {
  addEmbedOrigin,
  embeddedThreadById,
  listEmbedOrigins,
  openEmbeddedThread,
  removeEmbedOrigin,
  requireEmbedFormToken,
} from './embed-service.js';
import { AdminEmbedPage, EmbedRefusal, FrameFooter, renderFrameDocument } from './embed-views.js';
import type { FrameAssets } from './embed-views.js';
import { threadFeedUrl } from './feed.js';
import type { DiscussionPages } from './pages.js';
import { CommentFormBody, DiscussionQuery, createDiscussionPages, viewOf } from './pages.js';
import type { DiscussionContext } from './service.js';
import { getThread } from './service.js';
import type { DiscussionView, FormProblem } from './views.js';
import { DiscussionSection } from './views.js';

export interface EmbedRoutesDeps {
  discussion: DiscussionContext;
  accounts: AccountsContext;
  page: PageRenderer;
  siteId: () => string;
  siteName: () => string;
  /** The server's secret: signs the frame's form tokens. */
  secret: string;
  /** The site's public address, for the snippet and feed links. */
  baseUrl: URL;
  /** Changes with every release (the rendered-thread cache's key). */
  renderVersion: string;
  /** The statement pages' renderer, to share its cache; without it the embed makes its own. */
  discussionPages?: DiscussionPages;
  /** Where the built browser assets are (dist/public unless told). */
  assetsDir?: string;
  /** The limit on new comments per client address, shared with the API and the statement page. */
  postingLimit: SharedRateLimit;
}

const EMBED_SCRIPT_ENTRY = 'src/web/client/embed.ts';
const FRAME_SCRIPT_ENTRY = 'src/web/client/embed-frame.ts';
const MAIN_ENTRY = 'src/web/client/main.ts';

/** Site owners' pages pick up a new embed.js within this many seconds. */
const EMBED_SCRIPT_MAX_AGE = 300;

const framePath = (threadId: string) => `/embed/threads/${encodeURIComponent(threadId)}`;

interface EmbedScript {
  body: Buffer;
  etag: string;
}

/** The built embed script and the frame's assets, found through Vite's manifest. */
function loadEmbedAssets(dir: string): { script: EmbedScript | undefined; frame: FrameAssets } {
  const manifest = readManifest(dir);
  const frame: FrameAssets = { styles: [], scripts: [] };
  if (!manifest) return { script: undefined, frame };
  for (const name of [MAIN_ENTRY, FRAME_SCRIPT_ENTRY]) {
    frame.styles.push(...(manifest[name]?.css ?? []).map((css) => `/${css}`));
  }
  const frameScript = manifest[FRAME_SCRIPT_ENTRY];
  if (frameScript) frame.scripts.push(`/${frameScript.file}`);
  const entry = manifest[EMBED_SCRIPT_ENTRY];
  if (!entry) return { script: undefined, frame };
  const body = readFileSync(path.join(dir, entry.file));
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
  return { script: { body, etag }, frame };
}

const PageUrlQuery = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2000 }),
  /**
   * The embedding page's title, which embed.js sends. Ignored: anyone can send any title for any
   * page, so a thread is titled after its address (embed-model.ts, `embedThreadTitle`).
   */
  title: Type.Optional(Type.String({ maxLength: 1000 })),
  ...DiscussionQuery.properties,
});

const ThreadParams = Type.Object({ threadId: Type.String({ minLength: 1, maxLength: 100 }) });
const OriginForm = Type.Object({
  origin: Type.String({ maxLength: 1000, default: '' }),
  _csrf: Type.Optional(Type.String()),
});

export function registerEmbedRoutes(app: HttpServer, deps: EmbedRoutesDeps): void {
  const embed: EmbedContext = {
    discussion: deps.discussion,
    accounts: deps.accounts,
    secret: deps.secret,
  };
  const pages =
    deps.discussionPages ??
    createDiscussionPages({
      ctx: deps.discussion,
      secret: deps.secret,
      renderVersion: deps.renderVersion,
      cacheBytes: 16 * 1024 * 1024,
    });
  const assets = loadEmbedAssets(deps.assetsDir ?? publicDir());
  const hidden = { hide: true } as const;

  // --- the script site owners include ---------------------------------------------------------

  app.get('/embed.js', { schema: hidden }, async (request, reply) => {
    const script = assets.script;
    if (!script) {
      throw new AppError(
        503,
        'assets-not-built',
        'The embed script has not been built: run `npm run build`.',
      );
    }
    reply
      .header('cache-control', `public, max-age=${EMBED_SCRIPT_MAX_AGE}`)
      .header('etag', script.etag)
      // Loaded by pages on other origins, which a `same-origin` resource policy would refuse.
      .header('cross-origin-resource-policy', 'cross-origin');
    if (ifNoneMatchHolds(request.headers['if-none-match'], script.etag))
      return reply.status(304).send();
    return reply.type('text/javascript; charset=utf-8').send(script.body);
  });

  // --- the frame ------------------------------------------------------------------------------

  function sendRefusal(reply: FastifyReply, refused: Extract<EmbeddedThread, { kind: 'refused' }>) {
    if (refused.claimedOrigin) allowFramingBy(reply, [refused.claimedOrigin]);
    reply.header('cache-control', 'no-store');
    const html = renderFrameDocument({
      title: 'Comments not available',
      siteName: deps.siteName(),
      embedder: refused.claimedOrigin,
      assets: assets.frame,
      children: EmbedRefusal({ siteName: deps.siteName(), claimedOrigin: refused.claimedOrigin }),
    });
    return reply.status(403).type('text/html; charset=utf-8').send(html);
  }

  async function showFrame(
    request: FastifyRequest,
    reply: FastifyReply,
    embedded: EmbeddedThread,
    options: { view: DiscussionView; heldId?: string; problem?: FormProblem; status?: number },
  ) {
    if (embedded.kind === 'refused') return sendRefusal(reply, embedded);
    const { thread, embedder } = embedded;
    allowFramingBy(reply, [embedder]);
    // With the site's `no-referrer`, browsers send `Origin: null` with the frame's form posts, which
    // the same-origin check must refuse; `same-origin` still tells other sites nothing.
    reply.header('referrer-policy', 'same-origin');
    const section = await pages.show(request, reply, {
      thread,
      basePath: framePath(thread.id),
      view: options.view,
      pageStamp: `embed-${createHash('sha256').update(embedder).digest('hex').slice(0, 8)}`,
      heldId: options.heldId,
      problem: options.problem,
    });
    if (!section) return reply; // 304: the viewer's copy is current
    // The frame's forms carry the embed's own token in place of the cookie-bound CSRF token.
    const token = issueEmbedFormToken(deps.secret, thread.id, deps.discussion.clock.now());
    const ctx: PageContext = {
      siteName: deps.siteName(),
      viewer: undefined,
      path: request.url,
      csrfToken: token,
    };
    const html = renderFrameDocument({
      title: thread.title,
      siteName: deps.siteName(),
      embedder,
      assets: assets.frame,
      children: [
        h(DiscussionSection, section(ctx)),
        FrameFooter({
          siteName: deps.siteName(),
          feedHref: threadFeedUrl(deps.baseUrl, thread.id),
        }),
      ],
    });
    return reply
      .status(options.status ?? 200)
      .type('text/html; charset=utf-8')
      .send(html);
  }

  app.get(
    '/embed/thread',
    { schema: { ...hidden, querystring: PageUrlQuery }, onSend: pages.onSend },
    async (request, reply) => {
      const { url, held } = request.query;
      const embedded = await openEmbeddedThread(embed, { siteId: deps.siteId(), pageUrl: url });
      return showFrame(request, reply, embedded, { view: viewOf(request.query), heldId: held });
    },
  );

  app.get(
    '/embed/threads/:threadId',
    {
      schema: { ...hidden, params: ThreadParams, querystring: DiscussionQuery },
      onSend: pages.onSend,
    },
    async (request, reply) => {
      const thread = await getThread(deps.discussion, request.params.threadId);
      const embedded = await embeddedThreadById(embed, { siteId: deps.siteId(), thread });
      return showFrame(request, reply, embedded, {
        view: viewOf(request.query),
        heldId: request.query.held,
      });
    },
  );

  app.post(
    '/embed/threads/:threadId/comments',
    {
      schema: { ...hidden, params: ThreadParams, body: CommentFormBody },
      onSend: pages.onSend,
      onRequest: deps.postingLimit,
      config: { csrf: 'same-origin', rateLimit: false },
    },
    async (request, reply) => {
      const form = request.body;
      const thread = await getThread(deps.discussion, request.params.threadId);
      const embedded = await embeddedThreadById(embed, { siteId: deps.siteId(), thread });
      if (embedded.kind === 'refused') return sendRefusal(reply, embedded);
      try {
        requireEmbedFormToken(embed, { threadId: thread.id, token: form._csrf });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const values = {
          name: form.name,
          email: form.email,
          website: form.website,
          body: form.body,
        };
        const parentId = form.parentId?.trim() || undefined;
        return showFrame(request, reply, embedded, {
          view: viewOf(form),
          status: error.status,
          problem: { parentId, message: error.message, values },
        });
      }
      const outcome = await pages.post(request, { thread, basePath: framePath(thread.id), form });
      if (outcome.kind === 'posted') return reply.redirect(outcome.location, 303);
      return showFrame(request, reply, embedded, {
        view: outcome.view,
        status: outcome.status,
        problem: outcome.problem,
      });
    },
  );

  // --- the allow-list -------------------------------------------------------------------------

  const manage = requirePermission('settings.manage');
  const snippet = () =>
    `<script src="${new URL('embed.js', deps.baseUrl).href}" data-broadside async></script>\n` +
    '<div id="broadside-thread"></div>';

  async function sendAdminPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { notice?: string; problem?: string; value?: string; status?: number },
  ) {
    const origins = await listEmbedOrigins(deps.accounts, deps.siteId());
    return deps.page.send(request, reply, {
      title: 'Embedding',
      status: extra.status,
      body: (ctx) => AdminEmbedPage({ ctx, origins, snippet: snippet(), ...extra }),
    });
  }

  app.get(
    '/admin/embed',
    {
      schema: {
        ...hidden,
        querystring: Type.Object({
          added: Type.Optional(Type.String({ maxLength: 300 })),
          removed: Type.Optional(Type.String({ maxLength: 300 })),
        }),
      },
      preHandler: manage,
    },
    async (request, reply) => {
      const { added, removed } = request.query;
      const notice =
        added !== undefined
          ? `Pages on ${added} may now embed discussions.`
          : removed !== undefined
            ? `Pages on ${removed} may no longer embed discussions.`
            : undefined;
      return sendAdminPage(request, reply, { notice });
    },
  );

  app.post(
    '/admin/embed/origins',
    { schema: { ...hidden, body: OriginForm }, preHandler: manage },
    async (request, reply) => {
      try {
        const { origin } = await addEmbedOrigin(deps.accounts, {
          siteId: deps.siteId(),
          origin: request.body.origin,
        });
        return reply.redirect(`/admin/embed?added=${encodeURIComponent(origin)}`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        return sendAdminPage(request, reply, {
          problem: error.message,
          value: request.body.origin,
          status: error.status,
        });
      }
    },
  );

  app.post(
    '/admin/embed/origins/remove',
    { schema: { ...hidden, body: OriginForm }, preHandler: manage },
    async (request, reply) => {
      await removeEmbedOrigin(deps.accounts, {
        siteId: deps.siteId(),
        origin: request.body.origin,
      });
      return reply.redirect(`/admin/embed?removed=${encodeURIComponent(request.body.origin)}`, 303);
    },
  );
}
