// Clearance policies, which decisions count, the published wording, and the lifecycle rules.
import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/accounts/model.js';
import type { ApprovalRecord, ClearancePolicy } from '../../src/statements/clearance.js';
import {
  DEFAULT_CLEARANCE_POLICY,
  clearancePolicyOf,
  clearancePolicyProblem,
  clearanceRecordOf,
  clearanceState,
  clearanceWording,
  parseClearanceRecord,
} from '../../src/statements/clearance.js';
import {
  lifecycleProblem,
  statusAfterReview,
  statusAfterRevision,
} from '../../src/statements/lifecycle.js';

const revision = { id: 'r2', contentHash: 'hash-2' };
let made = 0;

/** A decision on revision r2 unless told otherwise. */
function decision(overrides: Partial<ApprovalRecord> & { accountId: string }): ApprovalRecord {
  made += 1;
  return {
    id: `d${made}`,
    statementId: 's',
    revisionId: 'r2',
    contentHash: 'hash-2',
    accountName: overrides.accountId.toUpperCase(),
    accountRole: 'editor' as Role,
    decision: 'approve',
    comment: undefined,
    createdAt: new Date(Date.UTC(2015, 10, 14, 9, made)),
    withdrawnAt: undefined,
    ...overrides,
  };
}

describe('clearance policy settings', () => {
  it('defaults to two editors and reads each kind', () => {
    expect(clearancePolicyOf({})).toEqual(DEFAULT_CLEARANCE_POLICY);
    expect(DEFAULT_CLEARANCE_POLICY).toEqual({ kind: 'role', role: 'editor', count: 2 });
    expect(clearancePolicyOf({ clearance: { kind: 'none' } })).toEqual({ kind: 'none' });
    expect(clearancePolicyOf({ clearance: { kind: 'role', role: 'owner', count: 1 } })).toEqual({
      kind: 'role',
      role: 'owner',
      count: 1,
    });
    expect(clearancePolicyOf({ clearance: { kind: 'approvers', accountIds: ['a', 'b'] } })).toEqual(
      {
        kind: 'approvers',
        accountIds: ['a', 'b'],
      },
    );
  });

  it('refuses what cannot be a policy, saying why', () => {
    expect(clearancePolicyProblem({ kind: 'role', role: 'author', count: 2 })).toMatch(
      /may approve/,
    );
    expect(clearancePolicyProblem({ kind: 'role', role: 'editor', count: 0 })).toMatch(/count/);
    expect(clearancePolicyProblem({ kind: 'approvers', accountIds: [] })).toMatch(/from 1/);
    expect(clearancePolicyProblem({ kind: 'approvers', accountIds: ['a', 'a'] })).toMatch(/once/);
    expect(clearancePolicyProblem({ kind: 'approvers', accountIds: ['a'], count: 2 })).toMatch(
      /count/,
    );
    expect(clearancePolicyProblem('none')).toMatch(/object/);
    expect(() => clearancePolicyOf({ clearance: { kind: 'everyone' } })).toThrow(/clearance/);
  });
});

describe('clearance state', () => {
  const twoEditors: ClearancePolicy = { kind: 'role', role: 'editor', count: 2 };

  it('names the approvals missing under a role policy', () => {
    expect(clearanceState(twoEditors, revision, []).message).toBe(
      '2 approvals from editors are missing.',
    );
    const one = clearanceState(twoEditors, revision, [decision({ accountId: 'ann' })]);
    expect(one).toMatchObject({ state: 'missing', missing: { kind: 'role', count: 1 } });
    expect(one.message).toBe('1 approval from an editor is missing.');
  });

  it('is met by two editors (owners count as editors), each counted once', () => {
    const state = clearanceState(twoEditors, revision, [
      decision({ accountId: 'ann' }),
      decision({ accountId: 'ann' }),
      decision({ accountId: 'olga', accountRole: 'owner' }),
    ]);
    expect(state.state).toBe('met');
    expect(state.counted.map((a) => a.accountId)).toEqual(['ann', 'olga']);
  });

  it('does not count members of other roles, or former members', () => {
    const state = clearanceState(twoEditors, revision, [
      decision({ accountId: 'mo', accountRole: 'moderator' }),
      decision({ accountId: 'gone', accountRole: undefined }),
    ]);
    expect(state).toMatchObject({ state: 'missing', missing: { count: 2 } });
  });

  it('counts an approval only while the text has the hash it was given to', () => {
    const state = clearanceState(twoEditors, { id: 'r3', contentHash: 'hash-3' }, [
      decision({ accountId: 'ann' }),
      decision({ accountId: 'bob' }),
    ]);
    expect(state.state).toBe('missing');
    expect(state.stale.map((a) => a.accountId)).toEqual(['ann', 'bob']);
    expect(state.message).toBe(
      '2 approvals from editors are missing. The approvals by ANN and BOB were given to an earlier text and no longer count: the text has changed since, so it needs approving again.',
    );
    // A later revision that restores the approved text exactly is the approved text.
    expect(clearanceState(twoEditors, { id: 'r4', contentHash: 'hash-2' }, state.stale).state).toBe(
      'met',
    );
  });

  it('is blocked by an objection until it is withdrawn, whatever the approvals', () => {
    const approvals = [decision({ accountId: 'ann' }), decision({ accountId: 'bob' })];
    const objection = decision({
      accountId: 'cy',
      decision: 'object',
      comment: 'Too soft.',
      contentHash: 'old',
    });
    const blocked = clearanceState(twoEditors, revision, [...approvals, objection]);
    expect(blocked.state).toBe('blocked');
    expect(blocked.message).toContain(
      'CY objects: publication is blocked until the objection is withdrawn.',
    );
    const withdrawn = clearanceState(twoEditors, revision, [
      ...approvals,
      { ...objection, withdrawnAt: new Date() },
    ]);
    expect(withdrawn.state).toBe('met');
  });

  it('waits for every named approver, or for `count` of them', () => {
    const named: ClearancePolicy = { kind: 'approvers', accountIds: ['ann', 'bob', 'cy'] };
    const names = new Map([
      ['bob', 'Bob Jones'],
      ['cy', 'Cy Twombly'],
    ]);
    const state = clearanceState(
      named,
      revision,
      [decision({ accountId: 'ann' }), decision({ accountId: 'zed' })],
      names,
    );
    expect(state.missing).toEqual({
      kind: 'approvers',
      count: 2,
      approvers: [
        { accountId: 'bob', name: 'Bob Jones' },
        { accountId: 'cy', name: 'Cy Twombly' },
      ],
    });
    expect(state.message).toBe('Approvals from Bob Jones and Cy Twombly are missing.');
    const twoOfThree = clearanceState(
      { ...named, count: 2 },
      revision,
      [decision({ accountId: 'ann' })],
      names,
    );
    expect(twoOfThree.message).toBe('1 more approval from Bob Jones or Cy Twombly is missing.');
  });

  it('needs nothing under the policy "none"', () => {
    expect(clearanceState({ kind: 'none' }, revision, [])).toMatchObject({
      state: 'met',
      counted: [],
    });
  });
});

