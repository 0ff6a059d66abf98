/**
 * Use cases of reviewing a statement: approve, object, withdraw an objection; where clearance
 * stands; diffs between revisions and against what the statement is based on; internal comments
 * on paragraphs; the site's clearance policy. One transaction per action.
 */
import { can, isRole } from '../accounts/model.js';
import type { AccountsDb } from '../accounts/store.js';
import * as accountsStore from '../accounts/store.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../platform/errors.js';
import { inTransaction } from '../platform/database/index.js';
import type { ApprovalRecord, ClearancePolicy, ClearanceState, Decision } from './clearance.js';
import { clearancePolicyProblem, clearancePolicyOf } from './clearance.js';
import type { ContentDiff, ReuseShare, WordDiff } from './diffs.js';
import { contentDiff, reuseShare, wordDiff } from './diffs.js';
import { statusAfterReview } from './lifecycle.js';
import { TEXT_LIMITS, noteProblem } from './model.js';
import type { Citation, Source } from './provenance.js';
import { basedOnWording } from './provenance.js';
import type { InternalComment } from './review-store.js';
import * as reviewStore from './review-store.js';
import type { CommentAnchor } from './revisions.js';
import { anchorComment, normaliseText, paragraphExcerpt, paragraphsOf } from './revisions.js';
import type { Actor, StatementsContext } from './service-support.js';
import {
  announce,
  clearanceFor,
  clearancePolicyFor,
  isPublic,
  requireLifecycle,
  requireRevisionOf,
  requireStatement,
} from './service-support.js';
import * as store from './store.js';
import type { Revision, RevisionSummary, Statement, StatementsDb } from './store.js';

// --- decisions -------------------------------------------------------------------------------

export interface DecideInput {
  siteId: string;
  statementId: string;
  actor: Actor;
  /**
   * The revision the member read and decides on. It must be the statement's current revision:
   * deciding on an older text (or one that no longer exists) is refused, never applied to a text
   * the member has not seen.
   */
  revisionId: string;
  comment?: string;
}

export interface DecisionOutcome {
  statement: Statement;
  clearance: ClearanceState;
}

/** Approves the current revision: the approval records its id and content hash. */
export function approveRevision(
  ctx: StatementsContext,
  input: DecideInput,
): Promise<DecisionOutcome> {
  return decide(ctx, input, 'approve');
}

/** Objects to the current revision: publication is blocked until the member withdraws it. */
export function objectToRevision(
  ctx: StatementsContext,
  input: DecideInput,
): Promise<DecisionOutcome> {
  return decide(ctx, input, 'object');
}

async function decide(
  ctx: StatementsContext,
  input: DecideInput,
  decision: Decision,
): Promise<DecisionOutcome> {
  const comment = input.comment === undefined ? '' : normaliseText(input.comment);
  const problem = noteProblem(comment, 'comment');
  if (problem) throw new UnprocessableError(problem.message, problem.code);
  if (decision === 'object' && comment === '')
    throw new UnprocessableError(
      'Say what you object to: the author needs to know what to change.',
      'objection-reason-missing',
    );
  const outcome = await inTransaction(ctx.db, async (trx) => {
    const statement = await requireStatement(trx, input.siteId, input.statementId, { lock: true });
    requireLifecycle(statement, 'decide');
    const revision = await requireRevisionOf(trx, statement, input.revisionId);
    if (revision.id !== statement.currentRevisionId) {
      const current = await requireRevisionOf(trx, statement, statement.currentRevisionId);
      throw new ConflictError(
        `Revision ${revision.number} is no longer the current text of “${statement.title}”: revision ${current.number} replaced it. Read revision ${current.number} and decide on that.`,
        'not-current-revision',
      );
    }
    const now = ctx.clock.now();
    // A member's new decision replaces whatever they decided before on this statement.
    await reviewStore.withdrawDecisions(trx, {
      statementId: statement.id,
      accountId: input.actor.accountId,
      at: now,
    });
    await reviewStore.insertDecision(trx, {
      id: ctx.ids.id(),
      statementId: statement.id,
      revisionId: revision.id,
      contentHash: revision.contentHash,
      accountId: input.actor.accountId,
      decision,
      comment: comment === '' ? undefined : comment,
      createdAt: now,
    });
    return settleReview(trx, statement, revision, now);
  });
  await announce(
    ctx,
    `statement.${decision === 'approve' ? 'approved' : 'objected'}`,
    outcome.statement,
  );
  return outcome;
}

