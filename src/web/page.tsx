/**
 * Rendering whole pages: the shared layout around a capability's content, with what every page
 * needs (the site's name, who is signed in, the assets, a CSRF token made only when a form asks).
 */
import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AssetLinks } from './assets.js';
import { Layout } from './layout.js';

export interface AdminNavItem {
  href: string;
  label: string;
}

export interface Viewer {
  name: string;
  email: string;
  role: string;
  /** The admin pages this viewer may open; empty for none. */
  adminNav: AdminNavItem[];
}

export interface PageContext {
  siteName: string;
  viewer: Viewer | undefined;
  /** Generated on first read (it sets a cookie), so pages without forms stay cacheable. */
  readonly csrfToken: string;
  /** The path being shown, e.g. to come back to after signing in. */
  path: string;
}

/** What a page adds to `<head>` besides its title: for search engines, feed readers, link previews. */
export interface HeadMeta {
  description?: string;
  /** The page's canonical address (a path, resolved against the page like every link). */
  canonical?: string;
  robots?: string;
  /** E.g. the Atom feed: `{ type: 'application/atom+xml', href, title }`. */
  alternates?: { type: string; href: string; title: string }[];
  /** Open Graph properties in order, e.g. `['og:title', '…']` (a property may repeat). */
  openGraph?: [property: string, content: string][];
}

export interface PageContent {
  title: string;
  body: (ctx: PageContext) => VNode;
  head?: HeadMeta;
  /** Extra classes on <body>, e.g. the admin shell's. */
  bodyClass?: string;
  status?: number;
}

export interface PageRenderer {
  context(request: FastifyRequest, reply: FastifyReply): PageContext;
  send(request: FastifyRequest, reply: FastifyReply, content: PageContent): FastifyReply;
  /** A bare page with no request (error pages). */
  renderStatic(title: string, body: VNode): string;
}

export function createPageRenderer(options: {
  siteName: () => string;
  viewerOf: (request: FastifyRequest) => Viewer | undefined;
  assets: AssetLinks | undefined;
}): PageRenderer {
  const document = (
    title: string,
    body: ComponentChildren,
    ctx: PageContext | undefined,
    bodyClass?: string,
    head?: HeadMeta,
  ) =>
    '<!doctype html>' +
    renderToString(
      <Layout
        title={title}
        siteName={options.siteName()}
        ctx={ctx}
        assets={options.assets}
        bodyClass={bodyClass}
        head={head}
      >
        {body}
      </Layout>,
    );

  const context = (request: FastifyRequest, reply: FastifyReply): PageContext => {
    let token: string | undefined;
    return {
      siteName: options.siteName(),
      viewer: options.viewerOf(request),
      path: request.url,
      get csrfToken() {
        token ??= reply.generateCsrf();
        return token;
      },
    };
  };

  return {
    context,
    send(request, reply, content) {
      const ctx = context(request, reply);
      const html = document(content.title, content.body(ctx), ctx, content.bodyClass, content.head);
      if (ctx.viewer) reply.header('cache-control', 'private, no-store');
      return reply
        .status(content.status ?? 200)
        .type('text/html; charset=utf-8')
        .send(html);
    },
    renderStatic(title, body) {
      return document(title, body, undefined);
    },
  };
}

/** The hidden field every form carries. */
export function CsrfField({ ctx }: { ctx: PageContext }) {
  return <input type="hidden" name="_csrf" value={ctx.csrfToken} />;
}
