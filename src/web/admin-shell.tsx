/** The admin area's frame: a side navigation of the pages this viewer may open, and the page. */
import type { ComponentChildren } from 'preact';
import type { PageContext } from './page.js';

export function AdminShell(props: {
  ctx: PageContext;
  heading: string;
  children: ComponentChildren;
}) {
  const nav = props.ctx.viewer?.adminNav ?? [];
  const current = props.ctx.path.split('?')[0] ?? '';
  // The page itself, else the section it belongs to (the longest entry it lies under).
  const hrefs = nav.map((item) => item.href);
  const section = hrefs.includes(current)
    ? undefined
    : hrefs.filter((href) => current.startsWith(`${href}/`)).sort((a, b) => b.length - a.length)[0];
  return (
    <div class="admin">
      <nav class="admin-nav" aria-label="Admin">
        <ul>
          {nav.map((item) => (
            <li key={item.href}>
              <a
                href={item.href}
                aria-current={
                  item.href === current ? 'page' : item.href === section ? 'true' : undefined
                }
              >
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section class="admin-main" aria-labelledby="admin-heading">
        <h1 id="admin-heading">{props.heading}</h1>
        {props.children}
      </section>
    </div>
  );
}
