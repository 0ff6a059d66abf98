import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isBlank,
  LINK_REL,
  plainText,
  renderMarkdown,
  safeHref,
} from '../../src/discussion/markdown.js';

/** The HTML without the newlines markdown-it puts after block tags, for exact comparisons. */
const compact = (html: string) => html.replace(/>\n/g, '>').trimEnd();
const render = (source: string, headings = false) => compact(renderMarkdown(source, { headings }));

/** Every tag in the output. Text and attribute values escape `<` and `>`, so this is exact. */
const tagsOf = (html: string) => html.match(/<[^>]*>/g) ?? [];
const hrefsOf = (html: string) =>
  [...html.matchAll(/\shref="([^"]*)"/g)].map((match) => match[1] ?? '');

const ALLOWED_TAG =
  /^<\/?(p|br|em|strong|code|pre|blockquote|ul|ol|li|a|hr|figure|figcaption|h[1-6])((?:\s[a-z]+="[^"]*")*)>$/;
const ALLOWED_ATTRIBUTE: Record<string, RegExp> = {
  href: /^(?:https?:|mailto:)/,
  rel: /^nofollow ugc noopener$/,
  class: /^(?:quotation|language-\S+)$/,
  start: /^\d+$/,
};

/** Fails unless every tag and attribute is one the subset allows, with a safe value. */
function expectOnlySafeMarkup(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<[^>]*\son[a-z]*\s*=/i);
  for (const tag of tagsOf(html)) {
    const match = ALLOWED_TAG.exec(tag);
    expect(match, tag).not.toBeNull();
    for (const [, name = '', value = ''] of (match?.[2] ?? '').matchAll(/\s([a-z]+)="([^"]*)"/g))
      expect(ALLOWED_ATTRIBUTE[name]?.test(value), `${name}="${value}" in ${tag}`).toBe(true);
  }
}

describe('renderMarkdown: the subset', () => {
  it('renders paragraphs, and a single line break as <br> (as commenters type)', () => {
    expect(render('one\ntwo\n\nthree')).toBe('<p>one<br>two</p><p>three</p>');
  });

  it('renders emphasis, strong and inline code', () => {
    expect(render('*a* _b_ **c** `d <e>`')).toBe(
      '<p><em>a</em> <em>b</em> <strong>c</strong> <code>d &lt;e&gt;</code></p>',
    );
  });

  it('renders fenced and indented code blocks with their content escaped', () => {
    expect(render('```js\nif (a < b) alert(1)\n```')).toBe(
      '<pre><code class="language-js">if (a &lt; b) alert(1)\n</code></pre>',
    );
    expect(render('text\n\n    indented <code>')).toBe(
      '<p>text</p><pre><code>indented &lt;code&gt;\n</code></pre>',
    );
  });

  it('renders blockquotes, lists and horizontal rules', () => {
    expect(render('> quoted')).toBe('<blockquote><p>quoted</p></blockquote>');
    expect(render('- a\n- b')).toBe('<ul><li>a</li><li>b</li></ul>');
    expect(render('3. c\n4. d')).toBe('<ol start="3"><li>c</li><li>d</li></ol>');
    expect(render('a\n\n---\n\nb')).toBe('<p>a</p><hr><p>b</p>');
  });

  it('renders inline, reference and <auto> links', () => {
    const a = (href: string, text: string) => `<a href="${href}" rel="${LINK_REL}">${text}</a>`;
    expect(render('[AWL](https://www.workersliberty.org/)')).toBe(
      `<p>${a('https://www.workersliberty.org/', 'AWL')}</p>`,
    );
    expect(render('[the column][1]\n\n[1]: https://example.org/column')).toBe(
      `<p>${a('https://example.org/column', 'the column')}</p>`,
    );
    expect(render('<https://example.org/x>')).toBe(
      `<p>${a('https://example.org/x', 'https://example.org/x')}</p>`,
    );
  });

  it('leaves tables and strikethrough as the text that was typed', () => {
    expect(render('| a | b |\n|---|---|\n| 1 | 2 |')).not.toMatch(/<table/);
    expect(render('~~gone~~')).toBe('<p>~~gone~~</p>');
  });

  it('does not apply typographic replacements', () => {
    expect(render('"quotes" -- (c) ...')).toBe('<p>&quot;quotes&quot; -- (c) ...</p>');
  });
});

