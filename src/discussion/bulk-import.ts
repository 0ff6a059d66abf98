/**
 * Writing imported comments fast: thousands per transaction instead of one (`postComment` takes a
 * transaction, a moderation verdict and several queries per comment). The tree follows the same
 * rules as posting — materialised paths (`childPath`), top-level numbers and sibling ordinals taken
 * in turn, replies deeper than `maxDepth` attached to the deepest allowed ancestor
 * (`effectiveParent`) — and the thread's counts and version change once per batch.
 *
 * The order of the comments given is the order they are placed in: top-level comments are numbered
 * and siblings ordered as they come, and a reply must come after its parent (in this batch or an
 * earlier one). Importers sort by date. A comment whose external id the thread already has is
 * skipped, so running an import again creates nothing.
 *
 * Statuses are the source's own: no moderation verdict is asked for here (see the importer's
 * review hook). A comment imported as `deleted` keeps its place but not its words or its author's
 * address and website, as a removal does.
 */
import { isValidEmail, normaliseEmail } from '../accounts/model.js';
import type { Clock } from '../platform/clock.js';
import { inTransaction, locksRows } from '../platform/database/index.js';
import type { Ids } from '../platform/ids.js';
import { renderMarkdown } from './markdown.js';
import type { CommentKind, CommentStatus, DiscussionSettings } from './model.js';
import { bodyProblem, childPath, effectiveParent, hasNonText, SEGMENT_WIDTH } from './model.js';
import * as store from './store.js';
import type { CommentsTable, DiscussionDb, Reason, Thread } from './store.js';
import { CompiledQuery } from 'kysely';
import type { Insertable } from 'kysely';

export interface BulkImportContext {
  ids: Ids;
  clock: Clock;
  settings: DiscussionSettings;
}

export interface ImportedAuthor {
  name: string;
  email?: string;
  url?: string;
  /** A member's account, when the source knows the comment was theirs. */
  accountId?: string;
}

export interface ImportedComment {
  threadId: string;
  /** Unique within the thread, e.g. `wxr:123`; how a second import knows it is there. */
  externalId: string;
  parentExternalId?: string;
  author: ImportedAuthor;
  /** Markdown of our subset. */
  body: string;
  /**
   * `renderMarkdown(body)`, when the caller rendered it already (an import renders in the thread
   * that reads the file, while this one writes); rendered here when absent.
   */
  html?: string;
  status: CommentStatus;
  kind: CommentKind;
  /** A keyed hash of the poster's address; never the address itself. */
  ipHash?: string;
  createdAt: Date;
  /** Why moderation would look at it (the import's review); kept with the comment. */
  reasons?: Reason[];
  /** Whether the import's review flagged it for a moderator (its status stays as imported). */
  flagged?: boolean;
}

export type ImportOutcome =
  | { outcome: 'created'; commentId: string }
  | { outcome: 'skipped'; commentId: string }
  | { outcome: 'failed'; code: string; message: string };

export interface BatchResult {
  /** One per comment given, in the same order (fewer when `stopAtFailure` stopped it). */
  outcomes: ImportOutcome[];
  /** The threads changed, with their versions after the batch. */
  threads: { threadId: string; version: number }[];
  /** Authors' e-mails and websites left out of created comments as invalid (see tidyImportedAuthor). */
  dropped: { email: number; url: number };
}

/** Longest author name kept, as for posted comments. */
const NAME_MAX = 100;
const URL_MAX = 500;
/**
 * Rows per INSERT: 24 columns each stays far below both databases' limits on parameters, and the
 * text stays short enough for SQLite's connection to keep it prepared (platform/database).
 */
const INSERT_CHUNK = 100;
/** Values per `IN (…)` list. */
const LOOKUP_CHUNK = 2_000;

/**
 * An imported author as we keep one: the name trimmed (an empty one becomes "Anonymous", a long
 * one is cut), the e-mail lower-cased, and an e-mail or website that would be refused from a
 * commenter left out rather than failing the comment. `dropped` says what was left out.
 */
