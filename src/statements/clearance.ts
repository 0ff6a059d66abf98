/**
 * Clearance: the site's policy (none, named approvers, or n approvals from a role), which
 * approvals count for the revision about to be published, and how the published page says the
 * text was cleared. Pure.
 *
 * An approval counts only while its content hash equals the hash of the revision to publish: any
 * edit after approval needs approval again (an edit that restores the approved text exactly makes
 * the approval count again, since the text is then the one approved). An objection blocks
 * publication until its author withdraws it, whatever the text has become since.
 */
import type { Role } from '../accounts/model.js';
import { isRole } from '../accounts/model.js';

// --- the policy ------------------------------------------------------------------------------

/** Roles whose members may approve (`statements.approve`), and so may be required by a policy. */
export const APPROVING_ROLES = ['editor', 'owner'] as const satisfies readonly Role[];
export type ApprovingRole = (typeof APPROVING_ROLES)[number];

export type ClearancePolicy =
  /** Personal statements: published without approvals, and said to be "not cleared". */
  | { kind: 'none' }
  /**
   * Named members must approve: all of them, or `count` of them when given. Each must hold
   * `statements.approve` when they approve.
   */
  | { kind: 'approvers'; accountIds: string[]; count?: number }
  /** `count` approvals from members of `role`; owners count as editors. */
  | { kind: 'role'; role: ApprovingRole; count: number };

export const DEFAULT_CLEARANCE_POLICY: ClearancePolicy = { kind: 'role', role: 'editor', count: 2 };
export const MAX_REQUIRED_APPROVALS = 20;

/** Why `raw` is not a clearance policy (as stored in site settings or sent to the API), or undefined. */
export function clearancePolicyProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return 'The clearance policy must be an object with a `kind`: "none", "approvers" or "role".';
  const given = raw as Record<string, unknown>;
  const count = given.count;
  const badCount = (max: number) =>
    count !== undefined &&
    (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > max);
  switch (given.kind) {
    case 'none':
      return undefined;
    case 'role':
      if (
        typeof given.role !== 'string' ||
        !(APPROVING_ROLES as readonly string[]).includes(given.role)
      )
        return `A role policy names a role that may approve: ${APPROVING_ROLES.map((r) => `"${r}"`).join(' or ')}.`;
      if (badCount(MAX_REQUIRED_APPROVALS))
        return `A role policy's \`count\` is a whole number from 1 to ${MAX_REQUIRED_APPROVALS}.`;
      return undefined;
    case 'approvers': {
      const ids = given.accountIds;
      if (
        !Array.isArray(ids) ||
        ids.length === 0 ||
        ids.length > MAX_REQUIRED_APPROVALS ||
        !ids.every((id) => typeof id === 'string' && id !== '')
      )
        return `An approvers policy names from 1 to ${MAX_REQUIRED_APPROVALS} members in \`accountIds\`.`;
      if (new Set(ids).size !== ids.length) return 'An approvers policy names each member once.';
      if (badCount(ids.length))
        return `An approvers policy's \`count\` is a whole number from 1 to the number of approvers (${ids.length}).`;
      return undefined;
    }
    default:
      return 'The clearance policy’s `kind` must be "none", "approvers" or "role".';
  }
}

/** The policy in a site's settings JSON (`clearance`), or the default (2 editors). */
export function clearancePolicyOf(siteSettings: Record<string, unknown>): ClearancePolicy {
  const raw = siteSettings.clearance;
  if (raw === undefined) return DEFAULT_CLEARANCE_POLICY;
  const problem = clearancePolicyProblem(raw);
  if (problem) throw new Error(`Site setting \`clearance\`: ${problem}`);
  const given = raw as Record<string, unknown>;
  if (given.kind === 'none') return { kind: 'none' };
  if (given.kind === 'role')
    return {
      kind: 'role',
      role: given.role as ApprovingRole,
      count: (given.count as number | undefined) ?? 2,
    };
  const accountIds = given.accountIds as string[];
  const count = given.count as number | undefined;
  return count === undefined || count === accountIds.length
    ? { kind: 'approvers', accountIds: [...accountIds] }
    : { kind: 'approvers', accountIds: [...accountIds], count };
}

/** How many approvals a policy needs. */
export function requiredApprovals(policy: ClearancePolicy): number {
  if (policy.kind === 'none') return 0;
  if (policy.kind === 'role') return policy.count;
  return policy.count ?? policy.accountIds.length;
}

// --- approvals -------------------------------------------------------------------------------

export type Decision = 'approve' | 'object';

