/**
 * The discussion as HTML, for pages that work without JavaScript: "N comments", numbered
 * top-level comments with nested replies, permalinks, the "author" badge, a reply form under each
 * comment and a form for a new comment. {@link DiscussionThread} is the part shared by every
 * viewer of a page (it is cached); the new-comment form and notices are rendered per request.
 */
import type { VNode } from 'preact';
import { countOf, formatDateTime } from '../web/format.js';
import { LINK_REL, safeHref } from './markdown.js';
import type { CommentSort } from './model.js';
import type { Comment, Thread } from './store.js';

export interface DiscussionView {
  page: number;
  sort: CommentSort;
}

/** Who the forms are for: anonymous visitors give a name; members post as themselves. */
export type DiscussionViewer = { kind: 'anonymous' } | { kind: 'member'; name: string };

export interface CommentFormValues {
  name: string;
  email: string;
  website: string;
  body: string;
  /** "E-mail me replies" was ticked. */
  notifyReplies?: boolean;
}

export const EMPTY_FORM: CommentFormValues = {
  name: '',
  email: '',
  website: '',
  body: '',
  notifyReplies: false,
};

/** What a page says once, after a post: held for moderation; confirm your address for mail. */
export type DiscussionNotice = 'held' | 'confirm-mail';

/** A refused post, shown next to the form it came from with what the person typed. */
export interface FormProblem {
  /** The comment replied to; undefined for the new-comment form. */
  parentId: string | undefined;
  /** Set when the refused form was a comment's edit or delete form, not a comment form. */
  target?: { commentId: string; action: 'edit' | 'remove' };
  message: string;
  values: CommentFormValues;
}

/**
 * What one viewer may do to the comments on a page besides replying: edit their own (within the
 * edit window) and delete their own, or any as a moderator. Never part of the shared, cached
 * rendering: a page with actions is rendered for its viewer alone.
 */
export interface CommentActions {
  /** Comments to offer an edit form for. */
  editable: ReadonlySet<string>;
  /** Comments to offer a delete form for; `all` for moderators. */
  removable: ReadonlySet<string> | 'all';
  /** The viewer wrote these (the controls say "your comment"). */
  own: ReadonlySet<string>;
  /** For the "until …" hint of edit forms. */
  editWindowMs: number;
}

export const NO_ACTIONS: CommentActions = {
  editable: new Set(),
  removable: new Set(),
  own: new Set(),
  editWindowMs: 0,
};

/** The address of a view of the discussion: page and sort in the query, defaults left out. */
export function viewHref(basePath: string, view: DiscussionView, extra: string[] = []): string {
  const query = [
    ...(view.page > 1 ? [`page=${view.page}`] : []),
    ...(view.sort === 'newest' ? ['sort=newest'] : []),
    ...extra,
  ];
  return query.length === 0 ? basePath : `${basePath}?${query.join('&')}`;
}

export interface FormSettings {
  /** Where forms post: `${basePath}/comments`. */
  basePath: string;
  view: DiscussionView;
  /** The CSRF token, or a placeholder replaced per request when the HTML is cached. */
  csrfToken: string;
  maxBodyLength: number;
  /** Members see only the text box; their name comes from their account. */
  member: boolean;
  /** Offer "E-mail me replies" (only when the site can send mail). */
  offerReplyMail: boolean;
}

export interface DiscussionThreadProps extends FormSettings {
  thread: Thread;
  /** The page's comments in display order. */
  comments: readonly Comment[];
  pageCount: number;
  /** A refused reply: its form is shown open, with the message and what was typed. */
  problem?: FormProblem;
  /** This viewer's edit and delete controls (none in the shared rendering). */
  actions?: CommentActions;
}

interface CommentNode {
  comment: Comment;
  replies: CommentNode[];
}

/**
 * Nests comments given in display order (every parent before its replies). A reply whose parent
 * the public cannot see (held or rejected after it was answered) is left out with it.
 */
function nest(comments: readonly Comment[]): CommentNode[] {
  const roots: CommentNode[] = [];
  const byId = new Map<string, CommentNode>();
  for (const comment of comments) {
    const node: CommentNode = { comment, replies: [] };
    if (comment.parentId === undefined) roots.push(node);
    else {
      const parent = byId.get(comment.parentId);
      if (!parent) continue;
      parent.replies.push(node);
    }
    byId.set(comment.id, node);
  }
  return roots;
}

