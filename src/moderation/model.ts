/**
 * The moderation verdict every new comment passes through. This first version approves
 * everything: the HTTP rate limits already refuse floods before a comment gets here. The
 * moderation capability replaces it with a pipeline of phases, keeping this signature.
 */

export type Decision = 'approve' | 'hold' | 'reject' | 'spam';

export interface VerdictReason {
  /** Stable and machine-readable, e.g. `suspect-term`. */
  code: string;
  message: string;
}

export interface Verdict {
  decision: Decision;
  reasons: VerdictReason[];
}

/** What a verdict may look at; read-only and complete, so phases stay pure. */
export interface CommentUnderReview {
  body: string;
  authorName: string;
  authorEmail: string | undefined;
  authorAccountId: string | undefined;
  threadStatus: 'open' | 'closed';
  origin: 'local' | 'import' | 'federation';
  now: Date;
}

export function judgeComment(_comment: CommentUnderReview): Verdict {
  return { decision: 'approve', reasons: [] };
}
