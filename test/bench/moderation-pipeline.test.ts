// The moderation pipeline's benchmark: the mix it promises, the same every run, and a measurement
// that reports what it measured (never how fast: no timed assertions).
import { describe, expect, it } from 'vitest';
import {
  benchRules,
  buildMix,
  moderationPipelineScenario,
} from '../../bench/scenarios/moderation-pipeline.js';
import { formatThroughputTable } from '../../bench/throughput.js';
import { scanLinks } from '../../src/moderation/links.js';
import { runPipeline } from '../../src/moderation/pipeline.js';

describe('the moderation benchmark mix', () => {
  const { comments, kinds } = buildMix(1_000);
  const rules = benchRules();
  const verdicts = comments.map((comment) =>
    runPipeline({ comment, rules, ban: undefined, classifier: undefined }),
  );

  it('is the same on every run', () => {
    expect(buildMix(1_000).comments).toEqual(comments);
  });

  it('mixes the sample thread, generated argument, one-liners, disguised abuse and links', () => {
    expect(Object.keys(kinds).sort()).toEqual([
      'disguised abuse',
      'generated argument',
      'many links',
      'one-liner',
      'sample thread',
    ]);
    expect(kinds['sample thread']).toBeGreaterThan(150);
    const lengths = comments.map((comment) => comment.body.length);
    expect(Math.min(...lengths)).toBeLessThan(100);
    expect(Math.max(...lengths)).toBeGreaterThan(1_000);
    expect(
      comments.filter((comment) => scanLinks(comment.body).links.length > 2).length,
    ).toBeGreaterThan(20);
  });

  it('gives the pipeline work of every kind: approvals, holds and rejections', () => {
    const count = (decision: string) => verdicts.filter((v) => v.decision === decision).length;
    expect(count('approve')).toBeGreaterThan(300);
    expect(count('hold')).toBeGreaterThan(50);
    expect(count('reject')).toBeGreaterThan(50);
    const codes = new Set(
      verdicts.flatMap((verdict) => verdict.reasons.map((reason) => reason.code)),
    );
    for (const code of [
      'blocked-term',
      'suspect-term',
      'blocked-domain',
      'too-many-links',
      'duplicate',
      'flood',
    ]) {
      expect(codes).toContain(code);
    }
  });

  it('disguises abuse that the matcher still finds', () => {
    const disguised = comments.filter((comment) => comment.body.includes(', all of them.'));
    expect(disguised.length).toBeGreaterThan(50);
    // The matcher, not the verdict: a duplicate is rejected before its terms are looked at.
    const caught = disguised.filter((comment) => {
      const found = rules.terms.match(comment.body);
      return found.blocked.length + found.suspect.length > 0;
    });
    expect(caught.length / disguised.length).toBeGreaterThan(0.9);
  });
});

describe('the measurement', () => {
  it('reports each row beside its baseline', async () => {
    const results = await moderationPipelineScenario.throughput?.({
      durationSeconds: 0.2,
      warmupSeconds: 0,
    });
    expect(results?.map((result) => result.label)).toEqual([
      'whole pipeline, shipped lists',
      'term matcher alone',
      'link scan alone',
    ]);
    for (const result of results ?? []) {
      expect(result.items).toBeGreaterThan(0);
      expect(result.perSecond).toBeGreaterThan(0);
      expect(result.baselinePerSecond).toBeGreaterThan(0);
      expect(result.ratioPercent).toBeCloseTo((result.perSecond / result.baselinePerSecond) * 100);
      expect(result.notes).toMatchObject({ comments: 2_000 });
    }
    const table = formatThroughputTable(results ?? []);
    expect(table.split('\n')).toHaveLength(5);
    expect(table).toContain('moderation-pipeline  whole pipeline, shipped lists');
  });
});
