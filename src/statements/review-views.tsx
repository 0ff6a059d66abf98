/**
 * The review page: where clearance stands, in plain words; every approval and objection with who,
 * when and on which revision (an approval of an earlier text says it no longer counts); the diff
 * since the last approved text; the provenance diff; and the actions the viewer may take —
 * submit, approve, object, withdraw their objection, publish, publish a correction, withdraw.
 */
import { formatDateTime } from '../web/format.js';
import type { PageContext } from '../web/page.js';
import { CsrfField } from '../web/page.js';
import { Notice, Problem, StatementFrame, adminPath } from './admin-views.js';
import type { ApprovalRecord, ClearanceState } from './clearance.js';
import type { DiffMode } from './diff-views.js';
import { DiffModeSwitch, DiffView } from './diff-views.js';
import type { ContentDiff, ReuseShare, WordDiff } from './diffs.js';
import { ReuseMeter } from './editor-views.js';
import { HeadingChanges } from './history-views.js';
import type { RevisionSummary, Statement } from './store.js';

/** What the viewer may do here (from their role and the statement's status). */
export interface ReviewAbilities {
  submit: boolean;
  decide: boolean;
  publish: boolean;
  correct: boolean;
  withdraw: boolean;
  /** Why deciding is not possible now, when the viewer may approve but the status forbids it. */
  decideBlockedBecause?: string;
}

/** What the diff at the top compares the current text with, and why that one. */
export interface ReviewBaseline {
  from: RevisionSummary;
  /** "the text Ann approved", "the published text". */
  description: string;
  diff: ContentDiff;
}

export interface ReviewPageProps {
  ctx: PageContext;
  statement: Statement;
  /** The current revision: what is approved and published. */
  revision: RevisionSummary;
  /** Revision numbers by id, to say which text each decision was given to. */
  revisionNumbers: ReadonlyMap<string, number>;
  clearance: ClearanceState;
  viewerAccountId: string;
  can: ReviewAbilities;
  baseline: ReviewBaseline | undefined;
  provenance: { wording: string; reuse: ReuseShare; diff: WordDiff } | undefined;
  mode: DiffMode;
  problem?: string;
  notice?: string;
  /** What was typed in a refused form, by field name. */
  values?: Partial<Record<'comment' | 'reason' | 'note' | 'withdrawReason', string>>;
  showSignatures: boolean;
}

function Who({ decision }: { decision: ApprovalRecord }) {
  return (
    <>
      <strong>{decision.accountName}</strong>
      {decision.accountRole && <span class="muted"> ({decision.accountRole})</span>}
    </>
  );
}

function When({ at }: { at: Date }) {
  return <time dateTime={at.toISOString()}>{formatDateTime(at)}</time>;
}

function DecisionComment({ decision }: { decision: ApprovalRecord }) {
  if (!decision.comment) return null;
  return <p class="decision-comment">“{decision.comment}”</p>;
}

function Decisions(props: {
  clearance: ClearanceState;
  revision: RevisionSummary;
  numbers: ReadonlyMap<string, number>;
}) {
  const { clearance, numbers } = props;
  const numberOf = (decision: ApprovalRecord) => numbers.get(decision.revisionId) ?? '?';
  const empty =
    clearance.counted.length === 0 &&
    clearance.stale.length === 0 &&
    clearance.objections.length === 0;
  if (empty) return <p class="muted">No one has approved or objected yet.</p>;
  return (
    <ul class="decision-list">
      {clearance.counted.map((decision) => (
        <li key={decision.id}>
          ✓ Approved by <Who decision={decision} /> on <When at={decision.createdAt} /> — revision{' '}
          {numberOf(decision)}, the text as it is now: this approval counts.
          <DecisionComment decision={decision} />
        </li>
      ))}
      {clearance.stale.map((decision) => (
        <li class="decision-stale" key={decision.id}>
          Approved by <Who decision={decision} /> on <When at={decision.createdAt} /> — but that was
          revision {numberOf(decision)}, and the text has changed since: this approval no longer
          counts. {decision.accountName} needs to approve revision {props.revision.number}.
          <DecisionComment decision={decision} />
        </li>
      ))}
      {clearance.objections.map((decision) => (
        <li key={decision.id}>
          ✗ Objection by <Who decision={decision} /> on <When at={decision.createdAt} /> (revision{' '}
          {numberOf(decision)}): publication is blocked until it is withdrawn.
          <DecisionComment decision={decision} />
        </li>
      ))}
    </ul>
  );
}

