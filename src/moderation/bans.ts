/**
 * Bans: a moderator keeps an author out — by account, e-mail address and/or address hash,
 * usually taken from one of their comments — for some hours, some days or for ever. A banned
 * author's comments are rejected by the rules with a neutral message (`BANNED_MESSAGE`).
 */
import { can, isValidEmail, normaliseEmail } from '../accounts/model.js';
import type { AccountsDb } from '../accounts/store.js';
import { findMember } from '../accounts/store.js';
import { inTransaction } from '../platform/database/index.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../platform/errors.js';
import { cleanReason } from './actions.js';
import { moderatorEntry } from './audit.js';
import type { ModerationContext, Moderator } from './context.js';
import { decodeCursor, pageOf } from './paging.js';
import { findComment } from './queue-store.js';
import type { Ban, BanKind, ModerationDb } from './store.js';
import {
  findBan,
  insertAuditEntries,
  insertBan,
  liftActiveBans,
  liftBan,
  listBans,
} from './store.js';

/** The longest ban with an end: ten years. Longer is "for ever". */
export const MAX_BAN_HOURS = 24 * 365 * 10;

export interface BanInput {
  siteId: string;
  actor: Moderator;
  /** Ban the author of this comment… */
  commentId?: string | undefined;
  /** …by these of their identities (default: every one the comment has). */
  kinds?: readonly BanKind[] | undefined;
  /** Or ban this e-mail address directly. */
  email?: string | undefined;
  /** Required: kept in the log and shown to moderators (never to the banned author). */
  reason: string;
  /** How long; undefined for ever. */
  durationHours?: number | undefined;
}

/**
 * Bans an author, one row per identity, in one transaction with its audit entries. An active ban
 * on the same identity is replaced (the new duration counts). Unknown comment → 404
 * `comment-not-found`; an identity the comment lacks → 422 `ban-target-missing`; a member who
 * moderates this site cannot be banned by account (422 `cannot-ban-moderator`).
 */
export async function banAuthor(ctx: ModerationContext, input: BanInput): Promise<Ban[]> {
  const reason = cleanReason(input.reason);
  if (!reason)
    throw new UnprocessableError(
      'Say why the author is banned (moderators see it).',
      'reason-required',
    );
  const hours = input.durationHours;
  if (hours !== undefined && (!Number.isInteger(hours) || hours < 1 || hours > MAX_BAN_HOURS)) {
    throw new UnprocessableError(
      `A ban lasts from 1 hour to ${MAX_BAN_HOURS} hours (ten years), in whole hours; leave the duration out to ban for ever.`,
      'invalid-ban-duration',
    );
  }
  if ((input.commentId === undefined) === (input.email === undefined)) {
    throw new UnprocessableError(
      'Give either the comment whose author to ban (`commentId`) or an e-mail address (`email`).',
      'invalid-ban-target',
    );
  }

  const bans = await inTransaction(ctx.db, async (trx) => {
    const now = ctx.clock.now();
    const expiresAt = hours === undefined ? undefined : new Date(now.getTime() + hours * 3_600_000);
    const { targets, commentId, threadId } = await targetsOf(trx, input);
    const bans: Ban[] = [];
    for (const [kind, value] of targets) {
      await liftActiveBans(trx, input.siteId, kind, value, now);
      const ban: Ban = {
        id: ctx.ids.id(),
        siteId: input.siteId,
        kind,
        value,
        reason,
        commentId,
        createdBy: input.actor.accountId,
        createdAt: now,
        expiresAt,
        liftedAt: undefined,
      };
      await insertBan(trx, ban);
      bans.push(ban);
    }
    await insertAuditEntries(
      trx,
      bans.map((ban) =>
        moderatorEntry(ctx, input.siteId, input.actor, {
          action: 'ban',
          commentId,
          threadId,
          target: banTarget(ban),
          reason: `${reason} (${expiresAt ? `until ${expiresAt.toISOString()}` : 'for ever'})`,
        }),
      ),
    );
    return bans;
  });
  return bans;
}