/** The cacheable part of a discussion: heading, sorting and page links, and the comments. */
export function DiscussionThread(props: DiscussionThreadProps) {
  const { thread, comments, pageCount, view, basePath } = props;
  const open = thread.status === 'open';
  return (
    <>
      <h2 id="comments-title">{countOf(thread.commentCount, 'comment', 'comments')}</h2>
      {(thread.topLevelCount > 1 || pageCount > 1) && (
        <div class="discussion-tools">
          <SortLinks basePath={basePath} sort={view.sort} />
          {pageCount > 1 && (
            <PageLinks
              basePath={basePath}
              view={view}
              pageCount={pageCount}
              label="Comment pages"
            />
          )}
        </div>
      )}
      {comments.length === 0 ? (
        <p class="empty-state">
          {thread.topLevelCount === 0
            ? open
              ? 'No comments yet.'
              : 'There are no comments.'
            : 'There are no comments to show on this page.'}
        </p>
      ) : (
        <ol class="comment-list">
          {nest(comments).map((node) => (
            <CommentItem
              node={node}
              open={open}
              settings={props}
              problem={props.problem}
              actions={props.actions ?? NO_ACTIONS}
            />
          ))}
        </ol>
      )}
      {pageCount > 1 && (
        <PageLinks
          basePath={basePath}
          view={view}
          pageCount={pageCount}
          label="More comment pages"
        />
      )}
    </>
  );
}

function SortLinks({ basePath, sort }: { basePath: string; sort: CommentSort }) {
  const link = (to: CommentSort, label: string) =>
    to === sort ? (
      <a aria-current="true" href={`${viewHref(basePath, { page: 1, sort: to })}#comments`}>
        {label}
      </a>
    ) : (
      <a href={`${viewHref(basePath, { page: 1, sort: to })}#comments`}>{label}</a>
    );
  return (
    <nav class="comment-sort" aria-label="Order of comments">
      {link('oldest', 'Oldest first')} {link('newest', 'Newest first')}
    </nav>
  );
}

/** Page numbers to offer: the first, the last, and two either side of the current one. */
function pageChoices(current: number, count: number): (number | 'gap')[] {
  const shown = new Set([1, count, current - 2, current - 1, current, current + 1, current + 2]);
  const numbers = [...shown].filter((n) => n >= 1 && n <= count).sort((a, b) => a - b);
  const out: (number | 'gap')[] = [];
  numbers.forEach((n, i) => {
    const previous = numbers[i - 1];
    if (previous !== undefined && n - previous > 1) out.push('gap');
    out.push(n);
  });
  return out;
}

function PageLinks(props: {
  basePath: string;
  view: DiscussionView;
  pageCount: number;
  label: string;
}) {
  const { basePath, view, pageCount } = props;
  const href = (page: number) => `${viewHref(basePath, { ...view, page })}#comments`;
  return (
    <nav class="comment-pages" aria-label={props.label}>
      <span class="comment-pages-where">
        Page {view.page} of {pageCount}
      </span>
      <ul>
        {view.page > 1 && (
          <li>
            <a href={href(view.page - 1)} rel="prev">
              Previous
            </a>
          </li>
        )}
        {pageChoices(view.page, pageCount).map((choice) =>
          choice === 'gap' ? (
            <li aria-hidden="true">…</li>
          ) : choice === view.page ? (
            <li>
              <a href={href(choice)} aria-current="page">
                {choice}
              </a>
            </li>
          ) : (
            <li>
              <a href={href(choice)}>{choice}</a>
            </li>
          ),
        )}
        {view.page < pageCount && (
          <li>
            <a href={href(view.page + 1)} rel="next">
              Next
            </a>
          </li>
        )}
      </ul>
    </nav>
  );
}

