/**
 * Imports a Disqus export. Threads are pages: a thread whose address is a statement's page on this
 * site (`<BASE_URL>/s/<slug>`, http or https) joins that statement's discussion; any other becomes
 * the discussion of that external page, as the embed files it (`normalisePageUrl`). Threads that
 * name the same page share one discussion.
 *
 * The file is read twice over: first into a scratch file (see `disqus-spool.ts`), since Disqus
 * lists posts in no useful order, then back from it sorted — per discussion, in date order, every
 * reply after the post it answers — and written in batches. So top-level comments are numbered by
 * date, an interrupted import placed a prefix of that order and, run again, goes on exactly where
 * it stopped.
 *
 * Statuses: spam (`isSpam`) is spam, deleted (`isDeleted`) a "comment removed" placeholder that
 * keeps its replies, anything else approved. Posts are known by `disqus:<post id>` within their
 * discussion, so importing again creates nothing.
 */
import type { ImportedComment } from '../discussion/bulk-import.js';
import { findOrCreatePageThread } from '../discussion/bulk-import.js';
import type { AccountsDb } from '../accounts/store.js';
import { findSite } from '../accounts/store.js';
import { embedKeepsQuery, embedOriginsOf } from '../discussion/embed-model.js';
import { getThreadOfStatement } from '../discussion/service.js';
import { findThreadByUrl } from '../discussion/store.js';
import type { DiscussionDb } from '../discussion/store.js';
import { findStatementBySlug } from '../statements/service.js';
import type { DisqusPost } from './disqus-reader.js';
import { threadPageUrl } from './disqus-reader.js';
import { readExport } from './read-export.js';
import type { PlacedPost } from './disqus-spool.js';
import { Spool } from './disqus-spool.js';
import type { ImportContext, ImportInput, ImportOptions, ImportReport } from './import-engine.js';
import { addressKeyOf, ImportSession, ImportStopped } from './import-engine.js';
import type { Position } from './xml-stream.js';
import { ImportFileError } from './xml-stream.js';

/**
 * The slug of a statement page of this site that `url` is, if it is one: `<base>/s/<slug>`, on the
 * base's host (either scheme: old Disqus threads often kept http://), any query ignored.
 */
