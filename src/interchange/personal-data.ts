/**
 * Personal-data requests about one e-mail address: export everything stored about it as JSON, or
 * erase it. Erasure takes the person out of their comments — name, address, website, account and
 * address hash — and writes "removed at the author's request" as the author, keeping every comment
 * in its place (the thread stays readable, replies stay under their parents); it ends and forgets
 * their reply subscriptions, deletes their co-signatures, ends the bans on the address (taking it
 * out of them and out of the audit log's ban entries) and unlinks the member's reports from their
 * account. One transaction; every touched thread gets a new version, so cached pages and ETags
 * change; both requests are rows of the audit log (moderation_actions), written in the request's
 * transaction.
 *
 * Where personal data lives is the list {@link PERSONAL_DATA_SOURCES}, one entry per table: a
 * capability that stores more of it adds its entry there.
 */
import { isValidEmail, normaliseEmail } from '../accounts/model.js';
import { addressKey } from '../discussion/notifications.js';
import type { Clock } from '../platform/clock.js';
import { inTransaction } from '../platform/database/index.js';
import { UnprocessableError } from '../platform/errors.js';
import type { EventBus } from '../platform/event-bus.js';
import type { Ids } from '../platform/ids.js';
import type { AuditActor } from './audit.js';
import { countsInWords, recordPersonalDataAction } from './audit.js';
import type { AccountRecord, PersonalDataDb, Person } from './personal-data-store.js';
import * as store from './personal-data-store.js';

export const ERASED_AUTHOR_NAME = "removed at the author's request";
export const PERSONAL_DATA_FORMAT = 'broadside-personal-data';

export interface PersonalDataContext {
  db: PersonalDataDb;
  clock: Clock;
  bus: EventBus;
  /** For the audit log's entries. */
  ids: Ids;
  /** SECRET: subscriptions are found by a keyed hash of the address, and audit entries name it so. */
  secret: string;
}

/** What an erasure did to one source, and what the caller must announce afterwards. */
export interface SourceErasure {
  records: number;
  /** Comments whose shown author changed, for live pages. */
  comments?: { id: string; threadId: string; status: string }[];
}

/** One table that holds personal data, and how to find and erase a person's share of it. */
export interface PersonalDataSource {
  /** Its key in the exported document, e.g. `comments`. */
  name: string;
  find(db: PersonalDataDb, person: Person): Promise<unknown[]>;
  /** Runs inside the erasure's transaction; sources are erased in the order of the list. */
  erase(db: PersonalDataDb, person: Person, now: Date): Promise<SourceErasure>;
}

/**
 * Every table with personal data, in the order erasure runs: subscriptions first, since they are
 * found partly through the comments' addresses, which the next step removes.
 */
export const PERSONAL_DATA_SOURCES: readonly PersonalDataSource[] = [
  {
    name: 'subscriptions',
    find: store.findSubscriptions,
    erase: async (db, person) => ({ records: await store.deleteSubscriptions(db, person) }),
  },
  {
    name: 'comments',
    find: store.findComments,
    erase: async (db, person) => {
      const comments = await store.eraseCommentAuthors(db, person, ERASED_AUTHOR_NAME);
      return { records: comments.length, comments };
    },
  },
  {
    name: 'signatures',
    find: store.findSignatures,
    erase: async (db, person) => ({ records: await store.deleteSignatures(db, person) }),
  },
  {
    // Bans on the address (ended, the address taken out) and on the account (kept: see README).
    name: 'bans',
    find: store.findBans,
    erase: async (db, person, now) => ({ records: await store.eraseEmailBans(db, person, now) }),
  },
  {
    // The audit log's ban entries name the banned address.
    name: 'auditEntries',
    find: store.findAuditEntriesNaming,
    erase: async (db, person) => ({ records: await store.eraseAuditTargets(db, person) }),
  },
  {
    name: 'reports',
    find: store.findReports,
    erase: async (db, person) => ({ records: await store.eraseReporters(db, person) }),
  },
];

export interface PersonalDataDocument {
  format: typeof PERSONAL_DATA_FORMAT;
  version: 1;
  email: string;
  exportedAt: string;
  /** The member account with this address, if there is one (erasure leaves it: see README). */
  account: AccountRecord | null;
  /** One array per source: `comments`, `subscriptions`… */
  [source: string]: unknown;
}

