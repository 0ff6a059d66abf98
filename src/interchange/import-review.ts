/**
 * The moderation review of imported comments: each passes the site's current rules in review mode
 * (origin `import`: only what the text says counts — terms, links, blocked domains; no history,
 * no ban, no outside classifier). An import never refuses or re-classes a comment: one the rules
 * would not approve keeps its original status and is flagged, with the reasons, for the
 * moderators' queue; and the audit log says so, in the batch that stored it.
 *
 * The rules are read and compiled once per import: a change made while it runs applies to the next.
 */
import type { Kysely } from 'kysely';
import { automaticEntry } from '../moderation/audit.js';
import { NO_HISTORY } from '../moderation/model.js';
import type { CommentUnderReview } from '../moderation/model.js';
import { runPipeline } from '../moderation/pipeline.js';
import type { CompiledRules } from '../moderation/rules.js';
import { compileRules, RulesError, settingsFromStored } from '../moderation/rules.js';
import type { AuditEntry, ModerationDb } from '../moderation/store.js';
import { findRules, insertAuditEntries } from '../moderation/store.js';
import type { Clock } from '../platform/clock.js';
import type { Ids } from '../platform/ids.js';
import type { CommentForReview, ReviewHook } from './import-engine.js';

/** Audit entries per INSERT: 14 columns each stays far below both databases' parameter limits. */
const AUDIT_CHUNK = 500;

export interface ImportReview {
  review: ReviewHook;
  /**
   * Set when the stored rules no longer compile (a list a newer Broadside reads more strictly):
   * the shipped lists reviewed the import instead; the report says so.
   */
  fallback: string | undefined;
}

/** Reads and compiles the site's current rules (in `db`, the import's transaction or not). */
export async function loadImportReview(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the runtime's handle to every table
  db: Kysely<any>,
  siteId: string,
): Promise<ImportReview> {
  const settings = settingsFromStored(await findRules(db as ModerationDb, siteId));
  let rules: CompiledRules;
  let fallback: string | undefined;
  try {
    rules = compileRules(settings);
  } catch (error) {
    if (!(error instanceof RulesError)) throw error;
    fallback = `the site's moderation rules do not compile (${error.message}); the shipped term lists reviewed the imported comments`;
    rules = compileRules({
      ...settings,
      blockedTerms: undefined,
      suspectTerms: undefined,
      blockedDomains: '',
    });
  }
  return { review: reviewHook(siteId, rules), fallback };
}

/** The review of one imported comment under compiled rules. Pure. */
export function reviewHook(siteId: string, rules: CompiledRules): ReviewHook {
  return (comment: CommentForReview) => {
    const underReview: CommentUnderReview = {
      siteId,
      threadId: comment.threadId,
      body: comment.body,
      authorName: comment.authorName,
      authorEmail: comment.authorEmail,
      authorAccountId: undefined,
      ipHash: undefined,
      authorUrl: comment.authorUrl,
      threadStatus: 'open',
      origin: 'import',
      history: NO_HISTORY,
      now: comment.createdAt,
    };
    const verdict = runPipeline({
      comment: underReview,
      rules,
      ban: undefined,
      classifier: undefined,
    });
    return { flagged: verdict.decision !== 'approve', reasons: verdict.reasons };
  };
}

/** A comment the review flagged, as stored by the import. */
export interface FlaggedComment {
  commentId: string;
  threadId: string;
  status: string;
  reasons: readonly { code: string; message: string }[];
}

/**
 * The audit log's `flag-import` entries (actor: the import) for comments an import flagged, in
 * the caller's transaction — the batch's, so that a comment and its entry are kept or lost together.
 */
export async function recordFlagged(
  db: ModerationDb,
  ctx: { ids: Ids; clock: Clock },
  siteId: string,
  flagged: readonly FlaggedComment[],
): Promise<void> {
  const entries: AuditEntry[] = flagged.map((comment) =>
    automaticEntry(ctx, siteId, 'import', {
      action: 'flag-import',
      commentId: comment.commentId,
      threadId: comment.threadId,
      reason: comment.reasons.map((r) => r.message).join(' ') || undefined,
      reasonCodes: comment.reasons.map((r) => r.code),
      statusAfter: comment.status,
    }),
  );
  for (let i = 0; i < entries.length; i += AUDIT_CHUNK)
    await insertAuditEntries(db, entries.slice(i, i + AUDIT_CHUNK));
}
