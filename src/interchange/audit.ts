/**
 * The audit trail of personal-data requests: each export and erasure is a row of moderation's
 * audit log (`moderation_actions`), written inside the request's own transaction, so an erasure
 * and its record are both there or neither is. A request concerns the whole installation, so
 * each of its sites gets the row (an installation usually has one).
 *
 * An entry never holds the address itself (that would keep what an erasure removed): only a keyed
 * hash of it, which whoever holds SECRET can recompute to answer "was this address's data erased,
 * and when?".
 */
import { automaticEntry, moderatorEntry } from '../moderation/audit.js';
import type { ModerationDb } from '../moderation/store.js';
import { insertAuditEntries } from '../moderation/store.js';
import type { Clock } from '../platform/clock.js';
import type { Ids } from '../platform/ids.js';
import { keyedHash } from '../platform/ids.js';
import type { PersonalDataDb } from './personal-data-store.js';
import { allSiteIds } from './personal-data-store.js';

/** As the audit log names them (moderation's AUDIT_ACTIONS). */
export type PersonalDataAction = 'person-export' | 'person-erase';

/** Who asked: a member on the admin page, or whoever ran the command line (the log's "System"). */
export type AuditActor =
  { kind: 'member'; accountId: string; email: string } | { kind: 'command-line' };

export interface PersonalDataAuditEntry {
  action: PersonalDataAction;
  /** The address the request was about. */
  email: string;
  actor: AuditActor;
  /** What was exported or erased, by kind: `{ comments: 3, subscriptions: 1 }`. */
  counts: Record<string, number>;
}

/** The keyed hash an audit entry names an address by (its `target`). */
export function auditSubject(secret: string, email: string): string {
  return `address:${keyedHash(secret, `audit-subject:${email}`)}`;
}

/** How the sources' counts read: `subscriptions` → "1 subscription", "2 subscriptions". */
const NOUNS: Record<string, [string, string]> = {
  auditEntries: ['audit log entry', 'audit log entries'],
};

/** Counts by source in words, those above zero: "1 subscription, 4 comments". */
export function countsInWords(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => {
      const [one, many] = NOUNS[name] ?? [name.replace(/s$/, ''), name];
      return `${n} ${n === 1 ? one : many}`;
    })
    .join(', ');
}

/** What the entry says happened, in words: "Erased 4 comments, 1 subscription (command line)." */
export function auditReason(entry: PersonalDataAuditEntry): string {
  const verb = entry.action === 'person-erase' ? 'Erased' : 'Exported';
  const where = entry.actor.kind === 'command-line' ? ' (command line)' : '';
  return `${verb} ${countsInWords(entry.counts) || 'nothing'}${where}.`;
}

/** Writes the entry, in the caller's transaction `db`. */
export async function recordPersonalDataAction(
  ctx: { db: PersonalDataDb; secret: string; clock: Clock; ids: Ids },
  entry: PersonalDataAuditEntry,
): Promise<void> {
  const fields = {
    action: entry.action,
    target: auditSubject(ctx.secret, entry.email),
    reason: auditReason(entry),
  };
  const actor = entry.actor;
  const name =
    actor.kind === 'member'
      ? ((
          await ctx.db
            .selectFrom('accounts')
            .select('display_name')
            .where('id', '=', actor.accountId)
            .executeTakeFirst()
        )?.display_name ?? actor.accountId)
      : undefined;
  const entries = (await allSiteIds(ctx.db)).map((siteId) =>
    actor.kind === 'member'
      ? moderatorEntry(ctx, siteId, { accountId: actor.accountId, name: name ?? '' }, fields)
      : automaticEntry(ctx, siteId, 'system', fields),
  );
  // Moderation's store, on the same connection: the tables are the same whatever the type says.
  await insertAuditEntries(ctx.db as unknown as ModerationDb, entries);
}
