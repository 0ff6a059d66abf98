/**
 * What every WordPress and Disqus import shares: batches of records committed together (so an
 * interrupted import keeps what it committed and, run again, skips it and goes on), problems
 * reported with their place in the file, the tally per kind of record, progress, and the dry run.
 *
 * A session holds one open transaction. A format's importer writes statements, threads and
 * accounts through {@link ImportSession.record} (each in a savepoint, so that one refused record
 * leaves the rest of the batch intact) and queues comments, which are written a batch at a time by
 * the discussion's bulk path. Every `batchSize` records the batch is committed. A dry run keeps
 * everything in the one transaction and rolls it back at the end, so that it sees exactly what the
 * import would do — on SQLite it holds the write lock while it runs.
 */
import type { VerdictReason } from '../moderation/model.js';
import type { ControlledTransaction, Kysely } from 'kysely';
import type { ImportedComment, ImportOutcome } from '../discussion/bulk-import.js';
import { importComments } from '../discussion/bulk-import.js';
import type { DiscussionSettings } from '../discussion/model.js';
import type { DiscussionDb } from '../discussion/store.js';
import { startBulkWriting } from '../platform/database/index.js';
import { AppError } from '../platform/errors.js';
import type { BusEvent, EventBus } from '../platform/event-bus.js';
import type { StatementsContext } from '../statements/service.js';
import type { StatementsDb } from '../statements/store.js';
import type { ModerationDb } from '../moderation/store.js';
import type { FlaggedComment } from './import-review.js';
import { recordFlagged } from './import-review.js';
import type { AddressKey, Position } from './xml-stream.js';
import { formatPosition } from './xml-stream.js';

