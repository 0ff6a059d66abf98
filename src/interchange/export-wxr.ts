/**
 * `broadside export --format wxr`: the site's statements as WordPress posts — published ones with
 * their published revision's text and their whole comment tree, unpublished ones (draft, in
 * review, cleared) as WordPress drafts with their current revision's text — so that a site can move to WordPress (Tools → Import → WordPress). Read
 * in pages inside one snapshot and written as it is read; the only memory that grows is the map of
 * one thread's comment ids (WordPress numbers comments, and a reply names its parent's number).
 *
 * What WordPress has no place for stays behind (it is all in the Broadside archive): discussions of
 * other sites' pages, earlier revisions, approvals, internal comments and co-signatures, comments'
 * Markdown source, edit history, reply subscriptions, and
 * addresses (kept only as hashes). Removed comments go to WordPress's trash, empty, so that their
 * replies keep their place.
 */
import type { Clock } from '../platform/clock.js';
import { inReadSnapshot } from '../platform/database/snapshot.js';
import type { TextSink } from './text-sink.js';
import type { WxrAuthor } from './wxr-model.js';
import {
  assignLogins,
  WXR_ITEM_TAIL,
  WXR_TAIL,
  wxrComment,
  wxrHead,
  wxrItemHead,
} from './wxr-model.js';
import type { WxrDb } from './wxr-store.js';
import {
  countPageThreads,
  listStatements,
  listStatementAuthors,
  listThreadComments,
} from './wxr-store.js';

export interface ExportWxrInput {
  siteId: string;
  siteName: string;
  baseUrl: URL;
  /** The public address of a statement's page. */
  linkOf: (statement: { id: string; slug: string }) => string;
  /** E.g. `Broadside 0.1.0`. */
  generator: string;
  sink: TextSink;
  pageSize?: number;
  onProgress?: (progress: { posts: number; comments: number }) => void;
}

export interface WxrSummary {
  /** Posts written, drafts included. */
  posts: number;
  /** Of which drafts (statements never published). */
  drafts: number;
  comments: number;
  /** Discussions of other sites' pages, which WXR has no post for. */
  pageThreadsLeftOut: number;
}

const DEFAULT_PAGE_SIZE = 500;
const FLUSH_CHARACTERS = 64 * 1024;

const authorKey = (accountId: string | undefined, name: string) =>
  accountId !== undefined ? `account:${accountId}` : `name:${name}`;

export async function exportWxr(
  ctx: { db: WxrDb; clock: Clock },
  input: ExportWxrInput,
): Promise<WxrSummary> {
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  const summary: WxrSummary = { posts: 0, drafts: 0, comments: 0, pageThreadsLeftOut: 0 };
  let buffer = '';
  const emit = async (text: string) => {
    buffer += text;
    if (buffer.length >= FLUSH_CHARACTERS) {
      const chunk = buffer;
      buffer = '';
      await input.sink.write(chunk);
    }
  };

  await inReadSnapshot(ctx.db, async (trx) => {
    const now = ctx.clock.now();
    const authors = assignLogins(
      (await listStatementAuthors(trx, input.siteId)).map((author) => ({
        key: authorKey(author.accountId, author.name),
        email: author.email,
        displayName: author.name,
      })),
    );
    summary.pageThreadsLeftOut = await countPageThreads(trx, input.siteId);
    await emit(
      wxrHead({
        siteName: input.siteName,
        baseUrl: input.baseUrl,
        generator: input.generator,
        now,
        authors: authors.values(),
      }),
    );

    let nextCommentId = 1;
    let afterId: string | undefined;
    for (;;) {
      const statements = await listStatements(trx, {
        siteId: input.siteId,
        afterId,
        limit: pageSize,
      });
      for (const statement of statements) {
        summary.posts += 1;
        if (!statement.publishedAt) summary.drafts += 1;
        const author = authors.get(
          authorKey(statement.authorAccountId, statement.authorName),
        ) as WxrAuthor;
        await emit(
          wxrItemHead({
            id: summary.posts,
            title: statement.title,
            link: input.linkOf(statement),
            broadsideId: statement.id,
            authorLogin: author.login,
            html: statement.html,
            subtitle: statement.subtitle,
            slug: statement.slug,
            publishedAt: statement.publishedAt ?? statement.createdAt,
            status: !statement.publishedAt
              ? 'draft'
              : statement.publishedAt > now
                ? 'future'
                : 'publish',
            commentsOpen: statement.threadStatus === 'open',
            meta: [
              { key: 'broadside_id', value: statement.id },
              // What WordPress's statuses do not say: in review, cleared, withdrawn.
              { key: 'broadside_status', value: statement.status },
              ...(statement.clearanceNote
                ? [{ key: 'broadside_clearance_note', value: statement.clearanceNote }]
                : []),
            ],
          }),
        );
        if (statement.threadId !== undefined) {
          // Parents come before their replies in path order, so a reply's parent is numbered.
          const numbers = new Map<string, number>();
          let afterPath: string | undefined;
          for (;;) {
            const comments = await listThreadComments(trx, {
              threadId: statement.threadId,
              afterPath,
              limit: pageSize,
            });
            for (const comment of comments) {
              const id = nextCommentId++;
              numbers.set(comment.id, id);
              summary.comments += 1;
              await emit(
                wxrComment({
                  id,
                  parentId:
                    comment.parentId === undefined ? 0 : (numbers.get(comment.parentId) ?? 0),
                  broadsideId: comment.id,
                  authorName: comment.authorName,
                  authorEmail: comment.authorEmail,
                  authorUrl: comment.authorUrl,
                  createdAt: comment.createdAt,
                  html: comment.html,
                  status: comment.status,
                  type: comment.kind,
                }),
              );
            }
            input.onProgress?.({ posts: summary.posts, comments: summary.comments });
            const last = comments.at(-1);
            if (comments.length < pageSize || !last) break;
            afterPath = last.path;
          }
        }
        await emit(WXR_ITEM_TAIL);
      }
      const last = statements.at(-1);
      if (statements.length < pageSize || !last) break;
      afterId = last.id;
    }
    await emit(WXR_TAIL);
  });
  if (buffer) await input.sink.write(buffer);
  return summary;
}
