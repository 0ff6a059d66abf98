/**
 * Use cases of publication: publish the cleared revision, publish a correction, withdraw — one
 * transaction each. Every publication needs the site's clearance policy met for the exact text.
 */
import type { DiscussionDb } from '../discussion/store.js';
import * as discussionStore from '../discussion/store.js';
import { inTransaction } from '../platform/database/index.js';
import {
  AppError,
  BadRequestError,
  ConflictError,
  UnprocessableError,
} from '../platform/errors.js';
import type { ClearanceRecord } from './clearance.js';
import { clearanceRecordOf, clearanceWording } from './clearance.js';
import { bodyEmpty, noteProblem } from './model.js';
import { normaliseLine, normaliseText } from './revisions.js';
import type { Actor, StatementsContext } from './service-support.js';
import {
  announce,
  clearanceFor,
  requireLifecycle,
  requireRevisionOf,
  requireStatement,
} from './service-support.js';
import type { PublishedStatement } from './service.js';
import * as store from './store.js';
import type { Revision, Statement, StatementsDb } from './store.js';
import type { SavedRevision } from './writing.js';
import { openThread, saveRevision, withPublicText } from './writing.js';

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

// --- helpers ---------------------------------------------------------------------------------

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
