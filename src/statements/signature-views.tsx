/**
 * Co-signatures as pages: on the public statement page, the verified signatories (organisations
 * first, with counts) and the form to sign (no JavaScript needed; the confirmation link goes by
 * e-mail); the "check your e-mail" page after signing; and the editors' and moderators' page —
 * every signature with its status, approval of organisations, closing and opening signing, CSV.
 */
import { countOf, formatDateTime } from '../web/format.js';
import type { PageContext } from '../web/page.js';
import { CsrfField } from '../web/page.js';
import { AdminShell } from '../web/admin-shell.js';
import { Notice, Problem, StatementFrame, StatusLabel, adminPath } from './admin-views.js';
import type { Signatories } from './signature-service.js';
import type { Signature, SignatureKind, SignatureStatus } from './signatures-model.js';
import type { Statement, StatementSummary } from './store.js';

// --- public ----------------------------------------------------------------------------------

export interface SignFormValues {
  kind: SignatureKind;
  name: string;
  organisation: string;
  roleTitle: string;
  email: string;
  country: string;
}

export const EMPTY_SIGN_FORM: SignFormValues = {
  kind: 'person',
  name: '',
  organisation: '',
  roleTitle: '',
  email: '',
  country: '',
};

/** "12 signatories: 3 organisations and 9 people". */
export function signatoryCountWords(counts: Signatories['counts']): string {
  if (counts.total === 0) return 'No signatories yet';
  const parts = [
    ...(counts.organisations > 0
      ? [countOf(counts.organisations, 'organisation', 'organisations')]
      : []),
    ...(counts.people > 0 ? [countOf(counts.people, 'person', 'people')] : []),
  ];
  return `${countOf(counts.total, 'signatory', 'signatories')}: ${parts.join(' and ')}`;
}

function Signatory({ signature }: { signature: Signature }) {
  const details =
    signature.kind === 'organisation'
      ? [signature.country]
      : [signature.roleTitle, signature.organisation, signature.country];
  const shown = details.filter((detail): detail is string => Boolean(detail));
  return (
    <li>
      <span class={signature.kind === 'organisation' ? 'signatory-organisation' : undefined}>
        {signature.kind === 'organisation' ? <strong>{signature.name}</strong> : signature.name}
      </span>
      {shown.length > 0 && <span class="signatory-role">, {shown.join(', ')}</span>}
    </li>
  );
}

export interface SignaturesSectionProps {
  /** `/s/:slug`: the form posts to `${basePath}/signatures`. */
  basePath: string;
  signatories: Signatories;
  /** Whether the form is offered: published, signing open, and the site able to send mail. */
  form: 'open' | 'closed' | 'withdrawn' | 'unavailable';
  values: SignFormValues;
  problem?: string;
}

