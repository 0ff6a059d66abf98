/**
 * The SQL of moderation's own tables: the site's rules, bans, readers' reports and the audit log
 * (`moderation_actions`). Rows are mapped to domain types here and nowhere else. The read-only
 * queries over discussion's comments and threads (the queue) are in `queue-store.ts`.
 */
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import { locksRows } from '../platform/database/index.js';
import type { CommentsView, ThreadsView } from './queue-store.js';

export interface ModerationRulesTable {
  site_id: string;
  blocked_terms: string | null;
  suspect_terms: string | null;
  settings: string;
  version: number;
  digest_sent_at: string | null;
  updated_at: string;
  updated_by: string | null;
}

export interface BansTable {
  id: string;
  site_id: string;
  kind: string;
  value: string;
  reason: string;
  comment_id: string | null;
  created_by: string | null;
  created_at: string;
  expires_at: string | null;
  lifted_at: string | null;
}

export interface ReportsTable {
  id: string;
  site_id: string;
  comment_id: string;
  reason: string;
  note: string | null;
  reporter_key: string;
  reporter_account_id: string | null;
  created_at: string;
  resolved_at: string | null;
  resolution: string | null;
}

export interface ModerationActionsTable {
  id: string;
  site_id: string;
  at: string;
  actor_kind: string;
  actor_account_id: string | null;
  actor_name: string;
  action: string;
  comment_id: string | null;
  thread_id: string | null;
  target: string | null;
  reason: string | null;
  reason_codes: string;
  status_before: string | null;
  status_after: string | null;
}

/** The tables moderation reads and writes; comments and threads are discussion's, read only. */
export interface ModerationTables {
  moderation_rules: ModerationRulesTable;
  bans: BansTable;
  reports: ReportsTable;
  moderation_actions: ModerationActionsTable;
  comments: CommentsView;
  threads: ThreadsView;
}

export type ModerationDb = Kysely<ModerationTables>;

// --- domain shapes -------------------------------------------------------------------------

/** The site's rules as stored: no row means the defaults (version 0). */
export interface StoredRules {
  siteId: string;
  /** `undefined`: the shipped default list. */
  blockedTerms: string | undefined;
  suspectTerms: string | undefined;
  /** Every other setting, as stored JSON (parsed, not yet validated). */
  settings: Record<string, unknown>;
  version: number;
  digestSentAt: Date | undefined;
  updatedAt: Date | undefined;
  updatedBy: string | undefined;
}

export const BAN_KINDS = ['account', 'email', 'address'] as const;
export type BanKind = (typeof BAN_KINDS)[number];

export interface Ban {
  id: string;
  siteId: string;
  kind: BanKind;
  /** The account id, the normalised e-mail or the address hash. */
  value: string;
  reason: string;
  commentId: string | undefined;
  createdBy: string | undefined;
  createdAt: Date;
  /** `undefined`: for ever. */
  expiresAt: Date | undefined;
  liftedAt: Date | undefined;
}