/** One comment with its replies, as the `<li>` the thread's list holds. */
function CommentItem(props: {
  node: CommentNode;
  open: boolean;
  settings: FormSettings;
  problem: FormProblem | undefined;
  actions: CommentActions;
}): VNode {
  const { comment, replies } = props.node;
  const { settings, actions } = props;
  const removed = comment.status === 'deleted';
  const anchor = `comment-${comment.id}`;
  const classes = `comment depth-${comment.depth}${removed ? ' comment-removed' : ''}${comment.isStatementAuthor && !removed ? ' by-author' : ''}`;
  const problem = props.problem;
  const targeted = problem?.target?.commentId === comment.id ? problem : undefined;
  const editProblem = targeted?.target?.action === 'edit' ? targeted : undefined;
  const removeProblem = targeted?.target?.action === 'remove' ? targeted : undefined;
  const replyProblem =
    problem?.target === undefined && problem?.parentId === comment.id ? problem : undefined;
  const canReply = props.open && !removed;
  const canEdit = !removed && (actions.editable.has(comment.id) || editProblem !== undefined);
  const canRemove =
    !removed &&
    (actions.removable === 'all' ||
      actions.removable.has(comment.id) ||
      removeProblem !== undefined);
  const own = actions.own.has(comment.id);
  // The same for every viewer (no per-user state), so the shared cached rendering keeps it.
  const canReport = comment.status === 'approved';
  return (
    <li class={classes} id={anchor}>
      <article class="comment-card">
        <header class="comment-meta">
          {comment.number !== undefined && <span class="comment-number">{comment.number}.</span>}
          {removed ? null : isLinkback(comment) ? (
            <span class="comment-linkback">
              linked from <Author comment={comment} />
            </span>
          ) : (
            <Author comment={comment} />
          )}
          {comment.isStatementAuthor && !removed && (
            <span class="badge" title="The author of the statement">
              author
            </span>
          )}
          <a class="comment-permalink" href={`#${anchor}`}>
            <time dateTime={comment.createdAt.toISOString()}>
              {formatDateTime(comment.createdAt)}
            </time>
          </a>
          {comment.editedAt && !removed && (
            <span class="comment-edited" title={`Edited ${formatDateTime(comment.editedAt)}`}>
              edited
            </span>
          )}
        </header>
        {removed ? (
          <p class="comment-body comment-body-removed">comment removed</p>
        ) : (
          <div class="comment-body" dangerouslySetInnerHTML={{ __html: comment.html }} />
        )}
        {removed && targeted && (
          <p class="alert" role="alert">
            {targeted.message}
          </p>
        )}
        {(canReply || canEdit || canRemove || canReport) && (
          <div class="comment-actions">
            {canReply && <ReplyBox comment={comment} settings={settings} problem={replyProblem} />}
            {canEdit && (
              <EditBox
                comment={comment}
                settings={settings}
                problem={editProblem}
                editWindowMs={actions.editWindowMs}
              />
            )}
            {canRemove && (
              <RemoveBox comment={comment} settings={settings} problem={removeProblem} own={own} />
            )}
            {canReport && <ReportLink comment={comment} settings={settings} />}
          </div>
        )}
      </article>
      {replies.length > 0 && (
        <ol class="replies">
          {replies.map((node) => (
            <CommentItem
              node={node}
              open={props.open}
              settings={settings}
              problem={problem}
              actions={actions}
            />
          ))}
        </ol>
      )}
    </li>
  );
}

/**
 * One comment alone, without its replies, as its `<li>`: what the island inserts for a comment
 * posted in place or arriving live, and replaces an edited or removed one's card with.
 */
export function CommentFragment(
  props: FormSettings & { thread: Thread; comment: Comment; actions?: CommentActions },
) {
  return (
    <CommentItem
      node={{ comment: props.comment, replies: [] }}
      open={props.thread.status === 'open'}
      settings={props}
      problem={undefined}
      actions={props.actions ?? NO_ACTIONS}
    />
  );
}

/** The hidden fields that bring a form's sender back to the same view of the discussion. */
function ViewFields({ view }: { view: DiscussionView }) {
  return (
    <>
      {view.page > 1 && <input type="hidden" name="page" value={view.page} />}
      {view.sort !== 'oldest' && <input type="hidden" name="sort" value={view.sort} />}
    </>
  );
}

const commentPath = (settings: FormSettings, comment: Comment, action: string) =>
  `${settings.basePath}/comments/${encodeURIComponent(comment.id)}/${action}`;

function EditBox(props: {
  comment: Comment;
  settings: FormSettings;
  problem: FormProblem | undefined;
  editWindowMs: number;
}) {
  const { comment, settings, problem } = props;
  const until = new Date(comment.createdAt.getTime() + props.editWindowMs);
  return (
    <details class="edit-box" open={problem !== undefined}>
      <summary>
        Edit<span class="visually-hidden"> your comment</span>
      </summary>
      {problem && (
        <p class="alert" role="alert">
          {problem.message}
        </p>
      )}
      <form method="post" action={commentPath(settings, comment, 'edit')} class="comment-form">
        <input type="hidden" name="_csrf" value={settings.csrfToken} />
        <ViewFields view={settings.view} />
        <label>
          Edited text
          <textarea name="body" required rows={5} maxLength={settings.maxBodyLength}>
            {problem?.values.body ?? comment.body}
          </textarea>
        </label>
        {problem === undefined && props.editWindowMs > 0 && (
          <p class="hint">
            You can edit it until{' '}
            <time dateTime={until.toISOString()}>{formatDateTime(until)}</time>.
          </p>
        )}
        <button type="submit">Save changes</button>
      </form>
    </details>
  );
}

