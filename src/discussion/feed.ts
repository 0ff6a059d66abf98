/**
 * The Atom 1.0 feed of a thread's public comments, newest first, at most 50: `threadFeed` makes
 * the document (pure), `sendThreadFeed` answers a request with it (ETag from the thread's version,
 * 304 when unchanged), and `registerThreadFeedRoutes` serves `/threads/:threadId/comments.atom`.
 * Statement pages (`/s/:slug/comments.atom`) belong to statements, which call `sendThreadFeed`.
 *
 * Surprises worth knowing: entry and feed ids are `tag:` URIs (RFC 4151) made of the site's host,
 * a date and the database id, so they survive a statement's slug changing; entry titles are of
 * type html (the `feed` package's choice) and so are HTML-escaped here; authors' e-mail addresses
 * never appear; text that XML 1.0 cannot carry (control characters, broken surrogates) is dropped.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Feed } from 'feed';
import { Type } from 'typebox';
import { NotFoundError } from '../platform/errors.js';
import { ifNoneMatchHolds } from '../platform/http/conditional.js';
import type { HttpServer } from '../platform/http/server.js';
import type { DiscussionContext } from './service.js';
import * as service from './service.js';
import type { Comment, Thread } from './store.js';

/** The most entries a feed carries: feed readers poll, and only want what is new. */
export const FEED_ENTRY_LIMIT = 50;

export const ATOM_CONTENT_TYPE = 'application/atom+xml; charset=utf-8';

export interface ThreadFeedInput {
  thread: Thread;
  /** The thread's comments; only approved ones are used, newest first, at most 50. */
  comments: readonly Comment[];
  /** Where the thread is read: entries link to `pageUrl#comment-<id>`. */
  pageUrl: string;
  /** Where this feed is served (its `rel="self"` link). */
  feedUrl: string;
  siteName: string;
}

// Everything XML 1.0 allows in a document; anything else makes the whole feed unreadable.
const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

function xmlSafe(text: string): string {
  return text.replace(NOT_XML, '');
}

/**
 * For the `feed` package's plain-text elements: it turns `&amp;` back into `&` before escaping
 * (so that already-escaped text is not escaped twice), which would lose a literal "&amp;" in a
 * name; escaping every `&` first makes that step give back exactly the text.
 */
function plainText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;');
}

/**
 * For elements of type html, which the `feed` package writes as CDATA: escaped as HTML, and with
 * no `]]>` (which would end the CDATA section early; `]]&gt;` is the same HTML).
 */
function htmlPayload(html: string): string {
  return xmlSafe(html).replace(/]]>/g, ']]&gt;');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `tag:host,YYYY-MM-DD:specific` (RFC 4151), stable for as long as the site keeps its host. */
function tagUri(host: string, date: Date, specific: string): string {
  return `tag:${host},${date.toISOString().slice(0, 10)}:${specific}`;
}

/** The author's name as the feed can carry it (an imported name may be nothing but noise). */
function authorNameOf(comment: Comment): string {
  return xmlSafe(comment.authorName).trim() || 'Anonymous';
}

/** "Comment 3 by Ann", "Reply by Bob": plain text. */
export function entryTitle(comment: Comment): string {
  const name = authorNameOf(comment);
  if (comment.parentId !== undefined) return `Reply by ${name}`;
  if (comment.number !== undefined) return `Comment ${comment.number} by ${name}`;
  return `Comment by ${name}`;
}

/** The permalink of a comment on the page its thread is read on. */
export function commentPermalink(pageUrl: string, commentId: string): string {
  const url = new URL(pageUrl);
  url.hash = `comment-${commentId}`;
  return url.href;
}

const timeOf = (comment: Comment) => comment.editedAt ?? comment.createdAt;

