/**
 * The public pages of a statement: the statement itself (how it was cleared, what it is based on,
 * its correction or withdrawal, its signatories and the form to sign, then its discussion), its
 * public history, and each text it has had, readable whole.
 */
import { DiscussionSection } from '../discussion/views.js';
import type { DiscussionSectionProps } from '../discussion/views.js';
import { formatDate } from '../web/format.js';
import type { DiffMode } from './diff-views.js';
import { DiffModeSwitch, DiffView } from './diff-views.js';
import type { ContentDiff } from './diffs.js';
import { HeadingChanges } from './history-views.js';
import type { Citation } from './provenance.js';
import { basedOnWording } from './provenance.js';
import type { SignaturesSectionProps } from './signature-views.js';
import { SignaturesSection } from './signature-views.js';
import type { Revision, RevisionSummary, Statement } from './store.js';

const eventDateFormat = (date: string) => formatDate(new Date(`${date}T00:00:00Z`));

export const statementHref = (slug: string) => `/s/${slug}`;
export const historyHref = (slug: string) => `/s/${slug}/history`;
export const publicRevisionHref = (slug: string, revisionId: string) =>
  `/s/${slug}/revisions/${encodeURIComponent(revisionId)}`;

/** "Based in part on “…” (…)", its title a link when the reader can follow it. */
export function BasedOnLine({ citation }: { citation: Citation }) {
  if (!citation.href) return <p class="based-on">{basedOnWording(citation)}</p>;
  const external = /^https?:/i.test(citation.href);
  return (
    <p class="based-on">
      <a href={citation.href} rel={external ? 'noopener' : undefined}>
        {basedOnWording(citation)}
      </a>
    </p>
  );
}

export interface StatementArticleProps {
  statement: Statement;
  /** The revision shown (the published one, or an older one from the history). */
  revision: Pick<Revision, 'title' | 'subtitle' | 'html'>;
  /** "Cleared by 2 editors on 14 November 2015", "Personal statement, not cleared". */
  clearance: string | undefined;
  /** "Corrected on 20 November 2015: …" */
  correction?: string;
  citation?: Citation;
  /** Where the public history is, when there is more than one published text. */
  historyHref?: string;
  /** The title as a heading of this level (h1 on the statement's own page). */
  headingLevel?: 1 | 2;
}

export function StatementArticle(props: StatementArticleProps) {
  const { statement, revision } = props;
  const withdrawn = statement.status === 'withdrawn' && statement.withdrawnAt;
  const Heading = props.headingLevel === 2 ? 'h2' : 'h1';
  return (
    <article class={withdrawn ? 'statement statement-withdrawn' : 'statement'}>
      <header class="statement-header">
        {withdrawn && (
          <div class="withdrawn-banner" role="note">
            <p>
              <strong>Withdrawn on {formatDate(statement.withdrawnAt as Date)}.</strong>{' '}
              {statement.withdrawnReason}
            </p>
            <p class="muted">The text below is kept as it was published, for the record.</p>
          </div>
        )}
        <Heading>{revision.title}</Heading>
        {revision.subtitle && <p class="statement-subtitle">{revision.subtitle}</p>}
        <p class="statement-meta">
          <span class="statement-author">{statement.authorName}</span>
          {statement.publishedAt && (
            <>
              {' · '}
              <time dateTime={statement.publishedAt.toISOString()}>
                {formatDate(statement.publishedAt)}
              </time>
            </>
          )}
        </p>
        <div class="statement-notes">
          {statement.eventName && (
            <p class="statement-event">
              On {statement.eventName}
              {statement.eventDate && <>, {eventDateFormat(statement.eventDate)}</>}
            </p>
          )}
          {props.citation && <BasedOnLine citation={props.citation} />}
          {props.clearance && <p class="clearance-note">{props.clearance}</p>}
          {props.correction && (
            <p class="correction-note">
              {props.correction}
              {props.historyHref && (
                <>
                  {' · '}
                  <a href={props.historyHref}>earlier versions</a>
                </>
              )}
            </p>
          )}
        </div>
      </header>
      <div class="statement-body" dangerouslySetInnerHTML={{ __html: revision.html }} />
    </article>
  );
}

