/**
 * Use cases of statements: draft (create, revise, submit for review) and read them — one
 * transaction each. Publication, corrections and withdrawal are in publication-service.ts (and
 * re-exported here); review (decisions, diffs, internal comments, the clearance policy) in
 * review-service.ts; co-signatures in signature-service.ts; what they share in writing.ts.
 *
 * `publishStatement` publishes a finished text in one step (imports and demo content): its
 * clearance is what the caller states in words, since nobody approved it here.
 */
import { getThreadOfStatement } from '../discussion/service.js';
import type { Thread } from '../discussion/store.js';
import { inTransaction } from '../platform/database/index.js';
import { BadRequestError, NotFoundError, UnprocessableError } from '../platform/errors.js';
import type { ClearanceRecord } from './clearance.js';
import { clearanceWording } from './clearance.js';
import type { StatementStatus } from './lifecycle.js';
import { bodyEmpty, decodeCursor, encodeCursor, statementProblem, tidyDraft } from './model.js';
import type { BasedOn, SourceInput } from './provenance.js';
import * as reviewStore from './review-store.js';
import type { Actor, StatementsContext } from './service-support.js';
import {
  announce,
  clearanceFor,
  isPublic,
  requireLifecycle,
  requireRevisionOf,
  requireStatement,
  statementNotFound,
} from './service-support.js';
import * as store from './store.js';
import type { ReviseStatementInput, SavedRevision } from './writing.js';
import {
  checkedBasis,
  checkedContent,
  checkedEvent,
  checkedNote,
  checkedSource,
  insertNewStatement,
  openThread,
  saveRevision,
  withPublicText,
  withSlugRetry,
} from './writing.js';
import type {
  Revision,
  RevisionSummary,
  Statement,
  StatementListing,
  StatementSummary,
} from './store.js';

export type { Actor, StatementsContext } from './service-support.js';
export { isPublic } from './service-support.js';
export type { ReviseStatementInput, SavedRevision } from './writing.js';
export type { CorrectStatementInput, PublishRevisionInput } from './publication-service.js';
export { correctStatement, publishRevision, withdrawStatement } from './publication-service.js';

// --- publishing in one step (imports, demo content) ------------------------------------------

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
  /**
   * How the text was cleared, in words ("Personal statement, not cleared"); without it the page
   * says "Imported — clearance not recorded".
   */
  clearanceNote?: string;
  /** Defaults to now; a later time schedules the statement. */
  publishedAt?: Date;
}

export interface PublishedStatement {
  statement: Statement;
  thread: Thread;
}

/**
 * Publishes a finished statement and opens its discussion, in one transaction: the statement, its
 * first revision (published, with the clearance stated by the caller) and the thread all exist,
 * or none does. With `ctx.db` a transaction, it is part of that one (see `inTransaction`); the
 * `statement.published` event still goes to `ctx.bus` at once.
 */
export async function publishStatement(
  ctx: StatementsContext,
  input: PublishStatementInput,
): Promise<PublishedStatement> {
  const draft = tidyDraft(input);
  const problem = statementProblem(draft);
  if (problem) throw new UnprocessableError(problem.message, problem.code);
  const clearance: ClearanceRecord = draft.clearanceNote
    ? { kind: 'declared', note: draft.clearanceNote }
    : { kind: 'unrecorded' };
  const published = await withSlugRetry(ctx, draft.slug, (trx) =>
    inTransaction(trx, async (trx) => {
      const now = ctx.clock.now();
      const publishedAt = draft.publishedAt ?? now;
      const { statement, revision } = await insertNewStatement(trx, ctx, {
        siteId: draft.siteId,
        slug: draft.slug,
        content: draft,
        authorAccountId: draft.authorAccountId,
        authorName: draft.authorName,
        now,
      });
      const publishedRevision: Revision = {
        ...revision,
        publishedAt,
        clearance,
        correctionNote: undefined,
      };
      await store.markRevisionPublished(trx, revision.id, {
        publishedAt,
        clearance,
        correctionNote: undefined,
      });
      const final: Statement = {
        ...withPublicText(statement, publishedRevision),
        status: 'published',
        publishedRevisionId: revision.id,
        publishedAt,
        clearanceNote: clearanceWording(clearance),
      };
      await store.updateStatement(trx, final);
      const thread = await openThread(ctx.discussion, trx, final);
      return { statement: final, thread };
    }),
  );
  await announce(ctx, 'statement.published', published.statement);
  return published;
}

