/**
 * The audit trail of personal-data requests. For now each entry is a structured log line (field
 * `audit`); when moderation's `moderation_actions` table exists, this one function is where an
 * entry becomes a row of it instead — ideally written inside the request's own transaction.
 *
 * An entry never holds the address itself (that would keep what an erasure removed): only a keyed
 * hash of it, which whoever holds SECRET can recompute to answer "was this address's data erased,
 * and when?".
 */
import { keyedHash } from '../platform/ids.js';
import type { Logger } from '../platform/logger.js';

export type PersonalDataAction = 'personal-data.export' | 'personal-data.erase';

export type AuditActor =
  { kind: 'member'; accountId: string; email: string } | { kind: 'command-line' };

export interface PersonalDataAuditEntry {
  action: PersonalDataAction;
  /** The address the request was about. */
  email: string;
  actor: AuditActor;
  /** What was exported or erased, by kind: `{ comments: 3, subscriptions: 1 }`. */
  counts: Record<string, number>;
  at: Date;
}

/** The keyed hash an audit entry names an address by. */
export function auditSubject(secret: string, email: string): string {
  return `address:${keyedHash(secret, `audit-subject:${email}`)}`;
}

export function recordPersonalDataAction(
  ctx: { logger: Logger; secret: string },
  entry: PersonalDataAuditEntry,
): void {
  ctx.logger.info(
    {
      audit: {
        action: entry.action,
        subject: auditSubject(ctx.secret, entry.email),
        actor: entry.actor,
        counts: entry.counts,
        at: entry.at.toISOString(),
      },
    },
    entry.action === 'personal-data.erase' ? 'personal data erased' : 'personal data exported',
  );
}
