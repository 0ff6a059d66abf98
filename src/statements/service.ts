/**
 * Use cases of statements: draft (create, revise, submit for review), publish the cleared
 * revision, correct and withdraw a published statement, and read them — one transaction each.
 * Review (decisions, diffs, internal comments, the clearance policy) is in review-service.ts;
 * co-signatures in signature-service.ts.
 *
 * `publishStatement` publishes a finished text in one step (imports and demo content): its
 * clearance is what the caller states in words, since nobody approved it here.
 */
import type { DiscussionContext } from '../discussion/service.js';
import { createThread, getThreadOfStatement } from '../discussion/service.js';
import type { DiscussionDb, Thread } from '../discussion/store.js';
import * as discussionStore from '../discussion/store.js';
import { renderMarkdown } from '../discussion/markdown.js';
import { inTransaction, isUniqueViolation } from '../platform/database/index.js';
import {
  AppError,
  BadRequestError,
  ConflictError,
  NotFoundError,
  UnprocessableError,
} from '../platform/errors.js';
import type { ClearanceRecord } from './clearance.js';
import { clearanceRecordOf, clearanceWording } from './clearance.js';
import type { StatementStatus } from './lifecycle.js';
import { statusAfterRevision } from './lifecycle.js';
import {
  bodyEmpty,
  decodeCursor,
  encodeCursor,
  eventProblem,
  firstFreeSlug,
  noteProblem,
  slugify,
  statementProblem,
  tidyDraft,
} from './model.js';
import type { BasedOn, SourceInput } from './provenance.js';
import { sourceProblem, tidySource } from './provenance.js';
import * as reviewStore from './review-store.js';
import type { ContentInput, RevisionContent } from './revisions.js';
import { contentHash, normaliseContent, normaliseLine, normaliseText } from './revisions.js';
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
import type {
  Revision,
  RevisionSummary,
  Statement,
  StatementListing,
  StatementSummary,
  StatementsDb,
} from './store.js';

export type { Actor, StatementsContext } from './service-support.js';
export { isPublic } from './service-support.js';

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

/** How often a slug made from a title is retried when a concurrent statement took it first. */
const SLUG_ATTEMPTS = 5;

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