function RemoveBox(props: {
  comment: Comment;
  settings: FormSettings;
  problem: FormProblem | undefined;
  own: boolean;
}) {
  const { comment, settings, problem } = props;
  const whose = props.own ? 'your comment' : `the comment by ${comment.authorName}`;
  return (
    <details class="remove-box" open={problem !== undefined}>
      <summary>
        Delete<span class="visually-hidden"> {whose}</span>
      </summary>
      {problem && (
        <p class="alert" role="alert">
          {problem.message}
        </p>
      )}
      <form method="post" action={commentPath(settings, comment, 'delete')} class="remove-form">
        <input type="hidden" name="_csrf" value={settings.csrfToken} />
        <ViewFields view={settings.view} />
        <p>
          Delete {whose}? It is replaced by “comment removed”; replies to it stay where they are.
          This cannot be undone.
        </p>
        <button type="submit" class="danger">
          Yes, delete it
        </button>
      </form>
    </details>
  );
}

/** A pingback or trackback: another page that links here, named by its title. */
function isLinkback(comment: Comment): boolean {
  return comment.kind === 'pingback' || comment.kind === 'trackback';
}

/**
 * "Report", to the report form (moderation's page). From the embed's frame it opens in a new
 * tab: the form's page may not be framed.
 */
function ReportLink({ comment, settings }: { comment: Comment; settings: FormSettings }) {
  const framed = settings.basePath.startsWith('/embed/');
  return (
    <a
      class="comment-report"
      href={`/comments/${encodeURIComponent(comment.id)}/report`}
      rel={framed ? 'nofollow noopener' : 'nofollow'}
      target={framed ? '_blank' : undefined}
    >
      Report<span class="visually-hidden"> the comment by {comment.authorName}</span>
    </a>
  );
}

function Author({ comment }: { comment: Comment }) {
  const href = comment.authorUrl === undefined ? null : safeHref(comment.authorUrl);
  return href ? (
    <a class="comment-author" href={href} rel={LINK_REL}>
      {comment.authorName}
    </a>
  ) : (
    <span class="comment-author">{comment.authorName}</span>
  );
}

function ReplyBox(props: {
  comment: Comment;
  settings: FormSettings;
  problem: FormProblem | undefined;
}) {
  const { comment, settings, problem } = props;
  return (
    <details class="reply-box" open={problem !== undefined}>
      <summary>
        Reply<span class="visually-hidden"> to {comment.authorName}</span>
      </summary>
      {problem && (
        <p class="alert" role="alert">
          {problem.message}
        </p>
      )}
      <CommentForm
        settings={settings}
        parentId={comment.id}
        values={problem?.values ?? EMPTY_FORM}
        bodyLabel="Your reply"
        submit="Post reply"
      />
    </details>
  );
}

function CommentForm(props: {
  settings: FormSettings;
  parentId: string | undefined;
  values: CommentFormValues;
  bodyLabel: string;
  submit: string;
}) {
  const { settings, values } = props;
  return (
    <form method="post" action={`${settings.basePath}/comments`} class="comment-form">
      <input type="hidden" name="_csrf" value={settings.csrfToken} />
      {props.parentId !== undefined && (
        <input type="hidden" name="parentId" value={props.parentId} />
      )}
      <ViewFields view={settings.view} />
      {!settings.member && (
        <div class="comment-form-author">
          <label>
            Name
            <input
              type="text"
              name="name"
              required
              maxLength={100}
              autoComplete="name"
              value={values.name || undefined}
            />
          </label>
          <label>
            <span>
              E-mail <span class="hint">optional, never shown</span>
            </span>
            <input
              type="email"
              name="email"
              maxLength={254}
              autoComplete="email"
              value={values.email || undefined}
            />
          </label>
          <label>
            <span>
              Website <span class="hint">optional</span>
            </span>
            <input
              type="url"
              name="website"
              maxLength={500}
              autoComplete="url"
              value={values.website || undefined}
            />
          </label>
        </div>
      )}
      {settings.offerReplyMail && (
        <label class="checkbox">
          <input type="checkbox" name="notifyReplies" value="on" checked={values.notifyReplies} />
          <span>
            E-mail me replies{' '}
            <span class="hint">
              {settings.member ? 'at my account’s address' : 'needs your e-mail address'}
            </span>
          </span>
        </label>
      )}
      <label>
        {props.bodyLabel}
        <textarea name="body" required rows={5} maxLength={settings.maxBodyLength}>
          {values.body}
        </textarea>
      </label>
      <button type="submit">{props.submit}</button>
    </form>
  );
}