/** Withdraws the member's standing objection to the statement; 409 when they have none. */
export async function withdrawObjection(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string; actor: Actor },
): Promise<DecisionOutcome> {
  const outcome = await inTransaction(ctx.db, async (trx) => {
    const statement = await requireStatement(trx, input.siteId, input.statementId, { lock: true });
    const now = ctx.clock.now();
    const withdrawn = await reviewStore.withdrawDecisions(trx, {
      statementId: statement.id,
      accountId: input.actor.accountId,
      decision: 'object',
      at: now,
    });
    if (withdrawn === 0)
      throw new NotFoundError(
        `You have no objection to “${statement.title}” to withdraw.`,
        'objection-not-found',
      );
    const revision = await requireRevisionOf(trx, statement, statement.currentRevisionId);
    return settleReview(trx, statement, revision, now);
  });
  await announce(ctx, 'statement.objection-withdrawn', outcome.statement);
  return outcome;
}

/** Works clearance out again and moves the statement between `in-review` and `cleared`. */
async function settleReview(
  trx: StatementsDb,
  statement: Statement,
  revision: Revision,
  now: Date,
): Promise<DecisionOutcome> {
  const clearance = await clearanceFor(trx, statement, revision);
  const status = statusAfterReview(statement.status, clearance.state === 'met');
  const next: Statement = { ...statement, status, updatedAt: now };
  await store.updateStatement(trx, next);
  return { statement: next, clearance };
}

/** Where clearance stands for the statement's current revision (or `revisionId`). */
export async function getClearance(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string; revisionId?: string },
): Promise<ClearanceState & { revision: RevisionSummary }> {
  const statement = await requireStatement(ctx.db, input.siteId, input.statementId);
  const revision = await requireRevisionOf(
    ctx.db,
    statement,
    input.revisionId ?? statement.currentRevisionId,
  );
  const { body: _body, html: _html, ...summary } = revision;
  return { ...(await clearanceFor(ctx.db, statement, revision)), revision: summary };
}

// --- diffs -----------------------------------------------------------------------------------

export interface RevisionDiff {
  from: RevisionSummary;
  to: RevisionSummary;
  diff: ContentDiff;
}

/**
 * The word-level diff between two revisions of one statement. 404 `revision-not-found` for an
 * unknown revision; 422 `revisions-of-different-statements` for revisions of two statements.
 * `publicOnly`: only revisions that have been published, of a statement the public may read.
 */
export async function diffRevisions(
  ctx: StatementsContext,
  input: {
    siteId: string;
    statementId: string;
    fromRevisionId: string;
    toRevisionId: string;
    publicOnly?: boolean;
  },
): Promise<RevisionDiff> {
  const statement = await requireStatement(ctx.db, input.siteId, input.statementId);
  const [from, to] = await Promise.all([
    findRevisionOrFail(ctx.db, input.fromRevisionId),
    findRevisionOrFail(ctx.db, input.toRevisionId),
  ]);
  if (from.statementId !== to.statementId)
    throw new UnprocessableError(
      'These two revisions belong to different statements: a diff compares two revisions of one statement.',
      'revisions-of-different-statements',
    );
  if (from.statementId !== statement.id)
    throw new UnprocessableError(
      `These revisions belong to another statement, not to “${statement.title}”.`,
      'revision-of-another-statement',
    );
  if (input.publicOnly) {
    const hidden = !isPublic(statement, ctx.clock.now()) || !from.publishedAt || !to.publishedAt;
    if (hidden)
      throw new NotFoundError(
        'Only published revisions can be compared here.',
        'revision-not-found',
      );
  }
  return { from: summaryOf(from), to: summaryOf(to), diff: contentDiff(from, to) };
}

