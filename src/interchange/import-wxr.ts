/**
 * Imports a WordPress export (WXR): published posts and pages become published statements and
 * drafts statement drafts (through the statement sink), the published ones' comments their
 * discussions, and the WordPress users who wrote them members (role `author`) without a password,
 * who set one through a reset link.
 *
 * Rules worth knowing:
 * - **Tree and numbers.** An item's comments are placed in date order (GMT), a reply always after
 *   the comment it answers, so top-level comments are numbered as WordPress shows them and replies
 *   are ordered by date under their parent. Nesting deeper than the site's `maxDepth` attaches to
 *   the deepest allowed level, as WordPress does. A post with more than {@link WINDOW} comments
 *   is placed {@link WINDOW} comments at a time, each group in date order.
 * - **Statuses.** `1` approved, `0` pending (the moderation queue), `spam` spam, `trash` removed
 *   (a "comment removed" placeholder that keeps its replies in place).
 * - **Kinds.** Pingbacks and trackbacks are kept as such ("linked from …"), webmentions as
 *   pingbacks and a shop's reviews as comments; other comment types (a shop's order notes, the
 *   editor's notes of WordPress 6.9) are not public comments and are skipped. So are posts of
 *   other types than post and page, automatic drafts and posts in the trash, with their comments.
 * - **Too large.** A post or comment whose text the reader would not hold (see `wxr-reader.ts`)
 *   fails alone, saying so; the import goes on.
 * - **Addresses.** A commenter's IP address is stored only as a keyed hash, as for posted comments:
 *   with the salt of the period the comment was written in (IP_HASH_SALT_DAYS).
 * - **Idempotence.** Posts are known by their id at the source (`wxr:<post id>` of the site's
 *   address), comments by `wxr:<comment id>` within their discussion.
 */
import { isValidEmail, normaliseEmail } from '../accounts/model.js';
import type { AccountsDb } from '../accounts/store.js';
import {
  findAccountByEmail,
  findMember,
  insertAccount,
  upsertMembership,
} from '../accounts/store.js';
import type { ImportedComment } from '../discussion/bulk-import.js';
import { closeImportedThread } from '../discussion/bulk-import.js';
import type { CommentKind, CommentStatus } from '../discussion/model.js';
import type { DiscussionDb } from '../discussion/store.js';
import { STATEMENT_LIMITS } from '../statements/model.js';
import type { ImportContext, ImportInput, ImportOptions, ImportReport } from './import-engine.js';
import { addressKeyOf, ImportSession, ImportStopped } from './import-engine.js';
import type { ImportedPost } from './statement-sink.js';
import { storeImportedStatement } from './statement-sink.js';
import type { WxrAuthor, WxrComment, WxrPost, WxrRecord, WxrSite } from './wxr-reader.js';
import { parseWordPressDate } from './wxr-reader.js';
import { readExport } from './read-export.js';
import { ImportFileError } from './xml-stream.js';

/** The report's note on drafts, and why the comments of a draft are not imported. */
export const DRAFTS_NOTE = 'drafts imported as statement drafts (not published)';
export const DRAFT_COMMENTS =
  'their post is a draft, which has no discussion until it is published';

/** Comments of one post placed together, in date order; bounds the memory a huge post takes. */
export const WINDOW = 10_000;

const STATUS_OF: Record<string, CommentStatus> = {
  '1': 'approved',
  '0': 'pending',
  spam: 'spam',
  trash: 'deleted',
  // Comments of a post in the trash, trashed with it.
  'post-trashed': 'deleted',
};
const KIND_OF: Record<string, CommentKind> = {
  '': 'comment',
  comment: 'comment',
  // A shop's product review is a visitor's public comment too.
  review: 'comment',
  pingback: 'pingback',
  trackback: 'trackback',
  // The Webmention plugin's: another site's page mentioning the post, as a pingback does.
  webmention: 'pingback',
};
const PUBLISHED = new Set(['publish', 'future']);
const DRAFTS = new Set(['draft', 'pending', 'private']);
/** WordPress's placeholder for a post opened in the editor and never saved. */
const AUTO_DRAFT = 'an automatic draft (WordPress keeps one for a post opened and never written)';
const POST_TYPES = new Set(['post', 'page']);