// --- drafting --------------------------------------------------------------------------------

export type BasedOnInput =
  { kind: 'source'; source: SourceInput } | { kind: 'revision'; revisionId: string };

export interface CreateStatementInput {
  siteId: string;
  actor: Actor;
  title: string;
  subtitle?: string;
  /** Markdown; may be empty in a draft. */
  body: string;
  /** A note on this first revision ("first draft, from the 2001 text"). */
  note?: string;
  eventName?: string;
  /** `YYYY-MM-DD`. */
  eventDate?: string;
  /** Made from the title when absent; an explicit slug that is taken is refused (409). */
  slug?: string;
  /** An external source (recorded with the statement) or a revision of another statement. */
  basedOn?: BasedOnInput;
}

/** Starts a statement as a draft with its first revision, optionally based on a source or revision. */
export async function createStatement(
  ctx: StatementsContext,
  input: CreateStatementInput,
): Promise<SavedRevision> {
  const content = checkedContent(input, { draft: true });
  const event = checkedEvent(input);
  const note = checkedNote(input.note, 'revision note');
  const slug = input.slug?.trim() || undefined;
  const source = input.basedOn?.kind === 'source' ? checkedSource(input.basedOn.source) : undefined;

  return withSlugRetry(ctx, slug, (db) =>
    inTransaction(db, async (trx) => {
      const now = ctx.clock.now();
      let basedOn: BasedOn | undefined;
      if (source) {
        const id = ctx.ids.id();
        await reviewStore.insertSource(trx, {
          id,
          siteId: input.siteId,
          title: source.title,
          author: source.author,
          date: source.date,
          url: source.url,
          text: source.text,
          createdAt: now,
          createdByAccountId: input.actor.accountId,
        });
        basedOn = { kind: 'source', sourceId: id };
      } else if (input.basedOn?.kind === 'revision') {
        basedOn = await checkedBasis(trx, input.siteId, input.basedOn.revisionId);
      }
      const created = await insertNewStatement(trx, ctx, {
        siteId: input.siteId,
        slug,
        content,
        authorAccountId: input.actor.accountId,
        authorName: input.actor.name,
        note,
        now,
      });
      const statement: Statement = { ...created.statement, ...event, basedOn };
      await store.updateStatement(trx, statement);
      return { statement, revision: created.revision };
    }),
  );
}

/**
 * Saves a new immutable revision (when the text changed; a save of the same text only updates the
 * event). Approvals given to the old text stop counting; a cleared statement goes back to review;
 * a published statement keeps its public text until the new revision is published as a correction.
 */
export async function reviseStatement(
  ctx: StatementsContext,
  input: ReviseStatementInput,
): Promise<SavedRevision & { created: boolean }> {
  const result = await inTransaction(ctx.db, async (trx) => {
    const statement = await requireStatement(trx, input.siteId, input.statementId, { lock: true });
    return saveRevision(ctx, trx, statement, input);
  });
  if (result.created)
    await announce(ctx, 'statement.revised', result.statement, { revisionId: result.revision.id });
  return result;
}

/** Sends a draft for review: `in-review`, or `cleared` at once when the policy is already met. */
export async function submitForReview(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string; actor: Actor },
): Promise<Statement> {
  const statement = await inTransaction(ctx.db, async (trx) => {
    const statement = await requireStatement(trx, input.siteId, input.statementId, { lock: true });
    requireLifecycle(statement, 'submit');
    const current = await requireRevisionOf(trx, statement, statement.currentRevisionId);
    if (current.body.trim() === '') throw new UnprocessableError(bodyEmpty.message, bodyEmpty.code);
    const clearance = await clearanceFor(trx, statement, current);
    const next: Statement = {
      ...statement,
      status:
        clearance.state === 'met' && clearance.policy.kind !== 'none' ? 'cleared' : 'in-review',
      updatedAt: ctx.clock.now(),
    };
    await store.updateStatement(trx, next);
    return next;
  });
  await announce(ctx, 'statement.submitted', statement);
  return statement;
}

// --- reading ---------------------------------------------------------------------------------

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
  if (!statement || !isPublic(statement, ctx.clock.now())) return undefined;
  return `/s/${statement.slug}`;
}