async function findRevisionOrFail(db: StatementsDb, id: string): Promise<Revision> {
  const revision = await store.findRevision(db, id);
  if (!revision) throw new NotFoundError(`There is no revision "${id}".`, 'revision-not-found');
  return revision;
}

function summaryOf(revision: Revision): RevisionSummary {
  const { body: _body, html: _html, ...summary } = revision;
  return summary;
}

// --- provenance ------------------------------------------------------------------------------

export interface Provenance {
  kind: 'source' | 'statement';
  /** What the page cites, and the sentence it shows ("Based in part on …"). */
  citation: Citation;
  wording: string;
  /** The external source, when it is one (with its pasted text). */
  source: Source | undefined;
  /** The revision of another statement, when it is one. */
  basedOnRevision: RevisionSummary | undefined;
  /** The word diff from the source's text to the revision's body. */
  diff: WordDiff;
  /** How much of the revision's body is taken unchanged from it. */
  reuse: ReuseShare;
}

/**
 * What `statement` is based on, compared with `revision` (default: the current one); undefined
 * when it is based on nothing. `publicOnly` leaves out a basis the public may not read (a draft
 * of another statement): the page then cites nothing rather than a link that leads nowhere.
 */
export async function getProvenance(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string; revisionId?: string; publicOnly?: boolean },
): Promise<Provenance | undefined> {
  const statement = await requireStatement(ctx.db, input.siteId, input.statementId);
  const revision = await requireRevisionOf(
    ctx.db,
    statement,
    input.revisionId ?? statement.currentRevisionId,
  );
  return provenanceOf(ctx, statement, revision, input.publicOnly === true);
}

export async function provenanceOf(
  ctx: StatementsContext,
  statement: Statement,
  revision: Revision,
  publicOnly: boolean,
): Promise<Provenance | undefined> {
  const basedOn = statement.basedOn;
  if (!basedOn) return undefined;
  if (basedOn.kind === 'source') {
    const source = await reviewStore.findSource(ctx.db, basedOn.sourceId);
    if (!source) return undefined;
    const citation: Citation = {
      kind: 'source',
      title: source.title,
      author: source.author,
      date: source.date,
      href: source.url,
    };
    return {
      kind: 'source',
      citation,
      wording: basedOnWording(citation),
      source,
      basedOnRevision: undefined,
      ...compared(`source:${source.id}`, source.text, revision),
    };
  }
  const base = await store.findRevision(ctx.db, basedOn.revisionId);
  const owner = base && (await store.findStatement(ctx.db, base.statementId));
  if (!base || !owner) return undefined;
  const readable = isPublic(owner, ctx.clock.now()) && base.publishedAt !== undefined;
  if (publicOnly && !readable) return undefined;
  const citation: Citation = {
    kind: 'statement',
    title: base.title,
    author: owner.authorName,
    date: (base.publishedAt ?? base.createdAt).toISOString().slice(0, 10),
    href: readable ? `/s/${owner.slug}` : undefined,
  };
  return {
    kind: 'statement',
    citation,
    wording: basedOnWording(citation),
    source: undefined,
    basedOnRevision: summaryOf(base),
    ...compared(`revision:${base.id}`, base.body, revision),
  };
}

/**
 * Sources and revisions never change, so the diff of a revision against its basis is worked out
 * once and kept (the public page shows the reuse share on every view). A small LRU per process.
 */
const comparisons = new Map<string, { diff: WordDiff; reuse: ReuseShare }>();
const COMPARISONS_KEPT = 200;

