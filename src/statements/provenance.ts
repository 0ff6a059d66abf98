/**
 * Provenance: what a statement is based on — another statement's revision, or an external source
 * (title, author or organisation, date, URL, and its text pasted in) — what a source needs, and
 * how the published page cites it ("Based in part on …"). Pure.
 */
import { normaliseLine, normaliseText } from './revisions.js';

export type BasedOn =
  { kind: 'revision'; revisionId: string } | { kind: 'source'; sourceId: string };

/** An external text a statement draws on. Immutable once recorded. */
export interface Source {
  id: string;
  siteId: string;
  title: string;
  /** The person or organisation that wrote it. */
  author: string | undefined;
  /** When it was published: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. */
  date: string | undefined;
  url: string | undefined;
  /** The text, pasted in, normalised like a revision's body. */
  text: string;
  createdAt: Date;
  createdByAccountId: string | undefined;
}

export interface SourceInput {
  title: string;
  author?: string;
  date?: string;
  url?: string;
  text: string;
}

export const SOURCE_LIMITS = {
  title: 300,
  author: 200,
  url: 2000,
  text: 200_000,
} as const;

const PARTIAL_DATE = /^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$/;

/** Whether `date` is `YYYY`, `YYYY-MM` or a real `YYYY-MM-DD` date. */
export function isPartialDate(date: string): boolean {
  const match = PARTIAL_DATE.exec(date);
  if (!match) return false;
  if (match[3] === undefined) return true;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date);
}

/** Whether `url` is an absolute http(s) address. */
export function isWebUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A source with its fields tidied (one-line fields, normalised text, empty optionals dropped). */
export function tidySource(input: SourceInput): SourceInput {
  const optional = (value: string | undefined) => {
    const line = value === undefined ? '' : normaliseLine(value);
    return line === '' ? undefined : line;
  };
  return {
    title: normaliseLine(input.title),
    author: optional(input.author),
    date: optional(input.date),
    url: optional(input.url),
    text: normaliseText(input.text),
  };
}

/** The first thing wrong with a (tidied) source, or undefined. */
export function sourceProblem(source: SourceInput): { code: string; message: string } | undefined {
  if (source.title === '')
    return { code: 'source-title-missing', message: 'Give the source a title.' };
  if (source.title.length > SOURCE_LIMITS.title)
    return {
      code: 'source-title-too-long',
      message: `The source's title is longer than ${SOURCE_LIMITS.title} characters.`,
    };
  if (source.author !== undefined && source.author.length > SOURCE_LIMITS.author)
    return {
      code: 'source-author-too-long',
      message: `The source's author is longer than ${SOURCE_LIMITS.author} characters.`,
    };
  if (source.date !== undefined && !isPartialDate(source.date))
    return {
      code: 'invalid-source-date',
      message: `"${source.date}" is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2001-09-12).`,
    };
  if (source.url !== undefined && (source.url.length > SOURCE_LIMITS.url || !isWebUrl(source.url)))
    return {
      code: 'invalid-source-url',
      message: 'The source’s URL must be a full http:// or https:// address.',
    };
  if (source.text.trim() === '')
    return {
      code: 'source-text-missing',
      message: 'Paste the source’s text, so that the statement can be compared with it.',
    };
  if (source.text.length > SOURCE_LIMITS.text)
    return {
      code: 'source-text-too-long',
      message: `The source's text is longer than ${SOURCE_LIMITS.text.toLocaleString('en')} characters.`,
    };
  return undefined;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "2001", "September 2001", "12 September 2001". */
export function formatPartialDate(date: string): string {
  const [year, month, day] = date.split('-');
  if (month === undefined) return year ?? date;
  const name = MONTHS[Number(month) - 1] ?? month;
  return day === undefined ? `${name} ${year}` : `${Number(day)} ${name} ${year}`;
}

/** What the published page cites, resolved by the service. */
export interface Citation {
  title: string;
  author: string | undefined;
  date: string | undefined;
  /** Where the reader can read it: the source's URL, or the other statement's page. */
  href: string | undefined;
  kind: 'source' | 'statement';
}

/** "Based in part on “Statement on 9/11” (Alliance for Workers' Liberty, 12 September 2001)". */
export function basedOnWording(citation: Citation): string {
  const details = [citation.author, citation.date && formatPartialDate(citation.date)].filter(
    (part): part is string => Boolean(part),
  );
  return `Based in part on “${citation.title}”${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}
