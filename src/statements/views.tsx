/** Pages of statements: the public statement page, with its discussion below the text. */
import { DiscussionSection } from '../discussion/views.js';
import type { DiscussionSectionProps } from '../discussion/views.js';
import { formatDate } from '../web/format.js';
import type { Statement } from './store.js';

export function StatementArticle({ statement }: { statement: Statement }) {
  return (
    <article class="statement">
      <header class="statement-header">
        <h1>{statement.title}</h1>
        {statement.subtitle && <p class="statement-subtitle">{statement.subtitle}</p>}
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
        {statement.clearanceNote && <p class="clearance-note">{statement.clearanceNote}</p>}
      </header>
      <div class="statement-body" dangerouslySetInnerHTML={{ __html: statement.html }} />
    </article>
  );
}

export function StatementPage(props: { statement: Statement; discussion: DiscussionSectionProps }) {
  return (
    <>
      <StatementArticle statement={props.statement} />
      <DiscussionSection {...props.discussion} />
    </>
  );
}
