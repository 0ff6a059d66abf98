/**
 * The JSON shapes of the moderation API (TypeBox: they validate requests, serialise responses
 * — a field not listed never leaves the server — and make the OpenAPI document), and the
 * functions that present service results in them.
 */
import { Type } from 'typebox';
import type { Static, TSchema } from 'typebox';
import { REASON_CODES } from './model.js';
import type { VerdictReason } from './model.js';
import type { ModeratedComment } from './actions.js';
import { MODERATION_ACTIONS } from './actions.js';
import { banTarget, isActive } from './bans.js';
import type { QueueItem, QueuePage } from './queue.js';
import { QUEUE_TABS } from './queue-store.js';
import type { RulesView } from './site-rules.js';
import type { AuditEntry, Ban } from './store.js';
import { BAN_KINDS, REPORT_REASONS } from './store.js';

const Nullable = <T extends TSchema>(schema: T, options?: { description: string }) =>
  Type.Union([schema, Type.Null()], options);
const Time = (description?: string) =>
  Type.String({ format: 'date-time', ...(description ? { description } : {}) });
const NextCursor = Nullable(Type.String(), {
  description: 'Pass it as `cursor` for the next page; null on the last page.',
});

export const ReasonSchema = Type.Object({
  code: Type.Enum([...REASON_CODES]),
  message: Type.String(),
  matches: Type.Optional(
    Type.Array(
      Type.Object({
        start: Type.Integer({ description: 'In UTF-16 code units of `body`.' }),
        end: Type.Integer({ description: 'Exclusive.' }),
        term: Type.String({ description: 'The list entry that matched.' }),
      }),
      { description: 'Where a term matched in `body`, for highlighting.' },
    ),
  ),
});

const Counts = Type.Object({
  pending: Type.Integer(),
  reported: Type.Integer(),
  rejected: Type.Integer(),
  spam: Type.Integer(),
  all: Type.Integer(),
});

export const QueueItemSchema = Type.Object({
  id: Type.String(),
  status: Type.Enum(['pending', 'approved', 'rejected', 'spam', 'deleted']),
  flagged: Type.Boolean({
    description: 'Waits for a moderator although it may be public (flagged on import, say).',
  }),
  origin: Type.Enum(['local', 'import', 'federation']),
  body: Type.String({ description: 'The Markdown as written.' }),
  html: Type.String({ description: 'As rendered for readers; safe to insert.' }),
  reasons: Type.Array(ReasonSchema),
  createdAt: Time(),
  editedAt: Nullable(Time()),
  author: Type.Object({
    name: Type.String(),
    email: Nullable(Type.String()),
    url: Nullable(Type.String()),
    accountId: Nullable(Type.String()),
    hasAddress: Type.Boolean({ description: 'Whether the network address can be banned.' }),
  }),
  thread: Type.Object({
    id: Type.String(),
    title: Type.String(),
    status: Type.Enum(['open', 'closed']),
    pageUrl: Nullable(Type.String(), { description: 'Where the thread is read, if anywhere yet.' }),
    permalink: Nullable(Type.String(), {
      description: 'The comment on that page (`#comment-<id>`) when it is public there.',
    }),
  }),
  parent: Nullable(
    Type.Object({
      id: Type.String(),
      authorName: Type.String(),
      excerpt: Type.String(),
      removed: Type.Boolean(),
    }),
    { description: 'The comment this one answers, for context.' },
  ),
  history: Nullable(
    Type.Object({
      by: Type.Enum(['account', 'email', 'address']),
      approved: Type.Integer(),
      rejected: Type.Integer({ description: 'Rejected or marked as spam.' }),
    }),
    {
      description:
        'The author’s other comments on this site: by account, else e-mail, else network address.',
    },
  ),
  reports: Type.Object({
    open: Type.Integer({ description: 'Unresolved reports, one per reader.' }),
    byReason: Type.Record(Type.String(), Type.Integer()),
    notes: Type.Array(Type.String(), { description: 'The newest notes readers left (up to 3).' }),
  }),
});

export const QueuePageSchema = Type.Object({
  tab: Type.Enum([...QUEUE_TABS]),
  counts: Counts,
  items: Type.Array(QueueItemSchema),
  nextCursor: NextCursor,
});

