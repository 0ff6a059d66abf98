/**
 * The audit log: every moderator action and every automatic decision, with who or what, when,
 * why, and the status before and after. Entries are written by the use cases in their own
 * transactions; this module makes them, lists them and exports them as CSV.
 */
import type { ModerationContext, Moderator } from './context.js';
import { csvRow } from './csv.js';
import { decodeCursor, pageOf } from './paging.js';
import type { ActorKind, AuditEntry, AuditFilter } from './store.js';
import { ACTOR_KINDS, listAuditEntries } from './store.js';

/** The actions the log records, for filters and documentation. */
export const AUDIT_ACTIONS = [
  'auto-approve',
  'auto-hold',
  'auto-reject',
  'auto-spam',
  'flag-import',
  'approve',
  'reject',
  'spam',
  'ban',
  'lift-ban',
  'close-thread',
  'open-thread',
  'rules-updated',
  // Personal-data requests (interchange): everything about an address exported, or erased.
  'person-export',
  'person-erase',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** How automatic actors appear in the log. */
export const ACTOR_NAMES: Record<Exclude<ActorKind, 'member'>, string> = {
  rules: 'Rules',
  import: 'Import',
  reports: 'Readers’ reports',
  system: 'System',
};

type EntryFields = Partial<
  Pick<
    AuditEntry,
    'commentId' | 'threadId' | 'target' | 'reason' | 'reasonCodes' | 'statusBefore' | 'statusAfter'
  >
> & { action: AuditAction };

/** An entry for something a moderator did, now. */
export function moderatorEntry(
  ctx: Pick<ModerationContext, 'clock' | 'ids'>,
  siteId: string,
  actor: Moderator,
  fields: EntryFields,
): AuditEntry {
  return entry(ctx, siteId, fields, {
    actorKind: 'member',
    actorAccountId: actor.accountId,
    actorName: actor.name,
  });
}

/** An entry for something the rules, an import or readers' reports did, now. */
export function automaticEntry(
  ctx: Pick<ModerationContext, 'clock' | 'ids'>,
  siteId: string,
  actorKind: Exclude<ActorKind, 'member'>,
  fields: EntryFields,
): AuditEntry {
  return entry(ctx, siteId, fields, {
    actorKind,
    actorAccountId: undefined,
    actorName: ACTOR_NAMES[actorKind],
  });
}

function entry(
  ctx: Pick<ModerationContext, 'clock' | 'ids'>,
  siteId: string,
  fields: EntryFields,
  actor: Pick<AuditEntry, 'actorKind' | 'actorAccountId' | 'actorName'>,
): AuditEntry {
  return {
    id: ctx.ids.id(),
    siteId,
    at: ctx.clock.now(),
    ...actor,
    action: fields.action,
    commentId: fields.commentId,
    threadId: fields.threadId,
    target: fields.target,
    reason: fields.reason,
    reasonCodes: fields.reasonCodes ?? [],
    statusBefore: fields.statusBefore,
    statusAfter: fields.statusAfter,
  };
}

// --- reading -------------------------------------------------------------------------------

export interface AuditQuery {
  siteId: string;
  action?: string | undefined;
  /** An actor kind (`rules`, `import`, `reports`, `system`, `member`) or a member's account id. */
  actor?: string | undefined;
  commentId?: string | undefined;
  /** Entries at or after this time. */
  from?: Date | undefined;
  /** Entries before this time. */
  to?: Date | undefined;
}

export const AUDIT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

function filterOf(query: AuditQuery): AuditFilter {
  const filter: AuditFilter = { siteId: query.siteId };
  if (query.action) filter.action = query.action;
  if (query.commentId) filter.commentId = query.commentId;
  if (query.from) filter.from = query.from;
  if (query.to) filter.to = query.to;
  if (query.actor) {
    if ((ACTOR_KINDS as readonly string[]).includes(query.actor))
      filter.actorKind = query.actor as ActorKind;
    else filter.actorAccountId = query.actor;
  }
  return filter;
}

/** One page of the log, newest first, filtered; `nextCursor` leads to the next. */
export async function listAudit(
  ctx: Pick<ModerationContext, 'db'>,
  query: AuditQuery & { cursor?: string | undefined; limit?: number | undefined },
): Promise<{ items: AuditEntry[]; nextCursor: string | undefined }> {
  const limit = Math.min(Math.max(query.limit ?? AUDIT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  const after = query.cursor ? decodeCursor('audit', query.cursor) : undefined;
  const rows = await listAuditEntries(ctx.db, filterOf(query), { after, limit: limit + 1 });
  return pageOf(rows, limit, 'audit', keysetOf);
}

const keysetOf = (entry: AuditEntry) => ({ at: entry.at.toISOString(), id: entry.id });

export const AUDIT_CSV_HEADER = [
  'time',
  'actor_kind',
  'actor',
  'actor_account_id',
  'action',
  'comment_id',
  'thread_id',
  'target',
  'reason',
  'reason_codes',
  'status_before',
  'status_after',
] as const;

const EXPORT_BATCH = 500;

/**
 * The log as CSV, newest first, filtered like `listAudit`: the header row, then one record per
 * entry, read a batch at a time so that a long log never sits in memory whole.
 */
export async function* exportAuditCsv(
  ctx: Pick<ModerationContext, 'db'>,
  query: AuditQuery,
): AsyncGenerator<string> {
  yield csvRow(AUDIT_CSV_HEADER);
  const filter = filterOf(query);
  let after: { at: string; id: string } | undefined;
  for (;;) {
    const rows = await listAuditEntries(ctx.db, filter, { after, limit: EXPORT_BATCH });
    if (rows.length > 0) yield rows.map(csvRecord).join('');
    const last = rows.at(-1);
    if (rows.length < EXPORT_BATCH || !last) return;
    after = keysetOf(last);
  }
}

function csvRecord(entry: AuditEntry): string {
  return csvRow([
    entry.at.toISOString(),
    entry.actorKind,
    entry.actorName,
    entry.actorAccountId,
    entry.action,
    entry.commentId,
    entry.threadId,
    entry.target,
    entry.reason,
    entry.reasonCodes.join(' '),
    entry.statusBefore,
    entry.statusAfter,
  ]);
}