/** The form for a new top-level comment, or "Comments are closed". Rendered per request. */
export function NewCommentForm(props: {
  thread: Thread;
  settings: FormSettings;
  viewer: DiscussionViewer;
  problem: FormProblem | undefined;
}) {
  const { thread, settings, viewer } = props;
  // Refused edits and deletions are shown on their comment, not here.
  const problem = props.problem?.target === undefined ? props.problem : undefined;
  if (thread.status === 'closed') {
    return (
      <div class="comments-closed" id="comment-form">
        <p class="notice">Comments are closed.</p>
        {problem && (
          <>
            <p class="alert" role="alert">
              {problem.message}
            </p>
            <label>
              What you wrote, to keep
              <textarea readOnly rows={5} value={problem.values.body} />
            </label>
          </>
        )}
      </div>
    );
  }
  const ownProblem = problem?.parentId === undefined ? problem : undefined;
  return (
    <section class="new-comment" id="comment-form" aria-labelledby="comment-form-title">
      <h3 id="comment-form-title">Add a comment</h3>
      {viewer.kind === 'member' ? (
        <p class="muted">
          You are commenting as <strong>{viewer.name}</strong>.
        </p>
      ) : (
        <p class="muted">
          Your name and website are shown with your comment; your e-mail address never is.
        </p>
      )}
      {ownProblem && (
        <p class="alert" role="alert">
          {ownProblem.message}
        </p>
      )}
      <CommentForm
        settings={settings}
        parentId={undefined}
        values={ownProblem?.values ?? EMPTY_FORM}
        bodyLabel="Your comment"
        submit="Post comment"
      />
    </section>
  );
}

const NOTICES: Record<DiscussionNotice, { id: string; text: string }> = {
  held: {
    id: 'comment-held',
    text: 'Your comment is awaiting moderation. It will appear here once a moderator has approved it.',
  },
  'confirm-mail': {
    id: 'comment-mail',
    text: 'To have replies e-mailed to you, confirm your address: we send you a link once your comment is public.',
  },
};

/** Shown once after a post, e.g. that moderation held it (it is not public yet). */
export function Notices({ notices }: { notices: readonly DiscussionNotice[] }) {
  return (
    <>
      {notices.map((notice) => (
        <p class="notice" id={NOTICES[notice].id} role="status">
          {NOTICES[notice].text}
        </p>
      ))}
    </>
  );
}

export interface DiscussionSectionProps {
  thread: Thread;
  /** The rendered {@link DiscussionThread}, or a slot the response fills in with it. */
  threadHtml: string;
  settings: FormSettings;
  viewer: DiscussionViewer;
  notices: readonly DiscussionNotice[];
  problem: FormProblem | undefined;
  /**
   * Set on pages whose routes serve comment fragments under `basePath`: the section then carries
   * what the island (posting in place, live updates) needs — thread, version shown, base path,
   * page, page count and sort — as `data-*` attributes.
   */
  live?: { pageCount: number };
}

/** The discussion below a page's content: notice, the thread, and the new-comment form. */
export function DiscussionSection(props: DiscussionSectionProps) {
  const { thread, settings, live } = props;
  return (
    <section
      class="discussion"
      id="comments"
      aria-labelledby="comments-title"
      data-thread-id={live && thread.id}
      data-version={live && thread.version}
      data-base-path={live && settings.basePath}
      data-page={live && settings.view.page}
      data-page-count={live?.pageCount}
      data-sort={live && settings.view.sort}
    >
      <Notices notices={props.notices} />
      <div class="discussion-thread" dangerouslySetInnerHTML={{ __html: props.threadHtml }} />
      <NewCommentForm
        thread={props.thread}
        settings={props.settings}
        viewer={props.viewer}
        problem={props.problem}
      />
    </section>
  );
}
