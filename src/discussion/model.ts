/**
 * The rules of a discussion: where a reply goes in the tree, how its materialised path and its
 * number are made, who may edit, and which statuses the public sees. Pure functions; no I/O.
 */
import { isBlank } from './markdown.js';

export const COMMENT_STATUSES = ['pending', 'approved', 'rejected', 'spam', 'deleted'] as const;
export type CommentStatus = (typeof COMMENT_STATUSES)[number];

export const COMMENT_ORIGINS = ['local', 'import', 'federation'] as const;
export type CommentOrigin = (typeof COMMENT_ORIGINS)[number];

/** Pingbacks and trackbacks (imported from WordPress) are notices that another page links here. */
export const COMMENT_KINDS = ['comment', 'pingback', 'trackback'] as const;
export type CommentKind = (typeof COMMENT_KINDS)[number];

/** What readers see: approved comments, and deleted ones as "comment removed" placeholders. */
export function isPublicStatus(status: CommentStatus): boolean {
  return status === 'approved' || status === 'deleted';
}

export interface DiscussionSettings {
  /** Deepest level of nesting; top-level comments are depth 1. WordPress's default is 5. */
  maxDepth: number;
  /** Longest body accepted, in characters. */
  maxBodyLength: number;
  /** How long an author may edit their comment, in milliseconds. */
  editWindowMs: number;
}

export const DEFAULT_DISCUSSION_SETTINGS: DiscussionSettings = {
  maxDepth: 5,
  maxBodyLength: 10_000,
  editWindowMs: 15 * 60_000,
};

const SETTING_RANGES = {
  maxDepth: [2, 50],
  maxBodyLength: [1, 100_000],
  editWindowSeconds: [0, 366 * 24 * 3600],
} as const;

/**
 * A site's discussion settings, from the `discussion` object of its settings JSON, e.g.
 * `{"discussion": {"editWindowSeconds": 600, "maxDepth": 4, "maxBodyLength": 5000}}`; what is not
 * given keeps its default. Throws, naming the setting, for a value that is not a whole number in
 * range, so that a wrong setting stops the server at start with a clear message.
 */
export function discussionSettingsOf(siteSettings: Record<string, unknown>): DiscussionSettings {
  const raw = siteSettings.discussion ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error('Site setting `discussion` must be an object.');
  const given = raw as Record<string, unknown>;
  const read = (name: keyof typeof SETTING_RANGES): number | undefined => {
    const value = given[name];
    if (value === undefined) return undefined;
    const [min, max] = SETTING_RANGES[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new Error(
        `Site setting \`discussion.${name}\` must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}.`,
      );
    }
    return value;
  };
  const editWindowSeconds = read('editWindowSeconds');
  return {
    maxDepth: read('maxDepth') ?? DEFAULT_DISCUSSION_SETTINGS.maxDepth,
    maxBodyLength: read('maxBodyLength') ?? DEFAULT_DISCUSSION_SETTINGS.maxBodyLength,
    editWindowMs:
      editWindowSeconds === undefined
        ? DEFAULT_DISCUSSION_SETTINGS.editWindowMs
        : editWindowSeconds * 1000,
  };
}

// --- the tree ------------------------------------------------------------------------------

/**
 * A path is the concatenation of fixed-width segments from the top-level ancestor down to the
 * comment; each segment is a sibling ordinal in base 36 (digits and lower-case letters only).
 * Sorting paths as text gives display order — parents before children, older siblings first —
 * on SQLite and on PostgreSQL in any collation, because no punctuation is involved (locale
 * collations skip punctuation, which would scramble a dotted path).
 */
export const SEGMENT_WIDTH = 6; // 36^6 ≈ 2.2 billion siblings
/** The highest sibling ordinal a path segment holds, and so the highest top-level number. */
export const MAX_ORDINAL = 36 ** SEGMENT_WIDTH - 1;

export function pathSegment(ordinal: number): string {
  if (!Number.isInteger(ordinal) || ordinal < 1 || ordinal > MAX_ORDINAL) {
    throw new RangeError(`sibling ordinal ${ordinal} is out of range`);
  }
  return ordinal.toString(36).padStart(SEGMENT_WIDTH, '0');
}