/** One member's decision on one revision, as recorded (never edited; withdrawal is a time). */
export interface ApprovalRecord {
  id: string;
  statementId: string;
  revisionId: string;
  /** The hash of the revision's content when the decision was made. */
  contentHash: string;
  accountId: string;
  /** The member's name and role now (undefined role: no longer a member). */
  accountName: string;
  accountRole: Role | undefined;
  decision: Decision;
  comment: string | undefined;
  createdAt: Date;
  /** When it stopped counting: withdrawn by its author, or replaced by their later decision. */
  withdrawnAt: Date | undefined;
}

/** Whose missing approvals a policy is waiting for. */
export type MissingApprovals =
  | { kind: 'role'; role: ApprovingRole; count: number }
  | { kind: 'approvers'; count: number; approvers: { accountId: string; name: string }[] };

export interface ClearanceState {
  /** `met`: may be published; `missing`: approvals lacking; `blocked`: an objection stands. */
  state: 'met' | 'missing' | 'blocked';
  policy: ClearancePolicy;
  /** The approvals that count for this revision, oldest first. */
  counted: ApprovalRecord[];
  /** Approvals still standing but given to another text: they must be given again. */
  stale: ApprovalRecord[];
  /** Objections not withdrawn. */
  objections: ApprovalRecord[];
  /** What is still needed (also when blocked); undefined when the policy is met. */
  missing: MissingApprovals | undefined;
  /** The state in one or two plain sentences, for people. */
  message: string;
}

/** Whether an approver's current role counts towards a role policy (owners count as editors). */
export function roleCounts(required: ApprovingRole, role: Role | undefined): boolean {
  return role === required || role === 'owner';
}

/**
 * Where clearance stands for `revision` under `policy`, given every decision recorded on the
 * statement. `names` gives named approvers' names (for those who have not decided yet).
 */
export function clearanceState(
  policy: ClearancePolicy,
  revision: { id: string; contentHash: string },
  decisions: readonly ApprovalRecord[],
  names: ReadonlyMap<string, string> = new Map(),
): ClearanceState {
  const standing = decisions
    .filter((decision) => decision.withdrawnAt === undefined)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const objections = standing.filter((decision) => decision.decision === 'object');
  const approvals = standing.filter((decision) => decision.decision === 'approve');
  const current = approvals.filter((approval) => approval.contentHash === revision.contentHash);
  const stale = approvals.filter((approval) => approval.contentHash !== revision.contentHash);

  const eligible = current.filter((approval) => {
    if (policy.kind === 'role') return roleCounts(policy.role, approval.accountRole);
    if (policy.kind === 'approvers') return policy.accountIds.includes(approval.accountId);
    return false;
  });
  const counted = eligible.filter(
    (approval, index) => eligible.findIndex((a) => a.accountId === approval.accountId) === index,
  );

  let missing: MissingApprovals | undefined;
  const needed = requiredApprovals(policy) - counted.length;
  if (needed > 0 && policy.kind === 'role') {
    missing = { kind: 'role', role: policy.role, count: needed };
  } else if (needed > 0 && policy.kind === 'approvers') {
    const approved = new Set(counted.map((approval) => approval.accountId));
    missing = {
      kind: 'approvers',
      count: needed,
      approvers: policy.accountIds
        .filter((id) => !approved.has(id))
        .map((accountId) => ({
          accountId,
          name: names.get(accountId) ?? nameIn(decisions, accountId),
        })),
    };
  }

  const state = objections.length > 0 ? 'blocked' : missing ? 'missing' : 'met';
  return {
    state,
    policy,
    counted: policy.kind === 'none' ? [] : counted,
    stale,
    objections,
    missing,
    message: clearanceMessage(policy, state, missing, objections, stale),
  };
}

function nameIn(decisions: readonly ApprovalRecord[], accountId: string): string {
  return decisions.find((d) => d.accountId === accountId)?.accountName ?? 'a named approver';
}

function clearanceMessage(
  policy: ClearancePolicy,
  state: ClearanceState['state'],
  missing: MissingApprovals | undefined,
  objections: readonly ApprovalRecord[],
  stale: readonly ApprovalRecord[],
): string {
  const sentences: string[] = [];
  if (state === 'met') {
    sentences.push(
      policy.kind === 'none'
        ? 'This site publishes personal statements without clearance.'
        : 'Cleared: the approvals this site requires are given to this exact text.',
    );
  }
  if (objections.length > 0) {
    sentences.push(
      `${joinNames(objections.map((o) => o.accountName))} ${objections.length === 1 ? 'objects' : 'object'}: publication is blocked until ${objections.length === 1 ? 'the objection is' : 'the objections are'} withdrawn.`,
    );
  }
  if (missing) sentences.push(missingApprovalsMessage(missing));
  if (stale.length > 0 && policy.kind !== 'none') {
    const who = joinNames(stale.map((a) => a.accountName));
    sentences.push(
      `${stale.length === 1 ? 'The approval' : 'The approvals'} by ${who} ${stale.length === 1 ? 'was' : 'were'} given to an earlier text and no longer ${stale.length === 1 ? 'counts' : 'count'}: the text has changed since, so it needs approving again.`,
    );
  }
  return sentences.join(' ');
}

