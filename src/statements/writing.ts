/**
 * Writing statements and revisions, shared by the drafting and publication use cases: checking
 * and normalising input, making a revision (rendered and hashed), the statement row's public
 * text, a new statement with its first revision and its slug, and the thread a publication opens.
 * These run inside a use case's transaction; none opens one.
 */
import type { DiscussionContext } from '../discussion/service.js';
import { createThread } from '../discussion/service.js';
import type { DiscussionDb } from '../discussion/store.js';
import { renderMarkdown } from '../discussion/markdown.js';
import { isUniqueViolation } from '../platform/database/index.js';
import { ConflictError, UnprocessableError } from '../platform/errors.js';
import { statusAfterRevision } from './lifecycle.js';
import { eventProblem, firstFreeSlug, noteProblem, slugify, statementProblem } from './model.js';
import type { BasedOn, SourceInput } from './provenance.js';
import { sourceProblem, tidySource } from './provenance.js';
import type { ContentInput, RevisionContent } from './revisions.js';
import { contentHash, normaliseContent, normaliseLine, normaliseText } from './revisions.js';
import type { Actor, StatementsContext } from './service-support.js';
import { requireLifecycle, requireRevisionOf } from './service-support.js';
import * as store from './store.js';
import type { Revision, Statement, StatementsDb } from './store.js';

/** How often a slug made from a title is retried when a concurrent statement took it first. */
const SLUG_ATTEMPTS = 5;

export interface SavedRevision {
  statement: Statement;
  revision: Revision;
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

/** Saves a revision of a locked statement, in the caller's transaction (see reviseStatement). */
export async function saveRevision(
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

export function checkedContent(
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

export function checkedEvent(input: { eventName?: string; eventDate?: string }): {
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

export function checkedNote(note: string | undefined, what: string): string | undefined {
  const tidy = note === undefined ? '' : normaliseText(note);
  const problem = noteProblem(tidy, what);
  if (problem) throw new UnprocessableError(problem.message, problem.code);
  return tidy === '' ? undefined : tidy;
}

export function checkedSource(input: SourceInput): SourceInput {
  const source = tidySource(input);
  const problem = sourceProblem(source);
  if (problem) throw new UnprocessableError(problem.message, problem.code);
  return source;
}

/** A revision another statement may be based on: one of a statement of the same site. */
export async function checkedBasis(
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

export function newRevision(
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
export function withPublicText(statement: Statement, revision: Revision): Statement {
  return {
    ...statement,
    title: revision.title,
    subtitle: revision.subtitle,
    body: revision.body,
    html: revision.html,
  };
}

/** Inserts a new draft statement with its first revision; the slug is chosen here. */
export async function insertNewStatement(
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
export function openThread(discussion: DiscussionContext, trx: StatementsDb, statement: Statement) {
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

export async function chooseSlug(
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

export function slugTaken(slug: string) {
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
export async function withSlugRetry<T>(
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
