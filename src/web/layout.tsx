/** The frame around every page: header with the site's name and navigation, main, footer. */
import type { ComponentChildren } from 'preact';
import type { AssetLinks } from './assets.js';
import type { HeadMeta, PageContext } from './page.js';

export function Layout(props: {
  title: string;
  siteName: string;
  ctx: PageContext | undefined;
  assets: AssetLinks | undefined;
  bodyClass?: string;
  head?: HeadMeta;
  children: ComponentChildren;
}) {
  const { ctx, assets } = props;
  const fullTitle =
    props.title === props.siteName ? props.title : `${props.title} · ${props.siteName}`;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{fullTitle}</title>
        {/* No icon yet: an empty one stops browsers requesting /favicon.ico (a 404) on every page. */}
        <link rel="icon" href="data:," />
        {props.head && <HeadTags head={props.head} />}
        {assets?.styles.map((href) => (
          <link rel="stylesheet" href={href} key={href} />
        ))}
        {assets?.scripts.map((src) => (
          <script type="module" src={src} key={src} />
        ))}
      </head>
      <body class={props.bodyClass}>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <div class="wrap">
            <a class="site-name" href="/">
              {props.siteName}
            </a>
            {ctx && <SiteNav ctx={ctx} />}
          </div>
        </header>
        <main id="main" class="wrap">
          {props.children}
        </main>
        <footer class="site-footer">
          <div class="wrap">Published with Broadside</div>
        </footer>
      </body>
    </html>
  );
}

/** A page's description, canonical address, feeds and Open Graph properties. */
function HeadTags({ head }: { head: HeadMeta }) {
  return (
    <>
      {head.description && <meta name="description" content={head.description} />}
      {head.canonical && <link rel="canonical" href={head.canonical} />}
      {head.robots && <meta name="robots" content={head.robots} />}
      {head.alternates?.map((alternate) => (
        <link
          rel="alternate"
          type={alternate.type}
          href={alternate.href}
          title={alternate.title}
          key={alternate.href}
        />
      ))}
      {head.openGraph?.map(([property, content]) => (
        <meta property={property} content={content} key={`${property}=${content}`} />
      ))}
    </>
  );
}

function SiteNav({ ctx }: { ctx: PageContext }) {
  const viewer = ctx.viewer;
  if (!viewer) {
    const next =
      ctx.path === '/' || ctx.path.startsWith('/signin')
        ? ''
        : `?next=${encodeURIComponent(ctx.path)}`;
    return (
      <nav aria-label="Account">
        <a href={`/signin${next}`}>Sign in</a>
      </nav>
    );
  }
  return (
    <nav aria-label="Account" class="account-nav">
      {viewer.adminNav.length > 0 && <a href="/admin">Admin</a>}
      <a href="/admin/account">{viewer.name}</a>
      <form method="post" action="/signout" class="inline-form">
        <input type="hidden" name="_csrf" value={ctx.csrfToken} />
        <button type="submit" class="link-button">
          Sign out
        </button>
      </form>
    </nav>
  );
}