describe('renderMarkdown: raw HTML is shown as text', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['<a href="javascript:alert(1)">x</a>', '&lt;a href=&quot;javascript:alert(1)&quot;&gt;x'],
    ['<div>\n<script>alert(1)</script>\n</div>', '&lt;script&gt;'],
    ['text <b onclick="x()">bold</b>', 'text &lt;b onclick=&quot;x()&quot;&gt;bold'],
  ])('%s', (source, visible) => {
    const html = renderMarkdown(source);
    expect(html).toContain(visible);
    expectOnlySafeMarkup(html);
    expect(hrefsOf(html)).toEqual([]);
  });
});

describe('renderMarkdown: links', () => {
  it.each([
    ['javascript:', '[click](javascript:alert(1))'],
    ['mixed case', '[click](JaVaScRiPt:alert(1))'],
    ['decimal entity', '[click](&#106;avascript:alert(1))'],
    ['hex entity', '[click](&#x6A;avascript:alert(1))'],
    ['entity colon', '[click](javascript&#58;alert(1))'],
    ['percent-encoded letter', '[click](%6Aavascript:alert(1))'],
    ['leading spaces', '[click](   javascript:alert(1))'],
    ['leading control character', '[click](\u0001javascript:alert(1))'],
    ['leading NUL', '[click](\u0000javascript:alert(1))'],
    ['tab inside, as an entity', '[click](java&#x09;script:alert(1))'],
    ['newline inside, as an entity', '[click](java&#10;script:alert(1))'],
    ['angle-bracket destination', '[click](<javascript:alert(1)>)'],
    ['javascript with slashes', '[click](javascript://example.org/%0Aalert(1))'],
    ['data:', '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['vbscript:', '[click](vbscript:msgbox(1))'],
    ['file:', '[click](file:///etc/passwd)'],
    ['ftp:', '[click](ftp://example.org/file)'],
    ['relative path', '[click](/admin/delete)'],
    ['relative file', '[click](page.html)'],
    ['query only', '[click](?x=1)'],
    ['fragment only', '[click](#top)'],
    ['backslash host', '[click](/\\evil.example)'],
    ['empty http', '[click](http://)'],
    ['empty mailto', '[click](mailto:)'],
    ['reference definition', '[click][x]\n\n[x]: javascript:alert(1)'],
    ['autolink', 'click <javascript:alert(1)>'],
    ['autolink, data:', 'click <data:text/html,<script>alert(1)</script>>'],
    ['bare in prose', 'click javascript:alert(1) and data:text/html,x'],
    ['image', '![click](javascript:alert(1))'],
  ])('drops a %s link and keeps its text', (_name, source) => {
    const html = renderMarkdown(source);
    expect(html).not.toContain('<a');
    expect(hrefsOf(html)).toEqual([]);
    expect(html).toContain('click');
    expectOnlySafeMarkup(html);
  });

  it('shows a refused link exactly as it was typed, as text', () => {
    expect(render('[click](javascript:alert(1))')).toBe('<p>[click](javascript:alert(1))</p>');
    expect(render('[click](/relative)')).toBe('<p>[click](/relative)</p>');
  });

  it('keeps http, https and mailto links, stored as the URL a browser would use', () => {
    expect(
      hrefsOf(
        renderMarkdown(
          '[a](http://example.org/a) [b](HTTPS://EXAMPLE.ORG/B) [c](mailto:jim@example.org) [d](<https://example.org/a b>)',
        ),
      ),
    ).toEqual([
      'http://example.org/a',
      'https://example.org/B',
      'mailto:jim@example.org',
      'https://example.org/a%20b',
    ]);
  });

  it('takes a protocol-relative //host link as https', () => {
    expect(hrefsOf(renderMarkdown('[a](//example.org/x)'))).toEqual(['https://example.org/x']);
  });

  it('gives every link rel="nofollow ugc noopener" and no other attribute: no title, no target', () => {
    const html = renderMarkdown(
      '[a](https://example.org "title") <https://example.org/b> https://example.org/c www.example.org jim@example.org [d][1]\n\n[1]: https://example.org/d',
    );
    const links = tagsOf(html).filter((tag) => tag.startsWith('<a '));
    expect(links).toHaveLength(6);
    for (const link of links)
      expect(link).toMatch(/^<a href="[^"]+" rel="nofollow ugc noopener">$/);
    expect(html).not.toMatch(/target=|title=/);
  });

  it('gives an empty link its URL as text rather than leave an invisible link', () => {
    expect(render('[](https://example.org/x)')).toBe(
      `<p><a href="https://example.org/x" rel="${LINK_REL}">https://example.org/x</a></p>`,
    );
  });

  it('safeHref accepts only absolute http(s) with a host and non-empty mailto', () => {
    expect(safeHref('https://example.org')).toBe('https://example.org/');
    expect(safeHref('//example.org/p')).toBe('https://example.org/p');
    expect(safeHref('mailto:a@example.org')).toBe('mailto:a@example.org');
    for (const bad of [
      'javascript:alert(1)',
      ' https://x.org',
      '/x',
      'http:',
      'data:,x',
      'mailto:',
    ])
      expect(safeHref(bad), bad).toBeNull();
  });

  it('refuses links that hide their host behind a user name or password', () => {
    for (const hiding of [
      'https://paypal.com@evil.example',
      'https://paypal.com:login@evil.example/',
      '//paypal.com@evil.example',
    ])
      expect(safeHref(hiding), hiding).toBeNull();
    const html = renderMarkdown('[x](https://paypal.com@evil.example)');
    expect(html).not.toContain('evil.example"');
    expect(html).not.toMatch(/href="[^"]*@/);
  });
});

