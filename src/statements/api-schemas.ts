/**
 * The JSON shapes of the statements API (TypeBox, so the OpenAPI document describes them) and
 * the presenters that turn domain objects into them: dates as ISO strings, absent values as null.
 */
import type { TSchema } from 'typebox';
import { Type } from 'typebox';
import type { ApprovalRecord, ClearancePolicy, ClearanceState } from './clearance.js';
import type { ContentDiff, ReuseShare, WordDiff } from './diffs.js';
import { STATEMENT_STATUSES } from './lifecycle.js';
import type { Provenance } from './review-service.js';
import type { AnchoredComment, RevisionDiff } from './review-service.js';
import type { Signature, SignatoryCounts } from './signatures-model.js';
import { SIGNATURE_KINDS, SIGNATURE_STATUSES } from './signatures-model.js';
import type { Revision, RevisionSummary, Statement, StatementSummary } from './store.js';
import type { StatementListing } from './store.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
const iso = (date: Date | undefined) => date?.toISOString() ?? null;
const orNull = <T>(value: T | undefined): T | null => value ?? null;

export const StatusSchema = Type.Enum([...STATEMENT_STATUSES], {
  description: 'draft → in-review → cleared → published; a published statement may be withdrawn.',
});

// --- statements ------------------------------------------------------------------------------

export const StatementListItemSchema = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  status: StatusSchema,
  title: Type.String(),
  subtitle: Nullable(Type.String()),
  authorName: Type.String(),
  clearanceNote: Nullable(Type.String()),
  publishedAt: Nullable(DateTime),
  correctedAt: Nullable(DateTime),
  withdrawnAt: Nullable(DateTime),
  updatedAt: DateTime,
});

export function presentListItem(item: StatementSummary | StatementListing) {
  return {
    id: item.id,
    slug: item.slug,
    status: item.status,
    title: item.title,
    subtitle: orNull(item.subtitle),
    authorName: item.authorName,
    clearanceNote: orNull(item.clearanceNote),
    publishedAt: iso(item.publishedAt),
    correctedAt: iso(item.correctedAt),
    withdrawnAt: iso(item.withdrawnAt),
    updatedAt: item.updatedAt.toISOString(),
  };
}

export const RevisionSummarySchema = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  title: Type.String(),
  subtitle: Nullable(Type.String()),
  contentHash: Type.String({
    description: 'SHA-256 (hex) of the normalised title, subtitle and body.',
  }),
  authorName: Type.String(),
  note: Nullable(Type.String()),
  createdAt: DateTime,
  publishedAt: Nullable(DateTime),
  clearance: Nullable(Type.String({ description: 'How it was cleared when published, in words.' })),
  correctionNote: Nullable(Type.String()),
});

export const RevisionSchema = Type.Object({
  ...RevisionSummarySchema.properties,
  body: Type.String({ description: 'Markdown, normalised.' }),
  html: Type.String({ description: 'The body rendered to safe HTML.' }),
});

export function presentRevisionSummary(revision: RevisionSummary, clearanceWording?: string) {
  return {
    id: revision.id,
    number: revision.number,
    title: revision.title,
    subtitle: orNull(revision.subtitle),
    contentHash: revision.contentHash,
    authorName: revision.authorName,
    note: orNull(revision.note),
    createdAt: revision.createdAt.toISOString(),
    publishedAt: iso(revision.publishedAt),
    clearance: orNull(clearanceWording),
    correctionNote: orNull(revision.correctionNote),
  };
}

export function presentRevision(revision: Revision, clearanceWording?: string) {
  return {
    ...presentRevisionSummary(revision, clearanceWording),
    body: revision.body,
    html: revision.html,
  };
}

const ReuseSchema = Type.Object({
  share: Type.Number({ minimum: 0, maximum: 1 }),
  reusedWords: Type.Integer(),
  totalWords: Type.Integer(),
  exact: Type.Boolean(),
});

