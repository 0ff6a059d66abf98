/**
 * Made-up but realistic discussion content for benchmark threads, the same on every run: a
 * seeded random sequence decides who writes what, where each reply goes and how long it is.
 * Pure: no I/O, no clock.
 */

/** A deterministic pseudo-random sequence (mulberry32): `next()` is uniform in [0, 1). */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number from `min` to `max`, both included. */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

/** Someone who comments anonymously (a name, maybe an e-mail and a website). */
export interface SeedAuthor {
  name: string;
  email?: string;
  url?: string;
}

/** The commenters of a benchmark thread; the statement's author is added by the seeder. */
export const SEED_AUTHORS: readonly SeedAuthor[] = [
  { name: 'Ruth Okafor', email: 'ruth@example.org' },
  { name: 'Tomasz Wójcik', url: 'https://tomasz.example.net/' },
  { name: 'Comrade Matt' },
  { name: 'Helen Price', email: 'helen.price@example.com', url: 'https://helenprice.example.com' },
  { name: 'Aidan Murphy' },
  { name: 'Sofía Martínez', email: 'sofia@example.org' },
  { name: 'Graham' },
  { name: 'Priya Natarajan', url: 'https://priya.example.org/blog' },
  { name: 'Dave from Leeds' },
  { name: 'Marguerite Léger', email: 'mleger@example.fr' },
  { name: 'Jonas Berg' },
  { name: 'anon' },
];

const WORDS = (
  'the statement says nothing about who pays for this and that is the point I keep coming back ' +
  'to because solidarity means more than words on a page we have seen this before in every ' +
  'campaign since the strike the branch voted for it but nobody asked the members what they ' +
  'think of the wording which matters more than people admit a union is its members not its ' +
  'officers and a party is its branches not its press office I agree with most of it yet the ' +
  'third paragraph reads like an apology when it should be a demand the council will not move ' +
  'unless we make it move housing wages and the right to organise are one fight not three ' +
  'history will judge this fairly if we are honest now the evidence is clear enough for anyone ' +
  'who reads the reports instead of the headlines'
).split(' ');

const SOURCES = [
  'Ian McEwan, 14 November 2015',
  'Rosa Luxemburg, 1918',
  'the branch minutes, March 2016',
  'George Orwell, 1946',
  'a reader on Facebook',
];

const LINKS = [
  'https://www.example.org/reports/2015/housing',
  'https://news.example.com/politics/2016/03/strike-ballot',
  'https://en.wikipedia.org/wiki/General_strike',
  'https://archive.example.net/minutes/branch-42',
];

