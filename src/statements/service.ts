/**
 * Use cases of statements (first cut): publish a statement together with its discussion thread,
 * find one by slug, list the published ones newest first. The statements issue extends this with
 * revisions, clearance and co-signing.
 */
import type { DiscussionContext } from '../discussion/service.js';
import { createThread, getThreadOfStatement } from '../discussion/service.js';
import type { DiscussionDb, Thread } from '../discussion/store.js';
import { renderMarkdown } from '../discussion/markdown.js';
import type { Clock } from '../platform/clock.js';
import { inTransaction, isUniqueViolation } from '../platform/database/index.js';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  UnprocessableError,
} from '../platform/errors.js';
import type { EventBus } from '../platform/event-bus.js';
import type { Ids } from '../platform/ids.js';
import {
  decodeCursor,
  encodeCursor,
  firstFreeSlug,
  isPublished,
  slugify,
  statementProblem,
  tidyDraft,
} from './model.js';
import * as store from './store.js';
import type { Statement, StatementSummary, StatementsDb } from './store.js';

export interface StatementsContext {
  db: StatementsDb;
  clock: Clock;
  ids: Ids;
  bus: EventBus;
  /** The discussion capability, which gives every statement its thread. */
  discussion: DiscussionContext;
}

export interface PublishStatementInput {
  siteId: string;
  title: string;
  subtitle?: string;
  /** Markdown; headings and lists allowed. */
  body: string;
  authorName: string;
  /** The member who wrote it, if they have an account: their comments get the "author" badge. */
  authorAccountId?: string;
  /** Made from the title when absent; an explicit slug that is taken is refused. */
  slug?: string;
  clearanceNote?: string;
  /** Defaults to now; a later time schedules the statement. */
  publishedAt?: Date;
}

export interface PublishedStatement {
  statement: Statement;
  thread: Thread;
}

/** How often a slug made from a title is retried when a concurrent publication took it first. */
const SLUG_ATTEMPTS = 5;

/**
 * Publishes a statement and opens its discussion, in one transaction: both exist, or neither.
 * The body is rendered to HTML here, once. With `ctx.db` a transaction, it is part of that one
 * (see `inTransaction`); the `statement.published` event still goes to `ctx.bus` at once.
 */
export async function publishStatement(
  ctx: StatementsContext,
  input: PublishStatementInput,
): Promise<PublishedStatement> {
  const draft = tidyDraft(input);
  const problem = statementProblem(draft);
  if (problem) throw new UnprocessableError(problem.message, problem.code);
  const html = renderMarkdown(draft.body, { headings: true });

  for (let attempt = 1; ; attempt++) {
    try {
      const published = await inTransaction(ctx.db, async (trx) => {
        const now = ctx.clock.now();
        const slug = await chooseSlug(trx, draft.siteId, draft.slug, draft.title);
        const statement: Statement = {
          id: ctx.ids.id(),
          siteId: draft.siteId,
          slug,
          title: draft.title,
          subtitle: draft.subtitle,
          body: draft.body,
          html,
          authorAccountId: draft.authorAccountId,
          authorName: draft.authorName,
          clearanceNote: draft.clearanceNote,
          publishedAt: draft.publishedAt ?? now,
          createdAt: now,
        };
        await store.insertStatement(trx, statement);
        // The same transaction, seen through the discussion's tables.
        const discussionDb = trx as unknown as DiscussionDb;
        const thread = await createThread(
          { ...ctx.discussion, db: discussionDb },
          {
            siteId: statement.siteId,
            statementId: statement.id,
            title: statement.title,
            authorAccountId: statement.authorAccountId,
            authorName: statement.authorName,
          },
        );
        return { statement, thread };
      });
      await ctx.bus.publish({
        type: 'statement.published',
        topic: `site:${published.statement.siteId}`,
        payload: { statementId: published.statement.id, slug: published.statement.slug },
      });
      return published;
    } catch (error) {
      // Two publications of the same title at once on PostgreSQL: the loser picks the next slug
      // (not inside a caller's transaction, which the violation has spoiled on PostgreSQL).
      const retry = draft.slug === undefined && !ctx.db.isTransaction;
      if (retry && isUniqueViolation(error) && attempt < SLUG_ATTEMPTS) continue;
      if (draft.slug !== undefined && isUniqueViolation(error)) throw slugTaken(draft.slug);
      throw error;
    }
  }
}

function slugTaken(slug: string) {
  return new ConflictError(
    `The slug "${slug}" is already used by another statement; choose another.`,
    'slug-taken',
  );
}

async function chooseSlug(
  db: StatementsDb,
  siteId: string,
  requested: string | undefined,
  title: string,
): Promise<string> {
  if (requested !== undefined) {
    if (await store.findStatementBySlug(db, siteId, requested)) throw slugTaken(requested);
    return requested;
  }
  const base = slugify(title);
  return firstFreeSlug(base, new Set(await store.slugsLike(db, siteId, base)));
}

/** Whether the site has any statement at all, published or not (e.g. to load demo content). */
export async function siteHasStatements(ctx: StatementsContext, siteId: string): Promise<boolean> {
  return store.hasStatements(ctx.db, siteId);
}

/** The public path of a statement's page, e.g. for links in e-mails; undefined if unpublished. */
export async function statementPath(
  ctx: StatementsContext,
  statementId: string,
): Promise<string | undefined> {
  const statement = await store.findStatement(ctx.db, statementId);
  if (!statement?.publishedAt || statement.publishedAt > ctx.clock.now()) return undefined;
  return `/s/${statement.slug}`;
}

/** Any statement of the site with this slug, published or not. */
export async function findStatementBySlug(
  ctx: StatementsContext,
  input: { siteId: string; slug: string },
): Promise<Statement | undefined> {
  return store.findStatementBySlug(ctx.db, input.siteId, input.slug);
}

/** A statement the public may read, with its discussion; 404 for unknown or unpublished ones. */
export async function getPublishedStatement(
  ctx: StatementsContext,
  input: { siteId: string; slug: string },
): Promise<PublishedStatement> {
  const statement = await store.findStatementBySlug(ctx.db, input.siteId, input.slug);
  if (!statement || !isPublished(statement.publishedAt, ctx.clock.now()))
    throw new NotFoundError(`There is no statement at /s/${input.slug}.`, 'statement-not-found');
  const thread = await getThreadOfStatement(ctx.discussion, statement.id);
  return { statement, thread };
}

export interface StatementList {
  items: StatementSummary[];
  /** Pass as `before` for the next (older) page; undefined on the last page. */
  nextCursor: string | undefined;
}

/** Published statements, newest first, `limit` at a time. */
export async function listPublishedStatements(
  ctx: StatementsContext,
  siteId: string,
  options: { limit: number; before?: string },
): Promise<StatementList> {
  let before;
  if (options.before !== undefined) {
    before = decodeCursor(options.before);
    if (!before) {
      throw new BadRequestError(
        'The cursor is not one this server gave out: pass back `nextCursor` from the previous page unchanged.',
        'invalid-cursor',
      );
    }
  }
  const rows = await store.listPublishedStatements(ctx.db, siteId, {
    now: ctx.clock.now(),
    limit: options.limit + 1,
    before,
  });
  const items = rows.slice(0, options.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > options.limit && last
        ? encodeCursor({ publishedAt: last.publishedAt, id: last.id })
        : undefined,
  };
}
