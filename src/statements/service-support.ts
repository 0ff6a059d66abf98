/**
 * What the statements' use cases share: their context, who is acting, and the look-ups every
 * action starts with (the statement, locked; a revision of it; the site's clearance policy and
 * where clearance stands).
 */
import type { Role } from '../accounts/model.js';
import type { DiscussionContext } from '../discussion/service.js';
import type { Clock } from '../platform/clock.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../platform/errors.js';
import type { EventBus } from '../platform/event-bus.js';
import type { Ids } from '../platform/ids.js';
import type { Logger } from '../platform/logger.js';
import type { Mailer } from '../platform/mail.js';
import type { ClearancePolicy, ClearanceState } from './clearance.js';
import { clearancePolicyOf, clearanceState } from './clearance.js';
import type { LifecycleProblem, StatementAction } from './lifecycle.js';
import { lifecycleProblem } from './lifecycle.js';
import { isPublished } from './model.js';
import * as reviewStore from './review-store.js';
import * as store from './store.js';
import type { Revision, Statement, StatementsDb } from './store.js';

export interface StatementsContext {
  db: StatementsDb;
  clock: Clock;
  ids: Ids;
  bus: EventBus;
  /** The discussion capability, which gives every published statement its thread. */
  discussion: DiscussionContext;
  /**
   * Mail for co-signatures' confirmation links. Without it (or with mail disabled) statements
   * cannot be signed, since no signature could be confirmed.
   */
  mail?: {
    mailer: Mailer;
    /** BASE_URL, ending in `/`: links in mail start with it. */
    baseUrl: URL;
    logger: Logger;
  };
}

/** The member doing something: from the request's session or API token. */
export interface Actor {
  accountId: string;
  name: string;
  role: Role;
}

export function statementNotFound(reference: string): NotFoundError {
  return new NotFoundError(`There is no statement "${reference}".`, 'statement-not-found');
}

/**
 * The site's statement with this id (or, failing that, this slug); with `lock`, its row is locked
 * until the transaction ends, so that two actions on one statement take turns.
 */
export async function requireStatement(
  db: StatementsDb,
  siteId: string,
  reference: string,
  options: { lock?: boolean } = {},
): Promise<Statement> {
  let statement = options.lock
    ? await store.lockStatement(db, reference)
    : await store.findStatement(db, reference);
  if (!statement) {
    const bySlug = await store.findStatementBySlug(db, siteId, reference);
    statement = bySlug && options.lock ? await store.lockStatement(db, bySlug.id) : bySlug;
  }
  if (!statement || statement.siteId !== siteId) throw statementNotFound(reference);
  return statement;
}

/**
 * A revision of `statement`: 404 `revision-not-found` when no revision has this id, 422
 * `revision-of-another-statement` when it belongs to a different statement.
 */
export async function requireRevisionOf(
  db: StatementsDb,
  statement: Statement,
  revisionId: string,
): Promise<Revision> {
  const revision = await store.findRevision(db, revisionId);
  if (!revision)
    throw new NotFoundError(
      `There is no revision "${revisionId}": it may never have existed, or its statement was deleted.`,
      'revision-not-found',
    );
  if (revision.statementId !== statement.id)
    throw new UnprocessableError(
      `Revision "${revisionId}" belongs to another statement, not to “${statement.title}”.`,
      'revision-of-another-statement',
    );
  return revision;
}

/** Whether the public may read the statement: published (or withdrawn: its page stays) and due. */
export function isPublic(statement: Statement, now: Date): boolean {
  return (
    (statement.status === 'published' || statement.status === 'withdrawn') &&
    isPublished(statement.publishedAt, now)
  );
}

/** Refuses an action the statement's status does not allow (409 with the lifecycle's code). */
export function requireLifecycle(statement: Statement, action: StatementAction): void {
  const problem: LifecycleProblem | undefined = lifecycleProblem(
    {
      status: statement.status,
      hasUnpublishedRevision: statement.currentRevisionId !== statement.publishedRevisionId,
      signingOpen: statement.signingOpen,
    },
    action,
  );
  if (problem) throw new ConflictError(problem.message, problem.code);
}

/** The site's clearance policy, read now (an owner may change it at any time). */
export async function clearancePolicyFor(
  db: StatementsDb,
  siteId: string,
): Promise<ClearancePolicy> {
  const row = await db
    .selectFrom('sites')
    .select('settings')
    .where('id', '=', siteId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`There is no site ${siteId}.`, 'site-not-found');
  return clearancePolicyOf(JSON.parse(row.settings) as Record<string, unknown>);
}

/** Where clearance stands for `revision` of `statement` under the site's policy now. */
export async function clearanceFor(
  db: StatementsDb,
  statement: Statement,
  revision: Pick<Revision, 'id' | 'contentHash'>,
): Promise<ClearanceState> {
  const policy = await clearancePolicyFor(db, statement.siteId);
  const decisions = await reviewStore.listDecisions(db, statement.siteId, statement.id);
  const names =
    policy.kind === 'approvers'
      ? await reviewStore.accountNames(db, policy.accountIds)
      : new Map<string, string>();
  return clearanceState(policy, revision, decisions, names);
}

/** Tells listeners (live pages, feeds, federation later) of a change, after its commit. */
export async function announce(
  ctx: StatementsContext,
  type: string,
  statement: Pick<Statement, 'id' | 'siteId' | 'slug'>,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await ctx.bus.publish({
    type,
    topic: `site:${statement.siteId}`,
    payload: { statementId: statement.id, slug: statement.slug, ...extra },
  });
}
