/**
 * The rule pipeline: a chain of small pure phases over a read-only context, each adding reasons
 * and perhaps a decision; the verdict is the strictest decision with every reason. No I/O, no
 * clock: bans, history and the classifier's answer are gathered before, and `now` is given.
 *
 * Order matters only for what is said first and for stopping: a phase that rejects ends the
 * run (nothing is stricter than reject, and a banned author must see the neutral message alone).
 */
import { blockedDomainOf, scanLinks } from './links.js';
import type { LinkScan } from './links.js';
import type {
  CommentUnderReview,
  ClassifierOutcome,
  Decision,
  ReasonMatch,
  Verdict,
  VerdictReason,
} from './model.js';
import { BANNED_MESSAGE, stricter } from './model.js';
import type { CompiledRules } from './rules.js';
import type { TermMatches } from './terms.js';

/** A ban in force on the comment's account, e-mail or address (looked up by the caller). */
export interface ActiveBan {
  kind: 'account' | 'email' | 'address';
  reason: string;
  expiresAt: Date | undefined;
}

export interface PipelineContext {
  comment: CommentUnderReview;
  rules: CompiledRules;
  ban: ActiveBan | undefined;
  classifier: ClassifierOutcome | undefined;
}

export interface PhaseOutcome {
  decision?: Decision;
  reasons: VerdictReason[];
}

export type Phase = (ctx: PipelineContext) => PhaseOutcome;

const NOTHING: PhaseOutcome = Object.freeze({ reasons: [] }) as PhaseOutcome;

// Two phases each read the term matches and two the links: each is computed once per context,
// remembered for the context being judged (phases run one context at a time; a WeakMap per call
// cost more than the scans it saved).
let termsOf: PipelineContext | undefined;
let termsFound: TermMatches = { blocked: [], suspect: [] };
let linksOf: PipelineContext | undefined;
let linksFound: LinkScan = { links: [], hosts: [] };

function termMatches(ctx: PipelineContext): TermMatches {
  if (termsOf !== ctx) {
    termsFound = ctx.rules.terms.match(ctx.comment.body);
    termsOf = ctx;
  }
  return termsFound;
}

function links(ctx: PipelineContext): LinkScan {
  if (linksOf !== ctx) {
    linksFound = scanLinks(ctx.comment.body);
    linksOf = ctx;
  }
  return linksFound;
}

/** “a”, “a” and “b”, “a”, “b” and “c”. */
function quotedList(items: readonly string[]): string {
  const quoted = items.map((item) => `“${item}”`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}

function distinctTerms(matches: readonly ReasonMatch[]): string[] {
  return [...new Set(matches.map((match) => match.term))];
}

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}

// --- the phases ------------------------------------------------------------------------------

/** A banned account, e-mail or address: rejected, with a message that does not say why. */
export const bans: Phase = ({ ban }) =>
  ban === undefined
    ? NOTHING
    : { decision: 'reject', reasons: [{ code: 'banned', message: BANNED_MESSAGE }] };

/** A closed thread (or statement) takes no new comments. */
export const closedThread: Phase = ({ comment }) =>
  comment.threadStatus !== 'closed'
    ? NOTHING
    : {
        decision: 'reject',
        reasons: [{ code: 'thread-closed', message: 'This discussion is closed to new comments.' }],
      };

/** A term on the blocked list: rejected. */
export const blockedTerms: Phase = (ctx) => {
  const matches = termMatches(ctx).blocked;
  if (matches.length === 0) return NOTHING;
  const terms = distinctTerms(matches);
  return {
    decision: 'reject',
    reasons: [
      {
        code: 'blocked-term',
        message: `Contains ${quotedList(terms)}, ${terms.length === 1 ? 'a blocked term' : 'blocked terms'}`,
        matches,
      },
    ],
  };
};

/** A link to (or a mention of) a domain on the block list: rejected. */
export const blockedDomains: Phase = (ctx) => {
  const blocked = ctx.rules.blockedDomainSet;
  if (blocked.size === 0) return NOTHING;
  const found = new Set<string>();
  for (const host of links(ctx).hosts) {
    const domain = blockedDomainOf(host, blocked);
    if (domain !== undefined) found.add(domain);
  }
  if (found.size === 0) return NOTHING;
  const domains = [...found];
  return {
    decision: 'reject',
    reasons: [
      {
        code: 'blocked-domain',
        message: `Links to ${domains.join(', ')}, ${domains.length === 1 ? 'a blocked domain' : 'blocked domains'}`,
      },
    ],
  };
};

/** The same body again from the same author: rejected. */
export const duplicate: Phase = ({ comment }) =>
  !comment.history.sameBodyBefore
    ? NOTHING
    : {
        decision: 'reject',
        reasons: [
          { code: 'duplicate', message: 'The same comment was already posted by its author' },
        ],
      };

/** A term on the suspect list: held, naming the term. */
export const suspectTerms: Phase = (ctx) => {
  const matches = termMatches(ctx).suspect;
  if (matches.length === 0) return NOTHING;
  const terms = distinctTerms(matches);
  return {
    decision: 'hold',
    reasons: [
      {
        code: 'suspect-term',
        message: `Contains ${quotedList(terms)}, ${terms.length === 1 ? 'a term' : 'terms'} on the suspect list`,
        matches,
      },
    ],
  };
};

