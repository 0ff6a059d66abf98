/** The site's home page: the published statements, newest first. */
import { formatDate } from './format.js';
import type { PageContext } from './page.js';

export interface HomeStatement {
  href: string;
  title: string;
  subtitle: string | undefined;
  publishedAt: Date;
  /** The latest correction, if any. */
  correctedAt?: Date;
  /** Withdrawn statements stay listed, marked. */
  withdrawnAt?: Date;
}

export function HomePage(props: {
  ctx: PageContext;
  statements: HomeStatement[];
  /** The next, older page of the list, if there is one. */
  olderHref?: string;
  /** False on the older pages, which say so instead of repeating the introduction. */
  isFirstPage?: boolean;
  /** The Atom feed of statements. */
  feedHref?: string;
}) {
  const { ctx, statements } = props;
  const first = props.isFirstPage ?? true;
  const ItemHeading = first ? 'h3' : 'h2';
  return (
    <>
      {first && (
        <section class="hero">
          <h1>{ctx.siteName}</h1>
          <p class="lede">
            Statements, drafted together, cleared openly, and argued about in public.
          </p>
        </section>
      )}
      <section aria-labelledby="latest">
        {first ? <h2 id="latest">Latest statements</h2> : <h1 id="latest">Older statements</h1>}
        {statements.length === 0 ? (
          <p class="empty-state">
            {first
              ? 'Nothing has been published yet. Statements will appear here, newest first.'
              : 'There are no older statements.'}
          </p>
        ) : (
          <ol class="statement-list">
            {statements.map((statement) => (
              <li>
                <article class="statement-summary">
                  <ItemHeading>
                    <a href={statement.href}>{statement.title}</a>
                  </ItemHeading>
                  {statement.subtitle && <p class="statement-subtitle">{statement.subtitle}</p>}
                  <p class="statement-meta">
                    {statement.withdrawnAt && (
                      <>
                        <span class="status status-withdrawn">Withdrawn</span>{' '}
                      </>
                    )}
                    <time dateTime={statement.publishedAt.toISOString()}>
                      {formatDate(statement.publishedAt)}
                    </time>
                    {statement.correctedAt && !statement.withdrawnAt && (
                      <> · corrected on {formatDate(statement.correctedAt)}</>
                    )}
                  </p>
                </article>
              </li>
            ))}
          </ol>
        )}
        {props.olderHref && (
          <p>
            <a href={props.olderHref} rel="next">
              Older statements
            </a>
          </p>
        )}
        {props.feedHref && statements.length > 0 && (
          <p class="muted">
            <a href={props.feedHref}>Follow new statements (Atom feed)</a>
          </p>
        )}
      </section>
    </>
  );
}
