/** The admin page for personal-data requests: look up an address, download its data, erase it. */
import { AdminShell } from '../web/admin-shell.js';
import type { PageContext } from '../web/page.js';
import { CsrfField } from '../web/page.js';
import { ERASED_AUTHOR_NAME } from './personal-data.js';

const LABELS: Record<string, [one: string, many: string]> = {
  comments: ['comment', 'comments'],
  subscriptions: ['reply subscription', 'reply subscriptions'],
  signatures: ['co-signature', 'co-signatures'],
  bans: ['ban', 'bans'],
  auditEntries: ['audit log entry naming it', 'audit log entries naming it'],
  reports: ['report', 'reports'],
};

function countsText(counts: Record<string, number>): string {
  // What there is none of goes unsaid.
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => {
      const [one, many] = LABELS[name] ?? [name, name];
      return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
    })
    .join(', ');
}

export function PersonalDataPage(props: {
  ctx: PageContext;
  email?: string;
  problem?: string;
  notice?: string;
}) {
  const { ctx } = props;
  return (
    <AdminShell ctx={ctx} heading="Personal data">
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      {props.problem && (
        <p class="alert" role="alert" id="form-problem">
          {props.problem}
        </p>
      )}
      <p>
        When someone asks what this site holds about them, or asks for it to be erased, look up the
        e-mail address they commented with. <strong>Download</strong> gives everything stored about
        it as JSON: their comments (with earlier versions), reply subscriptions and member account.{' '}
        <strong>Erase</strong> removes their name, address, website and address hashes from their
        comments, which stay where they are, signed “{ERASED_AUTHOR_NAME}”, so that the discussions
        stay readable; it ends their reply subscriptions. Both are recorded in the audit log.
      </p>
      <form
        method="post"
        action="/admin/personal-data/export"
        class="stacked"
        aria-describedby={props.problem ? 'form-problem' : undefined}
      >
        <CsrfField ctx={ctx} />
        <label>
          E-mail address
          <input
            type="email"
            name="email"
            required
            maxLength={254}
            autocomplete="off"
            value={props.email ?? ''}
          />
        </label>
        <div>
          <button type="submit">Download their data (JSON)</button>
          <button type="submit" class="secondary" formaction="/admin/personal-data/erase">
            Erase…
          </button>
        </div>
      </form>
      <p class="muted">
        The same from the command line: <code>broadside person export --email …</code> and{' '}
        <code>broadside person erase --email …</code>.
      </p>
    </AdminShell>
  );
}

export function ConfirmErasurePage(props: {
  ctx: PageContext;
  email: string;
  counts: Record<string, number>;
  memberName: string | undefined;
}) {
  const { ctx } = props;
  const total = Object.values(props.counts).reduce((sum, n) => sum + n, 0);
  return (
    <AdminShell ctx={ctx} heading="Personal data">
      <h2>Erase the data of {props.email}?</h2>
      {total === 0 ? (
        <p class="empty-state">
          Nothing to erase: no comments, reply subscriptions, co-signatures, bans or reports have
          this address.
        </p>
      ) : (
        <p>
          This site holds {countsText(props.counts)} of {props.email}. Erasing takes their name,
          address, website and address hashes out of the comments, which stay in place signed “
          {ERASED_AUTHOR_NAME}”, ends the subscriptions, deletes the co-signatures, ends the bans on
          the address and unlinks the member’s reports from their account.{' '}
          <strong>It cannot be undone.</strong>
        </p>
      )}
      {props.memberName !== undefined && (
        <p class="notice">
          This address is also the member account “{props.memberName}”. The account is kept; remove
          the member separately if they asked for that too.
        </p>
      )}
      {total > 0 && (
        <form method="post" action="/admin/personal-data/erase" class="stacked">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="email" value={props.email} />
          <input type="hidden" name="confirm" value="yes" />
          <button type="submit">Erase permanently</button>
        </form>
      )}
      <p>
        <a href="/admin/personal-data">Back</a>
      </p>
    </AdminShell>
  );
}

export function erasedNotice(email: string, counts: Record<string, number>): string {
  return `Erased the data of ${email}: ${countsText(counts)}.`;
}