export const QueueQuery = Type.Object({
  tab: Type.Optional(Type.Enum([...QUEUE_TABS], { default: 'pending' })),
  cursor: Type.Optional(Type.String({ maxLength: 400 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

const presentReasons = (reasons: VerdictReason[]) =>
  reasons.map(({ code, message, matches }) => ({ code, message, ...(matches ? { matches } : {}) }));

function presentItem(item: QueueItem): Static<typeof QueueItemSchema> {
  return {
    id: item.id,
    status: item.status,
    flagged: item.flagged,
    origin: item.origin,
    body: item.body,
    html: item.html,
    reasons: presentReasons(item.reasons),
    createdAt: item.createdAt.toISOString(),
    editedAt: item.editedAt?.toISOString() ?? null,
    author: {
      name: item.author.name,
      email: item.author.email ?? null,
      url: item.author.url ?? null,
      accountId: item.author.accountId ?? null,
      hasAddress: item.author.hasAddress,
    },
    thread: {
      ...item.thread,
      pageUrl: item.thread.pageUrl ?? null,
      permalink: item.thread.permalink ?? null,
    },
    parent: item.parent ?? null,
    history: item.history ?? null,
    reports: item.reports,
  };
}

export function presentQueue(page: QueuePage): Static<typeof QueuePageSchema> {
  return {
    tab: page.tab,
    counts: page.counts,
    items: page.items.map(presentItem),
    nextCursor: page.nextCursor ?? null,
  };
}

// --- actions -------------------------------------------------------------------------------

export const ActionBody = Type.Object(
  {
    action: Type.Enum([...MODERATION_ACTIONS]),
    commentIds: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
      minItems: 1,
      maxItems: 200,
      description: 'One comment, or many: all are changed or none is.',
    }),
    reason: Type.Optional(
      Type.String({
        maxLength: 2000,
        description:
          'For `reject`, shown to the author in place of the comment’s reasons; for the others, ' +
          'kept in the audit log only.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ActionResult = Type.Object({
  results: Type.Array(
    Type.Object({
      commentId: Type.String(),
      threadId: Type.String(),
      statusBefore: Type.String(),
      statusAfter: Type.String(),
    }),
  ),
});

export function presentActions(results: ModeratedComment[]): Static<typeof ActionResult> {
  return { results };
}

// --- bans ----------------------------------------------------------------------------------

export const BanBody = Type.Object(
  {
    commentId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Ban the author of this comment…' }),
    ),
    kinds: Type.Optional(
      Type.Array(Type.Enum([...BAN_KINDS]), {
        minItems: 1,
        maxItems: 3,
        description: '…by these identities (default: every one the comment has).',
      }),
    ),
    email: Type.Optional(
      Type.String({ maxLength: 254, description: 'Or ban this e-mail address (no comment).' }),
    ),
    reason: Type.String({
      maxLength: 2000,
      description: 'Why; moderators see it, the author not.',
    }),
    hours: Type.Optional(Type.Integer({ minimum: 1, description: 'For this many hours…' })),
    days: Type.Optional(Type.Integer({ minimum: 1, description: '…or days. Neither: for ever.' })),
  },
  { additionalProperties: false },
);

export const BanSchema = Type.Object({
  id: Type.String(),
  kind: Type.Enum([...BAN_KINDS]),
  target: Type.String({
    description:
      'What is banned: `account:<id>`, `email:<address>`, or `address:` and the start of the ' +
      'address’s keyed hash (the address itself is never stored).',
  }),
  reason: Type.String(),
  commentId: Nullable(Type.String()),
  createdBy: Nullable(Type.String({ description: 'The moderator’s account id.' })),
  createdAt: Time(),
  expiresAt: Nullable(Time(), { description: 'Null: for ever.' }),
  liftedAt: Nullable(Time()),
  active: Type.Boolean(),
});

export const BansQuery = Type.Object({
  state: Type.Optional(
    Type.Enum(['active', 'all'], { default: 'active', description: 'In force now, or all.' }),
  ),
  cursor: Type.Optional(Type.String({ maxLength: 400 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

export const BanPage = Type.Object({ items: Type.Array(BanSchema), nextCursor: NextCursor });

export function presentBan(ban: Ban, now: Date): Static<typeof BanSchema> {
  return {
    id: ban.id,
    kind: ban.kind,
    target: banTarget(ban),
    reason: ban.reason,
    commentId: ban.commentId ?? null,
    createdBy: ban.createdBy ?? null,
    createdAt: ban.createdAt.toISOString(),
    expiresAt: ban.expiresAt?.toISOString() ?? null,
    liftedAt: ban.liftedAt?.toISOString() ?? null,
    active: isActive(ban, now),
  };
}

// --- the audit log -------------------------------------------------------------------------

export const AuditQuerySchema = Type.Object({
  action: Type.Optional(
    Type.String({ maxLength: 50, description: 'e.g. `approve`, `auto-hold`.' }),
  ),
  actor: Type.Optional(
    Type.String({
      maxLength: 100,
      description: '`rules`, `import`, `reports`, `system`, `member`, or a member’s account id.',
    }),
  ),
  commentId: Type.Optional(Type.String({ maxLength: 100 })),
  from: Type.Optional(
    Type.String({ maxLength: 40, description: 'From this date or time (inclusive).' }),
  ),
  to: Type.Optional(
    Type.String({
      maxLength: 40,
      description: 'Until this time (exclusive), or through this date (`2026-11-24`).',
    }),
  ),
  cursor: Type.Optional(Type.String({ maxLength: 400 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

export const AuditEntrySchema = Type.Object({
  id: Type.String(),
  at: Time(),
  actorKind: Type.Enum(['member', 'rules', 'import', 'reports', 'system']),
  actorAccountId: Nullable(Type.String()),
  actorName: Type.String(),
  action: Type.String(),
  commentId: Nullable(Type.String()),
  threadId: Nullable(Type.String()),
  target: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  reasonCodes: Type.Array(Type.String()),
  statusBefore: Nullable(Type.String()),
  statusAfter: Nullable(Type.String()),
});

export const AuditPage = Type.Object({
  items: Type.Array(AuditEntrySchema),
  nextCursor: NextCursor,
});

export function presentAuditEntry(entry: AuditEntry): Static<typeof AuditEntrySchema> {
  return {
    id: entry.id,
    at: entry.at.toISOString(),
    actorKind: entry.actorKind,
    actorAccountId: entry.actorAccountId ?? null,
    actorName: entry.actorName,
    action: entry.action,
    commentId: entry.commentId ?? null,
    threadId: entry.threadId ?? null,
    target: entry.target ?? null,
    reason: entry.reason ?? null,
    reasonCodes: entry.reasonCodes,
    statusBefore: entry.statusBefore ?? null,
    statusAfter: entry.statusAfter ?? null,
  };
}

// --- rules ---------------------------------------------------------------------------------

const SettingsFields = {
  blockedTerms: Type.String({ description: 'One term a line; `#` starts a comment.' }),
  suspectTerms: Type.String({ description: 'One term a line; `#` starts a comment.' }),
  blockedDomains: Type.String({
    description: 'One domain a line; a domain also covers its subdomains.',
  }),
  maxLinks: Type.Integer({ description: 'More links than this hold a comment.' }),
  firstTime: Type.Enum(['off', 'first-comment', 'all-comments']),
  floodPerMinute: Type.Integer({
    description: 'More comments a minute from one author or address hold a comment.',
  }),
  reportsToHold: Type.Integer({ description: 'Reports from this many readers hold a comment.' }),
  digestAfterMinutes: Type.Integer({
    description: 'Moderators get a digest when a comment has waited this long; 0: never.',
  }),
};

export const RulesSchema = Type.Object({
  settings: Type.Object(SettingsFields),
  blockedTermsDefault: Type.Boolean({ description: 'The blocked terms are the shipped list.' }),
  suspectTermsDefault: Type.Boolean({ description: 'The suspect terms are the shipped list.' }),
  version: Type.Integer({ description: 'Send it back as `expectedVersion` when changing them.' }),
  updatedAt: Nullable(Time()),
  updatedBy: Nullable(Type.String()),
});

export const RulesChange = Type.Object(
  {
    expectedVersion: Type.Optional(
      Type.Integer({
        description: 'The `version` read; a change made since is not overwritten (409).',
      }),
    ),
    blockedTerms: Type.Optional(
      Nullable(Type.String(), { description: 'Text, or null for the shipped default list.' }),
    ),
    suspectTerms: Type.Optional(
      Nullable(Type.String(), { description: 'Text, or null for the shipped default list.' }),
    ),
    blockedDomains: Type.Optional(SettingsFields.blockedDomains),
    maxLinks: Type.Optional(SettingsFields.maxLinks),
    firstTime: Type.Optional(Type.String({ description: 'off, first-comment or all-comments.' })),
    floodPerMinute: Type.Optional(SettingsFields.floodPerMinute),
    reportsToHold: Type.Optional(SettingsFields.reportsToHold),
    digestAfterMinutes: Type.Optional(SettingsFields.digestAfterMinutes),
  },
  {
    additionalProperties: false,
    description: 'Only the settings given change.',
  },
);

export function presentRules(view: RulesView): Static<typeof RulesSchema> {
  return {
    settings: view.settings,
    blockedTermsDefault: view.blockedTermsDefault,
    suspectTermsDefault: view.suspectTermsDefault,
    version: view.version,
    updatedAt: view.updatedAt?.toISOString() ?? null,
    updatedBy: view.updatedBy ?? null,
  };
}

// --- reports -------------------------------------------------------------------------------

export const ReportBody = Type.Object(
  {
    reason: Type.Enum([...REPORT_REASONS]),
    note: Type.Optional(
      Type.String({ maxLength: 4000, description: 'Anything the moderators should know.' }),
    ),
  },
  { additionalProperties: false },
);

export const ReportReceivedSchema = Type.Object({
  id: Type.String(),
  message: Type.String(),
});
