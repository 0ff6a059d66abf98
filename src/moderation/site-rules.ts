/**
 * Reading and changing a site's moderation rules (settings and term lists). A change is checked
 * in full — every line of every list compiled — before anything is written, bumps the rules'
 * version (which every process's compiled-rules cache keys on) and is logged.
 */
import { inTransaction } from '../platform/database/index.js';
import { ConflictError } from '../platform/errors.js';
import { moderatorEntry } from './audit.js';
import type { ModerationContext, Moderator } from './context.js';
import type { ModerationSettings } from './model.js';
import {
  compileRules,
  settingsFromStored,
  storedSettingsJson,
  validateSettingsInput,
} from './rules.js';
import type { ModerationDb } from './store.js';
import { ensureRulesRow, findRules, insertAuditEntries, updateRules } from './store.js';
import { DEFAULT_BLOCKED_TERMS, DEFAULT_SUSPECT_TERMS } from './terms.js';

/** The site's complete settings now (defaults where nothing was changed). */
export async function currentSettings(
  db: ModerationDb,
  siteId: string,
): Promise<ModerationSettings> {
  return settingsFromStored(await findRules(db, siteId));
}

/** The rules as a moderator edits them: every list as text, the shipped ones included. */
export interface RulesView {
  settings: ModerationSettings & { blockedTerms: string; suspectTerms: string };
  /** Whether a term list is the shipped default (and follows it when Broadside updates it). */
  blockedTermsDefault: boolean;
  suspectTermsDefault: boolean;
  /** Send it back as `expectedVersion` so that a change made meanwhile is not overwritten. */
  version: number;
  updatedAt: Date | undefined;
  updatedBy: string | undefined;
}

export async function getRules(
  ctx: Pick<ModerationContext, 'db'>,
  siteId: string,
): Promise<RulesView> {
  return viewOf(await findRules(ctx.db, siteId));
}

function viewOf(stored: Awaited<ReturnType<typeof findRules>>): RulesView {
  const settings = settingsFromStored(stored);
  return {
    settings: {
      ...settings,
      blockedTerms: settings.blockedTerms ?? DEFAULT_BLOCKED_TERMS,
      suspectTerms: settings.suspectTerms ?? DEFAULT_SUSPECT_TERMS,
    },
    blockedTermsDefault: settings.blockedTerms === undefined,
    suspectTermsDefault: settings.suspectTerms === undefined,
    version: stored.version,
    updatedAt: stored.updatedAt,
    updatedBy: stored.updatedBy,
  };
}

/**
 * Changes the settings given in `input` (the others stay), as `validateSettingsInput` reads them
 * (a term list `null` goes back to the default). A malformed list → 422 `invalid-term-list` (or
 * `invalid-domain-list`) naming every bad line; a version other than `expectedVersion`, or a
 * change by someone else while this one was checked → 409 `rules-changed`. Nothing is written
 * in either case, nor when nothing changes.
 */
export async function updateSiteRules(
  ctx: ModerationContext,
  input: {
    siteId: string;
    actor: Moderator;
    changes: unknown;
    expectedVersion?: number | undefined;
  },
): Promise<RulesView> {
  const before = await findRules(ctx.db, input.siteId);
  if (input.expectedVersion !== undefined && input.expectedVersion !== before.version)
    throw rulesChanged();
  const current = settingsFromStored(before);
  const next = followDefaults(validateSettingsInput(input.changes, current));
  // Compiling checks every line of every list; it is also the costly part, so it happens
  // before the transaction, not while holding the rules' row.
  compileRules(next);
  const changed = describeChanges(current, next);
  if (changed.length === 0) return viewOf(before);

  return inTransaction(ctx.db, async (trx) => {
    const now = ctx.clock.now();
    await ensureRulesRow(trx, input.siteId, now);
    const locked = await findRules(trx, input.siteId, { lock: true });
    if (locked.version !== before.version) throw rulesChanged();
    const version = await updateRules(trx, {
      siteId: input.siteId,
      blockedTerms: next.blockedTerms,
      suspectTerms: next.suspectTerms,
      settings: storedSettingsJson(next),
      updatedAt: now,
      updatedBy: input.actor.accountId,
    });
    await insertAuditEntries(trx, [
      moderatorEntry(ctx, input.siteId, input.actor, {
        action: 'rules-updated',
        target: `rules:v${version}`,
        reason: `Changed ${changed.join('; ')}.`,
      }),
    ]);
    return viewOf(await findRules(trx, input.siteId));
  });
}

function rulesChanged(): ConflictError {
  return new ConflictError(
    'Someone else changed the moderation rules meanwhile. Reload them, then make your change again.',
    'rules-changed',
  );
}

const sameText = (a: string, b: string) =>
  a.replace(/\r\n?/g, '\n').trim() === b.replace(/\r\n?/g, '\n').trim();

/** A list sent back exactly as shipped stays "the default", so it follows future updates. */
function followDefaults(settings: ModerationSettings): ModerationSettings {
  return {
    ...settings,
    blockedTerms:
      settings.blockedTerms !== undefined && sameText(settings.blockedTerms, DEFAULT_BLOCKED_TERMS)
        ? undefined
        : settings.blockedTerms,
    suspectTerms:
      settings.suspectTerms !== undefined && sameText(settings.suspectTerms, DEFAULT_SUSPECT_TERMS)
        ? undefined
        : settings.suspectTerms,
  };
}

const LABELS: Record<keyof ModerationSettings, string> = {
  blockedTerms: 'blocked terms',
  suspectTerms: 'suspect terms',
  blockedDomains: 'blocked domains',
  maxLinks: 'links before holding',
  firstTime: 'first-time commenters',
  floodPerMinute: 'comments a minute before holding',
  reportsToHold: 'reports to hold',
  digestAfterMinutes: 'digest after minutes',
};

/** What differs, for the log: lists by name (and whether now the default), values before → after. */
function describeChanges(before: ModerationSettings, after: ModerationSettings): string[] {
  const changes: string[] = [];
  for (const key of Object.keys(LABELS) as (keyof ModerationSettings)[]) {
    const was = before[key];
    const now = after[key];
    if (was === now) continue;
    if (key === 'blockedTerms' || key === 'suspectTerms' || key === 'blockedDomains') {
      changes.push(now === undefined ? `${LABELS[key]} (back to the default list)` : LABELS[key]);
    } else {
      changes.push(`${LABELS[key]} ${String(was)} → ${String(now)}`);
    }
  }
  return changes;
}