export function tidyImportedAuthor(author: ImportedAuthor): {
  author: ImportedAuthor;
  dropped: ('email' | 'url')[];
} {
  const dropped: ('email' | 'url')[] = [];
  let name = author.name.trim().replace(/\s+/g, ' ');
  if (hasNonText(name)) name = '';
  if (name.length > NAME_MAX) name = `${name.slice(0, NAME_MAX - 1).trimEnd()}…`;
  const email = author.email?.trim() ? normaliseEmail(author.email) : undefined;
  const keptEmail = email !== undefined && isValidEmail(email) ? email : undefined;
  if (email !== undefined && keptEmail === undefined) dropped.push('email');
  const given = author.url?.trim() || undefined;
  const url = given === undefined ? undefined : webAddress(given);
  if (given !== undefined && url === undefined) dropped.push('url');
  return {
    author: { name: name || 'Anonymous', email: keptEmail, url, accountId: author.accountId },
    dropped,
  };
}

function webAddress(given: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(given);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  if (parsed.username !== '' || parsed.password !== '') return undefined;
  return parsed.href.length > URL_MAX ? undefined : parsed.href;
}

/** A comment of the tree as placing needs it. */
interface Node {
  id: string;
  threadId: string;
  path: string;
  depth: number;
  replyCount: number;
  /** Stored before this batch: its reply count is written back if it changes. */
  stored: boolean;
  changed: boolean;
}

interface ThreadState {
  thread: Pick<Thread, 'id' | 'authorAccountId' | 'authorName'>;
  topLevelCount: number;
  publicDelta: number;
  touched: boolean;
}

const keyOf = (threadId: string, part: string) => `${threadId}\u0000${part}`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Places and stores a batch of imported comments in one transaction (the caller's, when `db` is
 * one). A comment that cannot be stored (its thread or parent is not there, its body is refused)
 * is reported as failed and the others go on.
 */
export async function importComments(
  db: DiscussionDb,
  ctx: BulkImportContext,
  comments: readonly ImportedComment[],
  options: { stopAtFailure?: boolean } = {},
): Promise<BatchResult> {
  if (comments.length === 0) return { outcomes: [], threads: [], dropped: { email: 0, url: 0 } };
  return inTransaction(db, async (trx) => {
    const now = ctx.clock.now();
    const threads = await lockThreads(trx, [...new Set(comments.map((c) => c.threadId))]);
    const byExternal = new Map<string, Node>();
    const byPath = new Map<string, Node>();
    for (const node of await findByExternalIds(trx, comments)) {
      byExternal.set(keyOf(node.threadId, node.externalId), node);
      byPath.set(keyOf(node.threadId, node.path), node);
    }

    const outcomes: ImportOutcome[] = [];
    const rows: { row: Row; node: Node }[] = [];
    const dropped = { email: 0, url: 0 };
    for (const comment of comments) {
      // With stopAtFailure, nothing after a failed comment is placed (its outcome is left out).
      if (options.stopAtFailure && outcomes.at(-1)?.outcome === 'failed') break;
      const state = threads.get(comment.threadId);
      if (!state) {
        outcomes.push({
          outcome: 'failed',
          code: 'thread-not-found',
          message: `there is no thread ${comment.threadId}`,
        });
        continue;
      }
      const existing = byExternal.get(keyOf(comment.threadId, comment.externalId));
      if (existing) {
        outcomes.push({ outcome: 'skipped', commentId: existing.id });
        continue;
      }
      const problem = bodyProblem(comment.body, ctx.settings, 'import');
      if (problem) {
        outcomes.push({ outcome: 'failed', code: problem.code, message: problem.message });
        continue;
      }
      let parent: Node | undefined;
      if (comment.parentExternalId !== undefined) {
        const requested = byExternal.get(keyOf(comment.threadId, comment.parentExternalId));
        if (!requested) {
          outcomes.push({
            outcome: 'failed',
            code: 'parent-not-found',
            message: `the comment it replies to (${comment.parentExternalId}) is not in this discussion`,
          });
          continue;
        }
        parent = await placeUnder(trx, requested, byPath, ctx.settings.maxDepth);
      }

      const ordinal = parent ? ++parent.replyCount : ++state.topLevelCount;
      if (parent) parent.changed = true;
      const node: Node = {
        id: ctx.ids.id(),
        threadId: comment.threadId,
        path: childPath(parent?.path, ordinal),
        depth: parent ? parent.depth + 1 : 1,
        replyCount: 0,
        stored: false,
        changed: false,
      };
      byExternal.set(keyOf(node.threadId, comment.externalId), node);
      byPath.set(keyOf(node.threadId, node.path), node);
      rows.push({ row: rowOf(comment, node, parent, ordinal, state, dropped), node });
      state.touched = true;
      if (comment.status === 'approved') state.publicDelta += 1;
      outcomes.push({ outcome: 'created', commentId: node.id });
    }

    for (const chunk of chunks(rows, INSERT_CHUNK)) {
      // A comment's reply count is final only now: its replies may come later in the batch.
      for (const { row, node } of chunk) row.reply_count = node.replyCount;
      await insertRows(
        trx,
        chunk.map(({ row }) => row),
      );
    }
    for (const node of byExternal.values()) {
      if (node.stored && node.changed) {
        await trx
          .updateTable('comments')
          .set({ reply_count: node.replyCount })
          .where('id', '=', node.id)
          .execute();
      }
    }
    const changed: BatchResult['threads'] = [];
    for (const state of threads.values()) {
      if (!state.touched) continue;
      const row = await trx
        .updateTable('threads')
        .set((eb) => ({
          top_level_count: state.topLevelCount,
          comment_count: eb('comment_count', '+', state.publicDelta),
          version: eb('version', '+', 1),
          updated_at: now.toISOString(),
        }))
        .where('id', '=', state.thread.id)
        .returning('version')
        .executeTakeFirstOrThrow();
      changed.push({ threadId: state.thread.id, version: Number(row.version) });
    }
    return { outcomes, threads: changed, dropped };
  });
}