const DiffPartSchema = Type.Object({
  kind: Type.Enum(['same', 'added', 'removed']),
  text: Type.String(),
});

export const WordDiffSchema = Type.Object(
  {
    parts: Type.Array(DiffPartSchema),
    added: Type.Integer(),
    removed: Type.Integer(),
    unchanged: Type.Integer(),
    exact: Type.Boolean({
      description: 'False when the texts were too different to align word by word.',
    }),
  },
  {
    description:
      'Inline order. Side by side: the old column is the `same` and `removed` parts, the new one the `same` and `added` parts.',
  },
);

const presentWordDiff = (diff: WordDiff) => ({ ...diff, parts: diff.parts.map((p) => ({ ...p })) });
const presentReuse = (reuse: ReuseShare) => ({ ...reuse });

export const ContentDiffSchema = Type.Object({
  title: WordDiffSchema,
  subtitle: WordDiffSchema,
  body: WordDiffSchema,
  identical: Type.Boolean(),
});

export const RevisionDiffSchema = Type.Object({
  from: RevisionSummarySchema,
  to: RevisionSummarySchema,
  diff: ContentDiffSchema,
});

function presentContentDiff(diff: ContentDiff) {
  return {
    title: presentWordDiff(diff.title),
    subtitle: presentWordDiff(diff.subtitle),
    body: presentWordDiff(diff.body),
    identical: diff.identical,
  };
}

export function presentRevisionDiff(diff: RevisionDiff) {
  return {
    from: presentRevisionSummary(diff.from),
    to: presentRevisionSummary(diff.to),
    diff: presentContentDiff(diff.diff),
  };
}

export const ProvenanceSchema = Type.Object({
  kind: Type.Enum(['source', 'statement']),
  wording: Type.String({ description: '“Based in part on …”, as the page says it.' }),
  title: Type.String(),
  author: Nullable(Type.String()),
  date: Nullable(Type.String()),
  href: Nullable(Type.String({ description: 'Where to read it: the source’s URL or the page.' })),
  reuse: ReuseSchema,
  sourceText: Type.Optional(Type.String({ description: 'The pasted text of an external source.' })),
  basedOnRevisionId: Type.Optional(Type.String()),
  diff: Type.Optional(WordDiffSchema),
});

export function presentProvenance(provenance: Provenance, options: { withDiff: boolean }) {
  return {
    kind: provenance.kind,
    wording: provenance.wording,
    title: provenance.citation.title,
    author: orNull(provenance.citation.author),
    date: orNull(provenance.citation.date),
    href: orNull(provenance.citation.href),
    reuse: presentReuse(provenance.reuse),
    ...(options.withDiff
      ? {
          diff: presentWordDiff(provenance.diff),
          ...(provenance.source ? { sourceText: provenance.source.text } : {}),
        }
      : {}),
    ...(provenance.basedOnRevision ? { basedOnRevisionId: provenance.basedOnRevision.id } : {}),
  };
}

export const StatementSchema = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  status: StatusSchema,
  url: Type.String({ description: 'The public page’s path (readable once published).' }),
  title: Type.String(),
  subtitle: Nullable(Type.String()),
  authorName: Type.String(),
  eventName: Nullable(Type.String()),
  eventDate: Nullable(Type.String({ format: 'date' })),
  clearance: Nullable(
    Type.String({ description: '“Cleared by 2 editors on 14 November 2015” once published.' }),
  ),
  correction: Nullable(
    Type.String({ description: '“Corrected on …: …” for a corrected statement.' }),
  ),
  withdrawnReason: Nullable(Type.String()),
  basedOn: Nullable(ProvenanceSchema),
  signingOpen: Type.Boolean(),
  currentRevisionId: Type.Optional(Type.String({ description: 'Members only.' })),
  publishedRevisionId: Nullable(Type.String()),
  publishedAt: Nullable(DateTime),
  correctedAt: Nullable(DateTime),
  withdrawnAt: Nullable(DateTime),
  createdAt: DateTime,
  updatedAt: DateTime,
  publishedRevision: Nullable(RevisionSchema),
  currentRevision: Type.Optional(RevisionSchema),
});

