/**
 * The audit log page: every moderator action and automatic decision, newest first, filtered by
 * a GET form (so a filtered view is a link to share), paged, and downloadable as CSV.
 */
import { AdminShell } from '../web/admin-shell.js';
import { formatDateTime } from '../web/format.js';
import type { PageContext } from '../web/page.js';
import { ModerationNav } from './views.js';

export interface AuditRow {
  id: string;
  at: Date;
  /** `member`, `rules`, `import`, `reports`, `system`. */
  actorKind: string;
  actorName: string;
  action: string;
  commentId: string | undefined;
  threadId: string | undefined;
  /** Where the comment is read, when known. */
  commentHref: string | undefined;
  target: string | undefined;
  reason: string | undefined;
  reasonCodes: readonly string[];
  statusBefore: string | undefined;
  statusAfter: string | undefined;
}

export interface AuditFilterValues {
  action: string;
  actor: string;
  /** `YYYY-MM-DD`, as a date input sends it; empty for no bound. */
  from: string;
  to: string;
}

export interface AuditPageProps {
  ctx: PageContext;
  rows: readonly AuditRow[];
  filter: AuditFilterValues;
  /** The actions to offer in the filter. */
  actions: readonly string[];
  /** Who to offer in the filter: automatic actors, any member, each member (by account id). */
  actors: readonly { value: string; label: string }[];
  /** Set when the log is narrowed to one comment's story. */
  commentId?: string | undefined;
  /** Where this page starts (absent on the first), and where the next, older one would. */
  cursor: string | undefined;
  nextCursor: string | undefined;
  /** The CSV of the same filter. */
  csvHref: string;
  problem?: string;
}

/** The query string of a filter (empty fields left out), for links and the CSV. */
export function auditQuery(filter: AuditFilterValues, cursor?: string): string {
  const params = new URLSearchParams();
  for (const key of ['action', 'actor', 'from', 'to'] as const) {
    if (filter[key] !== '') params.set(key, filter[key]);
  }
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}

const ACTOR_KIND_LABELS: Record<string, string> = {
  rules: 'the rules',
  import: 'import',
  reports: 'readers’ reports',
  system: 'the system',
};

export function actionLabel(action: string): string {
  return action.replace(/[-_.]/g, ' ');
}

export function AuditPage(props: AuditPageProps) {
  const { ctx, rows, filter, cursor, nextCursor } = props;
  const filtered =
    filter.action !== '' || filter.actor !== '' || filter.from !== '' || filter.to !== '';
  return (
    <AdminShell ctx={ctx} heading="Moderation">
      <ModerationNav current="/admin/moderation/audit" />
      <h2>Audit log</h2>
      <p class="muted">
        Every decision on a comment, by a moderator or automatically by the rules, newest first.
      </p>
      {props.problem && (
        <p class="alert" role="alert">
          {props.problem}
        </p>
      )}
      {props.commentId && (
        <p class="notice">
          The story of one comment.{' '}
          <a href={`/admin/moderation/comments/${encodeURIComponent(props.commentId)}`}>
            Where it is read
          </a>{' '}
          · <a href="/admin/moderation/audit">The whole log</a>
        </p>
      )}
      <form method="get" action="/admin/moderation/audit" class="audit-filter">
        <label>
          Action
          <select name="action">
            <option value="" selected={filter.action === ''}>
              any
            </option>
            {props.actions.map((action) => (
              <option value={action} selected={filter.action === action}>
                {actionLabel(action)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Who
          <select name="actor">
            <option value="" selected={filter.actor === ''}>
              anyone
            </option>
            {props.actors.map((actor) => (
              <option value={actor.value} selected={filter.actor === actor.value}>
                {actor.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" name="from" value={filter.from} />
        </label>
        <label>
          To
          <input type="date" name="to" value={filter.to} />
        </label>
        <button type="submit">Filter</button>
        {filtered && (
          <a href="/admin/moderation/audit" class="audit-clear">
            Clear the filter
          </a>
        )}
      </form>
      <p>
        <a href={props.csvHref} download>
          Download CSV
        </a>{' '}
        <span class="hint">{filtered ? 'of the filtered entries' : 'of every entry'}</span>
      </p>
      {rows.length === 0 ? (
        <p class="empty-state">
          {filtered
            ? 'No entry matches this filter.'
            : cursor
              ? 'There are no more entries.'
              : 'Nothing has been decided yet. Each moderator action and each comment the rules hold, reject or flag is recorded here.'}
        </p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Audit log entries">
          <table class="audit-table">
            <caption class="visually-hidden">Moderation decisions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Comment</th>
                <th scope="col">Why</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <AuditTableRow row={row} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(cursor || nextCursor) && (
        <nav class="comment-pages" aria-label="Audit log pages">
          <ul>
            {cursor && (
              <li>
                <a href={`/admin/moderation/audit${auditQuery(filter)}`}>Newest entries</a>
              </li>
            )}
            {nextCursor && (
              <li>
                <a href={`/admin/moderation/audit${auditQuery(filter, nextCursor)}`} rel="next">
                  Older entries
                </a>
              </li>
            )}
          </ul>
        </nav>
      )}
    </AdminShell>
  );
}

function AuditTableRow({ row }: { row: AuditRow }) {
  const who =
    row.actorKind === 'member'
      ? row.actorName
      : (ACTOR_KIND_LABELS[row.actorKind] ?? row.actorName);
  return (
    <tr data-action={row.action}>
      <td>
        <time dateTime={row.at.toISOString()}>{formatDateTime(row.at)}</time>
      </td>
      <td>
        {who}
        {row.actorKind !== 'member' && <span class="hint"> (automatic)</span>}
      </td>
      <td>
        {actionLabel(row.action)}
        {row.target && <span class="hint"> {row.target}</span>}
      </td>
      <td>
        {row.commentId ? (
          <>
            {row.commentHref ? (
              <a href={row.commentHref}>
                read<span class="visually-hidden"> comment {row.commentId}</span>
              </a>
            ) : null}{' '}
            <a href={`/admin/moderation/audit?comment=${encodeURIComponent(row.commentId)}`}>
              history<span class="visually-hidden"> of comment {row.commentId}</span>
            </a>
          </>
        ) : (
          <span class="hint">—</span>
        )}
      </td>
      <td>
        {row.reason}
        {row.reasonCodes.length > 0 && (
          <span class="audit-codes">
            {row.reasonCodes.map((code) => (
              <code>{code}</code>
            ))}
          </span>
        )}
      </td>
      <td>
        {row.statusBefore || row.statusAfter ? (
          <>
            {row.statusBefore ?? 'new'} → {row.statusAfter ?? '—'}
          </>
        ) : (
          <span class="hint">—</span>
        )}
      </td>
    </tr>
  );
}
