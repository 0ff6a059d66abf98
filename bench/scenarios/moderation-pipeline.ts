/**
 * The moderation pipeline's throughput: comments judged per second on one core (the main thread
 * of the bench process; no server, no database), with the shipped term lists, on a realistic
 * mix — the sample thread's comments, generated political argument of every length, abuse
 * disguised with l33t, spacing, repeated, look-alike and invisible letters, comments with many
 * links (some to blocked domains) — and authors' histories drawn from a small pool. The
 * baseline, measured in the same run over the same comments, is one trivial pass over each
 * text (lower-casing it). The term matcher and the link scan are also measured alone, so a
 * slowdown can be placed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTextThread } from '../../src/interchange/text-thread.js';
import type { TextComment } from '../../src/interchange/text-thread.js';
import { scanLinks } from '../../src/moderation/links.js';
import type { AuthorHistory, CommentUnderReview, Decision } from '../../src/moderation/model.js';
import { DEFAULT_MODERATION_SETTINGS, NO_HISTORY } from '../../src/moderation/model.js';
import { runPipeline } from '../../src/moderation/pipeline.js';
import { compileRules } from '../../src/moderation/rules.js';
import {
  DEFAULT_BLOCKED_TERMS,
  DEFAULT_SUSPECT_TERMS,
  parseTermList,
} from '../../src/moderation/terms.js';
import type { Scenario } from '../scenario.js';
import { commentBody, Random } from '../seed-content.js';
import { measureThroughput } from '../throughput.js';
import type { ThroughputResult, ThroughputSettings } from '../throughput.js';

/** Distinct comments judged in turn (enough that no cache of the last few could help). */
export const MIX_SIZE = 2_000;

const BLOCKED_DOMAINS = [
  'casino-bonus.example',
  'cheap-pills.example',
  'crypto-double.example',
  'replica-watches.example',
  'xn--80ak6aa92e.com',
  'loan-now.example',
  'fake-news-daily.example',
  'seo-links.example',
];

const SENTENCES = [
  'Refugees seeking asylum do not share the blame for this massacre.',
  'The backlash will provoke anti-refugee feeling and attacks on civil liberties.',
  'Not all Middle Eastern people are Muslims; most Muslims are not Islamists.',
  'The Kurdish forces are fighting ISIS on the ground in Syria and Iraq.',
  'Jews were killed in a kosher supermarket, and the left said nothing.',
  'Stop the War has nothing to say about Assad or the Yazidi women.',
  'The labour movement is the only force that can remake the world.',
];

const LOOK_ALIKE: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', i: 'і' };
const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };

/** The words of the shipped lists, without list syntax: what abusers spell out in disguise. */
function shippedTerms(): string[] {
  return [...parseTermList(DEFAULT_BLOCKED_TERMS), ...parseTermList(DEFAULT_SUSPECT_TERMS)]
    .map((entry) => entry.term)
    .filter((term) => !term.startsWith('!'))
    .map((term) => term.replace(/^~|\*$/g, ''));
}

/** A term written to get past a naive filter. */
function disguise(term: string, random: Random): string {
  const letters = [...term];
  switch (random.between(0, 5)) {
    case 0:
      return letters.map((c) => LEET[c] ?? c).join('');
    case 1:
      return letters.join(' ');
    case 2:
      return letters.map((c) => (random.chance(0.4) ? c.repeat(3) : c)).join('');
    case 3:
      return letters.map((c) => LOOK_ALIKE[c] ?? c).join('');
    case 4:
      return letters.join('\u200b');
    default:
      return letters.join('.').toUpperCase();
  }
}

/** The repository root: the nearest directory above this file holding a package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

function sampleThreadComments(): string[] {
  const file = join(repoRoot(), 'demo', 'paris-statement-with-comments.txt');
  const bodies: string[] = [];
  const walk = (comments: TextComment[]) => {
    for (const comment of comments) {
      if (comment.body.trim() !== '') bodies.push(comment.body);
      walk(comment.replies);
    }
  };
  walk(parseTextThread(readFileSync(file, 'utf8')).comments);
  return bodies;
}

/** The pool authors' histories are drawn from: mostly regulars, some newcomers and worse. */
const HISTORIES: readonly AuthorHistory[] = [
  { ...NO_HISTORY, approved: 12, emailVerified: true },
  { ...NO_HISTORY, approved: 3, emailVerified: true, lastMinuteByAddress: 1 },
  { ...NO_HISTORY, approved: 40, rejected: 2, emailVerified: true },
  { ...NO_HISTORY },
  { ...NO_HISTORY, approved: 1, emailVerified: false },
  {
    ...NO_HISTORY,
    approved: 5,
    emailVerified: true,
    lastMinuteByAuthor: 6,
    lastMinuteByAddress: 6,
  },
  { ...NO_HISTORY, approved: 2, emailVerified: true, sameBodyBefore: true },
  { ...NO_HISTORY, approved: 7, emailVerified: true, lastMinuteByAuthor: 2 },
];

