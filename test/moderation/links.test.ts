import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// The renderer is the truth the link counter mirrors (moderation may not import it; tests may).
import { renderMarkdown } from '../../src/discussion/markdown.js';
import { blockedDomainOf, linkHost, normaliseHost, scanLinks } from '../../src/moderation/links.js';

/** How many links the real renderer makes of `body`. */
function renderedLinks(body: string): number {
  return (renderMarkdown(body).match(/<a /g) ?? []).length;
}

const count = (body: string): number => scanLinks(body).links.length;

describe('counting links as the renderer makes them', () => {
  const cases: [string, string, number][] = [
    ['no link at all', 'Paris, secular capital of the world. Arm the Kurds.', 0],
    ['a bare https URL', 'See https://example.org/a?b=c for more.', 1],
    ['a www. host', 'Go to www.example.org now', 1],
    ['a bare domain stays text', 'readme.md and node.js and example.org/path', 0],
    ['an e-mail address', 'write to jim@example.org', 1],
    ['an inline link', 'The [statement](https://example.org/s) says', 1],
    ['an image renders as a link', '![a chart](https://example.org/c.png)', 1],
    [
      'an image inside a link is one link',
      '[![alt](https://a.example/i.png)](https://b.example/)',
      1,
    ],
    ['an autolink', 'At <https://example.org/x> and <jim@example.org>', 2],
    ['a reference link', 'The [report][r] and [r][] and [r].\n\n[r]: https://example.org/r', 3],
    ['an undefined reference stays text', 'The [report][nowhere] and [r]', 0],
    ['code is not linked', 'Run `curl https://example.org` then', 0],
    ['fenced code is not linked', '```\nhttps://example.org\n```\nafter', 0],
    ['javascript: is refused', '[click](javascript:alert(1))', 0],
    // The link is refused; the renderer's linkify then links the text up to the `@`.
    ['credentials hide the host: refused', '[bank](https://bank.example@evil.example/)', 1],
    ['protocol-relative is upgraded', '[x](//example.org/p)', 1],
    ['ftp is not a link', 'ftp://example.org/file', 0],
    ['four mixed links', 'https://a.example https://b.example [c](https://c.example) www.d.org', 4],
    ['link text holding a URL is one link', '[https://a.example](https://b.example)', 1],
    ['a relative link is refused', '[home](/about)', 0],
    ['indented code is not linked', 'Look:\n\n    https://a.example\n\nend', 0],
    ['indented code in a quote is not linked', '>     https://a.example', 0],
    ['indented lines in a list item are linked', '- item\n\n    https://a.example', 1],
    [
      'an unclosed fence in a quote ends with it',
      '> ```\n> https://a.example\n\nhttps://b.example',
      1,
    ],
    ['a tilde fence', '~~~\nhttps://a.example\n~~~', 0],
    ['a URL right after backticks', 'word```http://b.example', 1],
  ];
  it.each(cases)('%s', (_name, body, expected) => {
    expect(renderedLinks(body)).toBe(expected); // the renderer agrees with the expectation…
    expect(count(body)).toBe(expected); // …and so does the counter
  });

  it('agrees with the renderer on generated bodies', () => {
    // Pieces of ordinary comments, joined by whitespace (glued together without any, some
    // pieces tokenise differently in markdown-it's inline parser; nobody writes that way).
    const piece = fc.constantFrom(
      'word',
      '\n\n',
      '> ',
      '*em*',
      '**',
      '_',
      '"',
      '(',
      ')',
      '```',
      '\\',
      '&amp;',
      '.',
      'https://a.example/x',
      'http://b.example',
      'www.c.org',
      'd.example',
      'jim@e.example',
      'mailto:x@y.org',
      '[t](https://f.example)',
      '![i](https://g.example/i.png)',
      '<https://h.example>',
      '`code https://i.example`',
      '[ref]',
      '[t][ref]',
      '\n\n[ref]: https://j.example\n\n',
      '[bad](javascript:x)',
      '(https://k.example)',
      'https://l.example/a_(b)',
      '[x](<https://m.example/a b>)',
      '[x](https://n.example "title")',
      '(www.paren.org)',
      'WWW.upper.org.',
      'www.x.org/a?b=c.',
      'e.g.',
      'x.y@z.org,',
      'foo@bar',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 25 }),
        fc.constantFrom(' ', '\n', ' \n'),
        (pieces, separator) => {
          const body = pieces.join(separator);
          expect(count(body), body).toBe(renderedLinks(body));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('gives where each link is in the body', () => {
    const body = 'See https://a.example and [b](https://b.example).';
    const { links } = scanLinks(body);
    expect(links.map((link) => body.slice(link.start, link.end))).toEqual([
      'https://a.example',
      '[b](https://b.example)',
    ]);
  });
});

describe('hosts', () => {
  it('lower-cases, punycodes IDN and drops trailing dots', () => {
    expect(normaliseHost('Evil.Example.')).toBe('evil.example');
    expect(normaliseHost('bücher.example')).toBe('xn--bcher-kva.example');
    expect(linkHost('https://BÜCHER.example./x')).toBe('xn--bcher-kva.example');
    expect(linkHost('mailto:jim@Bücher.example')).toBe('xn--bcher-kva.example');
    expect(linkHost('javascript:alert(1)')).toBeUndefined();
    expect(linkHost('https://user:pw@evil.example')).toBeUndefined();
  });

  it('finds hosts in links, bare domains and code alike', () => {
    const { hosts } = scanLinks(
      'x https://a.example/1 evil.com/offer `see bad.com` [y](https://a.example/2)',
    );
    expect(hosts).toEqual(['a.example', 'evil.com', 'bad.com']);
  });

  it('counts the real host of a link that hides it behind credentials', () => {
    expect(scanLinks('[bank](https://bank.example@evil.example/)').hosts).toContain('evil.example');
  });

  it('decodes entities and escapes in destinations as the renderer does', () => {
    const body = '[x](https://evil&#46;example/) [y](https://evil\\.example/)';
    expect(renderMarkdown(body)).toContain('href="https://evil.example/"');
    expect(scanLinks(body).hosts).toEqual(['evil.example']);
  });
});

describe('blocked domains', () => {
  const blocked = new Set(['evil.example', 'xn--bcher-kva.example', '203.0.113.9']);
  it('blocks the domain and its subdomains, not look-alikes', () => {
    expect(blockedDomainOf('evil.example', blocked)).toBe('evil.example');
    expect(blockedDomainOf('a.b.evil.example', blocked)).toBe('evil.example');
    expect(blockedDomainOf('notevil.example', blocked)).toBeUndefined();
    expect(blockedDomainOf('evil.example.org', blocked)).toBeUndefined();
    expect(blockedDomainOf('shop.xn--bcher-kva.example', blocked)).toBe('xn--bcher-kva.example');
  });

  it('matches IP addresses only exactly', () => {
    expect(blockedDomainOf('203.0.113.9', blocked)).toBe('203.0.113.9');
    expect(blockedDomainOf('10.0.113.9', new Set(['0.113.9']))).toBeUndefined();
  });

  it('never blocks with an empty list', () => {
    fc.assert(
      fc.property(fc.domain(), (domain) => blockedDomainOf(domain, new Set()) === undefined),
    );
  });

  it('blocks every subdomain of a blocked domain', () => {
    fc.assert(
      fc.property(fc.domain(), fc.domain(), (parent, child) => {
        const host = normaliseHost(`${child}.${parent}`);
        const entry = normaliseHost(parent);
        if (host === undefined || entry === undefined) return;
        expect(blockedDomainOf(host, new Set([entry]))).toBe(entry);
      }),
    );
  });
});
