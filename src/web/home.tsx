/** The site's home page. Statements are listed here once the statements capability publishes them. */
import type { PageContext } from './page.js';

export function HomePage({ ctx }: { ctx: PageContext }) {
  return (
    <>
      <section class="hero">
        <h1>{ctx.siteName}</h1>
        <p class="lede">
          Statements, drafted together, cleared openly, and argued about in public.
        </p>
      </section>
      <section aria-labelledby="latest">
        <h2 id="latest">Latest statements</h2>
        <p class="empty-state">
          Nothing has been published yet. Statements will appear here, newest first.
        </p>
      </section>
    </>
  );
}
