/**
 * `broadside export --format wxr`: the site's statements as WordPress posts — published ones with
 * their published revision's text and their whole comment tree, unpublished ones (draft, in
 * review, cleared) as WordPress drafts with their current revision's text — so that a site can
 * move to WordPress (Tools → Import → WordPress). Read in pages inside one snapshot and written as
 * it is read, in constant memory: WordPress numbers comments and a reply names its parent's
 * number, and since a thread is read in path order (each comment after its parent) only the
 * numbers of the comment's ancestors need keeping — as many as the thread is deep.
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
  countExported,
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
  /**
   * Called after every page of statements or comments. Given, the posts and comments are counted
   * first (in the same snapshot), for the totals.
   */
  onProgress?: (progress: WxrProgress) => void;
}

export interface WxrProgress {
  posts: number;
  comments: number;
  totalPosts: number;
  totalComments: number;
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
    const totals = input.onProgress
      ? await countExported(trx, input.siteId)
      : { posts: 0, comments: 0 };
    const progress = () =>
      input.onProgress?.({
        posts: summary.posts,
        comments: summary.comments,
        totalPosts: totals.posts,
        totalComments: totals.comments,
      });
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
          // The current comment's ancestors with their numbers, outermost first. Path order is
          // depth first (a parent's path begins its replies'), so a comment's parent is the
          // nearest of them whose path begins its own, and the others are done with.
          const ancestors: { id: string; path: string; number: number }[] = [];
          let afterPath: string | undefined;
          for (;;) {
            const comments = await listThreadComments(trx, {
              threadId: statement.threadId,
              afterPath,
              limit: pageSize,
            });
            for (const comment of comments) {
              const id = nextCommentId++;
              while (
                ancestors.length > 0 &&
                !comment.path.startsWith(ancestors.at(-1)?.path ?? '')
              ) {
                ancestors.pop();
              }
              const parent = ancestors.at(-1);
              ancestors.push({ id: comment.id, path: comment.path, number: id });
              summary.comments += 1;
              await emit(
                wxrComment({
                  id,
                  parentId:
                    comment.parentId !== undefined && parent?.id === comment.parentId
                      ? parent.number
                      : 0,
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
            progress();
            const last = comments.at(-1);
            if (comments.length < pageSize || !last) break;
            afterPath = last.path;
          }
        }
        await emit(WXR_ITEM_TAIL);
      }
      progress();
      const last = statements.at(-1);
      if (statements.length < pageSize || !last) break;
      afterId = last.id;
    }
    await emit(WXR_TAIL);
  });
  if (buffer) await input.sink.write(buffer);
  return summary;
}