export function presentStatement(
  statement: Statement,
  input: {
    publishedRevision: Revision | undefined;
    /** Members only: the current revision (what is being edited and reviewed). */
    currentRevision?: Revision;
    provenance: Provenance | undefined;
    correction: string | undefined;
    member: boolean;
  },
) {
  return {
    id: statement.id,
    slug: statement.slug,
    status: statement.status,
    url: `/s/${statement.slug}`,
    title: statement.title,
    subtitle: orNull(statement.subtitle),
    authorName: statement.authorName,
    eventName: orNull(statement.eventName),
    eventDate: orNull(statement.eventDate),
    clearance: orNull(statement.clearanceNote),
    correction: orNull(input.correction),
    withdrawnReason: orNull(statement.withdrawnReason),
    basedOn: input.provenance ? presentProvenance(input.provenance, { withDiff: false }) : null,
    signingOpen: statement.signingOpen,
    ...(input.member ? { currentRevisionId: statement.currentRevisionId } : {}),
    publishedRevisionId: orNull(statement.publishedRevisionId),
    publishedAt: iso(statement.publishedAt),
    correctedAt: iso(statement.correctedAt),
    withdrawnAt: iso(statement.withdrawnAt),
    createdAt: statement.createdAt.toISOString(),
    updatedAt: statement.updatedAt.toISOString(),
    publishedRevision: input.publishedRevision
      ? presentRevision(input.publishedRevision, statement.clearanceNote)
      : null,
    ...(input.currentRevision ? { currentRevision: presentRevision(input.currentRevision) } : {}),
  };
}

// --- clearance -------------------------------------------------------------------------------

export const PolicySchema = Type.Union(
  [
    Type.Object({ kind: Type.Literal('none') }, { additionalProperties: false }),
    Type.Object(
      {
        kind: Type.Literal('approvers'),
        accountIds: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
          minItems: 1,
          maxItems: 20,
        }),
        count: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        kind: Type.Literal('role'),
        role: Type.Enum(['editor', 'owner']),
        count: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, description: 'Default 2.' })),
      },
      { additionalProperties: false },
    ),
  ],
  {
    description:
      '`none`: personal statements, published without approvals. `approvers`: the named members (all, or `count` of them). `role`: `count` approvals from the role (owners count as editors). Default: 2 editors.',
  },
);

export function presentPolicy(policy: ClearancePolicy) {
  return {
    ...policy,
    ...(policy.kind === 'approvers' ? { accountIds: [...policy.accountIds] } : {}),
  };
}

export const DecisionSchema = Type.Object({
  id: Type.String(),
  revisionId: Type.String(),
  contentHash: Type.String(),
  accountId: Type.String(),
  name: Type.String(),
  role: Nullable(Type.String()),
  decision: Type.Enum(['approve', 'object']),
  comment: Nullable(Type.String()),
  createdAt: DateTime,
  withdrawnAt: Nullable(DateTime),
});

export function presentDecision(decision: ApprovalRecord) {
  return {
    id: decision.id,
    revisionId: decision.revisionId,
    contentHash: decision.contentHash,
    accountId: decision.accountId,
    name: decision.accountName,
    role: orNull(decision.accountRole),
    decision: decision.decision,
    comment: orNull(decision.comment),
    createdAt: decision.createdAt.toISOString(),
    withdrawnAt: iso(decision.withdrawnAt),
  };
}

const MissingSchema = Type.Object({
  kind: Type.Enum(['role', 'approvers']),
  count: Type.Integer(),
  role: Type.Optional(Type.String()),
  approvers: Type.Optional(
    Type.Array(Type.Object({ accountId: Type.String(), name: Type.String() })),
  ),
});

