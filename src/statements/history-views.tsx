/**
 * The members' history of a statement: its revisions, any two compared word by word (side by side
 * or inline), one old revision read whole; and the provenance page, which compares the statement
 * with what it is based on.
 */
import { formatDateTime } from '../web/format.js';
import type { PageContext } from '../web/page.js';
import { StatementFrame, adminPath } from './admin-views.js';
import type { DiffMode } from './diff-views.js';
import { DiffModeSwitch, DiffView } from './diff-views.js';
import type { ContentDiff } from './diffs.js';
import { ReuseMeter } from './editor-views.js';
import { formatPartialDate } from './provenance.js';
import type { Provenance } from './review-service.js';
import type { Revision, RevisionSummary, Statement } from './store.js';

const shortHash = (hash: string) => hash.slice(0, 10);

/** The title and subtitle changes of a diff, when there are any, inline. */
export function HeadingChanges({ diff }: { diff: ContentDiff }) {
  const changed = (parts: ContentDiff['title']['parts']) =>
    parts.some((part) => part.kind !== 'same');
  return (
    <>
      {changed(diff.title.parts) && (
        <div class="heading-change">
          <h4>Title</h4>
          <DiffView diff={diff.title} mode="inline" oldLabel="Before" newLabel="After" unfolded />
        </div>
      )}
      {changed(diff.subtitle.parts) && (
        <div class="heading-change">
          <h4>Subtitle</h4>
          <DiffView
            diff={diff.subtitle}
            mode="inline"
            oldLabel="Before"
            newLabel="After"
            unfolded
          />
        </div>
      )}
    </>
  );
}

export interface RevisionComparison {
  from: RevisionSummary;
  to: RevisionSummary;
  diff: ContentDiff;
}

/** A comparison of two revisions: the heading changes, then the body. */
export function RevisionComparisonView(props: {
  comparison: RevisionComparison;
  mode: DiffMode;
  hrefOf: (mode: DiffMode) => string;
}) {
  const { from, to, diff } = props.comparison;
  return (
    <section class="comparison" aria-labelledby="comparison-heading">
      <h3 id="comparison-heading">
        Revision {from.number} → revision {to.number}
      </h3>
      {diff.identical ? (
        <p>These two revisions say exactly the same.</p>
      ) : (
        <>
          <HeadingChanges diff={diff} />
          <h4>Text</h4>
          <DiffModeSwitch mode={props.mode} hrefOf={props.hrefOf} />
          <DiffView
            diff={diff.body}
            mode={props.mode}
            oldLabel={`Revision ${from.number}`}
            newLabel={`Revision ${to.number}`}
          />
        </>
      )}
    </section>
  );
}

export interface HistoryPageProps {
  ctx: PageContext;
  statement: Statement;
  /** Oldest first. */
  revisions: RevisionSummary[];
  comparison: RevisionComparison | undefined;
  mode: DiffMode;
  problem?: string;
  showSignatures: boolean;
}

