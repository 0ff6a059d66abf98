/**
 * Thin reads that only the statements' pages need, composed from the use cases: the editor's
 * preview (the very renderer and normalisation a saved revision gets), a revision's paragraphs as
 * HTML for internal comments, the public page's "Based in part on …" citation, and the statements
 * of the Atom feed with their text.
 */
import { renderMarkdown } from '../discussion/markdown.js';
import { UnprocessableError } from '../platform/errors.js';
import { STATEMENT_LIMITS } from './model.js';
import type { Citation } from './provenance.js';
import * as reviewStore from './review-store.js';
import { normaliseText, paragraphsOf } from './revisions.js';
import type { StatementsContext } from './service-support.js';
import { isPublic } from './service-support.js';
import * as store from './store.js';
import type { Statement } from './store.js';
import { getStatement, listPublishedStatements } from './service.js';
import type { FeedStatement } from './statement-feed.js';
import { STATEMENT_FEED_LIMIT } from './statement-feed.js';

/** The HTML a body would be published as: normalised, then rendered with headings allowed. */
export function previewBody(body: string): string {
  const text = normaliseText(body);
  const { max, code, label } = STATEMENT_LIMITS.body;
  if (text.length > max)
    throw new UnprocessableError(
      `The ${label} is ${text.length.toLocaleString('en')} characters long; the limit is ${max.toLocaleString('en')}.`,
      `${code}-too-long`,
    );
  return renderMarkdown(text, { headings: true });
}

/**
 * A body's paragraphs (as internal comments number them) rendered one by one. Reference-style
 * links defined in another paragraph show as text here; the page is for commenting, not reading.
 */
export function paragraphsHtml(body: string): { index: number; html: string }[] {
  return paragraphsOf(body).map((paragraph) => ({
    index: paragraph.index,
    html: renderMarkdown(paragraph.text, { headings: true }),
  }));
}

/**
 * The statements of the Atom feed: a fingerprint of the newest published (or withdrawn) ones,
 * from one list query, and a function that loads their public text when the feed must be sent.
 */
export async function feedStatements(
  ctx: StatementsContext,
  siteId: string,
): Promise<{ stamp: string; load: () => Promise<FeedStatement[]> }> {
  const list = await listPublishedStatements(ctx, siteId, { limit: STATEMENT_FEED_LIMIT });
  const stamp = list.items
    .map((item) => `${item.id}:${item.slug}:${item.updatedAt.toISOString()}`)
    .join('\n');
  const load = () =>
    Promise.all(
      list.items.map(async (item) => {
        const statement = await getStatement(ctx, { siteId, statementId: item.id });
        return {
          id: statement.id,
          slug: statement.slug,
          title: statement.title,
          subtitle: statement.subtitle,
          html: statement.html,
          authorName: statement.authorName,
          publishedAt: item.publishedAt,
          correctedAt: statement.correctedAt,
          withdrawn:
            statement.status === 'withdrawn' && statement.withdrawnAt
              ? { at: statement.withdrawnAt, reason: statement.withdrawnReason ?? '' }
              : undefined,
        };
      }),
    );
  return { stamp, load };
}

/**
 * What the public page cites as the statement's basis, the same citation as review-service's
 * `provenanceOf` with `publicOnly`, without the two word diffs that function also computes: the
 * public page, served on every read, needs only the words and the link. A basis the public may not
 * read (a draft of another statement) is not cited.
 */
export async function publicCitation(
  ctx: StatementsContext,
  statement: Pick<Statement, 'basedOn'>,
): Promise<Citation | undefined> {
  const basedOn = statement.basedOn;
  if (!basedOn) return undefined;
  if (basedOn.kind === 'source') {
    const source = await reviewStore.findSource(ctx.db, basedOn.sourceId);
    return (
      source && {
        kind: 'source',
        title: source.title,
        author: source.author,
        date: source.date,
        href: source.url,
      }
    );
  }
  const base = await store.findRevision(ctx.db, basedOn.revisionId);
  const owner = base && (await store.findStatement(ctx.db, base.statementId));
  if (!base?.publishedAt || !owner || !isPublic(owner, ctx.clock.now())) return undefined;
  return {
    kind: 'statement',
    title: base.title,
    author: owner.authorName,
    date: base.publishedAt.toISOString().slice(0, 10),
    href: `/s/${owner.slug}`,
  };
}