describe('renderMarkdown: linkify', () => {
  it('links bare http(s) URLs, www. addresses and e-mail addresses', () => {
    const html = renderMarkdown(
      'See https://example.org/a?b=1. or www.example.org/news, or write to jim@example.org.',
    );
    expect(hrefsOf(html)).toEqual([
      'https://example.org/a?b=1',
      'http://www.example.org/news',
      'mailto:jim@example.org',
    ]);
    expect(html).toContain(`rel="${LINK_REL}">www.example.org/news</a>, or`);
  });

  it('does not link bare domains, file names, ftp:// or //host in prose', () => {
    const html = renderMarkdown(
      'Read readme.md on node.js, example.org, ftp://example.org //x.org',
    );
    expect(html).not.toContain('<a');
  });
});

describe('renderMarkdown: headings', () => {
  it('are off for comments: the text is a paragraph, as typed', () => {
    expect(render('# of victims: 130')).toBe('<p># of victims: 130</p>');
    expect(render('Title\n=====')).toBe('<p>Title<br>=====</p>');
    expect(render('## Sub\n\nText')).not.toMatch(/<h\d/);
  });

  it('are on for statements', () => {
    expect(render('# Title\n\n## Sub\n\nSetext\n------', true)).toBe(
      '<h1>Title</h1><h2>Sub</h2><h2>Setext</h2>',
    );
  });
});

describe('renderMarkdown: images never load', () => {
  it('renders an image as a link to it, with the alt text as the link text', () => {
    expect(render('![the *front* page](https://example.org/front.png)')).toBe(
      `<p><a href="https://example.org/front.png" rel="${LINK_REL}">the front page</a></p>`,
    );
  });

  it('uses the URL as text when there is no alt text', () => {
    expect(render('![](https://example.org/i.png)')).toBe(
      `<p><a href="https://example.org/i.png" rel="${LINK_REL}">https://example.org/i.png</a></p>`,
    );
  });

  it('renders an image inside a link as its alt text, never a nested link', () => {
    expect(render('[![logo](https://img.example/l.png)](https://example.org)')).toBe(
      `<p><a href="https://example.org/" rel="${LINK_REL}">logo</a></p>`,
    );
  });

  it('never emits <img>, whatever the source', () => {
    const html = renderMarkdown(
      '![a](https://x.org/a.png) ![b][r] <img src="https://x.org/b.png">\n\n[r]: https://x.org/c.png',
    );
    expect(html).not.toMatch(/<img/i);
    expectOnlySafeMarkup(html);
  });
});

