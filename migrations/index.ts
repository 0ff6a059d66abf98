/** Every migration, in order. Names sort by date; add new ones at the end, never edit old ones. */
import type { Migrations } from '../src/platform/database/migrate.js';
import * as accounts from './2026-11-24-0001-accounts.js';
import * as discussion from './2026-11-24-0002-discussion.js';
import * as subscriptions from './2026-11-24-0003-subscriptions.js';
import * as discussionIndexes from './2026-11-24-0004-discussion-indexes.js';
import * as moderation from './2026-11-24-0005-moderation.js';
import * as statements from './2026-11-24-0006-statements.js';
import * as interchange from './2026-11-24-0007-interchange.js';

export const migrations: Migrations = {
  '2026-11-24-0001-accounts': accounts,
  '2026-11-24-0002-discussion': discussion,
  '2026-11-24-0003-subscriptions': subscriptions,
  '2026-11-24-0004-discussion-indexes': discussionIndexes,
  '2026-11-24-0005-moderation': moderation,
  '2026-11-24-0006-statements': statements,
  '2026-11-24-0007-interchange': interchange,
};
