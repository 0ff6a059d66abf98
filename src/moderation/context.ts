/**
 * What moderation's use cases need, handed over by the composition root (`src/app.ts`): the
 * database, time and ids, discussion's side of the seam (`comments`), where a thread is shown,
 * the optional outside classifier, and mail for the digest.
 */
import type { Clock } from '../platform/clock.js';
import type { Ids } from '../platform/ids.js';
import type { Logger } from '../platform/logger.js';
import type { Mailer } from '../platform/mail.js';
import type { Classifier } from './classifier.js';
import type { ModeratedComments } from './ports.js';
import type { ThreadSummary } from './queue-store.js';
import type { ModerationDb } from './store.js';

/**
 * Where a thread is read: a path on this site (`/s/paris`), an absolute URL (an embedding page),
 * or undefined (an unpublished statement). The same resolver reply notifications use.
 */
export type ThreadPageOf = (
  thread: Pick<ThreadSummary, 'id' | 'statementId' | 'url'>,
) => string | undefined | Promise<string | undefined>;

export interface ModerationContext {
  db: ModerationDb;
  clock: Clock;
  ids: Ids;
  /** Discussion's implementation: the only way moderation changes comments and threads. */
  comments: ModeratedComments;
  threadPage: ThreadPageOf;
  /** An outside classifier (Akismet-compatible), off when undefined. */
  classifier?: Classifier | undefined;
  classifierTimeoutMs: number;
  /** For the digest: its mail, and the links in it. */
  mailer: Mailer;
  baseUrl: URL;
  logger: Logger;
}

/** A member acting as a moderator (the route has checked `comments.moderate`). */
export interface Moderator {
  accountId: string;
  name: string;
}
