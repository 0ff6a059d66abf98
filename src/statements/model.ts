/**
 * The rules of statements: how a slug is made from a title and kept unique, what a statement's
 * fields need, and the list cursor. Pure functions; no I/O. The rest of the model is split by
 * subject: revisions.ts (normalisation, content hash, paragraphs), diffs.ts, clearance.ts,
 * lifecycle.ts, provenance.ts and signatures-model.ts.
 */
import { createHash } from 'node:crypto';

// --- slugs ---------------------------------------------------------------------------------

export const SLUG_MAX_LENGTH = 80;
const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Used when a title has no letters or digits at all that survive folding ("¿¡…!?"). */
export const FALLBACK_SLUG = 'statement';

/** Letters that Unicode decomposition does not reduce to ASCII, folded the way readers expect. */
const FOLDS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ł: 'l',
  ı: 'i',
  ŧ: 't',
  ħ: 'h',
  ŋ: 'ng',
  ĸ: 'k',
  '&': ' and ',
};

/**
 * A URL slug from a title: lower case, folded to ASCII ("Déclaration" → "declaration"), words
 * joined by single hyphens, at most {@link SLUG_MAX_LENGTH} characters (cut at a word boundary
 * when there is one), never empty.
 */
export function slugify(title: string): string {
  const folded = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[\u0300-\u036f]/g, '') // combining marks left by the decomposition
    .replace(/[ßæœøđðþłıŧħŋĸ&]/g, (letter) => FOLDS[letter] ?? letter)
    .replace(/['’‘`]/g, '') // apostrophes join their word, as WordPress does: "don't" → "dont"
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return truncateSlug(folded, SLUG_MAX_LENGTH) || FALLBACK_SLUG;
}

/** Cuts a slug to `max` characters, at the last hyphen if that keeps at least half of it. */
function truncateSlug(slug: string, max: number): string {
  if (slug.length <= max) return slug;
  const cut = slug.slice(0, max);
  const hyphen = cut.lastIndexOf('-');
  return (hyphen >= max / 2 ? cut.slice(0, hyphen) : cut).replace(/-+$/, '');
}

export function isValidSlug(slug: string): boolean {
  return slug.length <= SLUG_MAX_LENGTH && SLUG_PATTERN.test(slug);
}

/**
 * The first of `base`, `base-2`, `base-3` … that is not in `taken`; the base is shortened when
 * the suffix would push the slug past the maximum length.
 */
export function firstFreeSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = truncateSlug(base, SLUG_MAX_LENGTH - suffix.length) + suffix;
    if (!taken.has(candidate)) return candidate;
  }
}

// --- what a statement needs ----------------------------------------------------------------

/** The longest each field may be, in characters, with its name in codes and in messages. */
export const STATEMENT_LIMITS = {
  title: { max: 200, code: 'title', label: 'title' },
  subtitle: { max: 300, code: 'subtitle', label: 'subtitle' },
  authorName: { max: 100, code: 'author-name', label: 'author’s name' },
  clearanceNote: { max: 200, code: 'clearance-note', label: 'clearance note' },
  body: { max: 200_000, code: 'body', label: 'body' },
} as const;

export interface StatementDraft {
  title: string;
  subtitle?: string;
  body: string;
  authorName: string;
  clearanceNote?: string;
  slug?: string;
}

export interface StatementProblem {
  code: string;
  message: string;
}

/** Trims the free-text fields and collapses a title's inner whitespace. */
export function tidyDraft<T extends StatementDraft>(draft: T): T {
  const line = (text: string) => text.trim().replace(/\s+/g, ' ');
  return {
    ...draft,
    title: line(draft.title),
    subtitle: draft.subtitle === undefined ? undefined : line(draft.subtitle) || undefined,
    authorName: line(draft.authorName),
    clearanceNote:
      draft.clearanceNote === undefined ? undefined : line(draft.clearanceNote) || undefined,
    slug: draft.slug?.trim() || undefined,
  };
}

/**
 * The first thing wrong with a (tidied) draft, or undefined when it can be published. With
 * `{ draft: true }` an empty body is allowed: a draft may be saved before it has any text.
 */