describe('renderMarkdown: quotations with attribution', () => {
  const figure = (quote: string, caption: string) =>
    `<figure class="quotation"><blockquote>${quote}</blockquote><figcaption>${caption}</figcaption></figure>`;

  it('wraps a quote and a following — line in a figure', () => {
    expect(render('> The death cult chose its city well.\n\n— Ian McEwan, 14 November 2015')).toBe(
      figure('<p>The death cult chose its city well.</p>', '— Ian McEwan, 14 November 2015'),
    );
  });

  it('accepts -- and normalises it to —', () => {
    expect(render('> quoted\n\n-- Robert Greenwood (on facebook)')).toBe(
      figure('<p>quoted</p>', '— Robert Greenwood (on facebook)'),
    );
    expect(render('> quoted\n\n--Comrade Matt')).toBe(figure('<p>quoted</p>', '— Comrade Matt'));
  });

  it('keeps links and formatting in the caption', () => {
    expect(render('> quoted\n\n— [Ian McEwan](https://example.org/mcewan), *The Guardian*')).toBe(
      figure(
        '<p>quoted</p>',
        `— <a href="https://example.org/mcewan" rel="${LINK_REL}">Ian McEwan</a>, <em>The Guardian</em>`,
      ),
    );
  });

  it('keeps every paragraph of a long quote, and a caption on two lines', () => {
    expect(render('> one\n>\n> two\n>\n> three\n\n— Ian McEwan\n14 November 2015')).toBe(
      figure('<p>one</p><p>two</p><p>three</p>', '— Ian McEwan<br>14 November 2015'),
    );
  });

  it('accepts the attribution directly under the quote, without a blank line', () => {
    expect(render('> one\n> two\n— Ian McEwan')).toBe(figure('<p>one<br>two</p>', '— Ian McEwan'));
  });

  it('handles lists and nested quotes inside the quotation', () => {
    expect(render('> - a\n> - b\n\n— List Maker')).toBe(
      figure('<ul><li>a</li><li>b</li></ul>', '— List Maker'),
    );
    expect(render('> > inner\n>\n> — Inner Author\n\n— Outer Author')).toBe(
      figure(figure('<p>inner</p>', '— Inner Author'), '— Outer Author'),
    );
    expect(render('> > inner\n>\n> outer\n\n— Outer Author')).toBe(
      figure('<blockquote><p>inner</p></blockquote><p>outer</p>', '— Outer Author'),
    );
  });

  it('works inside a list item', () => {
    expect(render('- > quoted\n\n  — Someone')).toBe(
      `<ul><li>${figure('<p>quoted</p>', '— Someone')}</li></ul>`,
    );
  });

  it('leaves a quote without an attribution line a plain blockquote', () => {
    expect(render('> quoted\n\nMy reply.')).toBe(
      '<blockquote><p>quoted</p></blockquote><p>My reply.</p>',
    );
    expect(render('> quoted')).toBe('<blockquote><p>quoted</p></blockquote>');
  });

  it('leaves a — paragraph that follows no quote a paragraph', () => {
    expect(render('— not an attribution')).toBe('<p>— not an attribution</p>');
    expect(render('Text.\n\n— also not')).toBe('<p>Text.</p><p>— also not</p>');
    expect(render('- item\n\n— not either')).toBe('<ul><li>item</li></ul><p>— not either</p>');
  });

  it('leaves a — line written inside the quote (with >) inside the quote', () => {
    expect(render('> quoted\n> — part of the quote')).toBe(
      '<blockquote><p>quoted<br>— part of the quote</p></blockquote>',
    );
  });

  it('needs text after the dash, and a dash that starts the paragraph', () => {
    expect(render('> quoted\n\n—')).toBe('<blockquote><p>quoted</p></blockquote><p>—</p>');
    expect(render('> quoted\n\nA — B')).toBe('<blockquote><p>quoted</p></blockquote><p>A — B</p>');
    expect(render('> quoted\n\n- list, not dash')).toBe(
      '<blockquote><p>quoted</p></blockquote><ul><li>list, not dash</li></ul>',
    );
  });

  it('renders the same in statements', () => {
    expect(render('> q\n\n— A', true)).toBe(figure('<p>q</p>', '— A'));
  });
});