export interface SavedRevision {
  statement: Statement;
  revision: Revision;
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

export interface ReviseStatementInput {
  siteId: string;
  /** Its id or slug. */
  statementId: string;
  actor: Actor;
  /** Fields left out keep their current value; an empty subtitle removes it. */
  title?: string;
  subtitle?: string;
  body?: string;
  note?: string;
  /** An empty string removes the event's name or date. */
  eventName?: string;
  eventDate?: string;
  /**
   * The revision the editor started from: when another one has been saved since, the save is
   * refused (409 `revision-conflict`) instead of silently replacing it.
   */
  baseRevisionId?: string;
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

/** Saves a revision of a locked statement, in the caller's transaction (see reviseStatement). */
async function saveRevision(
  ctx: StatementsContext,
  trx: StatementsDb,
  statement: Statement,
  input: Omit<ReviseStatementInput, 'siteId' | 'statementId'>,
): Promise<SavedRevision & { created: boolean }> {
  const note = checkedNote(input.note, 'revision note');
  requireLifecycle(statement, 'revise');
  if (input.baseRevisionId !== undefined && input.baseRevisionId !== statement.currentRevisionId) {
    throw new ConflictError(
      'Someone saved a newer revision of this statement while you were editing. Reload it, look at what changed, and make your edit again.',
      'revision-conflict',
    );
  }
  const current = await requireRevisionOf(trx, statement, statement.currentRevisionId);
  const content = checkedContent(
    {
      title: input.title ?? current.title,
      subtitle: input.subtitle ?? current.subtitle,
      body: input.body ?? current.body,
    },
    { draft: statement.status !== 'published' },
  );
  const event = checkedEvent({
    eventName: input.eventName ?? statement.eventName,
    eventDate: input.eventDate ?? statement.eventDate,
  });
  const now = ctx.clock.now();
  const changed = contentHash(content) !== current.contentHash;
  let revision = current;
  let next: Statement = { ...statement, ...event, updatedAt: now };
  if (changed) {
    revision = newRevision(ctx, {
      statementId: statement.id,
      number: (await store.lastRevisionNumber(trx, statement.id)) + 1,
      content,
      authorAccountId: input.actor.accountId,
      authorName: input.actor.name,
      note,
      now,
    });
    await store.insertRevision(trx, revision);
    next = {
      ...next,
      currentRevisionId: revision.id,
      status: statusAfterRevision(statement.status),
    };
    // Before publication the statement row shows the newest text (for lists and previews).
    if (statement.publishedRevisionId === undefined) next = withPublicText(next, revision);
  }
  await store.updateStatement(trx, next);
  return { statement: next, revision, created: changed };
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

// --- publication -----------------------------------------------------------------------------

export interface PublishRevisionInput {
  siteId: string;
  statementId: string;
  actor: Actor;
  /**
   * The revision the publisher means to publish. It must be the current one: publishing is
   * refused (409 `not-current-revision`) if the text changed after they looked.
   */
  revisionId?: string;
}

/**
 * Publishes the current revision, which the site's clearance policy must allow: refused with 409
 * `clearance-incomplete` (the missing approvals and any objection named, in the message and in
 * `details`) otherwise. The first publication opens the statement's discussion.
 */
export async function publishRevision(
  ctx: StatementsContext,
  input: PublishRevisionInput,
): Promise<PublishedStatement & { revision: Revision }> {
  const published = await inTransaction(ctx.db, async (trx) => {
    const statement = await requireStatement(trx, input.siteId, input.statementId, { lock: true });
    requireLifecycle(statement, 'publish');
    const revision = await revisionToPublish(trx, statement, input.revisionId);
    if (revision.body.trim() === '')
      throw new UnprocessableError(bodyEmpty.message, bodyEmpty.code);
    const clearance = await clearanceRecordFor(trx, statement, revision);
    const now = ctx.clock.now();
    const next = await markPublished(trx, statement, revision, {
      clearance,
      correctionNote: undefined,
      now,
    });
    const thread =
      (await discussionStore.findThreadByStatement(trx as unknown as DiscussionDb, statement.id)) ??
      (await openThread(ctx.discussion, trx, next.statement));
    return { ...next, thread };
  });
  await announce(ctx, 'statement.published', published.statement, {
    revisionId: published.revision.id,
  });
  return published;
}

export interface CorrectStatementInput {
  siteId: string;
  statementId: string;
  actor: Actor;
  /** What was corrected, shown publicly: "Corrected on 20 November 2015: <note>". Required. */
  note: string;
  /** The revision to publish as the correction; it must be the current one. */
  revisionId?: string;
  /**
   * The corrected text, saved as a new revision first (in the same transaction). Possible only
   * where the policy needs no approvals, since nobody has approved the new text yet.
   */
  content?: { title?: string; subtitle?: string; body?: string };
}

/**
 * Publishes the current revision of a published statement as a correction: the public text
 * changes, the page says "Corrected on …", and every published revision stays readable in the
 * public history. The clearance policy applies as to any publication.
 */
export async function correctStatement(
  ctx: StatementsContext,
  input: CorrectStatementInput,
): Promise<SavedRevision> {
  const note = input.note === undefined ? '' : normaliseLine(input.note);
  if (note === '')
    throw new UnprocessableError(
      'Say what the correction changes: the note is shown on the page.',
      'correction-note-missing',
    );
  const problem = noteProblem(note, 'correction note');
  if (problem) throw new UnprocessableError(problem.message, problem.code);
  const corrected = await inTransaction(ctx.db, async (trx) => {
    let statement = await requireStatement(trx, input.siteId, input.statementId, { lock: true });
    requireLifecycle(statement, 'correct');
    if (input.content) {
      if (input.revisionId !== undefined)
        throw new BadRequestError(
          'Give either the corrected text or the revision to publish, not both.',
          'correction-ambiguous',
        );
      ({ statement } = await saveRevision(ctx, trx, statement, {
        actor: input.actor,
        ...input.content,
        note: `Correction: ${note}`,
      }));
    }
    const revision = await revisionToPublish(trx, statement, input.revisionId);
    if (revision.id === statement.publishedRevisionId)
      throw new ConflictError(
        'The published text is already the latest revision: revise the statement, then publish the new revision as the correction.',
        'nothing-to-correct',
      );
    if (revision.body.trim() === '')
      throw new UnprocessableError(bodyEmpty.message, bodyEmpty.code);
    const clearance = await clearanceRecordFor(trx, statement, revision);
    return markPublished(trx, statement, revision, {
      clearance,
      correctionNote: note,
      now: ctx.clock.now(),
    });
  });
  await announce(ctx, 'statement.corrected', corrected.statement, {
    revisionId: corrected.revision.id,
  });
  return corrected;
}

/** Withdraws a published statement: its page stays, marked withdrawn with the reason; signing ends. */
export async function withdrawStatement(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string; actor: Actor; reason: string },
): Promise<Statement> {
  const reason = normaliseText(input.reason ?? '');
  if (reason === '')
    throw new UnprocessableError(
      'Give the reason for the withdrawal: the page shows it to readers.',
      'withdrawal-reason-missing',
    );
  const problem = noteProblem(reason, 'reason for the withdrawal');
  if (problem) throw new UnprocessableError(problem.message, problem.code);
  const statement = await inTransaction(ctx.db, async (trx) => {
    const statement = await requireStatement(trx, input.siteId, input.statementId, { lock: true });
    requireLifecycle(statement, 'withdraw');
    const now = ctx.clock.now();
    const next: Statement = {
      ...statement,
      status: 'withdrawn',
      withdrawnAt: now,
      withdrawnReason: reason,
      updatedAt: now,
    };
    await store.updateStatement(trx, next);
    return next;
  });
  await announce(ctx, 'statement.withdrawn', statement);
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

// --- helpers ---------------------------------------------------------------------------------

function checkedContent(
  input: { title: string; subtitle?: string; body: string },
  options: { draft: boolean },
): RevisionContent {
  const content = normaliseContent(input);
  const problem = statementProblem(
    { ...content, authorName: 'x' }, // the author is the member acting, never missing
    options,
  );
  if (problem) throw new UnprocessableError(problem.message, problem.code);
  return content;
}

function checkedEvent(input: { eventName?: string; eventDate?: string }): {
  eventName: string | undefined;
  eventDate: string | undefined;
} {
  const eventName = input.eventName === undefined ? undefined : normaliseLine(input.eventName);
  const eventDate = input.eventDate?.trim();
  const event = { eventName: eventName || undefined, eventDate: eventDate || undefined };
  const problem = eventProblem(event);
  if (problem) throw new UnprocessableError(problem.message, problem.code);
  return event;
}

function checkedNote(note: string | undefined, what: string): string | undefined {
  const tidy = note === undefined ? '' : normaliseText(note);
  const problem = noteProblem(tidy, what);
  if (problem) throw new UnprocessableError(problem.message, problem.code);
  return tidy === '' ? undefined : tidy;
}

function checkedSource(input: SourceInput): SourceInput {
  const source = tidySource(input);
  const problem = sourceProblem(source);
  if (problem) throw new UnprocessableError(problem.message, problem.code);
  return source;
}

/** A revision another statement may be based on: one of a statement of the same site. */
async function checkedBasis(
  db: StatementsDb,
  siteId: string,
  revisionId: string,
): Promise<BasedOn> {
  const revision = await store.findRevision(db, revisionId);
  const owner = revision && (await store.findStatement(db, revision.statementId));
  if (!revision || !owner || owner.siteId !== siteId)
    throw new UnprocessableError(
      `There is no revision "${revisionId}" on this site to base the statement on.`,
      'based-on-unknown-revision',
    );
  return { kind: 'revision', revisionId };
}

function newRevision(
  ctx: StatementsContext,
  input: {
    statementId: string;
    number: number;
    content: ContentInput;
    authorAccountId: string | undefined;
    authorName: string;
    note?: string;
    now: Date;
  },
): Revision {
  const content = normaliseContent(input.content);
  return {
    id: ctx.ids.id(),
    statementId: input.statementId,
    number: input.number,
    ...content,
    html: renderMarkdown(content.body, { headings: true }),
    contentHash: contentHash(content),
    authorAccountId: input.authorAccountId,
    authorName: input.authorName,
    note: input.note,
    createdAt: input.now,
    publishedAt: undefined,
    clearance: undefined,
    correctionNote: undefined,
  };
}

/** The statement row with `revision`'s text as its public text. */
function withPublicText(statement: Statement, revision: Revision): Statement {
  return {
    ...statement,
    title: revision.title,
    subtitle: revision.subtitle,
    body: revision.body,
    html: revision.html,
  };
}

/** Inserts a new draft statement with its first revision; the slug is chosen here. */
async function insertNewStatement(
  trx: StatementsDb,
  ctx: StatementsContext,
  input: {
    siteId: string;
    slug: string | undefined;
    content: ContentInput;
    authorAccountId: string | undefined;
    authorName: string;
    note?: string;
    now: Date;
  },
): Promise<SavedRevision> {
  const id = ctx.ids.id();
  const revision = newRevision(ctx, {
    statementId: id,
    number: 1,
    content: input.content,
    authorAccountId: input.authorAccountId,
    authorName: input.authorName,
    note: input.note,
    now: input.now,
  });
  const statement: Statement = withPublicText(
    {
      id,
      siteId: input.siteId,
      slug: await chooseSlug(trx, input.siteId, input.slug, revision.title),
      status: 'draft',
      title: '',
      subtitle: undefined,
      body: '',
      html: '',
      authorAccountId: input.authorAccountId,
      authorName: input.authorName,
      clearanceNote: undefined,
      eventName: undefined,
      eventDate: undefined,
      currentRevisionId: revision.id,
      publishedRevisionId: undefined,
      basedOn: undefined,
      signingOpen: true,
      publishedAt: undefined,
      correctedAt: undefined,
      withdrawnAt: undefined,
      withdrawnReason: undefined,
      createdAt: input.now,
      updatedAt: input.now,
    },
    revision,
  );
  await store.insertStatement(trx, statement);
  await store.insertRevision(trx, revision);
  return { statement, revision };
}

/** The thread of a newly published statement, in the same transaction. */
function openThread(discussion: DiscussionContext, trx: StatementsDb, statement: Statement) {
  return createThread(
    { ...discussion, db: trx as unknown as DiscussionDb },
    {
      siteId: statement.siteId,
      statementId: statement.id,
      title: statement.title,
      authorAccountId: statement.authorAccountId,
      authorName: statement.authorName,
    },
  );
}

/** The current revision, checked against the one the caller means (`revisionId`). */
async function revisionToPublish(
  db: StatementsDb,
  statement: Statement,
  revisionId: string | undefined,
): Promise<Revision> {
  if (revisionId !== undefined) {
    const meant = await requireRevisionOf(db, statement, revisionId);
    if (meant.id !== statement.currentRevisionId)
      throw new ConflictError(
        `Revision ${meant.number} is not the current text of “${statement.title}”: a newer revision has been saved since. Review the current revision and publish that.`,
        'not-current-revision',
      );
  }
  return requireRevisionOf(db, statement, statement.currentRevisionId);
}

/** The record of how `revision` is cleared now; refuses (409 `clearance-incomplete`) if it is not. */
async function clearanceRecordFor(
  db: StatementsDb,
  statement: Statement,
  revision: Revision,
): Promise<ClearanceRecord> {
  const state = await clearanceFor(db, statement, revision);
  if (state.state !== 'met') {
    throw new AppError(409, 'clearance-incomplete', `Not published yet. ${state.message}`, {
      state: state.state,
      missing: state.missing ?? null,
      objections: state.objections.map((o) => ({
        accountId: o.accountId,
        name: o.accountName,
        comment: o.comment ?? null,
      })),
      staleApprovals: state.stale.map((a) => ({ accountId: a.accountId, name: a.accountName })),
    });
  }
  return clearanceRecordOf(state);
}

async function markPublished(
  trx: StatementsDb,
  statement: Statement,
  revision: Revision,
  input: { clearance: ClearanceRecord; correctionNote: string | undefined; now: Date },
): Promise<SavedRevision> {
  const { now } = input;
  await store.markRevisionPublished(trx, revision.id, {
    publishedAt: now,
    clearance: input.clearance,
    correctionNote: input.correctionNote,
  });
  const published: Revision = {
    ...revision,
    publishedAt: now,
    clearance: input.clearance,
    correctionNote: input.correctionNote,
  };
  const correction = input.correctionNote !== undefined;
  const next: Statement = {
    ...withPublicText(statement, published),
    status: 'published',
    publishedRevisionId: revision.id,
    publishedAt: statement.publishedAt ?? now,
    correctedAt: correction ? now : statement.correctedAt,
    clearanceNote: clearanceWording(input.clearance),
    updatedAt: now,
  };
  await store.updateStatement(trx, next);
  return { statement: next, revision: published };
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

function slugTaken(slug: string) {
  return new ConflictError(
    `The slug "${slug}" is already used by another statement; choose another.`,
    'slug-taken',
  );
}

/**
 * Runs `work` (which creates a statement), retrying when a concurrent creation took the slug
 * made from the same title first (not inside a caller's transaction, which the violation has
 * spoiled on PostgreSQL). An explicit slug that is taken is a 409.
 */
async function withSlugRetry<T>(
  ctx: StatementsContext,
  slug: string | undefined,
  work: (db: StatementsDb) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(ctx.db);
    } catch (error) {
      const retry = slug === undefined && !ctx.db.isTransaction;
      if (retry && isUniqueViolation(error) && attempt < SLUG_ATTEMPTS) continue;
      if (slug !== undefined && isUniqueViolation(error)) throw slugTaken(slug);
      throw error;
    }
  }
}
