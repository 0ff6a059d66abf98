/**
 * Readers' reports: the form that asks why a comment should be looked at (it works without
 * JavaScript), and the thank-you page after it. Public pages, in the site's layout.
 */
import { formatDateTime } from '../web/format.js';
import type { PageContext } from '../web/page.js';
import { CsrfField } from '../web/page.js';
import type { ReportReason } from './store.js';
import { REPORT_REASONS } from './store.js';

const REASON_TEXT: Record<ReportReason, { label: string; hint: string }> = {
  abuse: { label: 'Abuse or harassment', hint: 'It attacks or threatens someone.' },
  hate: {
    label: 'Hate',
    hint: 'It demeans people for their religion, origin, colour, sex, sexuality or disability.',
  },
  spam: { label: 'Spam', hint: 'Advertising, or the same text posted again and again.' },
  'off-topic': { label: 'Off-topic', hint: 'It has nothing to do with the discussion.' },
  other: { label: 'Something else', hint: 'Say what in the note.' },
};

/** The comment being reported, as the form shows it for context. */
export interface ReportedComment {
  id: string;
  authorName: string;
  createdAt: Date;
  excerpt: string;
  threadTitle: string;
}

export interface ReportFormValues {
  reason: string;
  note: string;
}

export function ReportPage(props: {
  ctx: PageContext;
  comment: ReportedComment;
  values?: ReportFormValues;
  problem?: string;
}) {
  const { ctx, comment } = props;
  const values = props.values ?? { reason: '', note: '' };
  const permalink = `/c/${encodeURIComponent(comment.id)}`;
  return (
    <div class="report-page">
      <h1>Report a comment</h1>
      <figure class="reported-comment">
        <blockquote>
          <p>{comment.excerpt}</p>
        </blockquote>
        <figcaption>
          {comment.authorName},{' '}
          <time dateTime={comment.createdAt.toISOString()}>
            {formatDateTime(comment.createdAt)}
          </time>
          , on “{comment.threadTitle}” · <a href={permalink}>see it in the discussion</a>
        </figcaption>
      </figure>
      <p class="muted">
        A moderator will read the comment and decide. When several readers report it, it is taken
        down until then. The author is not told who reported it.
      </p>
      {props.problem && (
        <p class="alert" role="alert" id="form-problem">
          {props.problem}
        </p>
      )}
      <form
        method="post"
        action={`/comments/${encodeURIComponent(comment.id)}/report`}
        class="stacked report-form"
        aria-describedby={props.problem ? 'form-problem' : undefined}
      >
        <CsrfField ctx={ctx} />
        <fieldset>
          <legend>What is wrong with it?</legend>
          {REPORT_REASONS.map((reason) => (
            <label class="checkbox">
              <input
                type="radio"
                name="reason"
                value={reason}
                required
                checked={values.reason === reason}
              />
              <span>
                {REASON_TEXT[reason].label} <span class="hint">{REASON_TEXT[reason].hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <label>
          <span>
            Note for the moderators <span class="hint">optional</span>
          </span>
          <textarea name="note" rows={4} maxLength={1000}>
            {values.note}
          </textarea>
        </label>
        <button type="submit">Send the report</button>
      </form>
    </div>
  );
}

export function ReportThanksPage(props: { back: string | undefined }) {
  return (
    <div class="report-page">
      <h1>Thank you</h1>
      <p role="status">
        Your report has been sent. A moderator will look at the comment and decide whether it stays.
      </p>
      <p>
        {props.back ? (
          <a href={props.back}>Back to the discussion</a>
        ) : (
          <a href="/">Go to the home page</a>
        )}
      </p>
    </div>
  );
}