describe('what the published page says', () => {
  it('says who cleared it and when, or that it is personal, or that clearance was not recorded', () => {
    const met = clearanceState({ kind: 'role', role: 'editor', count: 2 }, revision, [
      decision({ accountId: 'ann', createdAt: new Date('2015-11-13T22:00:00Z') }),
      decision({ accountId: 'bob', createdAt: new Date('2015-11-14T08:30:00Z') }),
    ]);
    const record = clearanceRecordOf(met);
    expect(clearanceWording(record)).toBe('Cleared by 2 editors on 14 November 2015');
    const named = clearanceRecordOf(
      clearanceState({ kind: 'approvers', accountIds: ['ann', 'bob'] }, revision, met.counted),
    );
    expect(clearanceWording(named)).toBe('Cleared by ANN and BOB on 14 November 2015');
    expect(
      clearanceWording(clearanceRecordOf(clearanceState({ kind: 'none' }, revision, []))),
    ).toBe('Personal statement, not cleared');
    expect(clearanceWording({ kind: 'unrecorded' })).toBe('Imported — clearance not recorded');
    expect(clearanceWording({ kind: 'declared', note: 'Cleared by the branch' })).toBe(
      'Cleared by the branch',
    );
  });

  it('reads a stored record back, and an unreadable one as not recorded', () => {
    expect(parseClearanceRecord(JSON.stringify({ kind: 'personal' }))).toEqual({
      kind: 'personal',
    });
    expect(parseClearanceRecord('{oops')).toEqual({ kind: 'unrecorded' });
    expect(parseClearanceRecord(null)).toBeUndefined();
  });
});

describe('lifecycle', () => {
  const facts = (status: Parameters<typeof lifecycleProblem>[0]['status'], extra = {}) => ({
    status,
    hasUnpublishedRevision: false,
    signingOpen: true,
    ...extra,
  });

  it('takes decisions only in review, or on a correction waiting to be published', () => {
    expect(lifecycleProblem(facts('draft'), 'decide')?.code).toBe('not-in-review');
    expect(lifecycleProblem(facts('in-review'), 'decide')).toBeUndefined();
    expect(lifecycleProblem(facts('published'), 'decide')?.code).toBe('nothing-to-review');
    expect(
      lifecycleProblem(facts('published', { hasUnpublishedRevision: true }), 'decide'),
    ).toBeUndefined();
  });

  it('publishes once, corrects and withdraws only what is published, and signs only while open', () => {
    expect(lifecycleProblem(facts('published'), 'publish')?.code).toBe('already-published');
    expect(lifecycleProblem(facts('draft'), 'correct')?.code).toBe('not-published');
    expect(lifecycleProblem(facts('cleared'), 'withdraw')?.code).toBe('not-published');
    expect(lifecycleProblem(facts('published', { signingOpen: false }), 'sign')?.code).toBe(
      'signing-closed',
    );
    expect(lifecycleProblem(facts('withdrawn'), 'revise')?.code).toBe('statement-withdrawn');
  });

  it('sends a cleared statement back to review when its text changes', () => {
    expect(statusAfterRevision('cleared')).toBe('in-review');
    expect(statusAfterRevision('published')).toBe('published');
    expect(statusAfterReview('in-review', true)).toBe('cleared');
    expect(statusAfterReview('cleared', false)).toBe('in-review');
    expect(statusAfterReview('draft', true)).toBe('draft');
  });
});
