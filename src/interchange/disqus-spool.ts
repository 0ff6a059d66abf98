/**
 * A scratch file for a Disqus import: Disqus lists posts in no useful order (a reply may come
 * before the post it answers), so the posts are first written here as they are read, then read
 * back sorted — by thread, then by date, every reply after its parent — without ever holding the
 * file in memory. It is a private SQLite file in the system's temporary directory, whatever
 * database the site uses (it is not the site's data), removed when the import ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { DisqusPost, DisqusThread } from './disqus-reader.js';
import type { Position } from './xml-stream.js';

/** What the spool keeps of a post besides what it is sorted by. */
export interface SpooledPostData {
  message: string;
  html: string;
  deleted: boolean;
  spam: boolean;
  authorName: string;
  authorEmail: string;
  authorUsername: string;
  ipAddress: string;
  /** Why its message was not read ('' when it was): the post is refused, its replies say so. */
  oversized: string;
}

export interface SpooledThread {
  dsqId: string;
  link: string;
  title: string;
  closed: boolean;
  deleted: boolean;
  position: Position;
  posts: number;
}

/** A post read back in the order it is to be placed, with what the import needs to know of it. */
export interface PlacedPost {
  dsqId: string;
  threadDsqId: string;
  parentDsqId: string | undefined;
  createdAt: Date;
  position: Position;
  data: SpooledPostData;
  /** Where its thread goes here (set by {@link Spool.setTarget}); undefined: thread not in file. */
  target: string | undefined;
  /** Set when the parent is named but not in the file. */
  parentMissing: boolean;
  /** The parent's thread, when the parent is in the file. */
  parentThreadDsqId: string | undefined;
}

export class Spool {
  private readonly dir: string;
  private readonly db: SqliteDatabase.Database;
  private readonly insertThread: SqliteDatabase.Statement;
  private readonly insertPost: SqliteDatabase.Statement;
  private inBatch = 0;

  constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), 'broadside-disqus-'));
    this.db = new SqliteDatabase(path.join(this.dir, 'spool.db'));
    // Scratch data: nothing is lost by a crash that is not lost anyway.
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -16000'); // 16 MB
    this.db.exec(`
      create table threads (
        dsq_id text primary key, link text not null, title text not null,
        closed integer not null, deleted integer not null, line integer not null, col integer not null,
        target text
      );
      create table posts (
        seq integer primary key, dsq_id text not null unique, thread_dsq text not null,
        parent_dsq text, created_ms real not null, line integer not null, col integer not null,
        data text not null
      );
    `);
    this.insertThread = this.db.prepare(
      'insert or ignore into threads (dsq_id, link, title, closed, deleted, line, col) values (?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertPost = this.db.prepare(
      'insert or ignore into posts (dsq_id, thread_dsq, parent_dsq, created_ms, line, col, data) values (?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.exec('begin');
  }

  /** False when a thread with this id was spooled already. */
  addThread(thread: DisqusThread): boolean {
    const result = this.insertThread.run(
      thread.id,
      thread.link,
      thread.title,
      thread.closed ? 1 : 0,
      thread.deleted ? 1 : 0,
      thread.position.line,
      thread.position.column,
    );
    this.tick();
    return result.changes === 1;
  }

  /** False when a post with this id was spooled already. */
  addPost(post: DisqusPost, createdAt: Date): boolean {
    const data: SpooledPostData = {
      message: post.message,
      html: post.html,
      deleted: post.deleted,
      spam: post.spam,
      authorName: post.authorName,
      authorEmail: post.authorEmail,
      authorUsername: post.authorUsername,
      ipAddress: post.ipAddress,
      oversized: post.oversized,
    };
    const result = this.insertPost.run(
      post.id,
      post.threadId,
      post.parentId || null,
      createdAt.getTime(),
      post.position.line,
      post.position.column,
      JSON.stringify(data),
    );
    this.tick();
    return result.changes === 1;
  }

  private tick(): void {
    if (++this.inBatch < 10_000) return;
    this.db.exec('commit; begin');
    this.inBatch = 0;
  }

  /**
   * Ends the reading: indexes the posts and works out the order they are placed in. A post's
   * effective time is the latest of its own and its ancestors', so that sorting by it puts every
   * reply after its parent; ties go to the shallower post. Posts in a loop of parents are left out
   * (see {@link looping}).
   */
  finishReading(): void {
    this.db.exec('commit');
    this.db.exec(`
      create index posts_parent on posts (parent_dsq);
      create index posts_thread on posts (thread_dsq);
      create table placed as
      with recursive tree (seq, effective, depth) as (
        select p.seq, p.created_ms, 0 from posts p
        where p.parent_dsq is null
          or not exists (select 1 from posts q where q.dsq_id = p.parent_dsq)
        union all
        select c.seq, max(c.created_ms, tree.effective), tree.depth + 1
        from tree join posts parent on parent.seq = tree.seq
          join posts c on c.parent_dsq = parent.dsq_id
      )
      select seq, effective, depth from tree;
      create index placed_seq on placed (seq);
    `);
  }

  /**
   * The spooled threads, in file order, with how many posts each has. Read a page at a time, so
   * that {@link setTarget} may be called in between.
   */
  *threads(): Generator<SpooledThread> {
    const page = this.db.prepare(
      `select t.rowid as row, t.dsq_id, t.link, t.title, t.closed, t.deleted, t.line, t.col,
         (select count(*) from posts p where p.thread_dsq = t.dsq_id) as posts
       from threads t where t.rowid > ? order by t.rowid limit 500`,
    );
    for (let after = 0; ;) {
      const rows = page.all(after) as {
        row: number;
        dsq_id: string;
        link: string;
        title: string;
        closed: number;
        deleted: number;
        line: number;
        col: number;
        posts: number;
      }[];
      if (rows.length === 0) return;
      for (const row of rows) {
        after = row.row;
        yield {
          dsqId: row.dsq_id,
          link: row.link,
          title: row.title,
          closed: row.closed === 1,
          deleted: row.deleted === 1,
          position: { line: row.line, column: row.col },
          posts: row.posts,
        };
      }
    }
  }

  /** Where a thread's posts go: a key the posts are grouped and sorted by. */
  setTarget(dsqId: string, target: string): void {
    this.db.prepare('update threads set target = ? where dsq_id = ?').run(target, dsqId);
  }

  postCount(): number {
    return (this.db.prepare('select count(*) as n from posts').get() as { n: number }).n;
  }

  /** Every placeable post, in the order to place them: by target, effective time, depth, date. */
  *placedPosts(): Generator<PlacedPost> {
    const rows = this.db
      .prepare(
        `select p.dsq_id, p.thread_dsq, p.parent_dsq, p.created_ms, p.line, p.col, p.data,
           t.target, parent.thread_dsq as parent_thread
         from placed
           join posts p on p.seq = placed.seq
           left join threads t on t.dsq_id = p.thread_dsq
           left join posts parent on parent.dsq_id = p.parent_dsq
         order by t.target, placed.effective, placed.depth, p.created_ms, p.seq`,
      )
      .iterate() as IterableIterator<PostRow & { parent_thread: string | null }>;
    for (const row of rows) {
      yield {
        ...postOf(row),
        parentMissing: row.parent_dsq !== null && row.parent_thread === null,
        parentThreadDsqId: row.parent_thread ?? undefined,
      };
    }
  }

  /** Posts that are never placed: their parents, followed up, loop back to them. */
  *looping(): Generator<PlacedPost> {
    const rows = this.db
      .prepare(
        `select p.dsq_id, p.thread_dsq, p.parent_dsq, p.created_ms, p.line, p.col, p.data, t.target
         from posts p left join threads t on t.dsq_id = p.thread_dsq
         where not exists (select 1 from placed where placed.seq = p.seq)
         order by p.seq`,
      )
      .iterate() as IterableIterator<PostRow>;
    for (const row of rows)
      yield { ...postOf(row), parentMissing: false, parentThreadDsqId: undefined };
  }

  close(): void {
    try {
      this.db.close();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

interface PostRow {
  dsq_id: string;
  thread_dsq: string;
  parent_dsq: string | null;
  created_ms: number;
  line: number;
  col: number;
  data: string;
  target: string | null;
}

function postOf(row: PostRow) {
  return {
    dsqId: row.dsq_id,
    threadDsqId: row.thread_dsq,
    parentDsqId: row.parent_dsq ?? undefined,
    createdAt: new Date(row.created_ms),
    position: { line: row.line, column: row.col },
    data: JSON.parse(row.data) as SpooledPostData,
    target: row.target ?? undefined,
  };
}
