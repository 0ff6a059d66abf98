/**
 * Escaping plain text for our Markdown renderer (markdown-it), so that it shows as written: shared
 * by the plain-text thread form and the HTML converter of WordPress and Disqus imports.
 */

const URL_IN_TEXT = /\b(?:https?:\/\/|www\.)[^\s<>]+/g;

function escapeCharacters(text: string): string {
  return text.replace(/[\\`*_[\]<~|]/g, '\\$&').replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&');
}

/**
 * Escapes inline syntax (`*`, `_`, backticks, brackets, `<`, `~`, `|`, backslashes, entity-like
 * `&…;`) anywhere in `text`. URLs are left as written, so that a linkifying renderer still sees
 * them whole.
 */
export function escapeInline(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    out += escapeCharacters(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + escapeCharacters(text.slice(last));
}

/**
 * Escapes block syntax at the start of one line whose inline text is already escaped: headings
 * `#`, quotes `>`, list markers `-`/`+`/`1.`/`1)`, rules and setext underlines of `-`/`=`.
 * Leading white space must already be trimmed.
 */
export function escapeLineStart(line: string): string {
  if (/^#{1,6}(\s|$)/.test(line) || /^>/.test(line) || /^[-+](\s|$)/.test(line)) return `\\${line}`;
  if (/^[-=][-=\s]*$/.test(line)) return `\\${line}`;
  return line.replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2');
}

/**
 * Escapes plain text so that a CommonMark renderer (markdown-it) shows it as written: inline
 * syntax anywhere ({@link escapeInline}) and block syntax at the start of a line
 * ({@link escapeLineStart}). URLs are left untouched. Leading indentation and blank lines are the
 * caller's business: pass trimmed lines.
 */
export function escapeMarkdown(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const [, lead = '', rest = ''] = /^(\s*)([\s\S]*)$/.exec(line) ?? [];
      return lead + escapeLineStart(escapeInline(rest));
    })
    .join('\n');
}