function rowOf(
  comment: ImportedComment,
  node: Node,
  parent: Node | undefined,
  ordinal: number,
  state: ThreadState,
  dropped: BatchResult['dropped'],
): Row {
  const tidied = tidyImportedAuthor(comment.author);
  const { author } = tidied;
  for (const what of tidied.dropped) dropped[what] += 1;
  const removed = comment.status === 'deleted';
  const thread = state.thread;
  const isStatementAuthor =
    (author.accountId !== undefined && author.accountId === thread.authorAccountId) ||
    (thread.authorName !== undefined && author.name === thread.authorName);
  return {
    id: node.id,
    thread_id: node.threadId,
    parent_id: parent?.id ?? null,
    path: node.path,
    depth: node.depth,
    number: parent ? null : ordinal,
    reply_count: 0,
    author_account_id: author.accountId ?? null,
    author_name: author.name,
    author_email: removed ? null : (author.email ?? null),
    author_url: removed ? null : (author.url ?? null),
    is_statement_author: isStatementAuthor ? 1 : 0,
    body: removed ? '' : comment.body,
    html: removed ? '' : (comment.html ?? renderMarkdown(comment.body)),
    status: comment.status,
    reasons: JSON.stringify(comment.reasons ?? []),
    flagged: comment.flagged ? 1 : 0,
    origin: 'import',
    external_id: comment.externalId,
    ip_hash: comment.ipHash ?? null,
    edit_token_hash: null,
    created_at: comment.createdAt.toISOString(),
    edited_at: null,
    kind: comment.kind,
  };
}

/** The columns of an imported comment, in the order of the INSERT's parameters: all of them. */
const COLUMNS = [...store.commentColumns, 'ip_hash'] as const;

type Row = { [column in (typeof COLUMNS)[number]]: Insertable<CommentsTable>[column] };

/** The INSERT of n rows, compiled once per database and size: building it is costlier than running it. */
const insertStatements = new WeakMap<object, Map<number, string>>();

async function insertRows(db: DiscussionDb, rows: readonly Row[]): Promise<void> {
  const adapter = db.getExecutor().adapter;
  let bySize = insertStatements.get(adapter);
  if (!bySize) insertStatements.set(adapter, (bySize = new Map()));
  let sqlText = bySize.get(rows.length);
  if (sqlText === undefined) {
    const template = Object.fromEntries(COLUMNS.map((column) => [column, ''])) as unknown as Row;
    sqlText = db
      .insertInto('comments')
      .values(rows.map(() => template))
      .compile().sql;
    bySize.set(rows.length, sqlText);
  }
  const parameters: unknown[] = [];
  for (const row of rows) for (const column of COLUMNS) parameters.push(row[column] ?? null);
  await db.executeQuery(CompiledQuery.raw(sqlText, parameters));
}

/**
 * The node a reply to `requested` attaches to: itself, or, below `maxDepth`, its ancestor at the
 * deepest allowed level (loaded when it is not in this batch).
 */
