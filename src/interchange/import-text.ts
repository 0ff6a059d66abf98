/**
 * Imports the plain-text thread form (see `text-thread.ts`): one published statement and its
 * discussion, every comment kept where the file puts it — numbers (gaps included), nesting, authors,
 * attributed quotations, empty bodies. All of it happens in one transaction: a file that fails
 * anywhere leaves nothing behind.
 *
 * Rules the text form leaves open, decided here:
 *
 * - **Author.** The text does not name the statement's author; the caller does (`authorName`). Without
 *   one the statement is by "Unknown author", with a warning: then nobody's comments get the
 *   "author" badge, which goes to imported comments whose name equals the statement's author.
 * - **Clearance.** "Personal statement, not cleared" unless told otherwise: the sample says it was
 *   "drawn up by myself" and not "cleared" with anyone.
 * - **Times.** The text has none. The statement is dated as many minutes before the import as the
 *   file has comments, and the comments one minute apart after it in the order of the file (each
 *   reply right after its parent), so the last is dated at the import, none in the future, and
 *   time order is file order.
 * - **Idempotence.** Each comment's external id is its place in the file — `text:6` for comment 6,
 *   `text:8.1.1` for the first reply to the first reply to comment 8 — unique within the
 *   statement's thread. A statement with the same slug and the same title is the same statement:
 *   importing the file again creates only the comments it does not have yet (usually none,
 *   "already imported"). The same slug with another title is refused.
 */
import type { DiscussionDb, Thread } from '../discussion/store.js';
import { findImportedComments, getThreadOfStatement, postComment } from '../discussion/service.js';
import { AppError, ConflictError } from '../platform/errors.js';
import type { BusEvent, EventBus } from '../platform/event-bus.js';
import { slugify } from '../statements/model.js';
import type { StatementsContext } from '../statements/service.js';
import { findStatementBySlug, publishStatement } from '../statements/service.js';
import type { Statement } from '../statements/store.js';
import type { TextComment } from './text-thread.js';
import { parseTextThread, TextThreadError } from './text-thread.js';

export const DEFAULT_CLEARANCE_NOTE = 'Personal statement, not cleared';
export const UNKNOWN_AUTHOR = 'Unknown author';

const MINUTE = 60_000;

export interface ImportTextThreadInput {
  siteId: string;
  /** The file's content. */
  text: string;
  /** The statement's author; the text does not say. Default: "Unknown author", with a warning. */
  authorName?: string;
  /** Default: made from the title. */
  slug?: string;
  /** Default: "Personal statement, not cleared". */
  clearanceNote?: string;
  /** Do everything, check everything, then roll back: the summary says what would happen. */
  dryRun?: boolean;
}

export interface ImportSummary {
  slug: string;
  title: string;
  /** False when the statement was there already (same slug, same title). */
  statementCreated: boolean;
  commentsCreated: number;
  /** Comments of the file that were there already, from an earlier import. */
  commentsSkipped: number;
  /** Nothing was written. */
  dryRun: boolean;
  /** Things the person importing should know, e.g. that no author was given. */
  warnings: string[];
}

/** Nothing new: the statement and every comment of the file were there already. */
export function isAlreadyImported(summary: ImportSummary): boolean {
  return !summary.statementCreated && summary.commentsCreated === 0;
}

/** One line saying what an import did, or would do (dry run), for people. */
export function describeImport(summary: ImportSummary): string {
  const comments = (n: number) => `${n} comment${n === 1 ? '' : 's'}`;
  const title = `"${summary.title}"`;
  const skipped = `${summary.commentsSkipped} skipped as already imported`;
  if (summary.dryRun) {
    const what = summary.statementCreated
      ? `the statement ${title} and ${comments(summary.commentsCreated)}`
      : `${comments(summary.commentsCreated)} under the existing statement ${title}`;
    return `Dry run, nothing written: the import would create ${what} (${skipped}).`;
  }
  if (isAlreadyImported(summary)) {
    return `Already imported: ${title} and all ${comments(summary.commentsSkipped)} of the file are there; nothing created.`;
  }
  if (summary.statementCreated && summary.commentsCreated === 0) {
    return `Imported ${title}: created the statement; the file has no comments.`;
  }
  if (summary.statementCreated) {
    return `Imported ${title}: created the statement and ${comments(summary.commentsCreated)} (${skipped}).`;
  }
  return `Imported into the existing statement ${title}: created ${comments(summary.commentsCreated)} (${skipped}).`;
}

/** A comment of the file with its place: external id, its parent's, and its position (1-based). */
interface Entry {
  comment: TextComment;
  externalId: string;
  parentExternalId: string | undefined;
  position: number;
}