export function HistoryPage(props: HistoryPageProps) {
  const { statement, revisions, comparison } = props;
  const base = adminPath(statement.id, '/history');
  const hrefOf = (mode: DiffMode) =>
    comparison
      ? `${base}?from=${comparison.from.id}&to=${comparison.to.id}&mode=${mode}#comparison-heading`
      : base;
  const newestFirst = [...revisions].reverse();
  return (
    <StatementFrame
      ctx={props.ctx}
      statement={statement}
      tab="history"
      heading="History"
      showSignatures={props.showSignatures}
    >
      {props.problem && (
        <p class="alert" role="alert">
          {props.problem}
        </p>
      )}
      <table>
        <caption class="visually-hidden">Revisions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Revision</th>
            <th scope="col">Saved</th>
            <th scope="col">By</th>
            <th scope="col">Note</th>
            <th scope="col">Content hash</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((revision) => (
            <tr key={revision.id}>
              <td>
                <a href={adminPath(statement.id, `/revisions/${revision.id}`)}>{revision.number}</a>
                {revision.id === statement.currentRevisionId && <div class="muted">current</div>}
                {revision.id === statement.publishedRevisionId && (
                  <div class="muted">published</div>
                )}
              </td>
              <td>
                <time dateTime={revision.createdAt.toISOString()}>
                  {formatDateTime(revision.createdAt)}
                </time>
              </td>
              <td>{revision.authorName}</td>
              <td>{revision.note ?? ''}</td>
              <td>
                <code title={revision.contentHash}>{shortHash(revision.contentHash)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revisions.length < 2 ? (
        <p class="empty-state">
          There is one revision so far. Each save makes a new one, and any two can be compared here.
        </p>
      ) : (
        <form method="get" action={base} class="compare-form">
          <div class="field-row">
            <RevisionSelect
              name="from"
              label="Compare revision"
              revisions={revisions}
              selected={comparison?.from.id}
            />
            <RevisionSelect
              name="to"
              label="with revision"
              revisions={revisions}
              selected={comparison?.to.id}
            />
            <label>
              Show
              <select name="mode">
                <option value="side" selected={props.mode === 'side'}>
                  side by side
                </option>
                <option value="inline" selected={props.mode === 'inline'}>
                  inline
                </option>
              </select>
            </label>
          </div>
          <button type="submit" class="secondary">
            Compare
          </button>
        </form>
      )}
      {comparison && (
        <RevisionComparisonView comparison={comparison} mode={props.mode} hrefOf={hrefOf} />
      )}
    </StatementFrame>
  );
}

/** One revision, read whole. */
export function RevisionPage(props: {
  ctx: PageContext;
  statement: Statement;
  revision: Revision;
  showSignatures: boolean;
}) {
  const { statement, revision } = props;
  return (
    <StatementFrame
      ctx={props.ctx}
      statement={statement}
      tab="history"
      heading={`Revision ${revision.number}`}
      showSignatures={props.showSignatures}
    >
      <p class="statement-meta">
        Saved by {revision.authorName} on {formatDateTime(revision.createdAt)}
        {revision.note && <> · “{revision.note}”</>} · content hash{' '}
        <code>{shortHash(revision.contentHash)}</code>
      </p>
      <p>
        <a href={`/admin/statements/new?basedOn=${encodeURIComponent(revision.id)}`}>
          Start a new statement from this revision
        </a>
      </p>
      <article class="statement">
        <header class="statement-header">
          <h3>{revision.title}</h3>
          {revision.subtitle && <p class="statement-subtitle">{revision.subtitle}</p>}
        </header>
        <div class="statement-body" dangerouslySetInnerHTML={{ __html: revision.html }} />
      </article>
    </StatementFrame>
  );
}

/** What the statement is based on, and the word-by-word difference from it. */
export function ProvenancePage(props: {
  ctx: PageContext;
  statement: Statement;
  revision: RevisionSummary;
  provenance: Provenance | undefined;
  mode: DiffMode;
  showSignatures: boolean;
}) {
  const { statement, provenance } = props;
  const base = adminPath(statement.id, '/provenance');
  return (
    <StatementFrame
      ctx={props.ctx}
      statement={statement}
      tab="provenance"
      heading="Based on"
      showSignatures={props.showSignatures}
    >
      {!provenance ? (
        <p class="empty-state">
          This statement is not based on another text. To start one from this statement, open a
          revision in the History tab and choose “Start a new statement from this revision”.
        </p>
      ) : (
        <>
          <div class="provenance">
            <p>
              <strong>{provenance.wording}</strong>
            </p>
            {provenance.source && (
              <dl class="source-details">
                <dt>Title</dt>
                <dd>{provenance.source.title}</dd>
                {provenance.source.author && (
                  <>
                    <dt>Author or organisation</dt>
                    <dd>{provenance.source.author}</dd>
                  </>
                )}
                {provenance.source.date && (
                  <>
                    <dt>Published</dt>
                    <dd>{formatPartialDate(provenance.source.date)}</dd>
                  </>
                )}
                {provenance.source.url && (
                  <>
                    <dt>Address</dt>
                    <dd>
                      <a href={provenance.source.url} rel="noopener noreferrer">
                        {provenance.source.url}
                      </a>
                    </dd>
                  </>
                )}
              </dl>
            )}
            {provenance.basedOnRevision && (
              <p>
                Revision {provenance.basedOnRevision.number} of “{provenance.basedOnRevision.title}”
                {provenance.citation.href && (
                  <>
                    {' '}
                    (<a href={provenance.citation.href}>published page</a>)
                  </>
                )}
              </p>
            )}
            <ReuseMeter reuse={provenance.reuse} label="Share of the text reused" />
          </div>
          <h3>
            From {provenance.kind === 'source' ? 'the source' : 'the earlier statement'} to revision{' '}
            {props.revision.number}
          </h3>
          <DiffModeSwitch mode={props.mode} hrefOf={(mode) => `${base}?mode=${mode}`} />
          <DiffView
            diff={provenance.diff}
            mode={props.mode}
            oldLabel={provenance.kind === 'source' ? 'Source' : 'Earlier statement'}
            newLabel={`This statement (revision ${props.revision.number})`}
          />
        </>
      )}
    </StatementFrame>
  );
}

/** One side of the comparison form: a revision chosen by its number. */
function RevisionSelect(props: {
  name: 'from' | 'to';
  label: string;
  revisions: readonly { id: string; number: number }[];
  selected: string | undefined;
}) {
  return (
    <label>
      {props.label}
      <select name={props.name}>
        {props.revisions.map((revision) => (
          <option value={revision.id} selected={revision.id === props.selected} key={revision.id}>
            {revision.number}
          </option>
        ))}
      </select>
    </label>
  );
}