describe('isBlank', () => {
  it.each([
    '',
    '   \n\t ',
    '\u200b\u200d',
    '&nbsp;',
    '\u2800',
    '---',
    '>',
    '- ',
    '```\n\n```',
    '** **',
    '\ufeff',
    '[ref]: https://example.org',
  ])('is true for %j', (source) => expect(isBlank(source)).toBe(true));

  it.each([
    'x',
    '`0`',
    '<>',
    '[](https://example.org)',
    '![](https://example.org/i.png)',
    '> a',
    '# ',
  ])('is false for %j', (source) => expect(isBlank(source)).toBe(false));
});

describe('plainText', () => {
  it('keeps the visible text and drops the markup', () => {
    expect(
      plainText(
        'Hello *world*, see [the column](https://example.org).\nSecond line.\n\n- a\n  - a.1\n- b\n\n3. c\n\n> quoted\n\n— Ian McEwan\n\n```\ncode\n```',
      ),
    ).toBe(
      'Hello world, see the column.\nSecond line.\n\n- a\n- a.1\n- b\n\n3. c\n\nquoted\n\n— Ian McEwan\n\ncode',
    );
  });

  it('returns raw HTML as the literal text it is shown as (callers escape it)', () => {
    expect(plainText('<b>bold</b> &amp; more')).toBe('<b>bold</b> & more');
  });

  it('drops heading syntax only for statements', () => {
    expect(plainText('# Title\n\nBody')).toBe('# Title\n\nBody');
    expect(plainText('# Title\n\nBody', undefined, { headings: true })).toBe('Title\n\nBody');
  });

  it('cuts to maxLength characters at a word boundary, ending in …', () => {
    const text = 'The death cult chose its city well — Paris, secular capital of the world.';
    expect(plainText(text, 1000)).toBe(text);
    expect(plainText(text, text.length)).toBe(text);
    expect(plainText(text, 20)).toBe('The death cult…');
    expect(plainText(text, 44)).toBe('The death cult chose its city well — Paris…');
    expect(plainText(text, 1)).toBe('…');
    expect(plainText(text, 0)).toBe('');
    for (let n = 0; n < 80; n++) expect([...plainText(text, n)].length).toBeLessThanOrEqual(n);
  });

  it('counts characters, not UTF-16 units, and never splits one', () => {
    expect(plainText('😀😀😀😀😀😀', 4)).toBe('😀😀😀…');
  });

  it('refuses a negative or fractional maxLength', () => {
    expect(() => plainText('x', -1)).toThrow(RangeError);
    expect(() => plainText('x', 1.5)).toThrow(RangeError);
  });
});

describe('renderMarkdown: properties', () => {
  const hostile = fc.string({
    unit: fc.constantFrom(
      '[',
      ']',
      '(',
      ')',
      '<',
      '>',
      '!',
      '"',
      "'",
      '`',
      '*',
      '_',
      '#',
      '-',
      '—',
      '\n',
      ' ',
      '\t',
      '\u0000',
      '\u0001',
      '&#106;',
      '&#x6A;',
      '&#58;',
      '&colon;',
      'javascript:',
      'JaVaScRiPt:',
      'data:',
      'vbscript:',
      'file:',
      'http:',
      'https:',
      'mailto:',
      '//',
      '\\',
      '%0A',
      '%6A',
      'www.',
      'example.org',
      'a@b.org',
      'script',
      'img',
      'src=',
      'onerror=',
      'onclick=',
      ' on',
      'href=',
      'alert(1)',
      '> ',
      '1. ',
      '    ',
      '```',
      '[x]: ',
    ),
    maxLength: 60,
  });
  const arbitrary = fc.oneof(hostile, fc.string({ unit: 'binary', maxLength: 200 }), fc.string());

  it('never emits <script, an on…= attribute, or an href that is not http(s) or mailto', () => {
    fc.assert(
      fc.property(arbitrary, fc.boolean(), (source, headings) => {
        const html = renderMarkdown(source, { headings });
        expectOnlySafeMarkup(html);
        for (const href of hrefsOf(html)) expect(href).toMatch(/^(?:https?:|mailto:)/);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws in plainText or isBlank', () => {
    fc.assert(
      fc.property(arbitrary, fc.nat(300), (source, maxLength) => {
        expect([...plainText(source, maxLength)].length).toBeLessThanOrEqual(maxLength);
        expect(typeof isBlank(source)).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});