type Target =
  | { kind: 'thread'; threadId: string }
  /** `reason`: why the post's comments are skipped. */
  | { kind: 'skip'; reason: string }
  | { kind: 'failed' };

interface Item {
  post: WxrPost;
  target: Target;
  window: WxrComment[];
  /** Ids of the item's comments read so far, to tell a parent that is not in the file. */
  ids: Set<string>;
  ended: boolean;
}

interface Author extends WxrAuthor {
  /** The account made or found for them; undefined until their first post, or without e-mail. */
  accountId?: string;
  ensured: boolean;
}

export { parseWordPressDate };

function decodeSlug(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** Imports a WordPress export file; see the module's rules. Never throws for a bad file: reports. */
export async function importWxr(
  ctx: ImportContext,
  input: ImportInput,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const session = new ImportSession(ctx, 'wxr', options);
  session.total = input.totalBytes;
  await session.start();
  const importer = new WxrImporter(ctx, session);
  try {
    const records = readExport('wxr', input.file, {
      addressKey: addressKeyOf(ctx),
      inWorker: input.inWorker,
      onBytes: (bytes) => (session.done = bytes),
    });
    for await (const record of records) {
      await importer.take(record);
      // Asked to stop (Ctrl-C): what is queued is committed, the rest is for the next run.
      if (session.stopRequested) break;
    }
  } catch (error) {
    if (error instanceof ImportStopped) return session.finish(error.problem);
    if (error instanceof ImportFileError) {
      // What was complete before the problem is kept: the comments read of the item in hand too.
      try {
        await importer.endItem();
      } catch (inner) {
        if (!(inner instanceof ImportStopped)) throw inner;
      }
      return session.finish({ position: error.position, message: error.problem });
    }
    await session.abandon();
    throw error;
  }
  try {
    return await session.finish();
  } catch (error) {
    await session.abandon();
    throw error;
  }
}

class WxrImporter {
  private site: WxrSite | undefined;
  private readonly authors = new Map<string, Author>(); // by login
  private readonly authorsById = new Map<string, Author>();
  private item: Item | undefined;
  /** The ids of the comments read so far, to tell a parent of another post from a missing one. */
  private readonly commentIds = new CommentIds();

  constructor(
    private readonly ctx: ImportContext,
    private readonly session: ImportSession,
  ) {}

  private get source(): string {
    const site = this.site;
    return site?.baseBlogUrl || site?.link || site?.baseSiteUrl || 'wordpress';
  }

  async take(record: WxrRecord): Promise<void> {
    switch (record.type) {
      case 'site':
        this.site = record.site;
        return;
      case 'author': {
        const author: Author = { ...record.author, ensured: false };
        if (author.login) this.authors.set(author.login, author);
        if (author.id) this.authorsById.set(author.id, author);
        return;
      }
      case 'post':
        await this.session.settle();
        this.item = {
          post: record.post,
          target: await this.targetOf(record.post),
          window: [],
          ids: new Set(),
          ended: false,
        };
        await this.session.endOfRecord();
        return;
      case 'comment':
        await this.takeComment(record.comment);
        return;
      case 'item-end':
        await this.endItem();
        return;
      case 'note':
        this.session.note(record.note, record.count);
        return;
    }
  }

  /** Places what the item in hand still holds; the item is done. */
  async endItem(): Promise<void> {
    const item = this.item;
    if (!item) return;
    item.ended = true;
    await this.placeWindow(item);
    this.item = undefined;
  }

  private async takeComment(comment: WxrComment): Promise<void> {
    const item = this.item;
    if (!item) return;
    this.commentIds.add(comment.id);
    if (item.target.kind === 'skip') {
      this.session.skipped('comments', item.target.reason);
      return;
    }
    if (item.target.kind === 'failed') {
      this.session.failedWith('comments', 1);
      return;
    }
    if (comment.id) item.ids.add(comment.id);
    item.window.push(comment);
    if (item.window.length >= WINDOW) await this.placeWindow(item);
  }

  // --- posts -------------------------------------------------------------------------------

  private async targetOf(post: WxrPost): Promise<Target> {
    const session = this.session;
    const type = post.type || 'post';
    if (!POST_TYPES.has(type)) {
      return this.skipPost(`not a post or page (${type})`);
    }
    const title = cut(post.title, STATEMENT_LIMITS.title.max) || '(no title)';
    const describe = `${type} ${post.id || '(no id)'} “${title}”`;
    if (!/^\d+$/.test(post.id)) {
      session.fail('statements', post.position, `${describe}: it has no <wp:post_id>`);
      return { kind: 'failed' };
    }
    const status = post.status || 'publish';
    if (status === 'trash') return this.skipPost('in the WordPress trash');
    if (status === 'auto-draft') return this.skipPost(AUTO_DRAFT);
    if (!PUBLISHED.has(status) && !DRAFTS.has(status))
      return this.skipPost(`its status is “${status}”`);
    if (post.oversized !== '') {
      session.fail('statements', post.position, `${describe}: ${post.oversized}`);
      return { kind: 'failed' };
    }
    const state = PUBLISHED.has(status) ? 'published' : 'draft';
    const publishedAt = parseWordPressDate(post.dateGmt) ?? parseWordPressDate(post.date);
    // A draft may never have been dated (WordPress leaves the zero date); a published post is.
    if (!publishedAt && state === 'published') {
      session.fail('statements', post.position, `${describe}: it has no valid date`);
      return { kind: 'failed' };
    }
    const author = this.authors.get(post.creator);
    const accountId = author ? await this.ensureAccount(author) : undefined;
    const imported: ImportedPost = {
      siteId: this.ctx.siteId,
      source: this.source,
      externalId: `wxr:${post.id}`,
      title,
      body: post.content,
      slug: decodeSlug(post.name),
      publishedAt,
      authorName: cut(
        author?.displayName || author?.login || post.creator || 'Unknown author',
        STATEMENT_LIMITS.authorName.max,
      ),
      authorAccountId: accountId,
      state,
    };
    const result = await session.record('statements', post.position, describe, async (db) => {
      const stored = await storeImportedStatement(session.statementsIn(db), imported);
      if (stored.outcome === 'created' && stored.threadId && post.commentStatus === 'closed')
        await closeImportedThread(db as DiscussionDb, stored.threadId);
      return stored;
    });
    if (!result) return { kind: 'failed' };
    if (result.outcome === 'skipped') return this.skipPost(result.reason);
    if (result.outcome === 'existing') {
      session.skipped('statements', 'already imported');
      if (result.threadId !== undefined) session.skipped('threads', 'already imported');
    } else {
      session.created('statements');
      if (result.threadId !== undefined) session.created('threads');
      if (result.draft) session.note(DRAFTS_NOTE);
      if (result.slugTakenBy !== undefined)
        session.note('slugs already used by another statement, given the next free one');
    }
    if (result.threadId === undefined) return { kind: 'skip', reason: DRAFT_COMMENTS };
    return { kind: 'thread', threadId: result.threadId };
  }

  private skipPost(reason: string): Target {
    this.session.skipped('statements', reason);
    return { kind: 'skip', reason: `their post is not imported: ${reason}` };
  }

  /** The account of a post's author: made (no password, role author) on their first post. */
  private async ensureAccount(author: Author): Promise<string | undefined> {
    if (author.ensured) return author.accountId;
    author.ensured = true;
    const session = this.session;
    const email = normaliseEmail(author.email);
    if (!isValidEmail(email)) {
      session.skipped('accounts', 'no valid e-mail address (their statements carry their name)');
      return undefined;
    }
    const name = cut(author.displayName || author.login, 100) || email;
    const outcome = await session.record(
      'accounts',
      author.position,
      `author ${author.login}`,
      async (db) => {
        const accounts = db as AccountsDb;
        const now = this.ctx.statements.clock.now();
        let account = await findAccountByEmail(accounts, email);
        let created = false;
        if (!account) {
          const id = this.ctx.statements.ids.id();
          await insertAccount(accounts, { id, email, displayName: name, now });
          account = { id, email, displayName: name, hasPassword: false, createdAt: now };
          created = true;
        }
        const member = await findMember(accounts, this.ctx.siteId, account.id);
        if (!member) await upsertMembership(accounts, this.ctx.siteId, account.id, 'author', now);
        return { accountId: account.id, created, wasMember: member !== undefined };
      },
    );
    if (!outcome) return undefined;
    if (outcome.created) session.created('accounts');
    else if (outcome.wasMember) session.skipped('accounts', 'already a member');
    else session.skipped('accounts', 'had an account already; made a member (author)');
    author.accountId = outcome.accountId;
    return outcome.accountId;
  }

  // --- comments ----------------------------------------------------------------------------

  /** Places the item's comments read so far: date order, every reply after its parent. */
  private async placeWindow(item: Item): Promise<void> {
    if (item.target.kind !== 'thread' || item.window.length === 0) return;
    const threadId = item.target.threadId;
    const comments = item.window;
    item.window = [];
    const session = this.session;

    interface Entry {
      comment: WxrComment;
      time: number;
      parent: string | undefined;
      status: CommentStatus;
      kind: CommentKind;
      effective?: number;
      depth?: number;
    }
    const entries = new Map<string, Entry>();
    for (const comment of comments) {
      const entry = this.entryOf(comment, threadId);
      if (!entry) continue;
      if (entries.has(comment.id)) {
        session.skipped('comments', 'appears twice in the file');
        continue;
      }
      entries.set(comment.id, entry);
    }

    // A reply is placed after its parent even when its clock says otherwise: its effective time is
    // the latest of its own and its ancestors'; ties go to the shallower comment.
    const looping = new Set<string>();
    const resolve = (id: string, trail: Set<string>): Entry | undefined => {
      const entry = entries.get(id);
      if (!entry || looping.has(id)) return undefined;
      if (entry.effective !== undefined) return entry;
      if (trail.has(id)) {
        for (const member of trail) looping.add(member);
        return undefined;
      }
      trail.add(id);
      const parent = entry.parent === undefined ? undefined : resolve(entry.parent, trail);
      trail.delete(id);
      if (looping.has(id)) return undefined;
      entry.effective = Math.max(entry.time, parent?.effective ?? -Infinity);
      entry.depth = (parent?.depth ?? -1) + 1;
      return entry;
    };
    for (const id of entries.keys()) resolve(id, new Set());

    const ordered: Entry[] = [];
    for (const [id, entry] of entries) {
      if (looping.has(id)) {
        session.commentUnavailable(threadId, `wxr:${id}`, entry.comment.position);
        session.fail(
          'comments',
          entry.comment.position,
          `comment ${id}: its replies loop back to it (<wp:comment_parent> chains that never reach a top-level comment)`,
        );
      } else ordered.push(entry);
    }
    ordered.sort(
      (a, b) =>
        (a.effective ?? 0) - (b.effective ?? 0) ||
        (a.depth ?? 0) - (b.depth ?? 0) ||
        a.time - b.time ||
        Number(a.comment.id) - Number(b.comment.id),
    );
    for (const entry of ordered) {
      if (session.stopRequested) return;
      const { comment } = entry;
      const parentInFile = entry.parent === undefined || item.ids.has(entry.parent);
      session.queueComment(this.importedComment(comment, entry, threadId), {
        position: comment.position,
        label: `comment ${comment.id}`,
        missingParent:
          parentInFile || !item.ended
            ? undefined
            : `the comment it replies to (${entry.parent}) ${this.commentIds.has(entry.parent ?? '') ? 'is a comment on another post' : 'is not in the file'}`,
      });
      await session.endOfRecord();
    }
  }

  /** A comment's fields, checked; undefined (reported) when it cannot be imported. */
  private entryOf(comment: WxrComment, threadId: string) {
    const session = this.session;
    const fail = (why: string) => {
      if (comment.id) session.commentUnavailable(threadId, `wxr:${comment.id}`, comment.position);
      session.fail('comments', comment.position, `comment ${comment.id || '(no id)'}: ${why}`);
      return undefined;
    };
    if (!/^\d+$/.test(comment.id)) return fail('it has no <wp:comment_id>');
    const kind = KIND_OF[comment.type];
    if (kind === undefined) {
      session.commentUnavailable(threadId, `wxr:${comment.id}`, comment.position);
      session.skipped('comments', `not a comment (type “${comment.type}”)`);
      return undefined;
    }
    if (comment.oversized !== '') return fail(comment.oversized);
    const status = STATUS_OF[comment.approved];
    if (status === undefined) {
      return fail(`<wp:comment_approved> is “${comment.approved}”; expected 1, 0, spam or trash`);
    }
    const date = parseWordPressDate(comment.dateGmt) ?? parseWordPressDate(comment.date);
    if (!date) return fail('it has no valid date (<wp:comment_date_gmt>)');
    const parent = comment.parent === '' || comment.parent === '0' ? undefined : comment.parent;
    if (parent !== undefined && !/^\d+$/.test(parent))
      return fail(`<wp:comment_parent> is “${parent}”, not a comment id`);
    return { comment, time: date.getTime(), parent, status, kind };
  }

  private importedComment(
    comment: WxrComment,
    entry: { time: number; parent: string | undefined; status: CommentStatus; kind: CommentKind },
    threadId: string,
  ): ImportedComment {
    const account =
      comment.userId && comment.userId !== '0'
        ? this.authorsById.get(comment.userId)?.accountId
        : undefined;
    return {
      threadId,
      externalId: `wxr:${comment.id}`,
      parentExternalId: entry.parent === undefined ? undefined : `wxr:${entry.parent}`,
      author: {
        name: comment.author,
        email: comment.authorEmail,
        url: comment.authorUrl,
        accountId: account,
      },
      body: comment.content,
      html: comment.html,
      status: entry.status,
      kind: entry.kind,
      ipHash: comment.authorIp || undefined,
      createdAt: new Date(entry.time),
    };
  }
}

/**
 * A set of WordPress comment ids (numbers) as bits: a million comments take 125 kB where a Set
 * of strings would take tens of MB. Ids past {@link CommentIds.LIMIT} are not kept.
 */
class CommentIds {
  static readonly LIMIT = 2 ** 27; // 16 MB of bits at most
  private bits = new Uint32Array(1024);

  add(id: string): void {
    const n = id === '' ? NaN : Number(id);
    if (!Number.isInteger(n) || n < 0 || n >= CommentIds.LIMIT) return;
    const word = n >>> 5;
    if (word >= this.bits.length) {
      const grown = new Uint32Array(Math.max(word + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[word] = (this.bits[word] ?? 0) | (1 << (n & 31));
  }

  has(id: string): boolean {
    const n = id === '' ? NaN : Number(id);
    if (!Number.isInteger(n) || n < 0 || n >= CommentIds.LIMIT) return false;
    return (((this.bits[n >>> 5] ?? 0) >>> (n & 31)) & 1) === 1;
  }
}
