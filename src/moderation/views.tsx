/**
 * The moderation queue page: tabs with counts, each held or reported comment in its thread's
 * context with the author's history and the reasons (matched terms marked), and the actions —
 * per comment and in bulk — as plain forms that work without JavaScript. The island
 * (`web/client/moderation-queue.ts`) takes the forms over: keyboard shortcuts, actions in place.
 */
import type { VNode } from 'preact';
import { AdminShell } from '../web/admin-shell.js';
import { countOf, formatDateTime } from '../web/format.js';
import type { PageContext } from '../web/page.js';
import { CsrfField } from '../web/page.js';
import { highlightSegments } from './highlight.js';
import type { VerdictReason } from './model.js';
import type { QueueTab } from './queue-store.js';
import { QUEUE_TABS } from './queue-store.js';

export type QueueTabName = QueueTab;

const TAB_LABELS: Record<QueueTabName, string> = {
  pending: 'Pending',
  reported: 'Reported',
  rejected: 'Rejected',
  spam: 'Spam',
  all: 'All',
};

const EMPTY_STATES: Record<QueueTabName, string> = {
  pending:
    'Nothing waits for a moderator. New comments the rules hold, and comments readers report, appear here.',
  reported:
    'No comment has open reports. When readers report a comment, it appears here with their reasons until a moderator decides.',
  rejected:
    'No rejected comments. Comments that the rules or a moderator reject are kept here, so a mistake can be undone.',
  spam: 'No spam. Comments marked as spam, by a moderator or a classifier, are kept here.',
  all: 'There are no comments on this site yet.',
};

/** How long a ban lasts, as the ban form offers it. */
export const BAN_DURATIONS = ['1d', '7d', '30d', 'forever'] as const;
export type BanDuration = (typeof BAN_DURATIONS)[number];

export const BAN_DURATION_LABELS: Record<BanDuration, string> = {
  '1d': 'for 1 day',
  '7d': 'for 7 days',
  '30d': 'for 30 days',
  forever: 'for ever',
};

/** One comment as the queue shows it. */
export interface QueueEntry {
  id: string;
  status: string;
  /** Waiting for a moderator although public (flagged on import, or reported). */
  flagged: boolean;
  origin: string;
  /** The Markdown the author wrote: shown as text, so the marks fall where the rules matched. */
  body: string;
  createdAt: Date;
  reasons: readonly VerdictReason[];
  /** Open reports by reason, e.g. `{ reason: 'hate', count: 2 }`, and readers' notes. */
  reports: readonly { reason: string; count: number }[];
  reportNotes: readonly string[];
  author: {
    name: string;
    email: string | undefined;
    url: string | undefined;
    /** Member account, when the author was signed in. */
    member: boolean;
    /** Their other comments here, counted by account, else e-mail, else address; if known. */
    history: { approved: number; rejected: number; by: string } | undefined;
    /** What a ban would cover: "account", "e-mail address", "network address". */
    bannable: readonly string[];
  };
  thread: { id: string; title: string; status: string };
  /** Where the comment (or, while it is not public, its thread) is read; undefined if unknown. */
  href: string | undefined;
  /** The comment it answers; `removed` when that one was deleted. */
  parent: { authorName: string; excerpt: string; removed: boolean } | undefined;
}

export interface QueuePageProps {
  ctx: PageContext;
  tab: QueueTabName;
  counts: Record<QueueTabName, number>;
  entries: readonly QueueEntry[];
  /** Where this page starts (absent on the first page), and where the next one would. */
  cursor: string | undefined;
  nextCursor: string | undefined;
  /** What the last action did (after a form's redirect). */
  notice?: string;
  problem?: string;
  /** Every checkbox ticked: the no-JavaScript "select all". */
  allSelected?: boolean;
}

/** The address of a queue view; the first page and the pending tab are left out. */
export function queueHref(tab: QueueTabName, cursor?: string, extra: string[] = []): string {
  const query = [
    ...(tab === 'pending' ? [] : [`tab=${tab}`]),
    ...(cursor ? [`cursor=${encodeURIComponent(cursor)}`] : []),
    ...extra,
  ];
  return query.length === 0 ? '/admin/moderation' : `/admin/moderation?${query.join('&')}`;
}

const STATUS_LABELS: Record<string, string> = {
  pending: 'held',
  approved: 'public',
  rejected: 'rejected',
  spam: 'spam',
  deleted: 'deleted',
};

export const REPORT_REASON_LABELS: Record<string, string> = {
  abuse: 'abuse or harassment',
  hate: 'hate',
  spam: 'spam',
  'off-topic': 'off-topic',
  other: 'other',
};