/** The comments in file order, each reply right after its parent. */
function entriesOf(comments: readonly TextComment[]): Entry[] {
  const entries: Entry[] = [];
  const visit = (comment: TextComment, externalId: string, parentExternalId?: string) => {
    entries.push({ comment, externalId, parentExternalId, position: entries.length + 1 });
    comment.replies.forEach((reply, i) => visit(reply, `${externalId}.${i + 1}`, externalId));
  };
  // The parser gives every top-level comment a number.
  for (const comment of comments) visit(comment, `text:${comment.number ?? 0}`);
  return entries;
}

/** Thrown inside the transaction of a dry run to roll it back, carrying what would have happened. */
class DryRunDone extends Error {
  constructor(readonly summary: ImportSummary) {
    super('dry run');
  }
}

/**
 * A bus that holds what is published until the import commits: listeners must not hear of comments
 * a rollback would take back, nor load them before they can be seen.
 */
function holdingBus(bus: EventBus): EventBus & { held: BusEvent[] } {
  const held: BusEvent[] = [];
  return {
    held,
    async publish(event) {
      held.push(event);
    },
    subscribe: (topic, listener) => bus.subscribe(topic, listener),
    async close() {},
  };
}

/**
 * Imports a statement and its discussion from the plain-text thread form, in one transaction.
 * Throws {@link TextThreadError} (with the file's line) for a malformed file or a comment that
 * cannot be stored, and a ConflictError when the slug belongs to a statement with another title.
 */
export async function importTextThread(
  ctx: StatementsContext,
  input: ImportTextThreadInput,
): Promise<ImportSummary> {
  const parsed = parseTextThread(input.text);
  const { title, subtitle, body } = parsed.statement;
  const slug = input.slug?.trim() || slugify(title);
  const warnings: string[] = [];
  let authorName = input.authorName?.trim().replace(/\s+/g, ' ');
  if (!authorName) {
    authorName = UNKNOWN_AUTHOR;
    warnings.push(
      `the text does not name the statement's author, so it is published as "${UNKNOWN_AUTHOR}" and no comment gets the author badge; give the author's name to avoid this`,
    );
  }
  const entries = entriesOf(parsed.comments);
  const bus = holdingBus(ctx.bus);

  let summary: ImportSummary;
  try {
    summary = await ctx.db.transaction().execute(async (trx) => {
      const discussion = { ...ctx.discussion, db: trx as unknown as DiscussionDb, bus };
      const inner: StatementsContext = { ...ctx, db: trx, bus, discussion };

      let statement: Statement | undefined = await findStatementBySlug(inner, {
        siteId: input.siteId,
        slug,
      });
      let thread: Thread;
      const statementCreated = statement === undefined;
      if (statement) {
        if (statement.title !== title) {
          throw new ConflictError(
            `The slug "${slug}" is already used by another statement, "${statement.title}"; import under another slug.`,
            'slug-taken',
          );
        }
        thread = await getThreadOfStatement(discussion, statement.id);
      } else {
        const publishedAt = new Date(ctx.clock.now().getTime() - entries.length * MINUTE);
        ({ statement, thread } = await publishStatement(inner, {
          siteId: input.siteId,
          title,
          subtitle,
          body,
          authorName,
          clearanceNote: input.clearanceNote ?? DEFAULT_CLEARANCE_NOTE,
          slug,
          publishedAt,
        }));
      }

      const stored = statementCreated
        ? new Map<string, string>()
        : await findImportedComments(discussion, thread.id);
      const start = (statement.publishedAt ?? statement.createdAt).getTime();
      let commentsCreated = 0;
      let commentsSkipped = 0;
      for (const entry of entries) {
        if (stored.has(entry.externalId)) {
          commentsSkipped += 1;
          continue;
        }
        const { comment } = entry;
        try {
          const posted = await postComment(discussion, {
            threadId: thread.id,
            parentId: entry.parentExternalId && stored.get(entry.parentExternalId),
            author: { name: comment.authorName },
            body: comment.body,
            origin: 'import',
            externalId: entry.externalId,
            createdAt: new Date(start + entry.position * MINUTE),
            number: comment.number,
          });
          stored.set(entry.externalId, posted.comment.id);
          commentsCreated += 1;
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          const which =
            comment.number === undefined
              ? `the reply by ${comment.authorName}`
              : `comment ${comment.number} by ${comment.authorName}`;
          throw new TextThreadError(comment.line, `${which} cannot be imported: ${error.message}`);
        }
      }

      const result: ImportSummary = {
        slug: statement.slug,
        title: statement.title,
        statementCreated,
        commentsCreated,
        commentsSkipped,
        dryRun: input.dryRun === true,
        warnings,
      };
      if (input.dryRun) throw new DryRunDone(result);
      return result;
    });
  } catch (error) {
    if (error instanceof DryRunDone) return error.summary;
    throw error;
  }
  // Committed: now listeners may hear of the statement and its comments.
  for (const event of bus.held) await ctx.bus.publish(event);
  return summary;
}
