/**
 * Moderation's use cases, in one place for the routes and pages that call them, and the
 * verdict every new comment gets (`createCommentModeration`, what discussion calls through the
 * `CommentModeration` port). The use cases themselves live in files named for them.
 */
import { normaliseEmail } from '../accounts/model.js';
import type { Logger } from '../platform/logger.js';
import { automaticEntry } from './audit.js';
import type { ClassifiedComment } from './model.js';
import { consultClassifier } from './classifier.js';
import type { ModerationContext } from './context.js';
import type { ActiveBan } from './pipeline.js';
import { runPipeline } from './pipeline.js';
import type { AutomaticDecision, CommentModeration } from './ports.js';
import type { CompiledRules } from './rules.js';
import { compileRules, RulesError, settingsFromStored } from './rules.js';
import type { ModerationDb } from './store.js';
import { findRules, findVersionAndBan, insertAuditEntries } from './store.js';

export type { ModerationContext, Moderator, ThreadPageOf } from './context.js';
export * from './actions.js';
export * from './audit.js';
export * from './bans.js';
export * from './digest.js';
export * from './queue.js';
export * from './reports.js';
export * from './site-rules.js';

const AUTOMATIC_ACTIONS = {
  approve: 'auto-approve',
  hold: 'auto-hold',
  reject: 'auto-reject',
  spam: 'auto-spam',
} as const;

/**
 * The verdict function discussion calls in every posting transaction. `judge` costs one round
 * trip: the rules' version (a primary-key read; compiled rules are cached per site and recompiled
 * only when another process or request changed them) and the author's active bans (an indexed
 * read); `record` one insert into the audit log.
 */
export function createCommentModeration(
  ctx: Pick<ModerationContext, 'clock' | 'ids' | 'classifier' | 'classifierTimeoutMs' | 'logger'>,
): CommentModeration {
  const rules = createRulesCache(ctx.logger);
  return {
    consult(comment: ClassifiedComment) {
      return consultClassifier(ctx.classifier, comment, ctx.classifierTimeoutMs);
    },

    async judge(db, comment, classifier) {
      const trx = db as ModerationDb;
      // Bans keep people out of the conversation; an archive being imported is not them posting.
      const { version, ban } = await findVersionAndBan(
        trx,
        comment.siteId,
        comment.origin === 'import'
          ? undefined
          : {
              accountId: comment.authorAccountId,
              email: comment.authorEmail && normaliseEmail(comment.authorEmail),
              ipHash: comment.ipHash,
            },
        comment.now,
      );
      const compiled = await rules.rulesFor(trx, comment.siteId, version);
      const active: ActiveBan | undefined = ban && {
        kind: ban.kind,
        reason: ban.reason,
        expiresAt: ban.expiresAt,
      };
      return runPipeline({ comment, rules: compiled, ban: active, classifier });
    },

    async record(db, decision: AutomaticDecision) {
      if (decision.source === 'import' && !decision.flagged) return;
      const { verdict } = decision;
      await insertAuditEntries(db as ModerationDb, [
        automaticEntry(ctx, decision.siteId, decision.source, {
          action:
            decision.source === 'import' ? 'flag-import' : AUTOMATIC_ACTIONS[verdict.decision],
          commentId: decision.commentId,
          threadId: decision.threadId,
          reason: verdict.reasons.map((r) => r.message).join(' ') || undefined,
          reasonCodes: verdict.reasons.map((r) => r.code),
          statusAfter: decision.statusAfter,
        }),
      ]);
    },
  };
}

/**
 * Compiled rules per site, keyed by the rules' version: the caller reads the version in its
 * transaction (with the bans, in one round trip) so that a change made by any process is seen by
 * the next judgement; compiling happens only when the version moved.
 */
function createRulesCache(logger: Logger) {
  const cache = new Map<string, { version: number; rules: CompiledRules }>();
  return {
    async rulesFor(db: ModerationDb, siteId: string, version: number): Promise<CompiledRules> {
      const hit = cache.get(siteId);
      if (hit && hit.version === version) return hit.rules;
      const stored = await findRules(db, siteId);
      const rules = compileStored(settingsFromStored(stored), logger);
      cache.set(siteId, { version: stored.version, rules });
      return rules;
    },
  };
}

/**
 * Stored rules were checked when saved, but a list that a newer Broadside reads more strictly
 * must not stop every comment from being posted: the shipped lists stand in, loudly.
 */
function compileStored(settings: Parameters<typeof compileRules>[0], logger: Logger) {
  try {
    return compileRules(settings);
  } catch (error) {
    if (!(error instanceof RulesError)) throw error;
    logger.error(
      { problems: error.problems },
      'the stored moderation rules do not compile; using the shipped lists until they are fixed',
    );
    return compileRules({
      ...settings,
      blockedTerms: undefined,
      suspectTerms: undefined,
      blockedDomains: '',
    });
  }
}