async function targetsOf(
  db: ModerationDb,
  input: BanInput,
): Promise<{ targets: [BanKind, string][]; commentId?: string; threadId?: string }> {
  if (input.email !== undefined) {
    const email = normaliseEmail(input.email);
    if (!isValidEmail(email))
      throw new UnprocessableError(
        `"${input.email}" is not a valid e-mail address.`,
        'invalid-email',
      );
    return { targets: [['email', email]] };
  }
  const commentId = input.commentId ?? '';
  const comment = await findComment(db, input.siteId, commentId);
  if (!comment) throw new NotFoundError(`There is no comment ${commentId}.`, 'comment-not-found');
  const available: Partial<Record<BanKind, string>> = {
    account: comment.authorAccountId,
    email: comment.authorEmail && normaliseEmail(comment.authorEmail),
    address: comment.ipHash,
  };
  const kinds = input.kinds && input.kinds.length > 0 ? [...new Set(input.kinds)] : undefined;
  const targets: [BanKind, string][] = [];
  for (const kind of kinds ?? (['account', 'email', 'address'] as const)) {
    const value = available[kind];
    if (value) targets.push([kind, value]);
    else if (kinds) {
      throw new UnprocessableError(
        `The comment has no ${KIND_NOUN[kind]} to ban (it was posted without one).`,
        'ban-target-missing',
      );
    }
  }
  if (targets.length === 0) {
    throw new UnprocessableError(
      'The comment has no account, e-mail address or network address to ban (it was imported without them).',
      'ban-target-missing',
    );
  }
  const account = targets.find(([kind]) => kind === 'account')?.[1];
  if (account) {
    const member = await findMember(db as unknown as AccountsDb, input.siteId, account);
    if (member && can(member.role, 'comments.moderate')) {
      throw new UnprocessableError(
        `${member.displayName} moderates this site (${member.role}); change their role before banning their account.`,
        'cannot-ban-moderator',
      );
    }
  }
  return { targets, commentId: comment.id, threadId: comment.threadId };
}

const KIND_NOUN: Record<BanKind, string> = {
  account: 'account',
  email: 'e-mail address',
  address: 'network address',
};

/**
 * How a ban's identity appears to moderators and in the log: the account id or e-mail; for an
 * address only the start of its keyed hash (the address itself is never stored).
 */
export function banTarget(ban: Pick<Ban, 'kind' | 'value'>): string {
  return ban.kind === 'address' ? `address:${ban.value.slice(0, 12)}…` : `${ban.kind}:${ban.value}`;
}

/** Lifts a ban now. Unknown → 404 `ban-not-found`; lifted already → 409 `ban-already-lifted`. */
export async function liftBanById(
  ctx: ModerationContext,
  input: { siteId: string; actor: Moderator; banId: string },
): Promise<Ban> {
  return inTransaction(ctx.db, async (trx) => {
    const ban = await findBan(trx, input.siteId, input.banId);
    if (!ban) throw new NotFoundError(`There is no ban ${input.banId}.`, 'ban-not-found');
    const now = ctx.clock.now();
    if (ban.liftedAt || !(await liftBan(trx, ban.id, now))) {
      throw new ConflictError('This ban has already been lifted.', 'ban-already-lifted');
    }
    await insertAuditEntries(trx, [
      moderatorEntry(ctx, input.siteId, input.actor, {
        action: 'lift-ban',
        commentId: ban.commentId,
        target: banTarget(ban),
      }),
    ]);
    return { ...ban, liftedAt: now };
  });
}

export const BANS_PAGE_SIZE = 50;

/** Whether a ban keeps its author out at `now`. */
export function isActive(ban: Pick<Ban, 'liftedAt' | 'expiresAt'>, now: Date): boolean {
  return !ban.liftedAt && (!ban.expiresAt || ban.expiresAt > now);
}

/** The site's bans, newest first: only those in force, or all (`state: 'all'`). */
export async function listSiteBans(
  ctx: Pick<ModerationContext, 'db' | 'clock'>,
  input: {
    siteId: string;
    state?: 'active' | 'all' | undefined;
    cursor?: string | undefined;
    limit?: number | undefined;
  },
): Promise<{ items: Ban[]; nextCursor: string | undefined }> {
  const limit = Math.min(Math.max(input.limit ?? BANS_PAGE_SIZE, 1), 200);
  const list = `bans-${input.state ?? 'active'}`;
  const rows = await listBans(ctx.db, {
    siteId: input.siteId,
    activeAt: input.state === 'all' ? undefined : ctx.clock.now(),
    after: input.cursor ? decodeCursor(list, input.cursor) : undefined,
    limit: limit + 1,
  });
  return pageOf(rows, limit, list, (ban) => ({ at: ban.createdAt.toISOString(), id: ban.id }));
}
