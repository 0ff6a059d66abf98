/**
 * The embed widget's pages: the document inside the frame (no site header or footer, as tall as
 * its content; the discussion itself is the shared `views.tsx` rendering), the refusal shown when
 * the page is not allowed to embed, and the admin page that keeps the allow-list.
 */
import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { AdminShell } from '../web/admin-shell.js';
import type { PageContext } from '../web/page.js';
import { CsrfField } from '../web/page.js';

export interface FrameAssets {
  styles: string[];
  scripts: string[];
}

/** The whole document of the frame; `embedder` is the only origin its height is reported to. */
export function renderFrameDocument(props: {
  title: string;
  siteName: string;
  embedder: string | undefined;
  assets: FrameAssets;
  children: ComponentChildren;
}): string {
  return (
    '<!doctype html>' +
    renderToString(
      <html lang="en" class="embed-frame" data-embedder={props.embedder}>
        <head>
          <meta charSet="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title>{`${props.title} · ${props.siteName}`}</title>
          <link rel="icon" href="data:," />
          {props.assets.styles.map((href) => (
            <link rel="stylesheet" href={href} key={href} />
          ))}
          {props.assets.scripts.map((src) => (
            <script type="module" src={src} key={src} />
          ))}
        </head>
        <body>
          <div id="embed-root" class="embed">
            {props.children}
          </div>
        </body>
      </html>,
    )
  );
}

/** Below the discussion: its feed and who serves it. */
export function FrameFooter(props: { siteName: string; feedHref: string }) {
  return (
    <p class="embed-footer">
      <a href={props.feedHref} target="_blank" rel="noopener">
        Comments feed (Atom)
      </a>{' '}
      · Discussion hosted by {props.siteName}
    </p>
  );
}

/** Shown in the frame when the page around it is not on the site's allow-list. */
export function EmbedRefusal(props: {
  siteName: string;
  claimedOrigin: string | undefined;
}): VNode {
  return (
    <section class="embed-refusal" aria-labelledby="refusal-title">
      <h2 id="refusal-title" class="embed-count">
        Comments are not available here
      </h2>
      <p class="embed-problem" role="alert">
        {props.claimedOrigin
          ? `${props.claimedOrigin} is not one of the sites allowed to show discussions from ${props.siteName}.`
          : `This page is not one of those allowed to show discussions from ${props.siteName}.`}
      </p>
      <p>
        If this is your site, an owner of {props.siteName} can allow it on the admin page
        “Embedding”.
      </p>
    </section>
  );
}

// --- the admin page ------------------------------------------------------------------------

export function AdminEmbedPage(props: {
  ctx: PageContext;
  origins: readonly string[];
  /** The HTML a site owner pastes into their pages. */
  snippet: string;
  notice?: string;
  problem?: string;
  /** What was typed, shown again with the problem. */
  value?: string;
}) {
  const { ctx, origins } = props;
  return (
    <AdminShell ctx={ctx} heading="Embedding">
      <p>
        Pages on the sites listed here may show their own discussion with the snippet below. A page
        on any other site gets no discussion: browsers refuse to show the frame there.
      </p>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <h2 id="origins-title">Allowed sites</h2>
      {origins.length === 0 ? (
        <p class="empty-state">No site may embed discussions yet.</p>
      ) : (
        <ul class="origin-list" aria-labelledby="origins-title">
          {origins.map((origin) => (
            <li key={origin}>
              <code>{origin}</code>{' '}
              <form method="post" action="/admin/embed/origins/remove" class="inline-form">
                <CsrfField ctx={ctx} />
                <input type="hidden" name="origin" value={origin} />
                <button type="submit" class="link-button">
                  Remove<span class="visually-hidden"> {origin}</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <h2>Allow a site</h2>
      {props.problem && (
        <p class="alert" role="alert">
          {props.problem}
        </p>
      )}
      <form method="post" action="/admin/embed/origins" class="stacked">
        <CsrfField ctx={ctx} />
        <label>
          Origin <span class="hint">scheme and host, e.g. https://blog.example.org</span>
          <input
            type="url"
            name="origin"
            required
            maxLength={300}
            placeholder="https://"
            value={props.value ?? ''}
          />
        </label>
        <button type="submit">Allow</button>
      </form>
      <h2>The snippet</h2>
      <p>Put this where the discussion should appear on a page of an allowed site:</p>
      <pre>
        <code id="embed-snippet">{props.snippet}</code>
      </pre>
      <button type="button" data-copy="embed-snippet" hidden>
        Copy
      </button>
    </AdminShell>
  );
}
