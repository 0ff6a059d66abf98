/**
 * The life of a statement: draft → in review → cleared → published → (corrected) / withdrawn,
 * which actions each status allows, and the status an action leaves. Pure.
 *
 * - A draft is edited freely and submitted for review.
 * - In review, members approve or object; when the clearance policy is met for the current
 *   revision the statement is `cleared`, and an edit sends it back to `in-review`.
 * - Publishing needs the policy met for the current revision (a draft may be published directly
 *   when the policy asks for nothing).
 * - A published statement may be revised: the new revision waits (approvals work as in review)
 *   until it is published as a correction. Withdrawal ends it; the page stays, marked.
 */

export const STATEMENT_STATUSES = [
  'draft',
  'in-review',
  'cleared',
  'published',
  'withdrawn',
] as const;
export type StatementStatus = (typeof STATEMENT_STATUSES)[number];

export function isStatementStatus(value: string): value is StatementStatus {
  return (STATEMENT_STATUSES as readonly string[]).includes(value);
}

export type StatementAction =
  'revise' | 'submit' | 'decide' | 'publish' | 'correct' | 'withdraw' | 'comment' | 'sign';

export interface LifecycleFacts {
  status: StatementStatus;
  /** The current revision is not the published one (a correction waits). */
  hasUnpublishedRevision: boolean;
  signingOpen: boolean;
}

export interface LifecycleProblem {
  code: string;
  message: string;
}

/** Why `action` is not possible now, or undefined when it is. Refusals are 409 conflicts. */
export function lifecycleProblem(
  facts: LifecycleFacts,
  action: StatementAction,
): LifecycleProblem | undefined {
  const { status } = facts;
  if (status === 'withdrawn' && action !== 'comment') {
    return {
      code: 'statement-withdrawn',
      message:
        'The statement has been withdrawn; it can no longer be changed, published or signed.',
    };
  }
  switch (action) {
    case 'revise':
    case 'comment':
      return undefined;
    case 'submit':
      if (status === 'draft') return undefined;
      return status === 'published'
        ? {
            code: 'already-published',
            message:
              'The statement is published: its new revisions are reviewed as they come, and published with “correct”.',
          }
        : { code: 'already-in-review', message: 'The statement is already in review.' };
    case 'decide':
      if (status === 'in-review' || status === 'cleared') return undefined;
      if (status === 'published' && facts.hasUnpublishedRevision) return undefined;
      return status === 'draft'
        ? {
            code: 'not-in-review',
            message: 'The statement is still a draft: its author submits it for review first.',
          }
        : {
            code: 'nothing-to-review',
            message:
              'The published text is the latest revision: there is nothing new to approve. Revise the statement first.',
          };
    case 'publish':
      if (status === 'published')
        return {
          code: 'already-published',
          message:
            'The statement is already published. To change it, revise it and publish the new revision as a correction.',
        };
      return undefined;
    case 'correct':
      if (status !== 'published')
        return {
          code: 'not-published',
          message: 'Only a published statement can be corrected; publish it first.',
        };
      return undefined;
    case 'withdraw':
      return status === 'published'
        ? undefined
        : { code: 'not-published', message: 'Only a published statement can be withdrawn.' };
    case 'sign':
      if (status !== 'published')
        return {
          code: 'not-published',
          message: 'Only a published statement can be signed.',
        };
      return facts.signingOpen
        ? undefined
        : { code: 'signing-closed', message: 'Signing of this statement is closed.' };
  }
}

/** The status after the current revision changes (an edit), before any new decision. */
export function statusAfterRevision(status: StatementStatus): StatementStatus {
  return status === 'cleared' ? 'in-review' : status;
}

/** The status of a statement under review once clearance has been worked out again. */
export function statusAfterReview(status: StatementStatus, clearanceMet: boolean): StatementStatus {
  if (status === 'in-review' && clearanceMet) return 'cleared';
  if (status === 'cleared' && !clearanceMet) return 'in-review';
  return status;
}