export const ClearanceSchema = Type.Object({
  state: Type.Enum(['met', 'missing', 'blocked']),
  message: Type.String({
    description: 'The state in plain words, e.g. “2 approvals from editors are missing.”',
  }),
  policy: PolicySchema,
  revisionId: Type.String(),
  contentHash: Type.String(),
  counted: Type.Array(DecisionSchema),
  stale: Type.Array(DecisionSchema, {
    description:
      'Approvals given to an earlier text: they no longer count and must be given again.',
  }),
  objections: Type.Array(DecisionSchema),
  missing: Nullable(MissingSchema),
});

export function presentClearance(
  state: ClearanceState,
  revision: Pick<RevisionSummary, 'id' | 'contentHash'>,
) {
  return {
    state: state.state,
    message: state.message,
    policy: presentPolicy(state.policy),
    revisionId: revision.id,
    contentHash: revision.contentHash,
    counted: state.counted.map(presentDecision),
    stale: state.stale.map(presentDecision),
    objections: state.objections.map(presentDecision),
    missing: state.missing
      ? state.missing.kind === 'role'
        ? { kind: 'role' as const, count: state.missing.count, role: state.missing.role }
        : {
            kind: 'approvers' as const,
            count: state.missing.count,
            approvers: state.missing.approvers.map((a) => ({ ...a })),
          }
      : null,
  };
}

// --- internal comments -----------------------------------------------------------------------

export const InternalCommentSchema = Type.Object({
  id: Type.String(),
  revisionId: Type.String(),
  revisionNumber: Type.Integer(),
  paragraphIndex: Type.Integer({ description: 'The paragraph it was made on (0-based).' }),
  excerpt: Type.String(),
  authorName: Type.String(),
  body: Type.String(),
  createdAt: DateTime,
  anchor: Type.Object({
    state: Type.Enum(['attached', 'earlier-revision']),
    paragraphIndex: Nullable(Type.Integer()),
  }),
});

export function presentInternalComment(comment: AnchoredComment) {
  return {
    id: comment.id,
    revisionId: comment.revisionId,
    revisionNumber: comment.revisionNumber,
    paragraphIndex: comment.paragraphIndex,
    excerpt: comment.excerpt,
    authorName: comment.authorName,
    body: comment.body,
    createdAt: comment.createdAt.toISOString(),
    anchor: {
      state: comment.anchor.state,
      paragraphIndex: comment.anchor.state === 'attached' ? comment.anchor.paragraphIndex : null,
    },
  };
}

// --- signatures ------------------------------------------------------------------------------

export const SignatoryCountsSchema = Type.Object({
  organisations: Type.Integer(),
  people: Type.Integer(),
  total: Type.Integer(),
});

export const SignatorySchema = Type.Object({
  id: Type.String(),
  kind: Type.Enum([...SIGNATURE_KINDS]),
  name: Type.String(),
  organisation: Nullable(Type.String()),
  roleTitle: Nullable(Type.String()),
  country: Nullable(Type.String()),
  signedAt: DateTime,
});

export const SignatureSchema = Type.Object({
  ...SignatorySchema.properties,
  email: Type.String(),
  status: Type.Enum([...SIGNATURE_STATUSES]),
  verifiedAt: Nullable(DateTime),
  decidedAt: Nullable(DateTime),
});

/** What the public sees of a signatory: never the address. */
export function presentSignatory(signature: Signature) {
  return {
    id: signature.id,
    kind: signature.kind,
    name: signature.name,
    organisation: orNull(signature.organisation),
    roleTitle: orNull(signature.roleTitle),
    country: orNull(signature.country),
    signedAt: (signature.verifiedAt ?? signature.createdAt).toISOString(),
  };
}

export function presentSignature(signature: Signature) {
  return {
    ...presentSignatory(signature),
    email: signature.email,
    status: signature.status,
    verifiedAt: iso(signature.verifiedAt),
    decidedAt: iso(signature.decidedAt),
  };
}

export const presentCounts = (counts: SignatoryCounts) => ({ ...counts });