export function SignaturesSection(props: SignaturesSectionProps) {
  const { signatories, values } = props;
  const organisations = signatories.items.filter((s) => s.kind === 'organisation');
  const people = signatories.items.filter((s) => s.kind === 'person');
  const described = props.problem ? 'sign-problem' : undefined;
  return (
    <section
      class={signatories.counts.total === 0 ? 'signatures signatures-empty' : 'signatures'}
      id="signatories"
      aria-labelledby="signatories-heading"
    >
      <h2 id="signatories-heading">Signatories</h2>
      <p class="muted">{signatoryCountWords(signatories.counts)}.</p>
      {organisations.length > 0 && (
        <>
          <h3>Organisations</h3>
          <ul class="signatory-list">
            {organisations.map((signature) => (
              <Signatory signature={signature} key={signature.id} />
            ))}
          </ul>
        </>
      )}
      {people.length > 0 && (
        <>
          <h3>People</h3>
          <ul class="signatory-list">
            {people.map((signature) => (
              <Signatory signature={signature} key={signature.id} />
            ))}
          </ul>
        </>
      )}
      {props.form === 'closed' && <p class="notice">Signing of this statement is closed.</p>}
      {props.form === 'unavailable' && (
        <p class="muted">
          This site cannot send e-mail, so signatures cannot be confirmed here. Ask its editors to
          add your name.
        </p>
      )}
      {props.form === 'open' && (
        <div class="sign-box" id="sign">
          <h3 id="sign-heading">Sign this statement</h3>
          <p class="muted">
            We e-mail you a link to confirm; your name is listed once you do. An organisation’s
            signature is listed after a moderator has checked it too. Your address is never shown.
          </p>
          <Problem message={props.problem} id="sign-problem" />
          {/* No CSRF token: the route accepts this form only from this site's own pages (it
              checks the browser's Origin), which keeps the page free of per-visitor tokens. */}
          <form
            method="post"
            action={`${props.basePath}/signatures`}
            class="sign-form"
            aria-labelledby="sign-heading"
            aria-describedby={described}
          >
            <fieldset>
              <legend>Signing as</legend>
              <label class="checkbox">
                <input type="radio" name="kind" value="person" checked={values.kind === 'person'} />
                A person
              </label>
              <label class="checkbox">
                <input
                  type="radio"
                  name="kind"
                  value="organisation"
                  checked={values.kind === 'organisation'}
                />
                An organisation
              </label>
            </fieldset>
            <label>
              Name
              <span class="hint">Yours, or the organisation’s</span>
              <input
                type="text"
                name="name"
                required
                maxLength={200}
                autoComplete="name"
                value={values.name}
              />
            </label>
            <div class="field-row">
              <label>
                Organisation
                <span class="hint">
                  Optional. A person: the one you belong to. An organisation: who signs for it.
                </span>
                <input
                  type="text"
                  name="organisation"
                  maxLength={200}
                  autoComplete="organization"
                  value={values.organisation}
                />
              </label>
              <label>
                Role or title
                <span class="hint">Optional, e.g. “General Secretary”</span>
                <input
                  type="text"
                  name="roleTitle"
                  maxLength={200}
                  autoComplete="organization-title"
                  value={values.roleTitle}
                />
              </label>
            </div>
            <div class="field-row">
              <label>
                E-mail address
                <span class="hint">For the confirmation link; never shown</span>
                <input
                  type="email"
                  name="email"
                  required
                  maxLength={254}
                  autoComplete="email"
                  value={values.email}
                />
              </label>
              <label>
                Country
                <span class="hint">Optional</span>
                <input
                  type="text"
                  name="country"
                  maxLength={100}
                  autoComplete="country-name"
                  value={values.country}
                />
              </label>
            </div>
            <button type="submit">Sign</button>
          </form>
        </div>
      )}
    </section>
  );
}

/** After signing: the link is on its way. */
export function CheckEmailPage(props: { title: string; statementHref: string }) {
  return (
    <>
      <h1>Check your e-mail</h1>
      <p role="status">
        Thank you for signing “{props.title}”. We have sent you an e-mail with a link: open it and
        press the button on the page to confirm your signature. Until then, your name is not listed.
      </p>
      <p class="muted">
        Nothing arrived within a few minutes? Look in your spam folder. The link works for 7 days.
      </p>
      <p>
        <a href={props.statementHref}>Back to the statement</a>
      </p>
    </>
  );
}

// --- admin -----------------------------------------------------------------------------------

const STATUS_WORDS: Record<SignatureStatus, string> = {
  unverified: 'Not confirmed yet',
  verified: 'Confirmed',
  approved: 'Approved',
  rejected: 'Rejected',
};

function statusWords(signature: Signature): string {
  if (signature.kind === 'organisation' && signature.status === 'verified')
    return 'Confirmed, waiting for approval';
  if (signature.kind === 'person' && signature.status === 'verified') return 'Confirmed, listed';
  if (signature.status === 'approved') return 'Approved, listed';
  return STATUS_WORDS[signature.status];
}

export interface SignaturesAdminPageProps {
  ctx: PageContext;
  statement: Statement;
  signatures: Signature[];
  /** May approve and reject signatures, and close signing. */
  canModerate: boolean;
  /** May open the statement's other pages (a moderator may not). */
  canWrite: boolean;
  /** May close and reopen signing (`statements.publish`). */
  canCloseSigning: boolean;
  problem?: string;
  notice?: string;
}