/** The moderation pages' own navigation, under the admin shell's heading. */
export function ModerationNav({ current }: { current: string }) {
  const links = [
    ['/admin/moderation', 'Queue'],
    ['/admin/moderation/audit', 'Audit log'],
    ['/admin/moderation/rules', 'Rules'],
    ['/admin/moderation/bans', 'Bans'],
  ] as const;
  return (
    <nav class="moderation-nav" aria-label="Moderation">
      <ul>
        {links.map(([href, label]) => (
          <li key={href}>
            <a href={href} aria-current={href === current ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function QueuePage(props: QueuePageProps) {
  const { ctx, tab, entries } = props;
  return (
    <AdminShell ctx={ctx} heading="Moderation">
      <ModerationNav current="/admin/moderation" />
      <div class="mod-queue" data-tab={tab}>
        <QueueTabs tab={tab} counts={props.counts} />
        <ShortcutsHelp />
        <p class="queue-status" role="status" aria-live="polite" id="queue-status">
          {props.notice}
        </p>
        {props.problem && (
          <p class="alert" role="alert">
            {props.problem}
          </p>
        )}
        <div class="mod-entries">
          {entries.length === 0 ? (
            <p class="empty-state" id="queue-empty">
              {props.cursor ? 'There is nothing more here. ' : EMPTY_STATES[tab]}
              {props.cursor && <a href={queueHref(tab)}>Go to the first page.</a>}
            </p>
          ) : (
            <>
              <BulkActions
                ctx={ctx}
                tab={tab}
                cursor={props.cursor}
                allSelected={props.allSelected}
              />
              <ol class="mod-list" aria-label={`${TAB_LABELS[tab]} comments`}>
                {entries.map((entry) => (
                  <QueueItem
                    ctx={ctx}
                    entry={entry}
                    tab={tab}
                    cursor={props.cursor}
                    selected={props.allSelected ?? false}
                  />
                ))}
              </ol>
            </>
          )}
          <Paging tab={tab} cursor={props.cursor} nextCursor={props.nextCursor} />
        </div>
      </div>
    </AdminShell>
  );
}

function QueueTabs({ tab, counts }: { tab: QueueTabName; counts: Record<QueueTabName, number> }) {
  return (
    <nav class="queue-tabs" aria-label="Queue">
      <ul>
        {QUEUE_TABS.map((name) => (
          <li key={name}>
            <a
              href={queueHref(name)}
              aria-current={name === tab ? 'page' : undefined}
              data-tab={name}
            >
              {TAB_LABELS[name]}{' '}
              <span class="queue-count" data-count-of={name}>
                {counts[name].toLocaleString('en')}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Shown only once the island runs (it is what makes the keys work). */
function ShortcutsHelp() {
  return (
    <div class="shortcuts">
      <button
        type="button"
        class="link-button"
        id="shortcuts-toggle"
        aria-expanded="false"
        aria-controls="shortcuts-help"
        hidden
      >
        Keyboard shortcuts
      </button>
      <div id="shortcuts-help" class="shortcuts-help" hidden>
        <h2 class="visually-hidden">Keyboard shortcuts</h2>
        <dl>
          {[
            ['j', 'next comment'],
            ['k', 'previous comment'],
            ['a', 'approve the current comment'],
            ['r', 'reject the current comment'],
            ['s', 'mark the current comment as spam'],
            ['x', 'select or unselect the current comment'],
            ['?', 'show or hide this help'],
          ].map(([key, what]) => (
            <div key={key}>
              <dt>
                <kbd>{key}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
        <p class="hint">Keys do nothing while you are typing in a field.</p>
      </div>
    </div>
  );
}

/** Where a form sends the moderator back to: the same tab and page. */
function BackFields({ tab, cursor }: { tab: QueueTabName; cursor: string | undefined }) {
  return (
    <>
      <input type="hidden" name="tab" value={tab} />
      {cursor && <input type="hidden" name="cursor" value={cursor} />}
    </>
  );
}

function BulkActions(props: {
  ctx: PageContext;
  tab: QueueTabName;
  cursor: string | undefined;
  allSelected: boolean | undefined;
}) {
  const { tab, cursor } = props;
  return (
    <form
      method="post"
      action="/admin/moderation/bulk"
      id="bulk-form"
      class="bulk-actions"
      aria-label="Act on the selected comments"
    >
      <CsrfField ctx={props.ctx} />
      <BackFields tab={tab} cursor={cursor} />
      <label class="checkbox select-all" hidden>
        <input type="checkbox" id="select-all" />
        <span>Select all</span>
      </label>
      <a
        class="select-all-link"
        href={queueHref(tab, cursor, props.allSelected ? [] : ['select=all'])}
      >
        {props.allSelected ? 'Unselect all' : 'Select all on this page'}
      </a>
      <span class="bulk-buttons">
        <button type="submit" name="action" value="approve" class="secondary">
          Approve selected
        </button>
        <button type="submit" name="action" value="reject" class="secondary">
          Reject selected
        </button>
        <button type="submit" name="action" value="spam" class="secondary">
          Mark selected as spam
        </button>
      </span>
    </form>
  );
}

function QueueItem(props: {
  ctx: PageContext;
  entry: QueueEntry;
  tab: QueueTabName;
  cursor: string | undefined;
  selected: boolean;
}): VNode {
  const { ctx, entry, tab, cursor } = props;
  const id = entry.id;
  const titleId = `item-${id}-title`;
  const action = (verb: string) => `/admin/moderation/comments/${encodeURIComponent(id)}/${verb}`;
  const decided = !entry.flagged && entry.reports.length === 0;
  const canApprove = entry.status !== 'approved' || !decided;
  const who = `the comment by ${entry.author.name}`;
  return (
    <li class="mod-item" id={`item-${id}`} data-comment-id={id} data-status={entry.status}>
      <article class="mod-card" aria-labelledby={titleId}>
        <header class="mod-head">
          <label class="checkbox mod-select">
            <input
              type="checkbox"
              name="ids"
              value={id}
              form="bulk-form"
              checked={props.selected}
            />
            <span>
              Select<span class="visually-hidden"> {who}</span>
            </span>
          </label>
          <h2 id={titleId} class="mod-title">
            <span class="mod-author-name">{entry.author.name}</span> on{' '}
            {entry.href ? (
              <a href={entry.href}>{entry.thread.title}</a>
            ) : (
              <span>{entry.thread.title}</span>
            )}
          </h2>
          <p class="mod-meta">
            <span class={`mod-status status-${entry.status}`}>
              {STATUS_LABELS[entry.status] ?? entry.status}
            </span>
            {entry.flagged && entry.origin === 'import' && (
              <span class="mod-flag">flagged on import</span>
            )}
            {entry.thread.status === 'closed' && <span class="mod-flag">thread closed</span>}
            <time dateTime={entry.createdAt.toISOString()}>{formatDateTime(entry.createdAt)}</time>
          </p>
        </header>
        {entry.parent && (
          <p class="mod-context">
            In reply to{' '}
            {entry.parent.removed ? (
              <>a comment since removed</>
            ) : (
              <>
                <strong>{entry.parent.authorName}</strong>:{' '}
                <q class="mod-excerpt">{entry.parent.excerpt}</q>
              </>
            )}
          </p>
        )}
        <div class="mod-body">
          {highlightSegments(entry.body, entry.reasons).map((segment) =>
            segment.terms ? (
              <mark title={`matched: ${segment.terms.join(', ')}`}>{segment.text}</mark>
            ) : (
              segment.text
            ),
          )}
        </div>
        <Reasons entry={entry} />
        <AuthorFacts entry={entry} />
        <div class="mod-actions">
          {canApprove && (
            <form method="post" action={action('approve')} class="inline-form">
              <CsrfField ctx={ctx} />
              <BackFields tab={tab} cursor={cursor} />
              <button type="submit">
                {entry.status === 'approved' ? 'Keep' : 'Approve'}
                <span class="visually-hidden"> {who}</span>
              </button>
            </form>
          )}
          {entry.status !== 'spam' && (
            <form method="post" action={action('spam')} class="inline-form">
              <CsrfField ctx={ctx} />
              <BackFields tab={tab} cursor={cursor} />
              <button type="submit" class="secondary">
                Spam<span class="visually-hidden"> — mark {who} as spam</span>
              </button>
            </form>
          )}
          {entry.status !== 'rejected' && (
            <form method="post" action={action('reject')} class="reject-form">
              <CsrfField ctx={ctx} />
              <BackFields tab={tab} cursor={cursor} />
              <label>
                <span>
                  Reason for the author <span class="hint">optional, shown to them</span>
                </span>
                <input type="text" name="reason" maxLength={500} />
              </label>
              <button type="submit" class="secondary">
                Reject<span class="visually-hidden"> {who}</span>
              </button>
            </form>
          )}
          {entry.author.bannable.length > 0 && (
            <details class="ban-box">
              <summary>
                Ban the author<span class="visually-hidden"> {entry.author.name}</span>
              </summary>
              <form method="post" action={action('ban')} class="ban-form">
                <CsrfField ctx={ctx} />
                <BackFields tab={tab} cursor={cursor} />
                <label>
                  How long
                  <select name="duration">
                    {BAN_DURATIONS.map((duration) => (
                      <option value={duration} selected={duration === '7d'}>
                        {BAN_DURATION_LABELS[duration]}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  <span>
                    Reason{' '}
                    <span class="hint">
                      for moderators and the audit log, never shown to the author
                    </span>
                  </span>
                  <input type="text" name="reason" required maxLength={500} />
                </label>
                <p class="hint">
                  Bans their {entry.author.bannable.join(', ')}: their new comments are refused with
                  a neutral message. This comment stays where it is until you decide on it.
                </p>
                <button type="submit" class="danger">
                  Ban {entry.author.name}
                </button>
              </form>
            </details>
          )}
          {entry.thread.status === 'open' && (
            <form
              method="post"
              action={`/admin/moderation/threads/${encodeURIComponent(entry.thread.id)}/close`}
              class="inline-form"
            >
              <CsrfField ctx={ctx} />
              <BackFields tab={tab} cursor={cursor} />
              <button
                type="submit"
                class="link-button"
                data-confirm={`Close the thread "${entry.thread.title}" to new comments?`}
              >
                Close the thread<span class="visually-hidden"> {entry.thread.title}</span>
              </button>
            </form>
          )}
        </div>
      </article>
    </li>
  );
}

function Reasons({ entry }: { entry: QueueEntry }) {
  const reportTotal = entry.reports.reduce((sum, report) => sum + report.count, 0);
  if (entry.reasons.length === 0 && reportTotal === 0) return null;
  return (
    <div class="mod-reasons">
      <h3 class="visually-hidden">Why it is here</h3>
      {entry.reasons.length > 0 && (
        <ul>
          {entry.reasons.map((reason) => (
            <li data-code={reason.code}>
              <code>{reason.code}</code> {reason.message}
              {reason.matches && reason.matches.length > 0 && (
                <>
                  {' '}
                  (matched{' '}
                  {[...new Set(reason.matches.map((match) => match.term))].map((term, i) => (
                    <>
                      {i > 0 && ', '}
                      <mark>{term}</mark>
                    </>
                  ))}
                  )
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {reportTotal > 0 && (
        <div class="mod-reports">
          <p>
            Reported {countOf(reportTotal, 'time', 'times')}:{' '}
            {entry.reports
              .map(
                (report) =>
                  `${REPORT_REASON_LABELS[report.reason] ?? report.reason} ${report.count}`,
              )
              .join(', ')}
          </p>
          {entry.reportNotes.length > 0 && (
            <ul class="mod-report-notes">
              {entry.reportNotes.map((note) => (
                <li>
                  <q>{note}</q>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

function AuthorFacts({ entry }: { entry: QueueEntry }) {
  const { author } = entry;
  return (
    <dl class="mod-author">
      <div>
        <dt>Author</dt>
        <dd>
          {author.name}
          {author.member && <span class="hint"> (member)</span>}
        </dd>
      </div>
      <div>
        <dt>E-mail</dt>
        <dd>{author.email ?? <span class="hint">none given</span>}</dd>
      </div>
      {author.url && (
        <div>
          <dt>Website</dt>
          <dd>
            <span class="mod-url">{author.url}</span>
          </dd>
        </div>
      )}
      <div>
        <dt>History</dt>
        <dd>
          {author.history ? (
            <>
              {author.history.approved.toLocaleString('en')} approved,{' '}
              {author.history.rejected.toLocaleString('en')} rejected or spam{' '}
              <span class="hint">(by {author.history.by})</span>
            </>
          ) : (
            <span class="hint">unknown: no account, e-mail or address</span>
          )}
        </dd>
      </div>
    </dl>
  );
}

function Paging(props: {
  tab: QueueTabName;
  cursor: string | undefined;
  nextCursor: string | undefined;
}) {
  const { tab, cursor, nextCursor } = props;
  if (!cursor && !nextCursor) return null;
  return (
    <nav class="comment-pages queue-pages" aria-label="Queue pages">
      <ul>
        {cursor && (
          <li>
            <a href={queueHref(tab)}>First page</a>
          </li>
        )}
        {nextCursor && (
          <li>
            <a href={queueHref(tab, nextCursor)} rel="next">
              Next page
            </a>
          </li>
        )}
      </ul>
    </nav>
  );
}