/** More links than the site allows: held. */
export const tooManyLinks: Phase = (ctx) => {
  const max = ctx.rules.settings.maxLinks;
  const count = links(ctx).links.length;
  if (count <= max) return NOTHING;
  const allowance =
    max === 0
      ? "links need a moderator's look"
      : `more than ${max.toLocaleString('en')} ${max === 1 ? 'needs' : 'need'} a moderator's look`;
  return {
    decision: 'hold',
    reasons: [
      { code: 'too-many-links', message: `${plural(count, 'link', 'links')}; ${allowance}` },
    ],
  };
};

/**
 * First-time commenters, by the site's policy: `first-comment` holds until an earlier comment
 * by the same account, or the same verified e-mail, was approved (an unverified e-mail proves
 * nothing: anyone can type anyone's); `all-comments` holds every comment.
 */
export const firstTime: Phase = ({ comment, rules }) => {
  switch (rules.settings.firstTime) {
    case 'off':
      return NOTHING;
    case 'all-comments':
      return {
        decision: 'hold',
        reasons: [
          {
            code: 'first-time-commenter',
            message: "Every comment on this site waits for a moderator's approval",
          },
        ],
      };
    case 'first-comment': {
      const known = comment.authorAccountId !== undefined || comment.history.emailVerified;
      if (known && comment.history.approved > 0) return NOTHING;
      return {
        decision: 'hold',
        reasons: [
          {
            code: 'first-time-commenter',
            message: "A first comment waits for a moderator's approval",
          },
        ],
      };
    }
  }
};

/** More comments in the last minute than the site allows, from one author or one address. */
export const flood: Phase = ({ comment, rules }) => {
  const limit = rules.settings.floodPerMinute;
  const { lastMinuteByAuthor, lastMinuteByAddress } = comment.history;
  if (lastMinuteByAuthor < limit && lastMinuteByAddress < limit) return NOTHING;
  const byAuthor = lastMinuteByAuthor >= limit;
  const earlier = byAuthor ? lastMinuteByAuthor : lastMinuteByAddress;
  return {
    decision: 'hold',
    reasons: [
      {
        code: 'flood',
        message: `${(earlier + 1).toLocaleString('en')} comments in a minute from ${byAuthor ? 'this author' : 'this address'}; more than ${limit.toLocaleString('en')} a minute wait for a moderator`,
      },
    ],
  };
};

/** What the outside classifier said (asked before the pipeline ran; absent when off). */
export const classifier: Phase = ({ classifier: outcome }) => {
  switch (outcome?.kind) {
    case undefined:
    case 'ham':
      return NOTHING;
    case 'spam':
      return {
        decision: 'spam',
        reasons: [{ code: 'classifier', message: `${outcome.name} classed this comment as spam` }],
      };
    case 'unavailable':
      return {
        decision: 'hold',
        reasons: [
          {
            code: 'classifier-unavailable',
            message:
              'The spam classifier could not be reached; a moderator will look at this comment',
          },
        ],
      };
  }
};

// --- running them ----------------------------------------------------------------------------

/** Every phase, in order, for a new local (or federated) comment. */
export const PHASES: readonly Phase[] = [
  bans,
  closedThread,
  blockedTerms,
  blockedDomains,
  duplicate,
  suspectTerms,
  tooManyLinks,
  firstTime,
  flood,
  classifier,
];

/**
 * Imports are reviewed, not policed: they keep their original status and are flagged when the
 * content would be held, so only what the text says counts — not who posted it when, whether
 * the thread is closed now, or an outside classifier.
 */
export const REVIEW_PHASES: readonly Phase[] = [
  blockedTerms,
  blockedDomains,
  suspectTerms,
  tooManyLinks,
];

/** An edit is judged on its content and its author's standing, not as a new post. */
export const EDIT_PHASES: readonly Phase[] = PHASES.filter(
  (phase) => phase !== duplicate && phase !== firstTime && phase !== flood,
);

/** The phases that apply to this comment. */
export function phasesFor(comment: CommentUnderReview): readonly Phase[] {
  if (comment.origin === 'import') return REVIEW_PHASES;
  return comment.isEdit === true ? EDIT_PHASES : PHASES;
}

/** Runs `phases` in order: the strictest decision and every reason, stopping at a reject. */
export function runPhases(ctx: PipelineContext, phases: readonly Phase[]): Verdict {
  let decision: Decision = 'approve';
  const reasons: VerdictReason[] = [];
  for (const phase of phases) {
    const outcome = phase(ctx);
    reasons.push(...outcome.reasons);
    if (outcome.decision === undefined) continue;
    decision = stricter(decision, outcome.decision);
    // Nothing is stricter than reject, and later reasons would only add what a rejected (or
    // banned) author should not be told; stop here.
    if (decision === 'reject') break;
  }
  return { decision, reasons };
}

/** The verdict on one comment under the site's compiled rules. Pure. */
export function runPipeline(ctx: PipelineContext): Verdict {
  return runPhases(ctx, phasesFor(ctx.comment));
}
