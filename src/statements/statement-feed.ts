/**
 * The Atom 1.0 feed of a site's statements (`/statements.atom`), newest first, at most 50. Feed
 * readers key entries by id and replace an entry whose `updated` moved, so a correction is the
 * same entry with the corrected text, a later `updated` and a note saying when it was corrected;
 * a withdrawal is the same entry again, its title marked "Withdrawn" and its content led by the
 * reason. Pure, apart from {@link sendStatementFeed} which answers a request with it.
 *
 * Entry ids are `tag:` URIs (RFC 4151) of the site's host, the first publication date and the
 * statement's id, so they survive a slug changing and never change on a correction.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Feed } from 'feed';
import { ifNoneMatchHolds } from '../platform/http/conditional.js';
import { formatDate } from '../web/format.js';

export const STATEMENT_FEED_LIMIT = 50;
const ATOM_CONTENT_TYPE = 'application/atom+xml; charset=utf-8';

/** A published (or once published, now withdrawn) statement as the feed shows it. */
export interface FeedStatement {
  id: string;
  slug: string;
  title: string;
  subtitle: string | undefined;
  /** The published revision's HTML (the corrected text after a correction). */
  html: string;
  authorName: string;
  /** First publication. */
  publishedAt: Date;
  /** The latest correction, if any. */
  correctedAt: Date | undefined;
  withdrawn: { at: Date; reason: string } | undefined;
}

export interface StatementFeedInput {
  statements: readonly FeedStatement[];
  siteName: string;
  /** The site's public address, e.g. `https://example.org/`. */
  baseUrl: URL;
}

// Everything XML 1.0 allows in a document; anything else makes the whole feed unreadable.
const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;
const xmlSafe = (text: string) => text.replace(NOT_XML, '');
/** See discussion/feed.ts: the `feed` package un-escapes `&amp;` once before escaping. */
const plainText = (text: string) => xmlSafe(text).replace(/&/g, '&amp;');
/** For type="html" elements, written as CDATA by `feed`: no `]]>` may end it early. */
const htmlPayload = (html: string) => xmlSafe(html).replace(/]]>/g, ']]&gt;');
const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const tagUri = (host: string, date: Date, specific: string) =>
  `tag:${host},${date.toISOString().slice(0, 10)}:${specific}`;

/** When an entry last changed: withdrawn, else corrected, else published. */
export function entryUpdated(statement: FeedStatement): Date {
  return statement.withdrawn?.at ?? statement.correctedAt ?? statement.publishedAt;
}

function entryContent(statement: FeedStatement): string {
  const notes: string[] = [];
  if (statement.withdrawn) {
    notes.push(
      `<p><strong>Withdrawn on ${formatDate(statement.withdrawn.at)}.</strong> ${escapeHtml(statement.withdrawn.reason)}</p>`,
    );
  }
  if (statement.correctedAt) {
    notes.push(`<p><em>Corrected on ${formatDate(statement.correctedAt)}.</em></p>`);
  }
  const subtitle = statement.subtitle ? `<p><em>${escapeHtml(statement.subtitle)}</em></p>` : '';
  return [...notes, subtitle, statement.html].join('\n');
}

/** The feed's XML. Entries newest first by first publication. */
export function statementFeed(input: StatementFeedInput): string {
  const host = input.baseUrl.hostname;
  const siteUrl = input.baseUrl.href;
  const feedUrl = new URL('statements.atom', input.baseUrl).href;
  const statements = [...input.statements]
    .sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime() || (a.id < b.id ? 1 : -1))
    .slice(0, STATEMENT_FEED_LIMIT);
  const updated = statements.reduce<Date | undefined>((latest, statement) => {
    const at = entryUpdated(statement);
    return latest === undefined || at > latest ? at : latest;
  }, undefined);

  const feed = new Feed({
    id: tagUri(host, new Date(0), 'statements'),
    title: plainText(`Statements · ${input.siteName}`),
    updated: updated ?? new Date(0),
    link: siteUrl,
    feed: feedUrl,
    author: { name: plainText(input.siteName) },
    generator: 'Broadside',
  });
  for (const statement of statements) {
    const title = statement.withdrawn ? `Withdrawn: ${statement.title}` : statement.title;
    feed.addItem({
      id: tagUri(host, statement.publishedAt, `statement:${statement.id}`),
      title: htmlPayload(escapeHtml(title)),
      link: new URL(`s/${statement.slug}`, input.baseUrl).href,
      date: entryUpdated(statement),
      published: statement.publishedAt,
      author: [{ name: plainText(statement.authorName) }],
      ...(statement.subtitle && { description: htmlPayload(escapeHtml(statement.subtitle)) }),
      content: htmlPayload(entryContent(statement)),
    });
  }
  return feed.atom1();
}

/**
 * Answers with the feed: `ETag` from `stamp` (a fingerprint of the statements in it, which the
 * caller makes from their ids and last changes without loading their text), so a reader polling
 * an unchanged site gets `304 Not Modified` and the texts are loaded only for a new answer.
 */
export async function sendStatementFeed(
  request: FastifyRequest,
  reply: FastifyReply,
  input: {
    siteName: string;
    baseUrl: URL;
    stamp: string;
    load: () => Promise<readonly FeedStatement[]>;
  },
): Promise<FastifyReply> {
  const fingerprint = createHash('sha256')
    .update(`${input.siteName}\n${input.baseUrl.href}\n${input.stamp}`)
    .digest('base64url')
    .slice(0, 16);
  const etag = `"statements-${fingerprint}"`;
  reply.header('etag', etag).header('cache-control', 'public, max-age=60');
  if (ifNoneMatchHolds(request.headers['if-none-match'], etag)) return reply.status(304).send();
  const statements = await input.load();
  return reply
    .type(ATOM_CONTENT_TYPE)
    .send(statementFeed({ statements, siteName: input.siteName, baseUrl: input.baseUrl }));
}