export function childPath(parentPath: string | undefined, ordinal: number): string {
  return (parentPath ?? '') + pathSegment(ordinal);
}

/** The top-level ancestor's ordinal, which is also its number ("1.", "2." …). */
export function rootOrdinal(path: string): number {
  return parseInt(path.slice(0, SEGMENT_WIDTH), 36);
}

export interface TreeNode {
  id: string;
  path: string;
  depth: number;
}

/**
 * Where a reply to `requested` actually attaches. A reply that would be deeper than `maxDepth`
 * attaches to the deepest allowed ancestor instead (as WordPress does), so it appears as the
 * last reply at the deepest level rather than being refused.
 */
export function effectiveParent<T extends TreeNode>(
  requested: T,
  ancestors: readonly T[],
  maxDepth: number,
): T {
  if (requested.depth < maxDepth) return requested;
  const target = maxDepth - 1;
  if (target < 1) throw new RangeError('maxDepth must be at least 2 for replies');
  const byDepth = [...ancestors, requested].find((node) => node.depth === target);
  if (!byDepth) throw new Error(`ancestor at depth ${target} of ${requested.id} is missing`);
  return byDepth;
}

/** The paths of every ancestor of `path`, nearest last, e.g. for fetching them in one query. */
export function ancestorPaths(path: string): string[] {
  const paths: string[] = [];
  for (let end = SEGMENT_WIDTH; end < path.length; end += SEGMENT_WIDTH)
    paths.push(path.slice(0, end));
  return paths;
}

// --- editing -------------------------------------------------------------------------------

/**
 * The status of a removed comment: a public one leaves a "comment removed" placeholder that keeps
 * its replies in place; a hidden one stays hidden (a held one leaves the moderation queue, since
 * there is nothing left to judge).
 */
export function statusAfterRemoval(current: CommentStatus): CommentStatus {
  if (current === 'approved') return 'deleted';
  if (current === 'pending') return 'rejected';
  return current;
}

/**
 * The status of a comment after an edit that moderation judged `judged`: an edit can take a
 * public comment out of view (held, rejected, spam) but never brings a hidden one back; only a
 * moderator does that.
 */
export function statusAfterEdit(current: CommentStatus, judged: CommentStatus): CommentStatus {
  if (current !== 'approved') return current;
  return judged;
}

export function withinEditWindow(
  createdAt: Date,
  now: Date,
  settings: DiscussionSettings,
): boolean {
  return now.getTime() - createdAt.getTime() <= settings.editWindowMs;
}

