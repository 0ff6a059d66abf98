import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TreeNode } from '../../src/discussion/model.js';
import {
  DEFAULT_DISCUSSION_SETTINGS,
  ancestorPaths,
  bodyProblem,
  childPath,
  effectiveParent,
  isPublicStatus,
  normalisePageUrl,
  pathRangeOfNumbers,
  pathSegment,
  rootOrdinal,
  statusAfterEdit,
  withinEditWindow,
} from '../../src/discussion/model.js';

describe('materialised paths', () => {
  it('makes fixed-width alphanumeric segments', () => {
    expect(pathSegment(1)).toBe('000001');
    expect(pathSegment(36)).toBe('000010');
    expect(() => pathSegment(0)).toThrow(RangeError);
    const path = childPath(childPath(undefined, 6), 2);
    expect(path).toBe('000006000002');
    expect(rootOrdinal(path)).toBe(6);
    expect(ancestorPaths(childPath(path, 1))).toEqual(['000006', '000006000002']);
  });

  it('sorts as text into display order: depth-first, older siblings first', () => {
    // Build random trees by inserting replies in random order, then compare text order of the
    // paths with a depth-first walk of the tree.
    const arbitraryInsertions = fc.array(fc.nat(), { minLength: 1, maxLength: 200 });
    fc.assert(
      fc.property(arbitraryInsertions, (choices) => {
        interface Node {
          path: string;
          children: Node[];
        }
        const roots: Node[] = [];
        const all: Node[] = [];
        for (const choice of choices) {
          const parent =
            all.length === 0 || choice % 3 === 0 ? undefined : all[choice % all.length];
          const siblings = parent ? parent.children : roots;
          const node: Node = { path: childPath(parent?.path, siblings.length + 1), children: [] };
          siblings.push(node);
          all.push(node);
        }
        const walk = (nodes: Node[]): string[] =>
          nodes.flatMap((n) => [n.path, ...walk(n.children)]);
        const sorted = all.map((n) => n.path).sort();
        expect(sorted).toEqual(walk(roots));
        // and the path range of a top-level number holds exactly that comment and its replies
        for (const root of roots) {
          const number = rootOrdinal(root.path);
          const { fromPath, beforePath } = pathRangeOfNumbers({ first: number, last: number });
          expect(sorted.filter((p) => p >= fromPath && p < beforePath)).toEqual(walk([root]));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('sorts the same in a locale collation as in byte order', () => {
    const paths = ['000001', '00000a', '000001000001', '000002', '00000z000001', '000010'];
    const bytes = [...paths].sort();
    const locale = [...paths].sort(new Intl.Collator('en-GB').compare);
    expect(locale).toEqual(bytes);
  });
});

describe('effectiveParent', () => {
  const chain: TreeNode[] = [1, 2, 3, 4, 5].map((depth) => ({
    id: `d${depth}`,
    path: 'x'.repeat(depth * 6),
    depth,
  }));
  const at = (depth: number): TreeNode => chain[depth - 1] as TreeNode;

  it('keeps a reply under its parent when it fits', () => {
    expect(effectiveParent(at(3), chain.slice(0, 2), 5).id).toBe('d3');
  });

  it('attaches a too-deep reply to the deepest allowed ancestor, as WordPress does', () => {
    expect(effectiveParent(at(5), chain.slice(0, 4), 5).id).toBe('d4');
    expect(effectiveParent(at(5), chain.slice(0, 4), 3).id).toBe('d2');
  });
});

describe('rules', () => {
  const settings = DEFAULT_DISCUSSION_SETTINGS;

  it('shows approved comments and removed placeholders only', () => {
    expect(isPublicStatus('approved')).toBe(true);
    expect(isPublicStatus('deleted')).toBe(true);
    for (const status of ['pending', 'rejected', 'spam'] as const)
      expect(isPublicStatus(status)).toBe(false);
  });

  it('lets authors edit for 15 minutes', () => {
    const created = new Date('2026-01-01T10:00:00Z');
    expect(withinEditWindow(created, new Date('2026-01-01T10:15:00Z'), settings)).toBe(true);
    expect(withinEditWindow(created, new Date('2026-01-01T10:15:01Z'), settings)).toBe(false);
  });

  it('lets an edit hide a public comment but never show a hidden one', () => {
    expect(statusAfterEdit('approved', 'pending')).toBe('pending');
    expect(statusAfterEdit('approved', 'approved')).toBe('approved');
    expect(statusAfterEdit('pending', 'approved')).toBe('pending');
    expect(statusAfterEdit('spam', 'pending')).toBe('spam');
  });

  it('refuses empty new comments but not empty imported ones', () => {
    expect(bodyProblem('  \n ', settings, 'local')?.code).toBe('body-empty');
    for (const blank of ['\u200b', '---', '> ', '** **', '\u3164'])
      expect(bodyProblem(blank, settings, 'local')?.code).toBe('body-empty');
    expect(bodyProblem('---', settings, 'import')).toBeUndefined();
    expect(bodyProblem('', settings, 'import')).toBeUndefined();
  });

  it('states the limit when a body is too long', () => {
    expect(bodyProblem('x'.repeat(10_001), settings, 'local')?.message).toBe(
      'The comment is 10,001 characters long; the limit is 10,000.',
    );
  });

  it('refuses control characters and broken Unicode, and accepts emoji and accents', () => {
    expect(bodyProblem('bell \u0007', settings, 'local')?.code).toBe('body-invalid');
    expect(bodyProblem('half \ud83d a pair', settings, 'local')?.code).toBe('body-invalid');
    expect(bodyProblem('Zürich 👍 — “quoted”\ttab\r\nline', settings, 'local')).toBeUndefined();
  });
});

describe('page addresses for embedded threads', () => {
  it('files a page under one address whatever the case, default port or fragment', () => {
    const same = [
      'https://example.org/essay?id=7',
      'HTTPS://Example.ORG/essay?id=7',
      'https://example.org:443/essay?id=7',
      'https://example.org/essay?id=7#comments',
      '  https://example.org/essay?id=7#  ',
      'https://reader:secret@example.org/essay?id=7',
    ];
    for (const input of same)
      expect(normalisePageUrl(input)).toBe('https://example.org/essay?id=7');
    expect(normalisePageUrl('http://example.org:80')).toBe('http://example.org/');
    expect(normalisePageUrl('http://example.org/page?')).toBe('http://example.org/page');
  });

  it('keeps what tells pages apart: path case, query, other ports, scheme', () => {
    expect(normalisePageUrl('https://example.org/Essay')).toBe('https://example.org/Essay');
    expect(normalisePageUrl('https://example.org/essay?id=8')).toBe(
      'https://example.org/essay?id=8',
    );
    expect(normalisePageUrl('https://example.org:8443/essay')).toBe(
      'https://example.org:8443/essay',
    );
    expect(normalisePageUrl('http://example.org/essay')).not.toBe(
      normalisePageUrl('https://example.org/essay'),
    );
  });

  it('refuses what is not an absolute web address', () => {
    for (const input of ['', '/essay', 'example.org/essay', 'javascript:alert(1)', 'ftp://x/y'])
      expect(normalisePageUrl(input)).toBeUndefined();
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.webUrl({ withFragments: true, withQueryParameters: true }), (url) => {
        const once = normalisePageUrl(url);
        expect(once).toBeDefined();
        expect(normalisePageUrl(once ?? '')).toBe(once);
      }),
    );
  });
});