function sentence(random: Random): string {
  const length = random.between(6, 18);
  const start = random.between(0, WORDS.length - length);
  const words = WORDS.slice(start, start + length);
  // Mark up one word in six sentences of ten: emphasis, strong, or a link.
  if (random.chance(0.6)) {
    const at = random.between(0, words.length - 1);
    const word = words[at] ?? 'this';
    const roll = random.next();
    words[at] =
      roll < 0.4
        ? `*${word}*`
        : roll < 0.7
          ? `**${word}**`
          : roll < 0.9
            ? `[${word}](${random.pick(LINKS)})`
            : `${word} (see ${random.pick(LINKS)})`;
  }
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${random.pick(['.', '.', '.', '?', '!'])}`;
}

function paragraph(random: Random, targetLength: number): string {
  const sentences: string[] = [];
  let length = 0;
  while (length < targetLength) {
    const next = sentence(random);
    sentences.push(next);
    length += next.length + 1;
  }
  return sentences.join(' ');
}

/**
 * A comment body of Markdown, between `minLength` and `maxLength` characters: one to three
 * paragraphs with emphasis and links, and in one comment of five a quotation, attributed
 * ("> …" then "— Name, date") two times in three.
 */
export function commentBody(random: Random, minLength = 100, maxLength = 800): string {
  const target = random.between(minLength, maxLength);
  const blocks: string[] = [];
  let length = 0;
  if (random.chance(0.2) && target > 200) {
    const quote = `> ${paragraph(random, Math.min(160, target / 3))}`;
    blocks.push(random.chance(2 / 3) ? `${quote}\n\n— ${random.pick(SOURCES)}` : quote);
    length += blocks[0]?.length ?? 0;
  }
  while (length < target) {
    const remaining = target - length;
    const next = paragraph(random, Math.min(remaining, random.between(80, 300)));
    blocks.push(next);
    length += next.length + 2;
  }
  let body = blocks.join('\n\n');
  if (body.length > maxLength) {
    // Cut at a word boundary, never inside a link or an emphasis marker.
    body = body.slice(0, maxLength);
    body = body.slice(0, Math.max(body.lastIndexOf(' '), minLength)).replace(/[\s*[(]+$/, '');
    body = balanceMarkup(body);
  }
  return body.length >= minLength ? body : body.padEnd(minLength, ' and so on').slice(0, maxLength);
}

/** Drops a trailing unfinished link or emphasis left by cutting a body short. */
function balanceMarkup(text: string): string {
  const openLink = text.lastIndexOf('[');
  if (openLink > text.lastIndexOf(')')) text = text.slice(0, openLink).trimEnd();
  const stars = (text.match(/\*/g) ?? []).length;
  if (stars % 2 === 1) text = text.replace(/\*+(?=[^*]*$)/, '');
  return text;
}

/** Where a comment goes and who writes it. `parent` indexes an earlier comment of the plan. */
export interface PlannedComment {
  parent: number | undefined;
  depth: number;
  /** An index into {@link SEED_AUTHORS}, or `'statement-author'`. */
  author: number | 'statement-author';
  body: string;
}

export interface PlanOptions {
  comments: number;
  /** Share of top-level comments. */
  topLevelShare: number;
  /** Deepest comment depth (top-level comments are depth 1). */
  maxDepth: number;
  /** Share of comments written by the statement's author. */
  statementAuthorShare: number;
  seed: number;
}

export const DEFAULT_PLAN: Omit<PlanOptions, 'comments'> = {
  topLevelShare: 0.3,
  maxDepth: 4,
  statementAuthorShare: 0.05,
  seed: 20151114,
};

/**
 * The shape of a thread, in posting order. Replies mostly answer recent comments, as in a live
 * discussion, so reply chains form under the newest top-level comments and sometimes deep.
 */
export function planThread(options: PlanOptions): PlannedComment[] {
  const random = new Random(options.seed);
  const plan: PlannedComment[] = [];
  for (let i = 0; i < options.comments; i++) {
    const author: PlannedComment['author'] = random.chance(options.statementAuthorShare)
      ? 'statement-author'
      : random.between(0, SEED_AUTHORS.length - 1);
    const body = commentBody(random);
    if (i === 0 || random.chance(options.topLevelShare)) {
      plan.push({ parent: undefined, depth: 1, author, body });
      continue;
    }
    // One of the last 40 comments that can still take a reply, preferring the newest.
    let parent: number | undefined;
    for (let attempt = 0; attempt < 8 && parent === undefined; attempt++) {
      const back = Math.floor(random.next() ** 2 * Math.min(40, i)) + 1;
      const candidate = i - back;
      if ((plan[candidate]?.depth ?? options.maxDepth) < options.maxDepth) parent = candidate;
    }
    if (parent === undefined) {
      plan.push({ parent: undefined, depth: 1, author, body });
      continue;
    }
    plan.push({ parent, depth: (plan[parent]?.depth ?? 0) + 1, author, body });
  }
  return plan;
}

/** A statement's body: a few paragraphs of Markdown with headings, about 3,000 characters. */
export function statementBody(seed: number): string {
  const random = new Random(seed ^ 0x5eed);
  return [
    paragraph(random, 400),
    '## What we ask',
    paragraph(random, 600),
    paragraph(random, 500),
    '## Why now',
    paragraph(random, 700),
    `> ${paragraph(random, 200)}\n\n— ${random.pick(SOURCES)}`,
    paragraph(random, 500),
  ].join('\n\n');
}
