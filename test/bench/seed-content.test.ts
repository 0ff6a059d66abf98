// The made-up threads the benchmarks seed: the shape the scenarios promise, the same every run.
import { describe, expect, it } from 'vitest';
import { commentBody, DEFAULT_PLAN, planThread, Random } from '../../bench/seed-content.js';
import { renderMarkdown } from '../../src/discussion/markdown.js';

describe('planThread', () => {
  const plan = planThread({ ...DEFAULT_PLAN, comments: 2_000 });

  it('makes about 30% of the comments top-level and nests replies at most 4 deep', () => {
    const topLevel = plan.filter((comment) => comment.depth === 1).length;
    expect(topLevel / plan.length).toBeGreaterThan(0.27);
    expect(topLevel / plan.length).toBeLessThan(0.36);
    expect(Math.max(...plan.map((comment) => comment.depth))).toBe(4);
  });

  it('only replies to earlier comments, one level below them', () => {
    plan.forEach((comment, index) => {
      if (comment.parent === undefined) return expect(comment.depth).toBe(1);
      expect(comment.parent).toBeLessThan(index);
      expect(comment.depth).toBe((plan[comment.parent]?.depth ?? 0) + 1);
    });
  });

  it('gives some comments to the statement’s author and the rest to several others', () => {
    const byAuthor = plan.filter((comment) => comment.author === 'statement-author').length;
    expect(byAuthor).toBeGreaterThan(0);
    expect(byAuthor / plan.length).toBeLessThan(0.1);
    expect(new Set(plan.map((comment) => comment.author)).size).toBeGreaterThan(5);
  });

  it('is the same on every run', () => {
    expect(planThread({ ...DEFAULT_PLAN, comments: 2_000 })).toEqual(plan);
  });
});

describe('commentBody', () => {
  it('writes 100 to 800 characters of Markdown with emphasis, links and quotations', () => {
    const random = new Random(7);
    const bodies = Array.from({ length: 500 }, () => commentBody(random));
    for (const body of bodies) {
      expect(body.length).toBeGreaterThanOrEqual(100);
      expect(body.length).toBeLessThanOrEqual(800);
    }
    const html = bodies.map((body) => renderMarkdown(body));
    expect(html.some((text) => text.includes('<em>'))).toBe(true);
    expect(html.some((text) => text.includes('<strong>'))).toBe(true);
    expect(html.some((text) => text.includes('<a href="https://'))).toBe(true);
    expect(html.some((text) => text.includes('<figcaption>'))).toBe(true);
    expect(html.some((text) => text.includes('<blockquote>') && !text.includes('<figure'))).toBe(
      true,
    );
  });
});
