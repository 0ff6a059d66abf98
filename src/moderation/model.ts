/**
 * The vocabulary of moderation: what a verdict is, the reasons it gives, what the pipeline may look
 * at, and the site's rules. Pure types and small pure helpers; the phases are in `pipeline.ts`,
 * term matching in `terms.ts`.
 */

export type Decision = 'approve' | 'hold' | 'reject' | 'spam';

/** Stable, machine-readable reason codes: API clients and the queue's filters rely on them. */
export const REASON_CODES = [
  'blocked-term',
  'suspect-term',
  'too-many-links',
  'blocked-domain',
  'first-time-commenter',
  'duplicate',
  'flood',
  'banned',
  'thread-closed',
  'reported',
  'classifier',
  'classifier-unavailable',
  // A moderator's own words when rejecting (shown to the author).
  'moderator',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

/** Where in the comment's body a rule matched: `[start, end)` in UTF-16 code units. */
export interface ReasonMatch {
  start: number;
  end: number;
  /** The list entry that matched ("yid"), not the obfuscated text the comment used. */
  term: string;
}

export interface VerdictReason {
  code: ReasonCode;
  message: string;
  /** For term reasons: what matched, so the queue can highlight it. */
  matches?: ReasonMatch[];
}

export interface Verdict {
  decision: Decision;
  reasons: VerdictReason[];
}

/** What the author has done before, gathered by discussion from its comments (no I/O here). */
export interface AuthorHistory {
  /** Earlier comments by this author (account, else e-mail) that are approved. */
  approved: number;
  /** Earlier comments by this author that were rejected or marked spam. */
  rejected: number;
  /** Whether this author (account, else e-mail, else address) posted exactly this body before. */
  sameBodyBefore: boolean;
  /** Comments this author (account, else e-mail) posted in the minute before `now`. */
  lastMinuteByAuthor: number;
  /** Comments from this address (hash) in the minute before `now`. */
  lastMinuteByAddress: number;
  /** Whether the e-mail address has been proven (a confirmed subscription, or a member's). */
  emailVerified: boolean;
}

export const NO_HISTORY: AuthorHistory = {
  approved: 0,
  rejected: 0,
  sameBodyBefore: false,
  lastMinuteByAuthor: 0,
  lastMinuteByAddress: 0,
  emailVerified: false,
};

/** A comment as moderation sees it, with everything a phase may look at; read-only. */
export interface CommentUnderReview {
  siteId: string;
  threadId: string;
  body: string;
  authorName: string;
  authorEmail: string | undefined;
  authorAccountId: string | undefined;
  /** A keyed hash of the poster's address, never the address. */
  ipHash: string | undefined;
  authorUrl?: string | undefined;
  threadStatus: 'open' | 'closed';
  origin: 'local' | 'import' | 'federation';
  /** True when the comment is an edit of an earlier one (duplicate and flood checks skip it). */
  isEdit?: boolean;
  history: AuthorHistory;
  now: Date;
}

/** What an outside classifier is shown: the words and who wrote them, nothing of the site. */
export type ClassifiedComment = Pick<
  CommentUnderReview,
  'body' | 'authorName' | 'authorEmail' | 'authorUrl' | 'ipHash' | 'origin'
>;

/** How first-time commenters are treated (site setting). */
export type FirstTimePolicy = 'off' | 'first-comment' | 'all-comments';

/** The site's moderation rules as stored and edited; term lists are text, one term a line. */
export interface ModerationSettings {
  /** Term list text; `undefined` means the shipped default list. */
  blockedTerms: string | undefined;
  suspectTerms: string | undefined;
  /** One domain a line (`example.com` also covers its subdomains). */
  blockedDomains: string;
  /** More links than this hold a comment. */
  maxLinks: number;
  firstTime: FirstTimePolicy;
  /** More comments than this in a minute from one author or address hold a comment. */
  floodPerMinute: number;
  /** Reports from this many distinct people hold a public comment. */
  reportsToHold: number;
  /** Moderators get one digest e-mail when the queue has an item older than this; 0 = off. */
  digestAfterMinutes: number;
}

export const DEFAULT_MODERATION_SETTINGS: ModerationSettings = {
  blockedTerms: undefined,
  suspectTerms: undefined,
  blockedDomains: '',
  maxLinks: 2,
  firstTime: 'off',
  floodPerMinute: 5,
  reportsToHold: 3,
  digestAfterMinutes: 0,
};

/** What an outside classifier said, asked before the posting transaction (it is slow). */
export type ClassifierOutcome =
  | { kind: 'ham' }
  | { kind: 'spam'; name: string }
  | { kind: 'unavailable'; name: string; problem: string };

/** Why a comment would be refused outright at the door, in words the author can act on. */
export const BANNED_MESSAGE = 'This comment cannot be published.';

/**
 * Why a just-posted comment is not shown, in its author's terms, with what they can do. A ban is
 * never named (its reason's message is already neutral, and left out when others explain more).
 */
export function notPublishedMessage(
  status: 'rejected' | 'spam',
  reasons: readonly { code: string; message: string }[],
): string {
  const words = reasons.filter((reason) => reason.code !== 'banned').map((r) => r.message);
  if (words.length === 0) return BANNED_MESSAGE;
  const kept =
    status === 'spam'
      ? 'It was kept for a moderator, who may still publish it.'
      : 'If this is a mistake, a moderator can still publish it.';
  return `Your comment was not published: ${words.join(' ')} ${kept}`;
}

const SEVERITY: Record<Decision, number> = { approve: 0, hold: 1, spam: 2, reject: 3 };

/** The stricter of two decisions: reject > spam > hold > approve. */
export function stricter(a: Decision, b: Decision): Decision {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}