/** "2 approvals from editors are missing." / "An approval from Ann Smith is missing." */
export function missingApprovalsMessage(missing: MissingApprovals): string {
  if (missing.kind === 'role') {
    return missing.count === 1
      ? `1 approval from ${articled(missing.role)} is missing.`
      : `${missing.count} approvals from ${plural(missing.role)} are missing.`;
  }
  const names = missing.approvers.map((approver) => approver.name);
  if (missing.count >= names.length) {
    return names.length === 1
      ? `An approval from ${names[0]} is missing.`
      : `Approvals from ${joinNames(names)} are missing.`;
  }
  return `${missing.count} more ${missing.count === 1 ? 'approval' : 'approvals'} from ${joinNames(names, 'or')} ${missing.count === 1 ? 'is' : 'are'} missing.`;
}

const plural = (role: ApprovingRole) => `${role}s`;
const articled = (role: ApprovingRole) => (/^[aeiou]/.test(role) ? `an ${role}` : `a ${role}`);

/** "Ann", "Ann and Bob", "Ann, Bob and Cy". */
export function joinNames(names: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
  const unique = [...new Set(names)];
  if (unique.length <= 1) return unique[0] ?? '';
  return `${unique.slice(0, -1).join(', ')} ${conjunction} ${unique.at(-1)}`;
}

// --- what the published page says ------------------------------------------------------------

/** How a published revision was cleared, recorded when it was published. */
export type ClearanceRecord =
  /** Published under the policy "none". */
  | { kind: 'personal' }
  | {
      kind: 'cleared';
      policy: 'role' | 'approvers';
      /** For a role policy: the role required. */
      role?: ApprovingRole;
      approvers: { accountId: string; name: string }[];
      /** When the last approval that counted was given. */
      clearedAt: string;
    }
  /** Published by an import or a caller that stated its clearance in words. */
  | { kind: 'declared'; note: string }
  /** Imported before clearance was recorded. */
  | { kind: 'unrecorded' };

export const PERSONAL_STATEMENT_WORDING = 'Personal statement, not cleared';
export const UNRECORDED_CLEARANCE_WORDING = 'Imported — clearance not recorded';

/** The record of a clearance that was met, to keep with the revision published. */
export function clearanceRecordOf(state: ClearanceState): ClearanceRecord {
  if (state.state !== 'met') throw new Error('clearance is not met');
  const { policy } = state;
  if (policy.kind === 'none') return { kind: 'personal' };
  const last = state.counted.at(-1);
  return {
    kind: 'cleared',
    policy: policy.kind,
    ...(policy.kind === 'role' ? { role: policy.role } : {}),
    approvers: state.counted.map((a) => ({ accountId: a.accountId, name: a.accountName })),
    clearedAt: (last?.createdAt ?? new Date(0)).toISOString(),
  };
}

const longDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/**
 * The sentence the published page shows: "Cleared by 2 editors on 14 November 2015",
 * "Cleared by Ann Smith and Bob Jones on 14 November 2015", "Personal statement, not cleared",
 * "Imported — clearance not recorded", or the words an import gave.
 */
export function clearanceWording(record: ClearanceRecord): string {
  switch (record.kind) {
    case 'personal':
      return PERSONAL_STATEMENT_WORDING;
    case 'unrecorded':
      return UNRECORDED_CLEARANCE_WORDING;
    case 'declared':
      return record.note;
    case 'cleared': {
      const on = longDate.format(new Date(record.clearedAt));
      const count = record.approvers.length;
      if (record.policy === 'role' && record.role) {
        const who = count === 1 ? `1 ${record.role}` : `${count} ${plural(record.role)}`;
        return `Cleared by ${who} on ${on}`;
      }
      return `Cleared by ${joinNames(record.approvers.map((a) => a.name))} on ${on}`;
    }
  }
}

/** Reads a stored record back; anything unreadable counts as not recorded. */
export function parseClearanceRecord(json: string | null | undefined): ClearanceRecord | undefined {
  if (json === null || json === undefined) return undefined;
  try {
    const value = JSON.parse(json) as { kind?: unknown };
    if (
      value.kind === 'personal' ||
      value.kind === 'cleared' ||
      value.kind === 'declared' ||
      value.kind === 'unrecorded'
    )
      return value as ClearanceRecord;
  } catch {
    // fall through: an unreadable record is reported as not recorded
  }
  return { kind: 'unrecorded' };
}

/** Whether `role` may be required by a role policy (for validating input from elsewhere). */
export function isApprovingRole(role: string): role is ApprovingRole {
  return isRole(role) && (APPROVING_ROLES as readonly string[]).includes(role);
}