export interface MixSummary {
  comments: CommentUnderReview[];
  kinds: Record<string, number>;
}

/** The same realistic mix of comments on every run. */
export function buildMix(size = MIX_SIZE, seed = 4): MixSummary {
  const random = new Random(seed);
  const sample = sampleThreadComments();
  const terms = shippedTerms();
  const kinds: Record<string, number> = {};
  const now = new Date('2026-11-24T12:00:00Z');
  const comments: CommentUnderReview[] = [];
  for (let i = 0; i < size; i++) {
    const roll = random.next();
    let kind: string;
    let body: string;
    if (roll < 0.25) {
      kind = 'sample thread';
      body = random.pick(sample);
    } else if (roll < 0.65) {
      kind = 'generated argument';
      body = commentBody(random, 60, 1500);
    } else if (roll < 0.8) {
      kind = 'one-liner';
      body = random.pick(SENTENCES);
    } else if (roll < 0.9) {
      kind = 'disguised abuse';
      body = `${random.pick(SENTENCES)} ${disguise(random.pick(terms), random)}, all of them. ${random.pick(SENTENCES)}`;
    } else {
      kind = 'many links';
      const links = Array.from({ length: random.between(1, 5) }, (_, k) =>
        random.chance(0.3)
          ? `https://www.${random.pick(BLOCKED_DOMAINS)}/offer/${k}`
          : `https://news${k}.example.org/2015/11/${random.between(1, 30)}/paris`,
      );
      body = `${random.pick(SENTENCES)} See ${links.join(' and ')} — [the statement](https://example.org/s/paris).`;
    }
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    comments.push({
      siteId: 'bench',
      threadId: 'paris',
      body,
      authorName: `Commenter ${random.between(1, 40)}`,
      authorEmail: random.chance(0.6) ? `c${random.between(1, 40)}@example.org` : undefined,
      authorAccountId: random.chance(0.1) ? `account-${random.between(1, 5)}` : undefined,
      ipHash: `address-${random.between(1, 60)}`,
      threadStatus: 'open',
      origin: 'local',
      history: random.pick(HISTORIES),
      now,
    });
  }
  return { comments, kinds };
}

/** The compiled rules the benchmark judges with: the shipped lists and a domain block list. */
export function benchRules() {
  return compileRules({
    ...DEFAULT_MODERATION_SETTINGS,
    blockedDomains: BLOCKED_DOMAINS.join('\n'),
  });
}

function measure(settings: ThroughputSettings): ThroughputResult[] {
  const { comments, kinds } = buildMix();
  const rules = benchRules();
  const n = comments.length;

  const decisions: Record<Decision, number> = { approve: 0, hold: 0, reject: 0, spam: 0 };
  let characters = 0;
  for (const comment of comments) {
    decisions[runPipeline({ comment, rules, ban: undefined, classifier: undefined }).decision]++;
    characters += comment.body.length;
  }

  // Results are summed into `sink` so that no work can be optimised away.
  let sink = 0;
  const baseline = (i: number): void => {
    sink += (comments[i % n]?.body ?? '').toLowerCase().length;
  };
  const judged = (i: number): void => {
    const comment = comments[i % n] as CommentUnderReview;
    // A fresh context each time: the pipeline caches term and link scans per context.
    sink += runPipeline({ comment, rules, ban: undefined, classifier: undefined }).reasons.length;
  };
  const matched = (i: number): void => {
    sink += rules.terms.match(comments[i % n]?.body ?? '').suspect.length;
  };
  const scanned = (i: number): void => {
    sink += scanLinks(comments[i % n]?.body ?? '').links.length;
  };

  const notes = {
    comments: n,
    averageCharacters: Math.round(characters / n),
    ...Object.fromEntries(Object.entries(kinds).map(([kind, count]) => [`mix: ${kind}`, count])),
    ...Object.fromEntries(
      Object.entries(decisions).map(([decision, count]) => [`decided: ${decision}`, count]),
    ),
  };
  const row = (label: string, work: (i: number) => void, share: number): ThroughputResult => {
    const result = measureThroughput(
      {
        durationSeconds: settings.durationSeconds * share,
        warmupSeconds: settings.warmupSeconds * share,
      },
      work,
      baseline,
    );
    return {
      scenario: 'moderation-pipeline',
      label,
      unit: 'comments',
      perSecond: result.perSecond,
      wallPerSecond: result.wallPerSecond,
      baselinePerSecond: result.baselinePerSecond,
      ratioPercent: (result.perSecond / result.baselinePerSecond) * 100,
      baseline: 'lower-casing each text',
      items: result.items,
      seconds: result.seconds,
      notes: { ...notes, checksum: sink % 997 },
    };
  };
  return [
    row('whole pipeline, shipped lists', judged, 0.5),
    row('term matcher alone', matched, 0.25),
    row('link scan alone', scanned, 0.25),
  ];
}

export const moderationPipelineScenario: Scenario = {
  name: 'moderation-pipeline',
  requests: [],
  throughput: measure,
};