async function placeUnder(
  db: DiscussionDb,
  requested: Node,
  byPath: Map<string, Node>,
  maxDepth: number,
): Promise<Node> {
  if (requested.depth < maxDepth) return requested;
  const path = requested.path.slice(0, (maxDepth - 1) * SEGMENT_WIDTH);
  let ancestor = byPath.get(keyOf(requested.threadId, path));
  if (!ancestor) {
    const [row] = await store.findCommentsByPaths(db, requested.threadId, [path]);
    if (!row) throw new Error(`comment ${requested.id} has no ancestor at ${path}`);
    ancestor = {
      id: row.id,
      threadId: row.threadId,
      path: row.path,
      depth: row.depth,
      replyCount: row.replyCount,
      stored: true,
      changed: false,
    };
    byPath.set(keyOf(ancestor.threadId, ancestor.path), ancestor);
  }
  return effectiveParent(requested, [ancestor], maxDepth);
}

/** The batch's threads, locked until the transaction ends (PostgreSQL; SQLite's writer is alone). */
async function lockThreads(db: DiscussionDb, ids: string[]): Promise<Map<string, ThreadState>> {
  const states = new Map<string, ThreadState>();
  for (const chunk of chunks(ids, LOOKUP_CHUNK)) {
    const rows = await db
      .selectFrom('threads')
      .select(['id', 'author_account_id', 'author_name', 'top_level_count'])
      .where('id', 'in', chunk)
      .$if(locksRows(db), (q) => q.forUpdate())
      .execute();
    for (const row of rows) {
      states.set(row.id, {
        thread: {
          id: row.id,
          authorAccountId: row.author_account_id ?? undefined,
          authorName: row.author_name ?? undefined,
        },
        topLevelCount: Number(row.top_level_count),
        publicDelta: 0,
        touched: false,
      });
    }
  }
  return states;
}

/** Stored comments of the batch's threads that the batch names, as itself or as a parent. */
async function findByExternalIds(
  db: DiscussionDb,
  comments: readonly ImportedComment[],
): Promise<(Node & { externalId: string })[]> {
  const wanted = new Set<string>();
  const threadIds = new Set<string>();
  for (const comment of comments) {
    threadIds.add(comment.threadId);
    wanted.add(keyOf(comment.threadId, comment.externalId));
    if (comment.parentExternalId !== undefined)
      wanted.add(keyOf(comment.threadId, comment.parentExternalId));
  }
  const externalIds = [
    ...new Set(comments.flatMap((c) => [c.externalId, c.parentExternalId ?? c.externalId])),
  ];
  const found: (Node & { externalId: string })[] = [];
  for (const chunk of chunks(externalIds, LOOKUP_CHUNK)) {
    const rows = await db
      .selectFrom('comments')
      .select(['id', 'thread_id', 'external_id', 'path', 'depth', 'reply_count'])
      .where('thread_id', 'in', [...threadIds])
      .where('external_id', 'in', chunk)
      .$if(locksRows(db), (q) => q.forUpdate())
      .execute();
    for (const row of rows) {
      if (row.external_id === null || !wanted.has(keyOf(row.thread_id, row.external_id))) continue;
      found.push({
        id: row.id,
        threadId: row.thread_id,
        externalId: row.external_id,
        path: row.path,
        depth: Number(row.depth),
        replyCount: Number(row.reply_count),
        stored: true,
        changed: false,
      });
    }
  }
  return found;
}

// --- threads -------------------------------------------------------------------------------

/**
 * The thread of an external page (an embed's), for an import: the one filed under `url` (see
 * `normalisePageUrl`), or a new one, closed to new comments if it was closed where it came from.
 */
export async function findOrCreatePageThread(
  db: DiscussionDb,
  ctx: BulkImportContext,
  input: { siteId: string; url: string; title: string; closed: boolean },
): Promise<{ threadId: string; created: boolean }> {
  const existing = await store.findThreadByUrl(db, input.siteId, input.url);
  if (existing) return { threadId: existing.id, created: false };
  const now = ctx.clock.now();
  const thread: Thread = {
    id: ctx.ids.id(),
    siteId: input.siteId,
    statementId: undefined,
    url: input.url,
    title: input.title,
    authorAccountId: undefined,
    authorName: undefined,
    status: input.closed ? 'closed' : 'open',
    version: 1,
    topLevelCount: 0,
    commentCount: 0,
    createdAt: now,
    updatedAt: now,
  };
  await store.insertThread(db, thread);
  return { threadId: thread.id, created: true };
}

/** Closes a thread that was closed to comments where it came from (a new import's thread). */
export async function closeImportedThread(db: DiscussionDb, threadId: string): Promise<void> {
  await store.setThreadStatus(db, threadId, 'closed');
}