/** The Atom 1.0 document of a thread's newest public comments. */
export function threadFeed(input: ThreadFeedInput): string {
  const { thread } = input;
  const host = new URL(input.feedUrl).hostname;
  const comments = input.comments
    .filter((comment) => comment.status === 'approved')
    .sort(
      (a, b) =>
        b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    )
    .slice(0, FEED_ENTRY_LIMIT);
  const updated = comments.reduce(
    (latest, comment) => (timeOf(comment) > latest ? timeOf(comment) : latest),
    thread.updatedAt,
  );

  const feed = new Feed({
    id: tagUri(host, thread.createdAt, `thread:${thread.id}`),
    title: plainText(`Comments on “${thread.title}” · ${input.siteName}`),
    updated,
    link: input.pageUrl,
    feed: input.feedUrl,
    author: { name: plainText(input.siteName) },
    generator: 'Broadside',
  });
  for (const comment of comments) {
    const link = commentPermalink(input.pageUrl, comment.id);
    feed.addItem({
      id: tagUri(host, comment.createdAt, `comment:${comment.id}`),
      title: htmlPayload(escapeHtml(entryTitle(comment))),
      link,
      date: timeOf(comment),
      published: comment.createdAt,
      author: [
        {
          name: plainText(authorNameOf(comment)),
          ...(comment.authorUrl && { link: comment.authorUrl }),
        },
      ],
      content: htmlPayload(comment.html),
    });
  }
  return feed.atom1();
}

// --- serving it ----------------------------------------------------------------------------

export interface SendThreadFeedInput {
  ctx: DiscussionContext;
  thread: Thread;
  pageUrl: string;
  feedUrl: string;
  siteName: string;
}

/**
 * Answers with the thread's feed: `ETag` from the thread's version (bumped on every change) and
 * the addresses in it, `304 Not Modified` when the reader already has it.
 */
export async function sendThreadFeed(
  request: FastifyRequest,
  reply: FastifyReply,
  input: SendThreadFeedInput,
): Promise<FastifyReply> {
  const variant = createHash('sha256')
    .update(`${input.pageUrl}\n${input.feedUrl}\n${input.siteName}`)
    .digest('base64url')
    .slice(0, 10);
  const etag = `"atom-${input.thread.version}-${variant}"`;
  reply.header('etag', etag).header('cache-control', 'public, max-age=60');
  if (ifNoneMatchHolds(request.headers['if-none-match'], etag)) return reply.status(304).send();
  const comments = await service.listRecentComments(input.ctx, {
    threadId: input.thread.id,
    limit: FEED_ENTRY_LIMIT,
  });
  const xml = threadFeed({ ...input, comments });
  return reply.type(ATOM_CONTENT_TYPE).send(xml);
}

export interface ThreadFeedRoutesDeps {
  ctx: DiscussionContext;
  baseUrl: URL;
  siteName: () => string;
  /**
   * The page a statement's thread is read on (discussion does not know statements). Threads of
   * external pages (embeds) are read on their own page and need no help.
   */
  pageUrlOf?: (thread: Thread) => Promise<string | undefined>;
}

/** The address of a thread's generic feed. */
export function threadFeedUrl(baseUrl: URL, threadId: string): string {
  return new URL(`threads/${encodeURIComponent(threadId)}/comments.atom`, baseUrl).href;
}

/** `GET /threads/:threadId/comments.atom`: any thread's feed, by its id. */
export function registerThreadFeedRoutes(app: HttpServer, deps: ThreadFeedRoutesDeps): void {
  app.get(
    '/threads/:threadId/comments.atom',
    {
      schema: {
        tags: ['discussion'],
        summary: "Atom 1.0 feed of a thread's newest public comments",
        params: Type.Object({ threadId: Type.String({ minLength: 1, maxLength: 100 }) }),
        produces: ['application/atom+xml'],
      },
    },
    async (request, reply) => {
      const thread = await service.getThread(deps.ctx, request.params.threadId);
      const pageUrl = thread.url ?? (await deps.pageUrlOf?.(thread));
      if (pageUrl === undefined)
        throw new NotFoundError(
          `Thread ${thread.id} is not shown on any page yet, so it has no feed.`,
          'thread-not-found',
        );
      return sendThreadFeed(request, reply, {
        ctx: deps.ctx,
        thread,
        pageUrl,
        feedUrl: threadFeedUrl(deps.baseUrl, thread.id),
        siteName: deps.siteName(),
      });
    },
  );
}