function compared(basis: string, text: string, revision: Revision) {
  const key = `${basis}→${revision.id}`;
  let found = comparisons.get(key);
  if (found) {
    comparisons.delete(key); // most recently used goes last
  } else {
    const diff = wordDiff(text, revision.body);
    found = { diff, reuse: reuseShare(text, revision.body, diff) };
    if (comparisons.size >= COMPARISONS_KEPT) {
      const oldest = comparisons.keys().next().value;
      if (oldest !== undefined) comparisons.delete(oldest);
    }
  }
  comparisons.set(key, found);
  return found;
}

// --- internal comments -----------------------------------------------------------------------

export interface AnchoredComment extends InternalComment {
  /** Where it belongs in the revision being shown. */
  anchor: CommentAnchor;
  /** The number of the revision it was made on. */
  revisionNumber: number;
}

/** Comments on a paragraph of a revision. Members only; never shown publicly. */
export async function addInternalComment(
  ctx: StatementsContext,
  input: {
    siteId: string;
    statementId: string;
    revisionId: string;
    /** 0-based, as `paragraphsOf` numbers the revision's paragraphs. */
    paragraphIndex: number;
    body: string;
    actor: Actor;
  },
): Promise<AnchoredComment> {
  const body = normaliseText(input.body ?? '');
  if (body === '')
    throw new UnprocessableError('The comment is empty: write something first.', 'comment-empty');
  if (body.length > TEXT_LIMITS.internalComment)
    throw new UnprocessableError(
      `The comment is longer than ${TEXT_LIMITS.internalComment.toLocaleString('en')} characters.`,
      'comment-too-long',
    );
  return inTransaction(ctx.db, async (trx) => {
    const statement = await requireStatement(trx, input.siteId, input.statementId, { lock: true });
    requireLifecycle(statement, 'comment');
    const revision = await requireRevisionOf(trx, statement, input.revisionId);
    const paragraphs = paragraphsOf(revision.body);
    const paragraph = paragraphs[input.paragraphIndex];
    if (!paragraph)
      throw new UnprocessableError(
        `Revision ${revision.number} has ${paragraphs.length} paragraph${paragraphs.length === 1 ? '' : 's'}; there is no paragraph ${input.paragraphIndex + 1}.`,
        'paragraph-not-found',
      );
    const comment: InternalComment = {
      id: ctx.ids.id(),
      statementId: statement.id,
      revisionId: revision.id,
      paragraphIndex: paragraph.index,
      paragraphHash: paragraph.hash,
      excerpt: paragraphExcerpt(paragraph.text),
      authorAccountId: input.actor.accountId,
      authorName: input.actor.name,
      body,
      createdAt: ctx.clock.now(),
    };
    await reviewStore.insertInternalComment(trx, comment);
    return {
      ...comment,
      revisionNumber: revision.number,
      anchor: { state: 'attached', paragraphIndex: paragraph.index },
    };
  });
}

/**
 * Every internal comment on the statement, anchored in `revisionId` (default: the current
 * revision): attached to the identical paragraph, or "on an earlier revision".
 */
export async function listInternalComments(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string; revisionId?: string },
): Promise<{ revision: RevisionSummary; comments: AnchoredComment[] }> {
  const statement = await requireStatement(ctx.db, input.siteId, input.statementId);
  const revision = await requireRevisionOf(
    ctx.db,
    statement,
    input.revisionId ?? statement.currentRevisionId,
  );
  const paragraphs = paragraphsOf(revision.body);
  const numbers = new Map(
    (await store.listRevisions(ctx.db, statement.id)).map((r) => [r.id, r.number]),
  );
  const comments = await reviewStore.listInternalComments(ctx.db, statement.id);
  return {
    revision: summaryOf(revision),
    comments: comments
      // Comments on later revisions than the one shown are not about its text.
      .filter((c) => (numbers.get(c.revisionId) ?? 0) <= revision.number)
      .map((comment) => ({
        ...comment,
        revisionNumber: numbers.get(comment.revisionId) ?? 0,
        anchor: anchorComment(comment, paragraphs),
      })),
  };
}

// --- the site's clearance policy -------------------------------------------------------------