/** The edit window in words: "15 minutes", "1 minute", "90 seconds". */
export function editWindowText(settings: DiscussionSettings): string {
  const seconds = Math.round(settings.editWindowMs / 1000);
  if (seconds % 60 === 0) {
    const minutes = seconds / 60;
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

// --- bodies --------------------------------------------------------------------------------

export type BodyProblem =
  | { code: 'body-empty'; message: string }
  | { code: 'body-too-long'; message: string }
  | { code: 'body-invalid'; message: string };

/**
 * Why a newly written body is not acceptable, or undefined. Imported comments skip the empty
 * check: a comment whose only content was a link that has since gone is still part of the tree.
 */
export function bodyProblem(
  body: string,
  settings: DiscussionSettings,
  origin: CommentOrigin,
): BodyProblem | undefined {
  if (hasNonText(body)) {
    return {
      code: 'body-invalid',
      message:
        'The comment contains characters that are not text (control characters or broken Unicode).',
    };
  }
  if (body.length > settings.maxBodyLength) {
    return {
      code: 'body-too-long',
      message: `The comment is ${body.length.toLocaleString('en')} characters long; the limit is ${settings.maxBodyLength.toLocaleString('en')}.`,
    };
  }
  if (origin === 'local' && isBlank(body)) {
    return { code: 'body-empty', message: 'Write something before posting: the comment is empty.' };
  }
  return undefined;
}

/** Removes well-formed surrogate pairs, so that what remains shows lone (broken) surrogates. */
/**
 * True when `text` holds what is not text: control characters other than tab and line breaks,
 * non-characters, or a lone half of a surrogate pair (PostgreSQL refuses NUL and broken UTF-16).
 */
export function hasNonText(text: string): boolean {
  return (
    // Control characters are exactly what this looks for.
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/.test(text) ||
    /[\ud800-\udfff]/.test(stripPairs(text))
  );
}

function stripPairs(text: string): string {
  return text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '');
}

// --- pages that embed a thread -------------------------------------------------------------

/**
 * The one form of an external page's address that its thread is filed under, so that the embed on
 * `HTTPS://Example.org:443/essay?id=7#comments` finds the thread of
 * `https://example.org/essay?id=7`: scheme and host in lower case, no default port, no fragment,
 * no credentials, no empty `?`; path and query are kept (WHATWG-parsed, so `..` segments are
 * resolved). Undefined for anything but an absolute http(s) address.
 */
export function normalisePageUrl(input: string): string | undefined {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  url.username = '';
  url.password = '';
  if (url.search === '') url.search = ''; // drops a bare trailing "?"
  return url.href;
}

// --- pages of a thread ---------------------------------------------------------------------

/** Oldest first (the default, as the sample thread reads) or newest first, by top-level comment. */
export const COMMENT_SORTS = ['oldest', 'newest'] as const;
export type CommentSort = (typeof COMMENT_SORTS)[number];

/** Threads with more top-level comments than this are split into pages. */
export const TOP_LEVEL_PER_PAGE = 200;

/**
 * Pages hold whole top-level comments with all their replies, chosen by number: oldest first,
 * page 1 holds numbers 1–200, page 2 201–400 … (stable, so links to page 2 keep working as the
 * thread grows); newest first, page 1 holds the newest 200 numbers given. Numbers of comments the
 * public cannot see still count, so a page may show fewer than 200.
 */
export function pageCount(topLevelCount: number, perPage = TOP_LEVEL_PER_PAGE): number {
  return Math.max(1, Math.ceil(topLevelCount / perPage));
}

/** The top-level numbers on `page`, inclusive; undefined when the thread has none. */
export function numbersOnPage(
  page: number,
  sort: CommentSort,
  topLevelCount: number,
  perPage = TOP_LEVEL_PER_PAGE,
): { first: number; last: number } | undefined {
  if (topLevelCount < 1 || page < 1 || page > pageCount(topLevelCount, perPage)) return undefined;
  if (sort === 'oldest') {
    const first = (page - 1) * perPage + 1;
    return { first, last: Math.min(topLevelCount, page * perPage) };
  }
  const last = topLevelCount - (page - 1) * perPage;
  return { first: Math.max(1, last - perPage + 1), last };
}

/**
 * The materialised-path range of a span of top-level numbers with all their replies: every path
 * from the first one's (inclusive) to the one after the last one's (exclusive), so one indexed
 * range scan on (thread_id, path) reads the page and a reply chain is never split.
 */
export function pathRangeOfNumbers(numbers: { first: number; last: number }): {
  fromPath: string;
  beforePath: string;
} {
  return { fromPath: pathSegment(numbers.first), beforePath: pathSegment(numbers.last + 1) };
}

/** The page that shows the top-level comment numbered `number` (and so all its replies). */
export function pageOfNumber(
  number: number,
  sort: CommentSort,
  topLevelCount: number,
  perPage = TOP_LEVEL_PER_PAGE,
): number {
  return sort === 'oldest'
    ? Math.ceil(number / perPage)
    : Math.floor((Math.max(topLevelCount, number) - number) / perPage) + 1;
}

/**
 * Comments read in path order (parents first, replies in the order written), put in display
 * order: newest first reverses the order of the top-level comments and keeps each one's replies
 * in place beneath it, in the order they were written.
 */
export function inDisplayOrder<T extends { path: string }>(
  inPathOrder: readonly T[],
  sort: CommentSort,
): T[] {
  if (sort === 'oldest') return [...inPathOrder];
  const groups: T[][] = [];
  let root: string | undefined;
  for (const comment of inPathOrder) {
    const ownRoot = comment.path.slice(0, SEGMENT_WIDTH);
    if (ownRoot !== root || groups.length === 0) {
      groups.push([]);
      root = ownRoot;
    }
    groups.at(-1)?.push(comment);
  }
  return groups.reverse().flat();
}