export const REPORT_REASONS = ['abuse', 'hate', 'spam', 'off-topic', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

export interface Report {
  id: string;
  siteId: string;
  commentId: string;
  reason: ReportReason;
  note: string | undefined;
  reporterKey: string;
  reporterAccountId: string | undefined;
  createdAt: Date;
}

export const ACTOR_KINDS = ['member', 'rules', 'import', 'reports', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** One line of the audit log. */
export interface AuditEntry {
  id: string;
  siteId: string;
  at: Date;
  actorKind: ActorKind;
  actorAccountId: string | undefined;
  actorName: string;
  action: string;
  commentId: string | undefined;
  threadId: string | undefined;
  /** What an action was aimed at besides a comment, e.g. `email:someone@example.org`. */
  target: string | undefined;
  reason: string | undefined;
  reasonCodes: string[];
  statusBefore: string | undefined;
  statusAfter: string | undefined;
}

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);
const optionalDate = (value: string | null): Date | undefined =>
  value === null ? undefined : new Date(value);

// --- rules ---------------------------------------------------------------------------------

const rulesColumns = [
  'site_id',
  'blocked_terms',
  'suspect_terms',
  'settings',
  'version',
  'digest_sent_at',
  'updated_at',
  'updated_by',
] as const;

function toRules(row: Selectable<ModerationRulesTable>): StoredRules {
  return {
    siteId: row.site_id,
    blockedTerms: orUndefined(row.blocked_terms),
    suspectTerms: orUndefined(row.suspect_terms),
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    version: Number(row.version),
    digestSentAt: optionalDate(row.digest_sent_at),
    updatedAt: new Date(row.updated_at),
    updatedBy: orUndefined(row.updated_by),
  };
}

/** The defaults, as a site without a rules row has them. */
export function defaultRules(siteId: string): StoredRules {
  return {
    siteId,
    blockedTerms: undefined,
    suspectTerms: undefined,
    settings: {},
    version: 0,
    digestSentAt: undefined,
    updatedAt: undefined,
    updatedBy: undefined,
  };
}

export async function findRules(
  db: ModerationDb,
  siteId: string,
  options: { lock?: boolean } = {},
): Promise<StoredRules> {
  const row = await db
    .selectFrom('moderation_rules')
    .select(rulesColumns)
    .where('site_id', '=', siteId)
    .$if(options.lock === true && locksRows(db), (q) => q.forUpdate())
    .executeTakeFirst();
  return row ? toRules(row) : defaultRules(siteId);
}

/**
 * Makes sure the site has a rules row, holding the defaults at version 0 (the same as no row, so
 * the rules cache stays valid), so that it can be locked or updated conditionally.
 */
export async function ensureRulesRow(db: ModerationDb, siteId: string, now: Date): Promise<void> {
  await db
    .insertInto('moderation_rules')
    .values({
      site_id: siteId,
      blocked_terms: null,
      suspect_terms: null,
      settings: '{}',
      version: 0,
      digest_sent_at: null,
      updated_at: now.toISOString(),
      updated_by: null,
    })
    .onConflict((oc) => oc.column('site_id').doNothing())
    .execute();
}

/** Replaces the rules (the row must exist: `ensureRulesRow`) and bumps the version. */
export async function updateRules(
  db: ModerationDb,
  rules: {
    siteId: string;
    blockedTerms: string | undefined;
    suspectTerms: string | undefined;
    settings: Record<string, unknown>;
    updatedAt: Date;
    updatedBy: string | undefined;
  },
): Promise<number> {
  const row = await db
    .updateTable('moderation_rules')
    .set((eb) => ({
      blocked_terms: rules.blockedTerms ?? null,
      suspect_terms: rules.suspectTerms ?? null,
      settings: JSON.stringify(rules.settings),
      version: eb('version', '+', 1),
      updated_at: rules.updatedAt.toISOString(),
      updated_by: rules.updatedBy ?? null,
    }))
    .where('site_id', '=', rules.siteId)
    .returning('version')
    .executeTakeFirstOrThrow();
  return Number(row.version);
}

/**
 * Takes the right to send the digest now: true for exactly one caller, across processes, when
 * the last one went out at or before `lastAllowed` (or never). A conditional UPDATE: on
 * PostgreSQL a concurrent one waits for the row lock and then finds the condition false.
 */
export async function claimDigest(
  db: ModerationDb,
  siteId: string,
  now: Date,
  lastAllowed: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('moderation_rules')
    .set({ digest_sent_at: now.toISOString() })
    .where('site_id', '=', siteId)
    .where((eb) =>
      eb.or([
        eb('digest_sent_at', 'is', null),
        eb('digest_sent_at', '<=', lastAllowed.toISOString()),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives a claim back (the mail could not be sent), unless someone claimed again since. */
export async function releaseDigest(
  db: ModerationDb,
  siteId: string,
  claimedAt: Date,
  previous: Date | undefined,
): Promise<void> {
  await db
    .updateTable('moderation_rules')
    .set({ digest_sent_at: previous?.toISOString() ?? null })
    .where('site_id', '=', siteId)
    .where('digest_sent_at', '=', claimedAt.toISOString())
    .execute();
}

// --- bans ----------------------------------------------------------------------------------

const banColumns = [
  'id',
  'site_id',
  'kind',
  'value',
  'reason',
  'comment_id',
  'created_by',
  'created_at',
  'expires_at',
  'lifted_at',
] as const;

function toBanKind(value: string): BanKind {
  if (!(BAN_KINDS as readonly string[]).includes(value))
    throw new Error(`unknown ban kind "${value}" in bans`);
  return value as BanKind;
}

function toBan(row: Selectable<BansTable>): Ban {
  return {
    id: row.id,
    siteId: row.site_id,
    kind: toBanKind(row.kind),
    value: row.value,
    reason: row.reason,
    commentId: orUndefined(row.comment_id),
    createdBy: orUndefined(row.created_by),
    createdAt: new Date(row.created_at),
    expiresAt: optionalDate(row.expires_at),
    liftedAt: optionalDate(row.lifted_at),
  };
}

export async function insertBan(db: ModerationDb, ban: Ban): Promise<void> {
  await db
    .insertInto('bans')
    .values({
      id: ban.id,
      site_id: ban.siteId,
      kind: ban.kind,
      value: ban.value,
      reason: ban.reason,
      comment_id: ban.commentId ?? null,
      created_by: ban.createdBy ?? null,
      created_at: ban.createdAt.toISOString(),
      expires_at: ban.expiresAt?.toISOString() ?? null,
      lifted_at: ban.liftedAt?.toISOString() ?? null,
    })
    .execute();
}

/** Neither lifted nor expired at `now`. */
const activeAt = (now: Date) => (eb: ExpressionBuilder<ModerationTables, 'bans'>) =>
  eb.and([
    eb('lifted_at', 'is', null),
    eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now.toISOString())]),
  ]);

export interface BanSubject {
  accountId?: string | undefined;
  /** Normalised. */
  email?: string | undefined;
  ipHash?: string | undefined;
}

/** A ban in force, as the rules see it. */
export type ActiveBanRow = Pick<Ban, 'kind' | 'value' | 'reason' | 'expiresAt'>;

/**
 * What every judgement reads, in one round trip (it runs in every posting transaction): the
 * version of the site's rules (0 without a row; the compiled-rules cache keys on it), and an
 * active ban on any of the subject's identities — a primary-key read and one over the (site,
 * kind, value) index. A ban for ever wins over one that ends, so the message is right.
 */
export async function findVersionAndBan(
  db: ModerationDb,
  siteId: string,
  subject: BanSubject | undefined,
  now: Date,
): Promise<{ version: number; ban: ActiveBanRow | undefined }> {
  const wanted = new Map<BanKind, string>();
  if (subject?.accountId) wanted.set('account', subject.accountId);
  if (subject?.email) wanted.set('email', subject.email);
  if (subject?.ipHash) wanted.set('address', subject.ipHash);
  const version = db
    .selectFrom('moderation_rules')
    .select([
      sql<string>`'version'`.as('kind'),
      sql<string>`cast(version as text)`.as('value'),
      sql<string>`''`.as('reason'),
      sql<string | null>`null`.as('expires_at'),
    ])
    .where('site_id', '=', siteId);
  const rows =
    wanted.size === 0
      ? await version.execute()
      : await version
          .unionAll(
            db
              .selectFrom('bans')
              .select(['kind', 'value', 'reason', 'expires_at'])
              .where('site_id', '=', siteId)
              .where('kind', 'in', [...wanted.keys()])
              .where('value', 'in', [...new Set(wanted.values())])
              .where(activeAt(now)),
          )
          .execute();
  let found = 0;
  const bans: ActiveBanRow[] = [];
  for (const row of rows) {
    if (row.kind === 'version') found = Number(row.value);
    else if (wanted.get(row.kind as BanKind) === row.value)
      bans.push({
        kind: row.kind as BanKind,
        value: row.value,
        reason: row.reason,
        expiresAt: optionalDate(row.expires_at),
      });
  }
  const end = (ban: ActiveBanRow) => ban.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  bans.sort((a, b) => (end(b) > end(a) ? 1 : end(b) < end(a) ? -1 : 0));
  return { version: found, ban: bans[0] };
}

export async function findBan(
  db: ModerationDb,
  siteId: string,
  banId: string,
): Promise<Ban | undefined> {
  const row = await db
    .selectFrom('bans')
    .select(banColumns)
    .where('site_id', '=', siteId)
    .where('id', '=', banId)
    .$if(locksRows(db), (q) => q.forUpdate())
    .executeTakeFirst();
  return row && toBan(row);
}

/** Lifts every active ban on (kind, value) at `now`; returns the ones it lifted. */
export async function liftActiveBans(
  db: ModerationDb,
  siteId: string,
  kind: BanKind,
  value: string,
  now: Date,
): Promise<Ban[]> {
  const rows = await db
    .updateTable('bans')
    .set({ lifted_at: now.toISOString() })
    .where('site_id', '=', siteId)
    .where('kind', '=', kind)
    .where('value', '=', value)
    .where(activeAt(now))
    .returning(banColumns)
    .execute();
  return rows.map(toBan);
}

/** Lifts one ban unless already lifted; false when it was. */
export async function liftBan(db: ModerationDb, banId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('bans')
    .set({ lifted_at: now.toISOString() })
    .where('id', '=', banId)
    .where('lifted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A position in a newest-first list: the (time, id) of the last item seen. */
export interface Keyset {
  at: string;
  id: string;
}

export async function listBans(
  db: ModerationDb,
  input: { siteId: string; activeAt?: Date; after?: Keyset; limit: number },
): Promise<Ban[]> {
  const rows = await db
    .selectFrom('bans')
    .select(banColumns)
    .where('site_id', '=', input.siteId)
    .$if(input.activeAt !== undefined, (q) => q.where(activeAt(input.activeAt as Date)))
    .$if(input.after !== undefined, (q) =>
      q.where((eb) => {
        const after = input.after as Keyset;
        return eb.or([
          eb('created_at', '<', after.at),
          eb.and([eb('created_at', '=', after.at), eb('id', '<', after.id)]),
        ]);
      }),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(input.limit)
    .execute();
  return rows.map(toBan);
}

// --- reports -------------------------------------------------------------------------------

export async function insertReport(db: ModerationDb, report: Report): Promise<void> {
  await db
    .insertInto('reports')
    .values({
      id: report.id,
      site_id: report.siteId,
      comment_id: report.commentId,
      reason: report.reason,
      note: report.note ?? null,
      reporter_key: report.reporterKey,
      reporter_account_id: report.reporterAccountId ?? null,
      created_at: report.createdAt.toISOString(),
      resolved_at: null,
      resolution: null,
    })
    .execute();
}

/** Whether this reporter has reported this comment (ever: a second report is not counted). */
export async function hasReported(
  db: ModerationDb,
  commentId: string,
  reporterKey: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('reports')
    .select('id')
    .where('comment_id', '=', commentId)
    .where('reporter_key', '=', reporterKey)
    .executeTakeFirst();
  return row !== undefined;
}

/** How many reports a reporter made after `since`, and when the earliest of them was made. */
export async function recentReportsBy(
  db: ModerationDb,
  reporterKey: string,
  since: Date,
): Promise<{ count: number; earliest: Date | undefined }> {
  const row = await db
    .selectFrom('reports')
    .select((eb) => [eb.fn.countAll().as('count'), eb.fn.min('created_at').as('earliest')])
    .where('reporter_key', '=', reporterKey)
    .where('created_at', '>', since.toISOString())
    .executeTakeFirstOrThrow();
  return {
    count: Number(row.count),
    earliest: row.earliest === null ? undefined : new Date(row.earliest),
  };
}

/** The open (unresolved) reports of a comment, counted by reason; one per reporter. */
export async function openReportsOf(
  db: ModerationDb,
  commentId: string,
): Promise<Map<ReportReason, number>> {
  const rows = await db
    .selectFrom('reports')
    .select((eb) => ['reason', eb.fn.countAll().as('count')])
    .where('comment_id', '=', commentId)
    .where('resolved_at', 'is', null)
    .groupBy('reason')
    .execute();
  return new Map(rows.map((row) => [row.reason as ReportReason, Number(row.count)]));
}

/** Settles the open reports of these comments with a moderator's action. */
export async function resolveReports(
  db: ModerationDb,
  commentIds: readonly string[],
  resolution: string,
  now: Date,
): Promise<number> {
  if (commentIds.length === 0) return 0;
  const result = await db
    .updateTable('reports')
    .set({ resolved_at: now.toISOString(), resolution })
    .where('comment_id', 'in', [...commentIds])
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface ReportSummary {
  /** Open reports, one per reporter. */
  open: number;
  byReason: Partial<Record<ReportReason, number>>;
  /** The newest notes reporters left (at most three). */
  notes: string[];
}

/** Open reports of many comments at once (the queue's page), by comment id. */
export async function summariseOpenReports(
  db: ModerationDb,
  commentIds: readonly string[],
): Promise<Map<string, ReportSummary>> {
  const summaries = new Map<string, ReportSummary>();
  if (commentIds.length === 0) return summaries;
  const rows = await db
    .selectFrom('reports')
    .select(['comment_id', 'reason', 'note'])
    .where('comment_id', 'in', [...commentIds])
    .where('resolved_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const row of rows) {
    let summary = summaries.get(row.comment_id);
    if (!summary) {
      summary = { open: 0, byReason: {}, notes: [] };
      summaries.set(row.comment_id, summary);
    }
    const reason = row.reason as ReportReason;
    summary.open += 1;
    summary.byReason[reason] = (summary.byReason[reason] ?? 0) + 1;
    if (row.note !== null && summary.notes.length < 3) summary.notes.push(row.note);
  }
  return summaries;
}

// --- the audit log -------------------------------------------------------------------------

const auditColumns = [
  'id',
  'site_id',
  'at',
  'actor_kind',
  'actor_account_id',
  'actor_name',
  'action',
  'comment_id',
  'thread_id',
  'target',
  'reason',
  'reason_codes',
  'status_before',
  'status_after',
] as const;

function toAuditEntry(row: Selectable<ModerationActionsTable>): AuditEntry {
  return {
    id: row.id,
    siteId: row.site_id,
    at: new Date(row.at),
    actorKind: row.actor_kind as ActorKind,
    actorAccountId: orUndefined(row.actor_account_id),
    actorName: row.actor_name,
    action: row.action,
    commentId: orUndefined(row.comment_id),
    threadId: orUndefined(row.thread_id),
    target: orUndefined(row.target),
    reason: orUndefined(row.reason),
    reasonCodes: JSON.parse(row.reason_codes) as string[],
    statusBefore: orUndefined(row.status_before),
    statusAfter: orUndefined(row.status_after),
  };
}

export async function insertAuditEntries(
  db: ModerationDb,
  entries: readonly AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('moderation_actions')
    .values(
      entries.map((entry) => ({
        id: entry.id,
        site_id: entry.siteId,
        at: entry.at.toISOString(),
        actor_kind: entry.actorKind,
        actor_account_id: entry.actorAccountId ?? null,
        actor_name: entry.actorName,
        action: entry.action,
        comment_id: entry.commentId ?? null,
        thread_id: entry.threadId ?? null,
        target: entry.target ?? null,
        reason: entry.reason ?? null,
        reason_codes: JSON.stringify(entry.reasonCodes),
        status_before: entry.statusBefore ?? null,
        status_after: entry.statusAfter ?? null,
      })),
    )
    .execute();
}

export interface AuditFilter {
  siteId: string;
  action?: string;
  actorKind?: ActorKind;
  actorAccountId?: string;
  commentId?: string;
  /** Entries at or after. */
  from?: Date;
  /** Entries before. */
  to?: Date;
}

/** The audit log, newest first, from after `after`. */
export async function listAuditEntries(
  db: ModerationDb,
  filter: AuditFilter,
  page: { after?: Keyset; limit: number },
): Promise<AuditEntry[]> {
  let query = db
    .selectFrom('moderation_actions')
    .select(auditColumns)
    .where('site_id', '=', filter.siteId);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.actorKind !== undefined) query = query.where('actor_kind', '=', filter.actorKind);
  if (filter.actorAccountId !== undefined)
    query = query.where('actor_account_id', '=', filter.actorAccountId);
  if (filter.commentId !== undefined) query = query.where('comment_id', '=', filter.commentId);
  if (filter.from !== undefined) query = query.where('at', '>=', filter.from.toISOString());
  if (filter.to !== undefined) query = query.where('at', '<', filter.to.toISOString());
  const after = page.after;
  if (after !== undefined) {
    query = query.where((eb) =>
      eb.or([eb('at', '<', after.at), eb.and([eb('at', '=', after.at), eb('id', '<', after.id)])]),
    );
  }
  const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
  return rows.map(toAuditEntry);
}