export interface ErasureSummary {
  email: string;
  /** Records erased, by source. */
  counts: Record<string, number>;
  /** Threads that got a new version. */
  threads: number;
  /** A member account has the address: it is kept (it is removed as a member, not here). */
  account: AccountRecord | undefined;
}

async function personOf(ctx: PersonalDataContext, email: string) {
  const normalised = normaliseEmail(email);
  if (!isValidEmail(normalised)) {
    throw new UnprocessableError(`"${email}" is not a valid e-mail address.`, 'invalid-email');
  }
  const account = await store.findAccountRecord(ctx.db, normalised);
  const person: Person = {
    email: normalised,
    subscriptionKey: addressKey(ctx.secret, normalised),
    accountId: account?.id,
  };
  return { person, account };
}

/** Everything stored about an address, as one JSON document. */
export async function exportPersonalData(
  ctx: PersonalDataContext,
  input: { email: string; actor: AuditActor },
): Promise<PersonalDataDocument> {
  const document = await inTransaction(ctx.db, async (trx) => {
    const { person, account } = await personOf({ ...ctx, db: trx }, input.email);
    const document: PersonalDataDocument = {
      format: PERSONAL_DATA_FORMAT,
      version: 1,
      email: person.email,
      exportedAt: ctx.clock.now().toISOString(),
      account: account ?? null,
    };
    const counts: Record<string, number> = {};
    for (const source of PERSONAL_DATA_SOURCES) {
      const records = await source.find(trx, person);
      document[source.name] = records;
      counts[source.name] = records.length;
    }
    await recordPersonalDataAction(
      { ...ctx, db: trx },
      { action: 'person-export', email: person.email, actor: input.actor, counts },
    );
    return document;
  });
  return document;
}

/** How much an erasure would change, by source (for the confirmation). */
export async function previewErasure(
  ctx: PersonalDataContext,
  input: { email: string },
): Promise<{ email: string; counts: Record<string, number>; account: AccountRecord | undefined }> {
  const { person, account } = await personOf(ctx, input.email);
  const counts: Record<string, number> = {};
  for (const source of PERSONAL_DATA_SOURCES) {
    counts[source.name] = (await source.find(ctx.db, person)).length;
  }
  return { email: person.email, counts, account };
}

/** Erases the address from every source in one transaction; see the module's comment. */
export async function erasePersonalData(
  ctx: PersonalDataContext,
  input: { email: string; actor: AuditActor },
): Promise<ErasureSummary> {
  const { summary, changed, versions } = await inTransaction(ctx.db, async (trx) => {
    const now = ctx.clock.now();
    const { person, account } = await personOf({ ...ctx, db: trx }, input.email);
    const counts: Record<string, number> = {};
    const changed: { id: string; threadId: string; status: string }[] = [];
    for (const source of PERSONAL_DATA_SOURCES) {
      const erased = await source.erase(trx, person, now);
      counts[source.name] = erased.records;
      changed.push(...(erased.comments ?? []));
    }
    const threadIds = [...new Set(changed.map((comment) => comment.threadId))].sort();
    const versions = await store.bumpThreadVersions(trx, threadIds, now);
    const summary: ErasureSummary = {
      email: person.email,
      counts,
      threads: threadIds.length,
      account,
    };
    await recordPersonalDataAction(
      { ...ctx, db: trx },
      { action: 'person-erase', email: person.email, actor: input.actor, counts },
    );
    return { summary, changed, versions };
  });
  // Live pages show the new author line; the same event as an edit, since that is what readers see.
  for (const comment of changed) {
    await ctx.bus.publish({
      type: 'comment.edited',
      topic: `thread:${comment.threadId}`,
      payload: {
        commentId: comment.id,
        status: comment.status,
        version: versions.get(comment.threadId),
      },
    });
  }
  return summary;
}

/** One line for people: what an erasure did, or (with `wouldBe`) would do. */
export function describeErasure(
  summary: { email: string; counts: Record<string, number> },
  wouldBe = false,
): string {
  const verb = wouldBe ? 'would be erased' : 'erased';
  return `${summary.email}: ${countsInWords(summary.counts) || 'nothing'} ${verb}.`;
}
