// Seeds a benchmark thread through the real services of the built server, before the server
// starts: `node dist/bench/seed.js '<options as JSON>'`, run by seed-process.ts with the
// server's environment (DATA_DIR, SECRET…). It publishes a statement by a member, posts the
// planned comments one by one with `postComment` (origin `local`, each its own transaction, as
// the API does), closes the database, and prints a SeededThread as one JSON line on stdout.
import { accountsContext, closeRuntime, createRuntime, statementsContext } from '../src/runtime.js';
import type { Runtime } from '../src/runtime.js';
import { addMember, ensureSite } from '../src/accounts/service.js';
import { postComment } from '../src/discussion/service.js';
import { loadConfig } from '../src/platform/config.js';
import { keyedHash } from '../src/platform/ids.js';
import { createLogger } from '../src/platform/logger.js';
import { publishStatement } from '../src/statements/service.js';
import { DEFAULT_PLAN, planThread, SEED_AUTHORS, statementBody } from './seed-content.js';

/** What to seed: a statement with a thread of `comments` comments. */
export interface SeedOptions {
  title: string;
  comments: number;
  /** The random seed of the content; the same seed gives the same thread. */
  seed?: number;
}

/** What was seeded, for the scenario's requests and the report. */
export interface SeededThread {
  statementId: string;
  slug: string;
  threadId: string;
  comments: number;
  topLevel: number;
  maxDepth: number;
  /** Time spent posting the comments, statement and set-up excluded. */
  seconds: number;
}

const STATEMENT_AUTHOR = { name: 'Jo Ellis', email: 'jo.ellis@example.org' };

async function seedThread(runtime: Runtime, options: SeedOptions): Promise<SeededThread> {
  const accounts = accountsContext(runtime);
  const site = await ensureSite(accounts, { name: 'Broadside' });
  const seed = options.seed ?? DEFAULT_PLAN.seed;
  // A member wrote the statement, so their comments carry the "author" badge, as on a real site.
  const { member } = await addMember(accounts, {
    siteId: site.id,
    email: STATEMENT_AUTHOR.email.replace('@', `+${seed}-${options.comments}@`),
    displayName: STATEMENT_AUTHOR.name,
    role: 'author',
  });
  const statements = statementsContext(runtime);
  const { statement, thread } = await publishStatement(statements, {
    siteId: site.id,
    title: options.title,
    subtitle: `A benchmark thread of ${options.comments.toLocaleString('en')} comments`,
    body: statementBody(seed),
    authorName: member.displayName,
    authorAccountId: member.id,
  });

  const plan = planThread({ ...DEFAULT_PLAN, seed, comments: options.comments });
  const ids: string[] = [];
  const started = process.hrtime.bigint();
  for (const [index, planned] of plan.entries()) {
    const author =
      planned.author === 'statement-author'
        ? { accountId: member.id, name: member.displayName, email: member.email }
        : (SEED_AUTHORS[planned.author] ?? { name: 'anon' });
    const { comment } = await postComment(statements.discussion, {
      threadId: thread.id,
      parentId: planned.parent === undefined ? undefined : ids[planned.parent],
      author,
      body: planned.body,
      origin: 'local',
      ipHash: keyedHash(runtime.secret, `192.0.2.${index % 200}`),
    });
    ids.push(comment.id);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  return {
    statementId: statement.id,
    slug: statement.slug,
    threadId: thread.id,
    comments: plan.length,
    topLevel: plan.filter((planned) => planned.depth === 1).length,
    maxDepth: Math.max(0, ...plan.map((planned) => planned.depth)),
    seconds,
  };
}

function parseOptions(text: string | undefined): SeedOptions {
  const parsed = JSON.parse(text ?? 'null') as Partial<SeedOptions> | null;
  if (
    typeof parsed?.title !== 'string' ||
    typeof parsed.comments !== 'number' ||
    !Number.isInteger(parsed.comments) ||
    parsed.comments < 0
  ) {
    throw new Error(`usage: node seed.js '{"title": "…", "comments": 1000}' (got ${text})`);
  }
  return { title: parsed.title, comments: parsed.comments, seed: parsed.seed };
}

const options = parseOptions(process.argv[2]);
const runtime = await createRuntime(loadConfig(process.env), { logger: createLogger('warn') });
try {
  const seeded = await seedThread(runtime, options);
  process.stdout.write(`${JSON.stringify(seeded)}\n`);
} finally {
  // The server must open a database this process has closed (and checkpointed).
  await closeRuntime(runtime);
}