export const RECORD_KINDS = ['statements', 'threads', 'comments', 'accounts'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export type ImportFormat = 'wxr' | 'disqus';

/** What an import needs: the statements capability (with the discussion's), and the site. */
export interface ImportContext {
  statements: StatementsContext;
  siteId: string;
  /** Keys the hashes of commenters' addresses, as the server does for posted comments. */
  secret: string;
  /** IP_HASH_SALT_DAYS: how long one salt of those hashes lasts (the server's default if absent). */
  addressSaltDays?: number;
  /** The site's own address: Disqus threads of `<baseUrl>/s/<slug>` attach to that statement. */
  baseUrl: URL;
  /** The site's discussion settings (depth, length of bodies). */
  settings: DiscussionSettings;
}

/** What the moderation rules say of an imported comment, in review mode: flag it, never refuse it. */
export type ReviewHook = (comment: CommentForReview) => {
  flagged: boolean;
  reasons: VerdictReason[];
};

/** How an import hashes commenters' addresses: as the server does, in the comment's period. */
export function addressKeyOf(ctx: ImportContext): AddressKey {
  return { secret: ctx.secret, saltDays: ctx.addressSaltDays };
}

export interface CommentForReview {
  threadId: string;
  body: string;
  authorName: string;
  authorEmail: string | undefined;
  authorUrl: string | undefined;
  status: ImportedComment['status'];
  kind: ImportedComment['kind'];
  createdAt: Date;
}

/** The file to import. */
export interface ImportInput {
  file: string;
  /** Its size, for progress. */
  totalBytes: number;
  /** Read it in a worker thread, while this one writes (see `read-export.ts`). */
  inWorker?: boolean;
}

export interface ImportOptions {
  /** Do everything, then roll it all back: the report says what would have been created. */
  dryRun?: boolean;
  /** Stop at the first record that cannot be imported (the records before it are kept). */
  strict?: boolean;
  /** Records per transaction (default 2,000). */
  batchSize?: number;
  /** Told of every record that cannot be imported, as it happens. */
  onProblem?: (problem: ImportProblem) => void;
  onProgress?: (progress: ImportProgress) => void;
  /** Aborting ends the import after the batch in hand is committed (e.g. on Ctrl-C). */
  signal?: AbortSignal;
  /**
   * Imported comments pass the moderation rules in review mode (see `import-review.ts`); without
   * it nothing is flagged. Each flagged comment gets its `flag-import` entry in the audit log.
   */
  review?: ReviewHook;
}

export interface ImportProblem {
  kind: RecordKind;
  /** Where the record starts in the file. */
  position: Position | undefined;
  message: string;
}

export interface Tally {
  created: number;
  skipped: number;
  failed: number;
  /** Why records were skipped, with how many each. */
  skippedBecause: Record<string, number>;
}

export interface ImportProgress {
  /** Reading the file (progress in bytes) or, for Disqus, writing what was read (in posts). */
  phase: 'reading' | 'writing';
  done: number;
  total: number;
  /** Comments handled so far (created, skipped or failed). */
  comments: number;
}

export interface ImportReport {
  format: ImportFormat;
  dryRun: boolean;
  tallies: Record<RecordKind, Tally>;
  /** The first problems (at most {@link MAX_PROBLEMS_KEPT}); `problemCount` has them all. */
  problems: ImportProblem[];
  problemCount: number;
  /** Why the import ended before the end of the file, if it did. */
  stopped: { position: Position | undefined; message: string } | undefined;
  /** Ended early because it was asked to (Ctrl-C); run it again to go on. */
  interrupted: boolean;
  /** Imported comments the review hook flagged. */
  flagged: number;
  /** Things worth knowing that are not problems, with counts ("author e-mail left out: 3"). */
  notes: Record<string, number>;
  seconds: number;
}

export const MAX_PROBLEMS_KEPT = 1_000;
const DEFAULT_BATCH_SIZE = 2_000;
/**
 * Queued comments are written (not yet committed) this many at a time: held longer, they would
 * outlive the young generation of the garbage collector and swell the heap (a million comments:
 * 226 MB peak at 200, about 320 MB at 2,000).
 */
const WRITE_EVERY = 200;

/** Ends an import at a problem (`--strict`). */
export class ImportStopped extends Error {
  constructor(readonly problem: ImportProblem) {
    super(problem.message);
  }
}

/** What the importer knows of a queued comment, for the report. */
export interface CommentMeta {
  position: Position | undefined;
  /** How the report names it: "comment 42". */
  label: string;
  /** Why its parent cannot be found, when the importer knows (not in the file, another thread). */
  missingParent?: string;
  flagged?: boolean;
}

// The composition root's one handle to every table, typed loosely on purpose (as in app.ts).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Transaction = ControlledTransaction<any, []>;

const newTally = (): Tally => ({ created: 0, skipped: 0, failed: 0, skippedBecause: {} });

/** A bus that keeps what is published until the batch commits (a rollback takes it back). */
function holdingBus(bus: EventBus): EventBus & { held: BusEvent[] } {
  const held: BusEvent[] = [];
  return {
    held,
    async publish(event) {
      held.push(event);
    },
    subscribe: (topic, listener) => bus.subscribe(topic, listener),
    async close() {},
  };
}

export class ImportSession {
  readonly tallies: Record<RecordKind, Tally> = {
    statements: newTally(),
    threads: newTally(),
    comments: newTally(),
    accounts: newTally(),
  };
  private readonly problems: ImportProblem[] = [];
  private problemCount = 0;
  private readonly notes: Record<string, number> = {};
  private flagged = 0;
  private trx: Transaction | undefined;
  private readonly bus: EventBus & { held: BusEvent[] };
  private queue: { comment: ImportedComment; meta: CommentMeta }[] = [];
  private recordsInBatch = 0;
  /** Comments that could not be imported, by thread and external id: their replies say so. */
  private readonly failedComments = new Map<string, Position | undefined>();
  private readonly startedAt = performance.now();
  private readonly batchSize: number;
  private savepoints = 0;
  /** Undoes the connection's settings for bulk writing, once the import ends. */
  private endBulkWriting: (() => Promise<void>) | undefined;
  /** Where the import is: bytes of the file read, or (Disqus) posts written; set by importers. */
  phase: ImportProgress['phase'] = 'reading';
  done = 0;
  total = 0;

  constructor(
    readonly ctx: ImportContext,
    readonly format: ImportFormat,
    readonly options: ImportOptions,
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.bus = holdingBus(ctx.statements.bus);
  }

  /**
   * The batch's transaction, for reads. Every query of an import goes through it: SQLite has one
   * connection, and the session holds it.
   */
  get db(): AnyDb {
    return this.transaction;
  }

  private get root(): AnyDb {
    return this.ctx.statements.db as AnyDb;
  }

  async start(): Promise<void> {
    this.endBulkWriting = await startBulkWriting(this.root);
    this.trx = await this.root.startTransaction().execute();
  }

  /** True once the import was asked to stop (Ctrl-C): the importer ends at the next record. */
  get stopRequested(): boolean {
    return this.options.signal?.aborted === true;
  }

  private get transaction(): Transaction {
    if (!this.trx) throw new Error('the import session has not started');
    return this.trx;
  }

  /** The statements capability seen through the batch's transaction, its events held back. */
  statementsIn(db: AnyDb): StatementsContext {
    const statements = this.ctx.statements;
    return {
      ...statements,
      db: db as StatementsDb,
      bus: this.bus,
      discussion: { ...statements.discussion, db: db as DiscussionDb, bus: this.bus },
    };
  }

  /**
   * Writes one record in a savepoint of the batch. A refused record (an AppError) is rolled back
   * alone and reported as failed; `undefined` is returned. Anything else ends the import.
   */
  async record<T>(
    kind: RecordKind,
    position: Position | undefined,
    describe: string,
    work: (db: AnyDb) => Promise<T>,
  ): Promise<T | undefined> {
    const name = `record_${++this.savepoints}`;
    const trx = this.transaction;
    const savepoint = await trx.savepoint(name).execute();
    try {
      const result = await work(savepoint);
      await savepoint.releaseSavepoint(name).execute();
      return result;
    } catch (error) {
      await savepoint.rollbackToSavepoint(name).execute();
      await savepoint.releaseSavepoint(name).execute();
      if (!(error instanceof AppError)) throw error;
      this.fail(kind, position, `${describe}: ${error.message}`);
      return undefined;
    }
  }

  created(kind: RecordKind, count = 1): void {
    this.tallies[kind].created += count;
  }

  skipped(kind: RecordKind, because: string, count = 1): void {
    const tally = this.tallies[kind];
    tally.skipped += count;
    tally.skippedBecause[because] = (tally.skippedBecause[because] ?? 0) + count;
  }

  /** Counts records that fail with another one (a post's comments), without a line of their own. */
  failedWith(kind: RecordKind, count: number): void {
    this.tallies[kind].failed += count;
  }

  note(what: string, count = 1): void {
    this.notes[what] = (this.notes[what] ?? 0) + count;
  }

  /** Reports a record that cannot be imported; with `strict`, ends the import here. */
  fail(kind: RecordKind, position: Position | undefined, message: string): void {
    this.tallies[kind].failed += 1;
    const problem = { kind, position, message };
    this.problemCount += 1;
    if (this.problems.length < MAX_PROBLEMS_KEPT) this.problems.push(problem);
    this.options.onProblem?.(problem);
    if (this.options.strict) throw new ImportStopped(problem);
  }

  /** Queues a comment; it is written with the batch, after everything queued before it. */
  queueComment(comment: ImportedComment, meta: CommentMeta): void {
    // What is removed (its words are not kept) or already classed as spam needs no moderator.
    const reviewed = comment.status !== 'deleted' && comment.status !== 'spam';
    const review = !reviewed
      ? undefined
      : this.options.review?.({
          threadId: comment.threadId,
          body: comment.body,
          authorName: comment.author.name,
          authorEmail: comment.author.email,
          authorUrl: comment.author.url,
          status: comment.status,
          kind: comment.kind,
          createdAt: comment.createdAt,
        });
    if (review?.flagged) {
      comment.reasons = [...(comment.reasons ?? []), ...review.reasons];
      comment.flagged = true;
      meta.flagged = true;
    }
    this.queue.push({ comment, meta });
  }

  /** Remembers a comment that will not be there, so that its replies can say why. */
  commentUnavailable(threadKey: string, externalId: string, position: Position | undefined) {
    this.failedComments.set(`${threadKey}\u0000${externalId}`, position);
  }

  /**
   * Called before the importer goes on to another post or discussion: with `strict`, the queued
   * comments are written now, so that a failure among them stops the import before anything that
   * comes after them in the file is written or counted.
   */
  async settle(): Promise<void> {
    if (this.options.strict) await this.writeComments();
  }

  /** Marks the end of one record of the file; commits when the batch is full. */
  async endOfRecord(): Promise<void> {
    this.recordsInBatch += 1;
    if (this.queue.length >= WRITE_EVERY) await this.writeComments();
    if (this.recordsInBatch >= this.batchSize) await this.commitBatch();
    this.progress();
  }

  progress(): void {
    this.options.onProgress?.({
      phase: this.phase,
      done: this.done,
      total: this.total,
      comments: this.handled('comments'),
    });
  }

  private handled(kind: RecordKind): number {
    const tally = this.tallies[kind];
    return tally.created + tally.skipped + tally.failed;
  }

  /** Writes the queued comments through the discussion's bulk path. */
  async writeComments(): Promise<void> {
    if (this.queue.length === 0) return;
    const queued = this.queue;
    this.queue = [];
    const { outcomes, dropped } = await importComments(
      this.transaction as unknown as DiscussionDb,
      {
        ids: this.ctx.statements.ids,
        clock: this.ctx.statements.clock,
        settings: this.ctx.settings,
      },
      queued.map((q) => q.comment),
      { stopAtFailure: this.options.strict === true },
    );
    const flagged: FlaggedComment[] = [];
    if (dropped.email > 0) this.note('invalid author e-mail addresses left out', dropped.email);
    if (dropped.url > 0) this.note('invalid author websites left out', dropped.url);
    outcomes.forEach((outcome, i) => {
      const entry = queued[i];
      if (!entry) return;
      this.tallyComment(entry.comment, entry.meta, outcome);
      if (outcome.outcome === 'created' && entry.comment.flagged)
        flagged.push({
          commentId: outcome.commentId,
          threadId: entry.comment.threadId,
          status: entry.comment.status,
          reasons: entry.comment.reasons ?? [],
        });
    });
    // In the batch's transaction: a flagged comment and its entry in the log are kept together.
    if (flagged.length > 0)
      await recordFlagged(
        this.transaction as unknown as ModerationDb,
        this.ctx.statements,
        this.ctx.siteId,
        flagged,
      );
  }

  private tallyComment(comment: ImportedComment, meta: CommentMeta, outcome: ImportOutcome) {
    if (outcome.outcome === 'created') {
      this.created('comments');
      if (meta.flagged) this.flagged += 1;
      return;
    }
    if (outcome.outcome === 'skipped') {
      this.skipped('comments', 'already imported');
      return;
    }
    this.commentUnavailable(comment.threadId, comment.externalId, meta.position);
    let why = outcome.message;
    if (outcome.code === 'parent-not-found' && comment.parentExternalId !== undefined) {
      const key = `${comment.threadId}\u0000${comment.parentExternalId}`;
      if (this.failedComments.has(key)) {
        const where = this.failedComments.get(key);
        why = `the comment it replies to could not be imported either${where ? ` (see ${formatPosition(where)})` : ''}`;
      } else if (meta.missingParent) why = meta.missingParent;
    }
    this.fail('comments', meta.position, `${meta.label}: ${why}`);
  }

  /** Writes the queued comments and commits the batch (not in a dry run). */
  async commitBatch(): Promise<void> {
    await this.writeComments();
    this.recordsInBatch = 0;
    if (this.options.dryRun) return;
    await this.transaction.commit().execute();
    this.trx = undefined;
    const events = this.bus.held.splice(0);
    for (const event of events) await this.ctx.statements.bus.publish(event);
    this.trx = await this.root.startTransaction().execute();
  }

  /**
   * Writes what is queued, commits (or, in a dry run, rolls everything back) and reports. `stopped`
   * says why the import ended before the end of the file.
   */
  async finish(stopped?: {
    position: Position | undefined;
    message: string;
  }): Promise<ImportReport> {
    try {
      await this.writeComments();
    } catch (error) {
      if (!(error instanceof ImportStopped)) throw error;
      stopped ??= error.problem;
    }
    const trx = this.transaction;
    if (this.options.dryRun) await trx.rollback().execute();
    else await trx.commit().execute();
    this.trx = undefined;
    await this.endBulkWriting?.();
    for (const event of this.bus.held.splice(0)) {
      if (!this.options.dryRun) await this.ctx.statements.bus.publish(event);
    }
    this.progress();
    return {
      format: this.format,
      dryRun: this.options.dryRun === true,
      tallies: this.tallies,
      problems: this.problems,
      problemCount: this.problemCount,
      stopped,
      interrupted: this.stopRequested && stopped === undefined,
      flagged: this.flagged,
      notes: this.notes,
      seconds: (performance.now() - this.startedAt) / 1000,
    };
  }

  /** Rolls back the batch in hand after an unexpected error; what was committed stays. */
  async abandon(): Promise<void> {
    const trx = this.trx;
    this.trx = undefined;
    if (trx && !trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute();
    await this.endBulkWriting?.();
  }
}