export function SignaturesAdminPage(props: SignaturesAdminPageProps) {
  const { statement, signatures } = props;
  const action = (tail: string) => adminPath(statement.id, `/signatures${tail}`);
  const waiting = signatures.filter((s) => s.kind === 'organisation' && s.status === 'verified');
  const others = signatures.filter((s) => !waiting.includes(s));
  const rows = [...waiting, ...others];
  return (
    <StatementFrame
      ctx={props.ctx}
      statement={statement}
      tab="signatures"
      heading="Signatures"
      canWrite={props.canWrite}
    >
      <Notice message={props.notice} />
      <Problem message={props.problem} />
      <div class="admin-toolbar">
        <span>
          Signing is <strong>{statement.signingOpen ? 'open' : 'closed'}</strong>.
        </span>
        {props.canCloseSigning && statement.status === 'published' && (
          <form method="post" action={action('/signing')} class="inline-form">
            <CsrfField ctx={props.ctx} />
            <input type="hidden" name="open" value={statement.signingOpen ? 'false' : 'true'} />
            <button type="submit" class="secondary">
              {statement.signingOpen ? 'Close signing' : 'Open signing'}
            </button>
          </form>
        )}
        {signatures.length > 0 && (
          <a href={action('.csv')} download>
            Download CSV
          </a>
        )}
      </div>
      {waiting.length > 0 && (
        <p class="notice">
          {countOf(waiting.length, 'organisation waits', 'organisations wait')} for approval before
          being listed.
        </p>
      )}
      {rows.length === 0 ? (
        <p class="empty-state">
          No one has signed yet. Signatures appear here as people sign on the public page; each is
          confirmed by a link sent to the signatory’s e-mail address.
        </p>
      ) : (
        <table>
          <caption class="visually-hidden">Signatures, those waiting for approval first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Details</th>
              <th scope="col">E-mail</th>
              <th scope="col">Status</th>
              <th scope="col">Signed</th>
              {props.canModerate && <th scope="col">Decision</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((signature) => (
              <tr key={signature.id}>
                <td>{signature.name}</td>
                <td>{signature.kind === 'organisation' ? 'Organisation' : 'Person'}</td>
                <td>
                  {[signature.roleTitle, signature.organisation, signature.country]
                    .filter(Boolean)
                    .join(', ')}
                </td>
                <td>{signature.email}</td>
                <td>{statusWords(signature)}</td>
                <td>
                  <time dateTime={signature.createdAt.toISOString()}>
                    {formatDateTime(signature.createdAt)}
                  </time>
                </td>
                {props.canModerate && (
                  <td>
                    {signature.kind === 'organisation' && signature.status === 'verified' && (
                      <form method="post" action={action(`/${signature.id}/approve`)}>
                        <CsrfField ctx={props.ctx} />
                        <button type="submit" aria-label={`Approve ${signature.name}`}>
                          Approve
                        </button>
                      </form>
                    )}
                    {signature.status !== 'rejected' && (
                      <form
                        method="post"
                        action={action(`/${signature.id}/reject`)}
                        data-confirm={`Reject the signature of ${signature.name}? It is taken off the list.`}
                      >
                        <CsrfField ctx={props.ctx} />
                        <button
                          type="submit"
                          class="link-button"
                          aria-label={`Reject ${signature.name}`}
                        >
                          Reject
                        </button>
                      </form>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </StatementFrame>
  );
}

/** One published statement in the moderators' overview, with its signatures counted. */
export interface SignatureOverviewRow {
  statement: StatementSummary;
  /** Confirmed organisations waiting for a moderator. */
  waiting: number;
  listed: number;
  unconfirmed: number;
}

/** The moderators' way in: published statements, those with signatures to approve first. */
export function SignaturesOverviewPage(props: { ctx: PageContext; rows: SignatureOverviewRow[] }) {
  const rows = [...props.rows].sort((a, b) => b.waiting - a.waiting);
  const waiting = rows.reduce((sum, row) => sum + row.waiting, 0);
  return (
    <AdminShell ctx={props.ctx} heading="Signatures">
      {rows.length === 0 ? (
        <p class="empty-state">
          Nothing is published yet, so there is nothing to sign. Signatures of published statements
          appear here, those waiting for approval first.
        </p>
      ) : (
        <>
          <p class={waiting > 0 ? 'notice' : 'muted'}>
            {waiting > 0
              ? `${countOf(waiting, 'organisation waits', 'organisations wait')} for approval.`
              : 'No signature waits for approval.'}
          </p>
          <table>
            <caption class="visually-hidden">
              Published statements and their signatures, those waiting for approval first
            </caption>
            <thead>
              <tr>
                <th scope="col">Statement</th>
                <th scope="col">Waiting for approval</th>
                <th scope="col">Listed</th>
                <th scope="col">Not confirmed yet</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.statement.id}>
                  <td>
                    <a href={adminPath(row.statement.id, '/signatures')}>{row.statement.title}</a>
                    {row.statement.status === 'withdrawn' && (
                      <>
                        {' '}
                        <StatusLabel status="withdrawn" />
                      </>
                    )}
                  </td>
                  <td>{row.waiting > 0 ? <strong>{row.waiting}</strong> : 0}</td>
                  <td>{row.listed}</td>
                  <td>{row.unconfirmed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </AdminShell>
  );
}
