/**
 * What every part of Broadside shares at run time — the database (migrated), clock, ids, event
 * bus, mailer and comment moderation — and each capability's context over it. The server
 * (`app.ts`), the command line and the tests build one; commands that serve no HTTP load only
 * this, not the server's routes and pages.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { migrations } from '../migrations/index.js';
import type { AccountsContext } from './accounts/service.js';
import type { DiscussionSettings } from './discussion/model.js';
import { DEFAULT_DISCUSSION_SETTINGS } from './discussion/model.js';
import type { DiscussionContext } from './discussion/service.js';
import { createConfiguredClassifier } from './moderation/akismet.js';
import type { CommentModeration } from './moderation/ports.js';
import { createCommentModeration } from './moderation/service.js';
import type { Clock } from './platform/clock.js';
import { systemClock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import { resolveSecret } from './platform/config.js';
import type { Database } from './platform/database/index.js';
import { openDatabase } from './platform/database/index.js';
import { migrateToLatest } from './platform/database/migrate.js';
import type { EventBus } from './platform/event-bus.js';
import { createInProcessEventBus } from './platform/event-bus.js';
import type { Ids } from './platform/ids.js';
import { randomIds } from './platform/ids.js';
import type { Logger } from './platform/logger.js';
import { createLogger } from './platform/logger.js';
import type { Mailer } from './platform/mail.js';
import { createMailer } from './platform/mail.js';
import { projectRoot } from './platform/paths.js';
import type { StatementsContext } from './statements/service.js';

// Each capability declares the tables it uses and sees only those; the composition root holds
// the one handle to all of them, typed loosely on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDatabase = Kysely<any>;

/** Everything a running Broadside shares: built once by the server, the CLI or a test. */
export interface Runtime {
  config: Config;
  secret: string;
  logger: Logger;
  database: Database<unknown>;
  db: AnyDatabase;
  clock: Clock;
  ids: Ids;
  bus: EventBus;
  mailer: Mailer;
  /** Judges every new comment and edit; replaceable so tests can hold what they choose. */
  moderation: CommentModeration;
  version: string;
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Opens the database and brings its schema up to date. */
export async function createRuntime(
  config: Config,
  overrides: Partial<Pick<Runtime, 'logger' | 'clock' | 'ids' | 'mailer' | 'moderation'>> = {},
): Promise<Runtime> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const secret = resolveSecret(config);
  const database = openDatabase<unknown>(config.database, {
    onIdleError: (error) =>
      logger.warn({ err: error }, 'database connection lost; it will be re-opened'),
  });
  try {
    const { applied } = await migrateToLatest(database.db, migrations);
    if (applied.length > 0) logger.info({ applied }, `applied ${applied.length} migration(s)`);
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  const from = `Broadside <no-reply@${config.baseUrl.hostname}>`;
  const version = packageVersion();
  return {
    config,
    secret,
    logger,
    database,
    db: database.db as AnyDatabase,
    clock: overrides.clock ?? systemClock,
    ids: overrides.ids ?? randomIds,
    bus: createInProcessEventBus((error) => logger.error({ err: error }, 'event listener failed')),
    mailer: overrides.mailer ?? createMailer({ smtpUrl: config.smtpUrl, from, logger }),
    moderation:
      overrides.moderation ??
      createCommentModeration({
        clock: overrides.clock ?? systemClock,
        ids: overrides.ids ?? randomIds,
        classifier: createConfiguredClassifier(config, `Broadside/${version}`),
        classifierTimeoutMs: config.classifierTimeoutMs,
        logger,
      }),
    version,
  };
}

export async function closeRuntime(runtime: Runtime): Promise<void> {
  await runtime.bus.close();
  runtime.mailer.close();
  await runtime.database.close();
}

export function accountsContext(runtime: Runtime): AccountsContext {
  return { db: runtime.db, clock: runtime.clock, ids: runtime.ids, secret: runtime.secret };
}

export function discussionContext(
  runtime: Runtime,
  settings: DiscussionSettings = DEFAULT_DISCUSSION_SETTINGS,
): DiscussionContext {
  return {
    db: runtime.db,
    clock: runtime.clock,
    ids: runtime.ids,
    bus: runtime.bus,
    settings,
    replyNotifications: { enabled: runtime.mailer.enabled, secret: runtime.secret },
    moderation: runtime.moderation,
  };
}

export function statementsContext(
  runtime: Runtime,
  discussionSettings: DiscussionSettings = DEFAULT_DISCUSSION_SETTINGS,
): StatementsContext {
  return {
    db: runtime.db,
    clock: runtime.clock,
    ids: runtime.ids,
    bus: runtime.bus,
    discussion: discussionContext(runtime, discussionSettings),
    mail: { mailer: runtime.mailer, baseUrl: runtime.config.baseUrl, logger: runtime.logger },
  };
}
