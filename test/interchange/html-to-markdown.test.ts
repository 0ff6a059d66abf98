// HTML of WordPress and Disqus → our Markdown subset, checked through the normal renderer: what is
// kept (paragraphs, line breaks, links, emphasis, quotes, lists, code), what goes (scripts,
// styles, frames, images, attributes), how text that looks like Markdown stays text, and that no
// HTML, however hostile, comes out active.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/discussion/markdown.js';
import type { HtmlToMarkdownOptions } from '../../src/interchange/html-to-markdown.js';
import { htmlToMarkdown, htmlToText } from '../../src/interchange/html-to-markdown.js';

const AUTOP: HtmlToMarkdownOptions = { whitespace: 'autop', baseUrl: 'https://blog.example.org/' };
const HTML: HtmlToMarkdownOptions = { whitespace: 'html' };

/** Converted, then rendered as a comment would be. */
const shown = (html: string, options = AUTOP) => renderMarkdown(htmlToMarkdown(html, options));

describe('htmlToMarkdown', () => {
  it('reads WordPress text as WordPress shows it: blank line = paragraph, line break = <br>', () => {
    expect(shown('One\nline two\n\n\nThree')).toBe('<p>One<br>\nline two</p>\n<p>Three</p>\n');
    expect(shown('One\r\ntwo\r\n\r\nthree')).toBe('<p>One<br>\ntwo</p>\n<p>three</p>\n');
  });

  it('reads Disqus HTML as a browser does: white space collapses, <p> and <br> count', () => {
    expect(shown('<p>One\nstill one</p><p>Two<br>three</p>', HTML)).toBe(
      '<p>One still one</p>\n<p>Two<br>\nthree</p>\n',
    );
  });

  it('keeps emphasis, strong, inline code and code blocks', () => {
    expect(
      htmlToMarkdown('<em>a</em> <i>b</i> <strong>c</strong> <b>d</b> <code>x*y</code>', HTML),
    ).toBe('*a* *b* **c** **d** `x*y`');
    expect(shown('<pre><code>if (a &lt; b) {\n  go();\n}</code></pre>', HTML)).toBe(
      '<pre><code>if (a &lt; b) {\n  go();\n}\n</code></pre>\n',
    );
    // Emphasis does not span lines, and white space stays outside its markers.
    expect(htmlToMarkdown('<em> spaced </em>x<strong>a<br>b</strong>', AUTOP)).toBe(
      '*spaced* x**a**\n**b**',
    );
  });

  it('keeps blockquotes (nested too), lists (ordered from their start) and rules', () => {
    expect(shown('<blockquote><p>Outer</p><blockquote>Inner</blockquote></blockquote>', HTML)).toBe(
      '<blockquote>\n<p>Outer</p>\n<blockquote>\n<p>Inner</p>\n</blockquote>\n</blockquote>\n',
    );
    expect(
      shown('<ol start="3"><li>three</li><li>four<ul><li>sub</li></ul></li></ol><hr>', HTML),
    ).toBe(
      '<ol start="3">\n<li>three</li>\n<li>four\n<ul>\n<li>sub</li>\n</ul>\n</li>\n</ol>\n<hr>\n',
    );
  });

  it('keeps links with their text, resolves relative ones against the blog, drops unsafe ones', () => {
    expect(shown('<a href="/2015/11/paris/">our statement</a>')).toBe(
      '<p><a href="https://blog.example.org/2015/11/paris/" rel="nofollow ugc noopener">our statement</a></p>\n',
    );
    expect(shown('<a href="/relative">no base</a>', HTML)).toBe('<p>no base</p>\n');
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'jav&#x09;ascript:alert(1)',
      'data:text/html;base64,PHNjcmlwdD4=',
      'vbscript:msgbox(1)',
      'https://user:pass@evil.example/',
    ]) {
      expect(shown(`<a href="${href}">click</a>`, HTML), href).toBe('<p>click</p>\n');
    }
    expect(shown('<a href="https://example.org/a b?c=(d)">spaces</a>', HTML)).toBe(
      '<p><a href="https://example.org/a%20b?c=(d)" rel="nofollow ugc noopener">spaces</a></p>\n',
    );
    // An image that is a link's only content gives the link its alt text.
    expect(shown('<a href="https://example.org/"><img src="x.png" alt="Logo"></a>', HTML)).toBe(
      '<p><a href="https://example.org/" rel="nofollow ugc noopener">Logo</a></p>\n',
    );
  });

  it('drops scripts, styles, frames, form controls and images with their content, keeping the text around them', () => {
    expect(
      shown(
        'a<script>alert(1)</script>b<style>p{}</style>c<iframe src="https://x.example/">fallback</iframe>d<img src="https://t.example/p.gif" onerror="alert(1)">e<object>o</object><svg><text>s</text></svg><form><input value="v"><button>go</button></form>f',
        HTML,
      ),
    ).toBe('<p>abcde</p>\n<p>f</p>\n'); // a form is a block of its own
  });

  it('escapes text that would read as Markdown, so it shows as written', () => {
    const text =
      '# not a heading\n- not a list\n1. not a list either\n> not a quote\n*not emphasis* _nor_ [a](link) `code` &amp; ---';
    expect(shown(text.replace(/&amp;/, '&amp;amp;'))).toBe(
      '<p># not a heading<br>\n- not a list<br>\n1. not a list either<br>\n&gt; not a quote<br>\n*not emphasis* _nor_ [a](link) `code` &amp;amp; ---</p>\n',
    );
    // Bare addresses still become links, as WordPress makes them clickable.
    expect(shown('see https://example.org/x_y_z now')).toBe(
      '<p>see <a href="https://example.org/x_y_z" rel="nofollow ugc noopener">https://example.org/x_y_z</a> now</p>\n',
    );
  });

  it('turns headings into headings for statements only', () => {
    expect(htmlToMarkdown('<h2>Title</h2><p>Text</p>', { ...HTML, headings: true })).toBe(
      '## Title\n\nText',
    );
    expect(htmlToMarkdown('<h2>Title</h2><p>Text</p>', HTML)).toBe('Title\n\nText');
  });

  it('keeps the text of tables, a row to a line', () => {
    expect(
      shown('<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>', HTML),
    ).toBe('<p>a | b</p>\n<p>c | d</p>\n');
  });

  it('removes WordPress media shortcodes and control characters, and gives nothing for an image alone', () => {
    expect(
      htmlToMarkdown('[caption id="x" width="300"]<img src="a.jpg"> A caption[/caption]', AUTOP),
    ).toBe('A caption');
    expect(htmlToMarkdown('bell\u0007 and nul\u0000', AUTOP)).toBe('bell and nul');
    expect(htmlToMarkdown('<img src="https://example.org/only.png">', HTML)).toBe('');
  });

  it('survives deeply nested and unclosed markup', () => {
    const deep = `${'<div><em>'.repeat(500)}deep${'</em></div>'.repeat(500)}`;
    expect(shown(deep, HTML)).toContain('deep');
    expect(shown('<p>unclosed <b>bold <i>both', HTML)).toBe(
      '<p>unclosed <strong>bold <em>both</em></strong></p>\n',
    );
  });

  it('never lets active HTML through, whatever the input (property)', () => {
    const pieces = fc.constantFrom(
      '<script>alert(1)</script>',
      '<a href="javascript:alert(1)">x</a>',
      '<img src=x onerror=alert(1)>',
      '<svg onload=alert(1)>',
      '<iframe src=javascript:alert(1)>',
      '<a href="https://ok.example/" onclick="x()">ok</a>',
      '<p style="x" onmouseover="y">p</p>',
      '"><script>',
      '&lt;script&gt;',
      '<![CDATA[<script>]]>',
      '<!-- <script> -->',
      '[x](javascript:alert(1))',
      '<a href=" javascript:alert(1)">s</a>',
      'text *with* _marks_',
      '\n\n',
      '<b>',
      '</b>',
      '<blockquote>',
      '<li>',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), fc.boolean(), (parts, autop) => {
        const html = renderMarkdown(htmlToMarkdown(parts.join(''), autop ? AUTOP : HTML));
        expect(html).not.toMatch(/<(script|iframe|svg|img|style)/i);
        expect(html).not.toMatch(/\son\w+=/i);
        expect(html).not.toMatch(/href="(?!https?:|mailto:)/i);
      }),
      { numRuns: 300 },
    );
  });
});

describe('htmlToMarkdown on plain text', () => {
  it('gives what the full conversion gives (an empty element makes the full one run)', () => {
    const text = fc.stringMatching(/^[a-z #*_>\-=1.)[\]`\\|~\n\r\t]{0,60}$/);
    fc.assert(
      fc.property(text, fc.boolean(), (plain, autop) => {
        const options = autop ? AUTOP : HTML;
        expect(htmlToMarkdown(plain, options)).toBe(htmlToMarkdown(`${plain}<b></b>`, options));
      }),
      { numRuns: 500 },
    );
  });
});

describe('htmlToText', () => {
  it('decodes entities and drops tags, for titles and names', () => {
    expect(htmlToText('Paris &#8212; «solidarité» &amp; <em>after</em>')).toBe(
      'Paris — «solidarité» & after',
    );
    expect(htmlToText('  plain   name ')).toBe('plain name');
    expect(htmlToText('<script>x</script>Name')).toBe('Name');
  });
});
