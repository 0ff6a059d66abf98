/** Reading server-rendered HTML in tests without a parser. */

/** The whole element whose `id` attribute is `id`, from its start tag to its matching end tag. */
export function elementById(html: string, id: string): string {
  const at = html.indexOf(` id="${id}"`);
  if (at === -1) throw new Error(`no element with id ${id}`);
  const start = html.lastIndexOf('<', at);
  const tag = /^<([a-z0-9]+)/.exec(html.slice(start))?.[1];
  if (!tag) throw new Error(`no start tag before id ${id}`);
  const pattern = new RegExp(`<${tag}[\\s>]|</${tag}>`, 'g');
  pattern.lastIndex = start + 1;
  let depth = 1;
  for (let match = pattern.exec(html); match; match = pattern.exec(html)) {
    depth += match[0].startsWith('</') ? -1 : 1;
    if (depth === 0) return html.slice(start, match.index + match[0].length);
  }
  throw new Error(`<${tag} id="${id}"> is not closed`);
}
