/**
 * The admin pages of statements that frame the others: the list with its status filters, the
 * "New statement" form (from nothing, from an earlier statement, or from a text from elsewhere),
 * and the frame every statement's pages share (its title, status and tabs).
 */
import type { ComponentChildren } from 'preact';
import { AdminShell } from '../web/admin-shell.js';
import { countOf, formatDateTime } from '../web/format.js';
import type { PageContext } from '../web/page.js';
import { CsrfField } from '../web/page.js';
import type { StatementStatus } from './lifecycle.js';
import { STATEMENT_STATUSES } from './lifecycle.js';
import type { Statement, StatementListing } from './store.js';

// --- small shared pieces -------------------------------------------------------------------------

export const STATUS_LABELS: Record<StatementStatus, string> = {
  draft: 'Draft',
  'in-review': 'In review',
  cleared: 'Cleared',
  published: 'Published',
  withdrawn: 'Withdrawn',
};

export function StatusLabel({ status }: { status: StatementStatus }) {
  return <span class={`status status-${status}`}>{STATUS_LABELS[status]}</span>;
}

/** A refused form's reason, which the form points to with `aria-describedby`. */
export function Problem({ message, id = 'form-problem' }: { message?: string; id?: string }) {
  if (!message) return null;
  return (
    <p class="alert" role="alert" id={id}>
      {message}
    </p>
  );
}

export function Notice({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <p class="notice" role="status">
      {message}
    </p>
  );
}

export const adminPath = (statementId: string, tail = '') =>
  `/admin/statements/${encodeURIComponent(statementId)}${tail}`;

export type StatementTab = 'edit' | 'comments' | 'history' | 'provenance' | 'review' | 'signatures';