export function ReviewPage(props: ReviewPageProps) {
  const { statement, revision, clearance, can, values = {} } = props;
  const action = (tail: string) => adminPath(statement.id, tail);
  const base = adminPath(statement.id, '/review');
  const ownObjection = clearance.objections.some(
    (objection) => objection.accountId === props.viewerAccountId,
  );
  const correctionWaiting =
    statement.status === 'published' &&
    statement.currentRevisionId !== statement.publishedRevisionId;
  return (
    <StatementFrame
      ctx={props.ctx}
      statement={statement}
      tab="review"
      heading={`Review · revision ${revision.number}`}
      showSignatures={props.showSignatures}
    >
      <Notice message={props.notice} />
      <Problem message={props.problem} />

      <section aria-labelledby="clearance-heading">
        <h3 id="clearance-heading">Clearance</h3>
        <div class={`clearance-state clearance-${clearance.state}`}>
          {statement.status === 'draft' && (
            <p>
              This is a draft. When it is ready, submit it for review: approvers can then approve
              revision {revision.number} or object to it.
            </p>
          )}
          {statement.status === 'published' && !correctionWaiting && (
            <p>
              Revision {revision.number} is the published text. Edit the statement to prepare a
              correction; it is reviewed here like any new text.
            </p>
          )}
          {statement.status === 'withdrawn' && <p>This statement has been withdrawn.</p>}
          {statement.status !== 'withdrawn' && <p>{clearance.message}</p>}
        </div>
        <h3>Approvals and objections</h3>
        <Decisions clearance={clearance} revision={revision} numbers={props.revisionNumbers} />
      </section>

      <section aria-labelledby="actions-heading">
        <h3 id="actions-heading">Your decision and actions</h3>
        {can.decideBlockedBecause && <p class="muted">{can.decideBlockedBecause}</p>}
        <div class="review-actions">
          {can.submit && (
            <form method="post" action={action('/submit')}>
              <CsrfField ctx={props.ctx} />
              <button type="submit">Submit for review</button>
            </form>
          )}
          {can.decide && (
            <form method="post" action={action('/approve')}>
              <CsrfField ctx={props.ctx} />
              <input type="hidden" name="revisionId" value={revision.id} />
              <label>
                Comment with your approval
                <span class="hint">Optional</span>
                <input type="text" name="comment" value={values.comment ?? ''} maxLength={1000} />
              </label>
              <button type="submit">Approve revision {revision.number}</button>
            </form>
          )}
          {can.decide && (
            <form method="post" action={action('/object')}>
              <CsrfField ctx={props.ctx} />
              <input type="hidden" name="revisionId" value={revision.id} />
              <label>
                What you object to
                <span class="hint">Required: the author needs to know what to change</span>
                <textarea name="reason" rows={2} required maxLength={1000}>
                  {values.reason ?? ''}
                </textarea>
              </label>
              <button type="submit" class="secondary">
                Object
              </button>
            </form>
          )}
          {ownObjection && (
            <form method="post" action={action('/objection/withdraw')}>
              <CsrfField ctx={props.ctx} />
              <p>You object to this statement.</p>
              <button type="submit" class="secondary">
                Withdraw my objection
              </button>
            </form>
          )}
          {can.publish && (
            <form method="post" action={action('/publish')}>
              <CsrfField ctx={props.ctx} />
              <input type="hidden" name="revisionId" value={revision.id} />
              <p>
                {clearance.state === 'met'
                  ? `Revision ${revision.number} may be published.`
                  : 'Publishing is refused until clearance is complete.'}
              </p>
              <button type="submit">Publish revision {revision.number}</button>
            </form>
          )}
          {can.correct && (
            <form method="post" action={action('/correct')}>
              <CsrfField ctx={props.ctx} />
              <input type="hidden" name="revisionId" value={revision.id} />
              <label>
                What the correction changes
                <span class="hint">Shown on the public page: “Corrected on …: your note”</span>
                <input
                  type="text"
                  name="note"
                  required
                  maxLength={1000}
                  value={values.note ?? ''}
                />
              </label>
              <button type="submit">Publish revision {revision.number} as a correction</button>
            </form>
          )}
          {can.withdraw && (
            <form
              method="post"
              action={action('/withdraw')}
              data-confirm="Withdraw this statement? Its page stays, marked withdrawn with your reason, and signing ends."
            >
              <CsrfField ctx={props.ctx} />
              <label>
                Reason for withdrawing
                <span class="hint">Shown on the public page</span>
                <textarea name="reason" rows={2} required maxLength={1000}>
                  {values.withdrawReason ?? ''}
                </textarea>
              </label>
              <button type="submit" class="secondary">
                Withdraw the statement
              </button>
            </form>
          )}
        </div>
      </section>

      <section aria-labelledby="since-heading">
        <h3 id="since-heading">What changed</h3>
        {props.baseline ? (
          <>
            <p>
              Since {props.baseline.description} (revision {props.baseline.from.number}):
            </p>
            {props.baseline.diff.identical ? (
              <p>No change: revision {revision.number} says exactly the same.</p>
            ) : (
              <>
                <HeadingChanges diff={props.baseline.diff} />
                <DiffModeSwitch
                  mode={props.mode}
                  hrefOf={(mode) => `${base}?mode=${mode}#since-heading`}
                />
                <DiffView
                  diff={props.baseline.diff.body}
                  mode={props.mode}
                  oldLabel={`Revision ${props.baseline.from.number}`}
                  newLabel={`Revision ${revision.number}`}
                />
              </>
            )}
          </>
        ) : (
          <p class="muted">
            No earlier text has been approved, so there is nothing to compare with yet. Every
            revision can be compared on the{' '}
            <a href={adminPath(statement.id, '/history')}>History</a> tab.
          </p>
        )}
      </section>

      {props.provenance && (
        <section aria-labelledby="review-provenance-heading">
          <h3 id="review-provenance-heading">{props.provenance.wording}</h3>
          <ReuseMeter reuse={props.provenance.reuse} label="Share of the text reused" />
          <details class="provenance-diff">
            <summary>Show the word-by-word difference from it</summary>
            <DiffView
              diff={props.provenance.diff}
              mode={props.mode}
              oldLabel="Based on"
              newLabel={`Revision ${revision.number}`}
            />
          </details>
        </section>
      )}
    </StatementFrame>
  );
}