export function statementSlugOf(url: URL, base: URL): string | undefined {
  if (url.host !== base.host || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    return undefined;
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  if (!url.pathname.startsWith(basePath)) return undefined;
  return /^s\/([a-z0-9]+(?:-[a-z0-9]+)*)\/?$/.exec(url.pathname.slice(basePath.length))?.[1];
}

/** Where a thread's posts go: decided once per thread, before any post is written. */
type Target =
  | { kind: 'thread'; threadId: string }
  | { kind: 'page'; url: string; title: string; closed: boolean; threadId?: string }
  | { kind: 'skip'; reason: string }
  | { kind: 'failed' };

const TARGET_PREFIX = { thread: 't:', page: 'p:', skip: 's:', failed: 'f:' } as const;

/** Imports a Disqus export file; see the module's rules. Never throws for a bad file: reports. */
export async function importDisqus(
  ctx: ImportContext,
  input: ImportInput,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const session = new ImportSession(ctx, 'disqus', options);
  session.total = input.totalBytes;
  const spool = new Spool();
  try {
    await session.start();
    let stopped: { position: Position | undefined; message: string } | undefined;
    try {
      await readIntoSpool(ctx, input, spool, session);
    } catch (error) {
      if (!(error instanceof ImportFileError)) throw error;
      // What was read before the problem is imported; the report names where it stopped.
      stopped = { position: error.position, message: error.problem };
    }
    spool.finishReading();
    if (!session.stopRequested) {
      const targets = await resolveTargets(ctx, session, spool);
      await writePosts(ctx, session, spool, targets);
    }
    return await session.finish(stopped);
  } catch (error) {
    if (error instanceof ImportStopped) return session.finish(error.problem);
    await session.abandon();
    throw error;
  } finally {
    spool.close();
  }
}

async function readIntoSpool(
  ctx: ImportContext,
  input: ImportInput,
  spool: Spool,
  session: ImportSession,
): Promise<void> {
  const records = readExport('disqus', input.file, {
    addressKey: addressKeyOf(ctx),
    inWorker: input.inWorker,
    onBytes: (bytes) => (session.done = bytes),
  });
  for await (const record of records) {
    if (record.type === 'note') session.note(record.note, record.count);
    else if (record.type === 'thread') {
      const thread = record.thread;
      if (thread.id === '') session.fail('threads', thread.position, 'a thread without dsq:id');
      else if (!spool.addThread(thread)) session.skipped('threads', 'appears twice in the file');
    } else {
      const post = record.post;
      const createdAt = checkedPost(post, session);
      if (createdAt && !spool.addPost(post, createdAt))
        session.skipped('comments', 'appears twice in the file');
    }
    session.progress();
    if (session.stopRequested) return;
  }
}

/** The post's date, or undefined (reported) when the post cannot be imported at all. */
function checkedPost(post: DisqusPost, session: ImportSession): Date | undefined {
  const fail = (why: string) => {
    session.fail('comments', post.position, `post ${post.id || '(no dsq:id)'}: ${why}`);
    return undefined;
  };
  if (post.id === '') return fail('it has no dsq:id');
  if (post.threadId === '') return fail('it names no thread (<thread dsq:id="…"/>)');
  const createdAt = new Date(post.createdAt);
  if (post.createdAt === '' || Number.isNaN(createdAt.getTime()))
    return fail(`<createdAt> is “${post.createdAt}”, not a date`);
  return createdAt;
}

/** Decides where each thread's posts go, reading the site; nothing is written yet. */
async function resolveTargets(
  ctx: ImportContext,
  session: ImportSession,
  spool: Spool,
): Promise<Map<string, Target>> {
  const targets = new Map<string, Target>(); // by target key: one per discussion
  // Read through the session's transaction: SQLite has one connection, which the session holds.
  const statements = session.statementsIn(session.db);
  // Pages are filed as the embed files them, by the site's rules (see `threadPageUrl`).
  const settings = (await findSite(session.db as AccountsDb, ctx.siteId))?.settings ?? {};
  const rules = { keepQuery: embedKeepsQuery(settings), allowedOrigins: embedOriginsOf(settings) };
  for (const thread of spool.threads()) {
    let target: Target;
    const url = threadPageUrl(thread.link, rules);
    const slug = url === undefined ? undefined : statementSlugOf(new URL(url), ctx.baseUrl);
    const statement =
      slug === undefined
        ? undefined
        : await findStatementBySlug(statements, { siteId: ctx.siteId, slug });
    if (thread.posts === 0) {
      session.skipped('threads', 'no comments');
      continue;
    }
    if (thread.deleted) target = { kind: 'skip', reason: 'its thread is deleted in Disqus' };
    else if (url === undefined) {
      session.fail(
        'threads',
        thread.position,
        `thread ${thread.dsqId}: its <link> “${thread.link}” is not a web address (http or https); its ${thread.posts} posts are not imported`,
      );
      target = { kind: 'failed' };
    } else if (statement) {
      const statementThread = await getThreadOfStatement(statements.discussion, statement.id);
      target = { kind: 'thread', threadId: statementThread.id };
    } else {
      const existing = await findThreadByUrl(statements.discussion.db, ctx.siteId, url);
      target = {
        kind: 'page',
        url,
        title: thread.title || url,
        closed: thread.closed,
        threadId: existing?.id,
      };
    }
    const key = keyOf(target);
    if (targets.has(key)) {
      if (target.kind === 'thread' || target.kind === 'page')
        session.skipped('threads', 'same page as another thread of the file');
    } else {
      targets.set(key, target);
      tallyThread(session, target);
    }
    spool.setTarget(thread.dsqId, key);
  }
  return targets;
}

function keyOf(target: Target): string {
  switch (target.kind) {
    case 'thread':
      return TARGET_PREFIX.thread + target.threadId;
    case 'page':
      return TARGET_PREFIX.page + target.url;
    case 'skip':
      return TARGET_PREFIX.skip + target.reason;
    case 'failed':
      return TARGET_PREFIX.failed;
  }
}

function tallyThread(session: ImportSession, target: Target): void {
  if (target.kind === 'thread') session.skipped('threads', 'joined the discussion of a statement');
  else if (target.kind === 'page' && target.threadId !== undefined)
    session.skipped('threads', 'already there');
  else if (target.kind === 'skip') session.skipped('threads', 'deleted in Disqus');
  // A new page's thread is counted when its first post makes it.
}

async function writePosts(
  ctx: ImportContext,
  session: ImportSession,
  spool: Spool,
  targets: Map<string, Target>,
): Promise<void> {
  session.phase = 'writing';
  session.done = 0;
  session.total = spool.postCount();
  let last: string | undefined;
  for (const post of spool.placedPosts()) {
    session.done += 1;
    if (post.target !== last) await session.settle();
    last = post.target;
    const target = post.target === undefined ? undefined : targets.get(post.target);
    if (target === undefined) {
      session.fail(
        'comments',
        post.position,
        `post ${post.dsqId}: its thread (${post.threadDsqId}) is not in the file`,
      );
    }
    const threadId = target && (await threadOf(ctx, session, target, post));
    if (threadId !== undefined && post.data.oversized !== '') {
      // Refused here rather than when read, so that its replies can say why they are refused.
      session.commentUnavailable(threadId, `disqus:${post.dsqId}`, post.position);
      session.fail('comments', post.position, `post ${post.dsqId}: ${post.data.oversized}`);
    }
    if (threadId === undefined || post.data.oversized !== '') {
      await session.endOfRecord();
      if (session.stopRequested) return;
      continue;
    }
    session.queueComment(commentOf(post, threadId), {
      position: post.position,
      label: `post ${post.dsqId}`,
      missingParent: post.parentMissing
        ? `the post it replies to (${post.parentDsqId}) is not in the file`
        : post.parentThreadDsqId !== undefined && post.parentThreadDsqId !== post.threadDsqId
          ? `the post it replies to (${post.parentDsqId}) belongs to another thread (${post.parentThreadDsqId})`
          : undefined,
    });
    await session.endOfRecord();
    if (session.stopRequested) return;
  }
  for (const post of spool.looping()) {
    session.fail(
      'comments',
      post.position,
      `post ${post.dsqId}: the posts it replies to, followed up, loop back to it; it has no place in a tree`,
    );
  }
}

/** The discussion a post goes to (made for a new page on its first post), or undefined. */
async function threadOf(
  ctx: ImportContext,
  session: ImportSession,
  target: Target,
  post: PlacedPost,
): Promise<string | undefined> {
  switch (target.kind) {
    case 'thread':
      return target.threadId;
    case 'skip':
      session.skipped('comments', target.reason);
      return undefined;
    case 'failed':
      session.failedWith('comments', 1);
      return undefined;
    case 'page': {
      if (target.threadId !== undefined) return target.threadId;
      const made = await session.record('threads', post.position, `the page ${target.url}`, (db) =>
        findOrCreatePageThread(
          db as DiscussionDb,
          { ids: ctx.statements.ids, clock: ctx.statements.clock, settings: ctx.settings },
          { siteId: ctx.siteId, url: target.url, title: target.title, closed: target.closed },
        ),
      );
      if (!made) {
        Object.assign(target, { kind: 'failed' });
        session.failedWith('comments', 1);
        return undefined;
      }
      if (made.created) session.created('threads');
      target.threadId = made.threadId;
      return made.threadId;
    }
  }
}

function commentOf(post: PlacedPost, threadId: string): ImportedComment {
  const { data } = post;
  return {
    threadId,
    externalId: `disqus:${post.dsqId}`,
    parentExternalId: post.parentDsqId === undefined ? undefined : `disqus:${post.parentDsqId}`,
    author: { name: data.authorName || data.authorUsername, email: data.authorEmail },
    body: data.message,
    html: data.html,
    status: data.spam ? 'spam' : data.deleted ? 'deleted' : 'approved',
    kind: 'comment',
    ipHash: data.ipAddress || undefined,
    createdAt: post.createdAt,
  };
}