/** Every page about one statement: its title, status, where it is public, and the tabs. */
export function StatementFrame(props: {
  ctx: PageContext;
  statement: Statement;
  tab: StatementTab;
  /** The page's own heading under the statement's title, e.g. "Review". */
  heading: string;
  /** Whether the viewer may see the signatures tab (editors and moderators). */
  showSignatures?: boolean;
  /** False for a moderator, who may see only the signatures. */
  canWrite?: boolean;
  children: ComponentChildren;
}) {
  const { statement } = props;
  const isPublic = statement.status === 'published' || statement.status === 'withdrawn';
  const writeTabs: { tab: StatementTab; label: string; href: string }[] = [
    { tab: 'edit', label: 'Edit', href: adminPath(statement.id) },
    { tab: 'comments', label: 'Comments', href: adminPath(statement.id, '/comments') },
    { tab: 'history', label: 'History', href: adminPath(statement.id, '/history') },
    ...(statement.basedOn
      ? [
          {
            tab: 'provenance' as const,
            label: 'Based on',
            href: adminPath(statement.id, '/provenance'),
          },
        ]
      : []),
    { tab: 'review', label: 'Review', href: adminPath(statement.id, '/review') },
  ];
  const tabs = [
    ...(props.canWrite === false ? [] : writeTabs),
    ...(isPublic && props.showSignatures !== false
      ? [
          {
            tab: 'signatures' as const,
            label: 'Signatures',
            href: adminPath(statement.id, '/signatures'),
          },
        ]
      : []),
  ];
  return (
    <AdminShell ctx={props.ctx} heading={statement.title || 'Untitled statement'}>
      <p class="statement-meta">
        <StatusLabel status={statement.status} /> · started by {statement.authorName} · last changed{' '}
        {formatDateTime(statement.updatedAt)}
        {isPublic && (
          <>
            {' · '}
            <a href={`/s/${statement.slug}`}>public page</a>
          </>
        )}
      </p>
      <nav aria-label="This statement">
        <ul class="statement-tabs">
          {tabs.map((item) => (
            <li key={item.tab}>
              <a href={item.href} aria-current={item.tab === props.tab ? 'page' : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h2>{props.heading}</h2>
      {props.children}
    </AdminShell>
  );
}

// --- the list ------------------------------------------------------------------------------------

export interface StatementListPageProps {
  ctx: PageContext;
  /** The status shown, or undefined for all. */
  status: StatementStatus | undefined;
  counts: Record<StatementStatus, number>;
  items: StatementListing[];
  olderHref: string | undefined;
  notice?: string;
}

export function StatementListPage(props: StatementListPageProps) {
  const { counts, status, items } = props;
  const total = STATEMENT_STATUSES.reduce((sum, s) => sum + counts[s], 0);
  const filters: { status: StatementStatus | undefined; label: string; count: number }[] = [
    { status: undefined, label: 'All', count: total },
    ...STATEMENT_STATUSES.map((s) => ({ status: s, label: STATUS_LABELS[s], count: counts[s] })),
  ];
  return (
    <AdminShell ctx={props.ctx} heading="Statements">
      <Notice message={props.notice} />
      <div class="admin-toolbar">
        <a class="button" href="/admin/statements/new">
          New statement
        </a>
      </div>
      <nav aria-label="Statements by status">
        <ul class="status-filters">
          {filters.map((filter) => (
            <li key={filter.label}>
              <a
                href={
                  filter.status ? `/admin/statements?status=${filter.status}` : '/admin/statements'
                }
                aria-current={filter.status === status ? 'page' : undefined}
              >
                {filter.label} ({filter.count.toLocaleString('en')})
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {items.length === 0 ? (
        <div class="empty-state">
          {total === 0 ? (
            <>
              <p>
                No statements yet. Start one with “New statement”: from a blank page, from an
                earlier statement, or from a text published elsewhere — paste it in, and the editor
                shows how much of it you reuse.
              </p>
            </>
          ) : (
            <p>
              No statement is {STATUS_LABELS[status ?? 'draft'].toLowerCase()} right now.{' '}
              <a href="/admin/statements">Show all {countOf(total, 'statement', 'statements')}</a>.
            </p>
          )}
        </div>
      ) : (
        <table class="admin-statements">
          <caption class="visually-hidden">
            {status ? `${STATUS_LABELS[status]} statements` : 'All statements'}, most recently
            changed first
          </caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Status</th>
              <th scope="col">Author</th>
              <th scope="col">Last change</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                <td>
                  <a href={adminPath(item.id)}>{item.title || 'Untitled statement'}</a>
                  {item.subtitle && <div class="muted">{item.subtitle}</div>}
                </td>
                <td>
                  <StatusLabel status={item.status} />
                  {item.status === 'published' &&
                    item.currentRevisionId !== item.publishedRevisionId && (
                      <div class="muted">correction waiting</div>
                    )}
                </td>
                <td>{item.authorName}</td>
                <td>
                  <time dateTime={item.updatedAt.toISOString()}>
                    {formatDateTime(item.updatedAt)}
                  </time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.olderHref && (
        <p>
          <a href={props.olderHref} rel="next">
            Older statements
          </a>
        </p>
      )}
    </AdminShell>
  );
}

// --- a new statement -------------------------------------------------------------------------------

export type BasisChoice = 'none' | 'revision' | 'source';

/** What the "New statement" form holds, as typed (sent back with a problem). */
export interface NewStatementValues {
  title: string;
  subtitle: string;
  eventName: string;
  eventDate: string;
  body: string;
  note: string;
  basis: BasisChoice;
  revisionId: string;
  sourceTitle: string;
  sourceAuthor: string;
  sourceDate: string;
  sourceUrl: string;
  sourceText: string;
}

export const EMPTY_NEW_STATEMENT: NewStatementValues = {
  title: '',
  subtitle: '',
  eventName: '',
  eventDate: '',
  body: '',
  note: '',
  basis: 'none',
  revisionId: '',
  sourceTitle: '',
  sourceAuthor: '',
  sourceDate: '',
  sourceUrl: '',
  sourceText: '',
};

/** An earlier statement to start from: one of its revisions. */
export interface BasisOption {
  revisionId: string;
  label: string;
}

function TextField(props: {
  label: string;
  name: string;
  value: string;
  hint?: string;
  type?: 'text' | 'url' | 'date';
  required?: boolean;
  maxLength?: number;
  placeholder?: string;
}) {
  return (
    <label>
      {props.label}
      {props.hint && <span class="hint">{props.hint}</span>}
      <input
        type={props.type ?? 'text'}
        name={props.name}
        value={props.value}
        required={props.required}
        maxLength={props.maxLength}
        placeholder={props.placeholder}
      />
    </label>
  );
}

/** Title, subtitle and the event it answers: the same fields in the new form and the editor. */
export function HeadingFields(props: {
  values: { title: string; subtitle: string; eventName: string; eventDate: string };
  titleRequired?: boolean;
}) {
  const { values } = props;
  return (
    <>
      <TextField
        label="Title"
        name="title"
        value={values.title}
        required={props.titleRequired}
        maxLength={200}
      />
      <TextField label="Subtitle" name="subtitle" value={values.subtitle} maxLength={300} />
      <div class="field-row">
        <TextField
          label="The event it answers"
          name="eventName"
          value={values.eventName}
          hint="E.g. “The Paris attacks”"
          maxLength={200}
        />
        <TextField
          label="Date of the event"
          name="eventDate"
          type="date"
          value={values.eventDate}
          hint="YYYY-MM-DD"
        />
      </div>
    </>
  );
}

export function NewStatementPage(props: {
  ctx: PageContext;
  values: NewStatementValues;
  basisOptions: BasisOption[];
  problem?: string;
}) {
  const { values } = props;
  const described = props.problem ? 'form-problem' : undefined;
  return (
    <AdminShell ctx={props.ctx} heading="New statement">
      <Problem message={props.problem} />
      <form
        method="post"
        action="/admin/statements"
        class="stacked new-statement"
        aria-describedby={described}
      >
        <CsrfField ctx={props.ctx} />
        <HeadingFields values={values} titleRequired />
        <fieldset>
          <legend>Based on</legend>
          <label class="checkbox">
            <input type="radio" name="basis" value="none" checked={values.basis === 'none'} />
            Nothing: a new text
          </label>
          <label class="checkbox">
            <input
              type="radio"
              name="basis"
              value="revision"
              checked={values.basis === 'revision'}
              disabled={props.basisOptions.length === 0}
            />
            An earlier statement of this site
          </label>
          {props.basisOptions.length > 0 ? (
            <label>
              Earlier statement
              <select name="basedOn">
                {props.basisOptions.map((option) => (
                  <option
                    value={option.revisionId}
                    selected={option.revisionId === values.revisionId}
                    key={option.revisionId}
                  >
                    {option.label}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <p class="hint">There is no earlier statement on this site yet.</p>
          )}
          <label class="checkbox">
            <input type="radio" name="basis" value="source" checked={values.basis === 'source'} />A
            text from elsewhere
          </label>
          <div class="field-row">
            <TextField
              label="Its title"
              name="sourceTitle"
              value={values.sourceTitle}
              maxLength={300}
            />
            <TextField
              label="Author or organisation"
              name="sourceAuthor"
              value={values.sourceAuthor}
              maxLength={200}
            />
          </div>
          <div class="field-row">
            <TextField
              label="Published"
              name="sourceDate"
              value={values.sourceDate}
              hint="YYYY, YYYY-MM or YYYY-MM-DD"
              placeholder="2001-09-12"
            />
            <TextField
              label="Address (URL)"
              name="sourceUrl"
              type="url"
              value={values.sourceUrl}
              placeholder="https://"
            />
          </div>
          <label>
            Its text
            <span class="hint">
              Paste it whole: the editor compares your statement with it word by word and shows how
              much of it you reuse.
            </span>
            <textarea name="sourceText" rows={8}>
              {values.sourceText}
            </textarea>
          </label>
        </fieldset>
        <label>
          Text (Markdown)
          <span class="hint">
            Leave it empty to start from the text it is based on. Headings (#), lists and links work
            as in comments.
          </span>
          <textarea name="body" rows={14}>
            {values.body}
          </textarea>
        </label>
        <TextField
          label="Note on this first revision"
          name="note"
          value={values.note}
          hint="Optional: what this draft is, for your colleagues"
          maxLength={1000}
        />
        <button type="submit">Create the draft</button>
      </form>
    </AdminShell>
  );
}
