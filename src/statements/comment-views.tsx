/**
 * Internal comments on a statement's paragraphs: members only, never public. Each paragraph of the
 * current revision is shown with the comments that belong to it beside it — made on it, or on the
 * same unchanged paragraph of an earlier revision — and a form to add one; comments whose
 * paragraph has since changed are listed apart, "on an earlier revision", with the words they were
 * about.
 */
import { formatDateTime } from '../web/format.js';
import type { PageContext } from '../web/page.js';
import { CsrfField } from '../web/page.js';
import { Notice, StatementFrame, adminPath } from './admin-views.js';
import type { AnchoredComment } from './review-service.js';
import type { Revision, Statement } from './store.js';

export interface CommentedParagraph {
  index: number;
  /** The paragraph rendered from Markdown. */
  html: string;
}

/** A refused comment, shown again in its paragraph's form. */
export interface CommentProblem {
  paragraphIndex: number;
  message: string;
  body: string;
}

function InternalCommentItem({ comment, current }: { comment: AnchoredComment; current: number }) {
  return (
    <li class="internal-comment">
      <span class="internal-comment-meta">
        <strong>{comment.authorName}</strong> ·{' '}
        <time dateTime={comment.createdAt.toISOString()}>{formatDateTime(comment.createdAt)}</time>
        {comment.revisionNumber !== current && <> · on revision {comment.revisionNumber}</>}
      </span>
      {comment.body.split(/\n{2,}/).map((paragraph, index) => (
        <p key={index}>{paragraph}</p>
      ))}
    </li>
  );
}

export interface CommentsPageProps {
  ctx: PageContext;
  statement: Statement;
  revision: Revision;
  paragraphs: CommentedParagraph[];
  comments: AnchoredComment[];
  problem?: CommentProblem;
  notice?: string;
  showSignatures: boolean;
}

export function CommentsPage(props: CommentsPageProps) {
  const { statement, revision, comments, problem } = props;
  const action = adminPath(statement.id, '/comments');
  const detached = comments.filter((comment) => comment.anchor.state === 'earlier-revision');
  const on = (index: number) =>
    comments.filter(
      (comment) => comment.anchor.state === 'attached' && comment.anchor.paragraphIndex === index,
    );
  return (
    <StatementFrame
      ctx={props.ctx}
      statement={statement}
      tab="comments"
      heading={`Comments on revision ${revision.number}`}
      showSignatures={props.showSignatures}
    >
      <p class="muted">
        Only members see these comments. A comment stays beside its paragraph while the paragraph is
        unchanged; once it is edited, the comment moves to “On an earlier revision” below.
      </p>
      <Notice message={props.notice} />
      {problem && !props.paragraphs.some((p) => p.index === problem.paragraphIndex) && (
        <p class="alert" role="alert">
          {problem.message}
        </p>
      )}
      {props.paragraphs.length === 0 ? (
        <p class="empty-state">
          The text is empty: write it on the Edit tab, then comment on its paragraphs here.
        </p>
      ) : (
        <ol class="paragraphs">
          {props.paragraphs.map((paragraph) => {
            const here = on(paragraph.index);
            const refused = problem?.paragraphIndex === paragraph.index ? problem : undefined;
            const formId = `comment-form-${paragraph.index}`;
            return (
              <li class="paragraph" id={`paragraph-${paragraph.index + 1}`} key={paragraph.index}>
                <div class="paragraph-text" dangerouslySetInnerHTML={{ __html: paragraph.html }} />
                <aside
                  class="internal-comments"
                  aria-label={`Comments on paragraph ${paragraph.index + 1}`}
                >
                  {here.length > 0 && (
                    <ul class="decision-list">
                      {here.map((comment) => (
                        <InternalCommentItem
                          comment={comment}
                          current={revision.number}
                          key={comment.id}
                        />
                      ))}
                    </ul>
                  )}
                  <details open={refused !== undefined}>
                    <summary>Comment on paragraph {paragraph.index + 1}</summary>
                    <form method="post" action={action} id={formId}>
                      <CsrfField ctx={props.ctx} />
                      <input type="hidden" name="revisionId" value={revision.id} />
                      <input type="hidden" name="paragraphIndex" value={String(paragraph.index)} />
                      {refused && (
                        <p class="alert" role="alert" id={`${formId}-problem`}>
                          {refused.message}
                        </p>
                      )}
                      <label>
                        Your comment
                        <textarea
                          name="body"
                          rows={3}
                          required
                          aria-describedby={refused ? `${formId}-problem` : undefined}
                        >
                          {refused?.body ?? ''}
                        </textarea>
                      </label>
                      <button type="submit" class="secondary">
                        Add comment
                      </button>
                    </form>
                  </details>
                </aside>
              </li>
            );
          })}
        </ol>
      )}
      <h3 id="earlier">On an earlier revision</h3>
      {detached.length === 0 ? (
        <p class="muted">None: every comment is beside the paragraph it is about.</p>
      ) : (
        <ul class="decision-list">
          {detached.map((comment) => (
            <li class="internal-comment" key={comment.id}>
              <span class="internal-comment-meta">
                <strong>{comment.authorName}</strong> ·{' '}
                <time dateTime={comment.createdAt.toISOString()}>
                  {formatDateTime(comment.createdAt)}
                </time>{' '}
                · on an earlier revision (revision {comment.revisionNumber}, paragraph{' '}
                {comment.paragraphIndex + 1})
              </span>
              <p class="muted">About: “{comment.excerpt}”</p>
              {comment.body.split(/\n{2,}/).map((paragraph, index) => (
                <p key={index}>{paragraph}</p>
              ))}
            </li>
          ))}
        </ul>
      )}
    </StatementFrame>
  );
}