export interface StatementPageProps {
  article: StatementArticleProps;
  signatures: SignaturesSectionProps;
  discussion: DiscussionSectionProps;
}

export function StatementPage(props: StatementPageProps) {
  return (
    <>
      <StatementArticle {...props.article} />
      <SignaturesSection {...props.signatures} />
      <DiscussionSection {...props.discussion} />
    </>
  );
}

// --- the public history ------------------------------------------------------------------------

export interface PublicComparison {
  from: RevisionSummary;
  to: RevisionSummary;
  diff: ContentDiff;
}

export function PublicHistoryPage(props: {
  statement: Statement;
  /** Every revision that has been the published text, oldest first. */
  history: RevisionSummary[];
  comparison: PublicComparison | undefined;
  mode: DiffMode;
}) {
  const { statement, history, comparison } = props;
  const base = historyHref(statement.slug);
  const newestFirst = [...history].reverse();
  return (
    <>
      <h1>History of “{statement.title}”</h1>
      <p>
        Every text this statement has been published with, newest first. Corrections never erase
        what was published before.{' '}
        <a href={statementHref(statement.slug)}>Read the statement as it is now</a>.
      </p>
      <ol class="history-list" reversed>
        {newestFirst.map((revision, index) => {
          const previous = newestFirst[index + 1];
          const current = revision.id === statement.publishedRevisionId;
          return (
            <li key={revision.id}>
              <a href={publicRevisionHref(statement.slug, revision.id)}>
                {revision.publishedAt
                  ? `Published on ${formatDate(revision.publishedAt)}`
                  : `Revision ${revision.number}`}
              </a>
              {current && <> (the current text)</>}
              {revision.correctionNote && <> — corrected: {revision.correctionNote}</>}
              {previous && (
                <>
                  {' · '}
                  <a href={`${base}?from=${previous.id}&to=${revision.id}#changes`}>what changed</a>
                </>
              )}
            </li>
          );
        })}
      </ol>
      {comparison && (
        <section aria-labelledby="changes">
          <h2 id="changes">
            What changed between{' '}
            {comparison.from.publishedAt ? formatDate(comparison.from.publishedAt) : 'then'} and{' '}
            {comparison.to.publishedAt ? formatDate(comparison.to.publishedAt) : 'now'}
          </h2>
          <HeadingChanges diff={comparison.diff} />
          <DiffModeSwitch
            mode={props.mode}
            hrefOf={(mode) =>
              `${base}?from=${comparison.from.id}&to=${comparison.to.id}&mode=${mode}#changes`
            }
          />
          <DiffView
            diff={comparison.diff.body}
            mode={props.mode}
            oldLabel={
              comparison.from.publishedAt
                ? `As published on ${formatDate(comparison.from.publishedAt)}`
                : 'Before'
            }
            newLabel={
              comparison.to.publishedAt
                ? `As published on ${formatDate(comparison.to.publishedAt)}`
                : 'After'
            }
          />
        </section>
      )}
    </>
  );
}

/** One text from the public history, read whole, marked as not the current one when it is not. */
export function PublicRevisionPage(props: {
  statement: Statement;
  revision: Revision;
  /** The text that replaced it, if any. */
  replacedBy: RevisionSummary | undefined;
  /** How this text was cleared when it was published. */
  clearance: string | undefined;
}) {
  const { statement, revision, replacedBy } = props;
  return (
    <>
      <div class="notice" role="note">
        <p>
          You are reading “{statement.title}” as published
          {revision.publishedAt && <> on {formatDate(revision.publishedAt)}</>}.
          {replacedBy?.publishedAt && (
            <> It was corrected on {formatDate(replacedBy.publishedAt)}.</>
          )}
        </p>
        <p>
          <a href={statementHref(statement.slug)}>Read the current text</a> ·{' '}
          <a href={historyHref(statement.slug)}>all versions</a>
        </p>
      </div>
      <StatementArticle
        statement={statement}
        revision={revision}
        clearance={props.clearance}
        correction={revision.correctionNote ? `Correction: ${revision.correctionNote}` : undefined}
      />
    </>
  );
}