/** Any statement of the site with this slug, published or not. */
export async function findStatementBySlug(
  ctx: StatementsContext,
  input: { siteId: string; slug: string },
): Promise<Statement | undefined> {
  return store.findStatementBySlug(ctx.db, input.siteId, input.slug);
}

/** A statement of the site by id or slug, whatever its status (members' view); 404 otherwise. */
export async function getStatement(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string },
): Promise<Statement> {
  return requireStatement(ctx.db, input.siteId, input.statementId);
}

/**
 * A statement the public may read, with its discussion; 404 for unknown, unpublished or scheduled
 * ones. Withdrawn statements are found: their page stays, marked.
 */
export async function getPublishedStatement(
  ctx: StatementsContext,
  input: { siteId: string; slug: string },
): Promise<PublishedStatement> {
  const statement = await store.findStatementBySlug(ctx.db, input.siteId, input.slug);
  if (!statement || !isPublic(statement, ctx.clock.now()))
    throw new NotFoundError(`There is no statement at /s/${input.slug}.`, 'statement-not-found');
  const thread = await getThreadOfStatement(ctx.discussion, statement.id);
  return { statement, thread };
}

export interface StatementList {
  items: StatementSummary[];
  /** Pass as `before` for the next (older) page; undefined on the last page. */
  nextCursor: string | undefined;
}

function cursorOf(before: string | undefined) {
  if (before === undefined) return undefined;
  const cursor = decodeCursor(before);
  if (!cursor) {
    throw new BadRequestError(
      'The cursor is not one this server gave out: pass back `nextCursor` from the previous page unchanged.',
      'invalid-cursor',
    );
  }
  return cursor;
}

/** Published (and withdrawn) statements, newest first, `limit` at a time. */
export async function listPublishedStatements(
  ctx: StatementsContext,
  siteId: string,
  options: { limit: number; before?: string },
): Promise<StatementList> {
  const rows = await store.listPublishedStatements(ctx.db, siteId, {
    now: ctx.clock.now(),
    limit: options.limit + 1,
    before: cursorOf(options.before),
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

export interface StatementListingPage {
  items: StatementListing[];
  nextCursor: string | undefined;
  /** How many statements the site has in each status (for the filters). */
  counts: Record<StatementStatus, number>;
}

/** Every statement of the site (or those in `statuses`), most recently changed first: the admin list. */
export async function listStatements(
  ctx: StatementsContext,
  siteId: string,
  options: { statuses?: readonly StatementStatus[]; limit: number; before?: string },
): Promise<StatementListingPage> {
  const rows = await store.listStatements(ctx.db, siteId, {
    statuses: options.statuses,
    limit: options.limit + 1,
    before: cursorOf(options.before),
  });
  const items = rows.slice(0, options.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > options.limit && last
        ? encodeCursor({ publishedAt: last.updatedAt, id: last.id })
        : undefined,
    counts: await store.countByStatus(ctx.db, siteId),
  };
}

/**
 * A statement's revisions, oldest first, without their text. `publicOnly`: only those that have
 * been the published text (the public history), and only for a statement the public may read.
 */
export async function listRevisions(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string; publicOnly?: boolean },
): Promise<RevisionSummary[]> {
  const statement = await requireStatement(ctx.db, input.siteId, input.statementId);
  if (input.publicOnly && !isPublic(statement, ctx.clock.now()))
    throw statementNotFound(input.statementId);
  return store.listRevisions(ctx.db, statement.id, { publishedOnly: input.publicOnly });
}

/** One revision with its text. `publicOnly`: 404 unless it has been the published text. */
export async function getRevision(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string; revisionId: string; publicOnly?: boolean },
): Promise<{ statement: Statement; revision: Revision }> {
  const statement = await requireStatement(ctx.db, input.siteId, input.statementId);
  if (input.publicOnly && !isPublic(statement, ctx.clock.now()))
    throw statementNotFound(input.statementId);
  const revision = await requireRevisionOf(ctx.db, statement, input.revisionId);
  if (input.publicOnly && revision.publishedAt === undefined)
    throw new NotFoundError(
      `Revision ${revision.number} of “${statement.title}” was never published.`,
      'revision-not-found',
    );
  return { statement, revision };
}