export function statementProblem(
  draft: StatementDraft,
  options: { draft?: boolean } = {},
): StatementProblem | undefined {
  const tooLong = (field: keyof typeof STATEMENT_LIMITS) => {
    const value = draft[field];
    const { max, code, label } = STATEMENT_LIMITS[field];
    if (value === undefined || value.length <= max) return undefined;
    return {
      code: `${code}-too-long`,
      message: `The ${label} is ${value.length.toLocaleString('en')} characters long; the limit is ${max.toLocaleString('en')}.`,
    };
  };
  if (draft.title === '') return { code: 'title-missing', message: 'Give the statement a title.' };
  if (draft.body.trim() === '' && options.draft !== true) return bodyEmpty;
  if (draft.authorName === '')
    return { code: 'author-name-missing', message: 'Name the statement’s author.' };
  if (draft.slug !== undefined && !isValidSlug(draft.slug)) {
    return {
      code: 'invalid-slug',
      message: `"${draft.slug}" cannot be a slug: use lower-case letters, digits and single hyphens, at most ${SLUG_MAX_LENGTH} characters (e.g. "statement-on-paris").`,
    };
  }
  return (
    tooLong('title') ??
    tooLong('subtitle') ??
    tooLong('authorName') ??
    tooLong('clearanceNote') ??
    tooLong('body')
  );
}

/** What publishing a statement without text is refused with. */
export const bodyEmpty: StatementProblem = {
  code: 'body-empty',
  message: 'The statement has no text: write its body first.',
};

const correctionDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** The public note of a correction: "Corrected on 20 November 2015: the date of the attack." */
export function correctionWording(correctedAt: Date, note: string | undefined): string {
  const on = `Corrected on ${correctionDate.format(correctedAt)}`;
  return note ? `${on}: ${note}` : on;
}

/** Limits of the other free-text fields of statements, in characters. */
export const TEXT_LIMITS = {
  eventName: 200,
  /** A revision's note, a correction's note, a withdrawal's reason, a decision's comment. */
  note: 1000,
  internalComment: 10_000,
} as const;

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Whether `date` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(date: string): boolean {
  if (!ISO_DATE.test(date)) return false;
  return new Date(`${date}T00:00:00Z`).toISOString().startsWith(date);
}

/** The first thing wrong with the event a statement answers, or undefined. */
export function eventProblem(event: {
  eventName?: string;
  eventDate?: string;
}): StatementProblem | undefined {
  if (event.eventName !== undefined && event.eventName.length > TEXT_LIMITS.eventName)
    return {
      code: 'event-name-too-long',
      message: `The event's name is longer than ${TEXT_LIMITS.eventName} characters.`,
    };
  if (event.eventDate !== undefined && !isIsoDate(event.eventDate))
    return {
      code: 'invalid-event-date',
      message: `"${event.eventDate}" is not a date: write it as YYYY-MM-DD (e.g. 2015-11-13).`,
    };
  return undefined;
}

/** A note (revision, correction, withdrawal, decision) that is too long, or undefined. */
export function noteProblem(
  note: string | undefined,
  what: string,
  code = 'note-too-long',
): StatementProblem | undefined {
  if (note === undefined || note.length <= TEXT_LIMITS.note) return undefined;
  return { code, message: `The ${what} is longer than ${TEXT_LIMITS.note} characters.` };
}

/** Published, and not scheduled for later. */
export function isPublished(publishedAt: Date | undefined, now: Date): boolean {
  return publishedAt !== undefined && publishedAt.getTime() <= now.getTime();
}

// --- the list cursor -----------------------------------------------------------------------

/**
 * Where a page of a newest-first list ends: the last item's sort time (its publication in the
 * public list, its last change in the admin list) and id.
 */
export interface ListCursor {
  publishedAt: Date;
  id: string;
}

export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(`${cursor.publishedAt.toISOString()}|${cursor.id}`).toString('base64url');
}

/** The cursor a client sent back, or undefined when it is not one of ours. */
export function decodeCursor(text: string): ListCursor | undefined {
  const decoded = Buffer.from(text, 'base64url').toString('utf8');
  const bar = decoded.indexOf('|');
  if (bar === -1) return undefined;
  const publishedAt = new Date(decoded.slice(0, bar));
  const id = decoded.slice(bar + 1);
  if (Number.isNaN(publishedAt.getTime()) || id === '' || id.length > 100) return undefined;
  return { publishedAt, id };
}

// --- caching -------------------------------------------------------------------------------

/**
 * A short fingerprint of everything a statement's page shows of the statement itself, for the
 * page's ETag: any change of text, title or note gives a new one.
 */
export function statementStamp(statement: {
  id: string;
  title: string;
  subtitle: string | undefined;
  html: string;
  authorName: string;
  clearanceNote: string | undefined;
  publishedAt: Date | undefined;
  /** Bumped by every change: corrections, withdrawal, signing opened or closed, new signatories. */
  updatedAt?: Date;
  status?: string;
}): string {
  return createHash('sha256')
    .update(
      [
        statement.id,
        statement.title,
        statement.subtitle ?? '',
        statement.authorName,
        statement.clearanceNote ?? '',
        statement.publishedAt?.toISOString() ?? '',
        statement.updatedAt?.toISOString() ?? '',
        statement.status ?? '',
        statement.html,
      ].join('\u0000'),
    )
    .digest('base64url')
    .slice(0, 16);
}