export async function getClearancePolicy(
  ctx: StatementsContext,
  siteId: string,
): Promise<ClearancePolicy> {
  return clearancePolicyFor(ctx.db, siteId);
}

/**
 * Sets the site's clearance policy (site settings, key `clearance`). Named approvers must be
 * members who may approve (`statements.approve`); 422 otherwise.
 */
export async function setClearancePolicy(
  ctx: StatementsContext,
  input: { siteId: string; policy: unknown },
): Promise<ClearancePolicy> {
  const problem = clearancePolicyProblem(input.policy);
  if (problem) throw new UnprocessableError(problem, 'invalid-clearance-policy');
  const policy = clearancePolicyOf({ clearance: input.policy });
  return inTransaction(ctx.db, async (trx) => {
    if (policy.kind === 'approvers') {
      const roles = await reviewStore.memberRoles(trx, input.siteId, policy.accountIds);
      const unable = policy.accountIds.filter((id) => {
        const role = roles.get(id);
        return role === undefined || !isRole(role) || !can(role, 'statements.approve');
      });
      if (unable.length > 0)
        throw new UnprocessableError(
          `Named approvers must be members who may approve statements (owners and editors); these are not: ${unable.join(', ')}.`,
          'approver-cannot-approve',
        );
    }
    // The same locked read-modify-write as every change of site settings (accounts' service).
    const accountsDb = trx as unknown as AccountsDb;
    await accountsStore.lockSite(accountsDb, input.siteId);
    const site = await accountsStore.findSite(accountsDb, input.siteId);
    if (!site) throw new NotFoundError(`There is no site ${input.siteId}.`, 'site-not-found');
    await accountsStore.updateSiteSettings(accountsDb, input.siteId, {
      ...site.settings,
      clearance: policy,
    });
    return policy;
  });
}

// --- the review page -------------------------------------------------------------------------

export interface Review {
  statement: Statement;
  current: Revision;
  /** The published revision, when the statement has been published. */
  published: Revision | undefined;
  clearance: ClearanceState;
  /** Every decision recorded on the statement, oldest first (withdrawn ones too). */
  decisions: ApprovalRecord[];
  /**
   * What changed since the newest earlier revision anyone approved (or, when nobody has approved
   * an earlier one, since the published revision): undefined when there is no such revision.
   */
  sinceApproved: RevisionDiff | undefined;
  provenance: Provenance | undefined;
  comments: AnchoredComment[];
  revisions: RevisionSummary[];
}

/** Everything the review page shows, for members. */
export async function getReview(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string },
): Promise<Review> {
  const statement = await requireStatement(ctx.db, input.siteId, input.statementId);
  const current = await requireRevisionOf(ctx.db, statement, statement.currentRevisionId);
  const published = statement.publishedRevisionId
    ? await requireRevisionOf(ctx.db, statement, statement.publishedRevisionId)
    : undefined;
  const decisions = await reviewStore.listDecisions(ctx.db, statement.siteId, statement.id);
  const revisions = await store.listRevisions(ctx.db, statement.id);
  const approvedIds = new Set(
    decisions.filter((d) => d.decision === 'approve').map((d) => d.revisionId),
  );
  const baseline =
    [...revisions]
      .reverse()
      .find(
        (r) =>
          r.number < current.number &&
          approvedIds.has(r.id) &&
          r.contentHash !== current.contentHash,
      ) ?? (published && published.id !== current.id ? published : undefined);
  const baselineRevision = baseline && (await store.findRevision(ctx.db, baseline.id));
  const { comments } = await listInternalComments(ctx, {
    siteId: input.siteId,
    statementId: statement.id,
  });
  return {
    statement,
    current,
    published,
    clearance: await clearanceFor(ctx.db, statement, current),
    decisions,
    sinceApproved: baselineRevision && {
      from: summaryOf(baselineRevision),
      to: summaryOf(current),
      diff: contentDiff(baselineRevision, current),
    },
    provenance: await provenanceOf(ctx, statement, current, false),
    comments,
    revisions,
  };
}
