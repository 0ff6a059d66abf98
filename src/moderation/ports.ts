/**
 * The two seams between moderation and discussion. Discussion asks moderation for verdicts
 * (`CommentModeration`, which moderation implements); moderation changes comments only through
 * `ModeratedComments`, which discussion implements and the composition root hands over — so
 * moderation never imports discussion, and every change of a comment's status still bumps its
 * thread's version and reaches live readers.
 */
import type { Kysely } from 'kysely';
import type {
  ClassifiedComment,
  ClassifierOutcome,
  CommentUnderReview,
  Verdict,
  VerdictReason,
} from './model.js';

/**
 * A transaction both capabilities write in, so that one user action stays one transaction. Each
 * side reads it as its own tables (`db as unknown as TheirDb`); typed loosely on purpose.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SharedTransaction = Kysely<any>;

/** An automatic decision to write in the audit log, in the transaction that stored the comment. */
export interface AutomaticDecision {
  siteId: string;
  commentId: string;
  threadId: string;
  /** `import`: the comment kept its original status and was only flagged for review. */
  source: 'rules' | 'import';
  verdict: Verdict;
  statusAfter: string;
  flagged: boolean;
}

/** What discussion asks of moderation. */
export interface CommentModeration {
  /**
   * Outside any transaction, before the comment is judged: the configured external classifiers
   * (slow, remote; each with its own timeout). `undefined` when none is configured.
   */
  consult(comment: ClassifiedComment): Promise<ClassifierOutcome | undefined>;
  /** In the posting transaction: the verdict under the site's current rules and bans. */
  judge(
    db: SharedTransaction,
    comment: CommentUnderReview,
    classifier: ClassifierOutcome | undefined,
  ): Promise<Verdict>;
  /** In the same transaction, once the comment is stored: the audit log's entry. */
  record(db: SharedTransaction, decision: AutomaticDecision): Promise<void>;
}

/** A moderator's (or the reports') decision on one comment. */
export interface CommentStatusChange {
  commentId: string;
  status: 'approved' | 'pending' | 'rejected' | 'spam';
  /** Whether it still waits for a moderator afterwards (false once someone decided). */
  flagged: boolean;
  /** Replaces the comment's reasons when given (e.g. a moderator's reason for rejecting). */
  reasons?: VerdictReason[];
}

export interface CommentStatusChanged {
  threadId: string;
  statusBefore: string;
  statusAfter: string;
  /** Tells live readers; call it after the transaction commits. */
  announce(): Promise<void>;
}

/** What moderation may do to comments and threads, implemented by discussion. */
export interface ModeratedComments {
  /** In the caller's transaction. Unknown (or deleted) comment → NotFoundError. */
  setStatus(db: SharedTransaction, change: CommentStatusChange): Promise<CommentStatusChanged>;
  /** In the caller's transaction. Unknown thread → NotFoundError. */
  setThreadStatus(
    db: SharedTransaction,
    input: { threadId: string; status: 'open' | 'closed' },
  ): Promise<{ statusBefore: string; announce(): Promise<void> }>;
}
