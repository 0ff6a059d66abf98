/**
 * A site's moderation rules: settings as stored (read tolerantly), settings as typed by a
 * moderator (checked strictly, each problem naming its field), and rules compiled for the
 * pipeline (term matchers built, the domain block list parsed). Pure; compiling is the costly
 * part, so callers cache `CompiledRules` by the rules' version.
 */
import { isIP } from 'node:net';
import { UnprocessableError } from '../platform/errors.js';
import { normaliseHost } from './links.js';
import type { FirstTimePolicy, ModerationSettings } from './model.js';
import { DEFAULT_MODERATION_SETTINGS } from './model.js';
import type { TermEntry, TermMatcher } from './terms.js';
import {
  compileTermMatcher,
  DEFAULT_BLOCKED_TERMS,
  DEFAULT_SUSPECT_TERMS,
  parseTermList,
  TermListError,
} from './terms.js';

/** The rules, ready for the pipeline. */
export interface CompiledRules {
  settings: ModerationSettings;
  terms: TermMatcher;
  /** Normalised block-list entries (lower-case ASCII, no trailing dot), in list order. */
  blockedDomains: string[];
  /** The same, for look-ups. */
  blockedDomainSet: ReadonlySet<string>;
}

/** The settings a rules problem can be in. */
export type RulesField = 'blockedTerms' | 'suspectTerms' | 'blockedDomains';

export interface RulesProblem {
  field: RulesField;
  /** 1-based line of the list. */
  line: number;
  message: string;
}

const FIELD_NAMES: Record<RulesField, string> = {
  blockedTerms: 'Blocked terms',
  suspectTerms: 'Suspect terms',
  blockedDomains: 'Blocked domains',
};

/**
 * A term or domain list that cannot be used, with every problem by line: 422, code
 * `invalid-term-list` (or `invalid-domain-list` when only the domain list is wrong), the
 * problems also in `details.problems` for forms that mark the lines.
 */
export class RulesError extends UnprocessableError {
  constructor(readonly problems: RulesProblem[]) {
    const termsWrong = problems.some((problem) => problem.field !== 'blockedDomains');
    super(describeProblems(problems), termsWrong ? 'invalid-term-list' : 'invalid-domain-list', {
      problems,
    });
  }
}

const MAX_PROBLEMS_IN_MESSAGE = 10;

function describeProblems(problems: readonly RulesProblem[]): string {
  const fields = [...new Set(problems.map((problem) => problem.field))];
  const parts = fields.map((field) => {
    const own = problems.filter((problem) => problem.field === field);
    const shown = own
      .slice(0, MAX_PROBLEMS_IN_MESSAGE)
      .map((problem) => `line ${problem.line}: ${problem.message}`);
    if (own.length > shown.length) shown.push(`and ${own.length - shown.length} more`);
    return `${FIELD_NAMES[field]}: ${shown.join('; ')}`;
  });
  return `${parts.join('. ')}. Nothing was changed.`;
}

// --- the domain block list -------------------------------------------------------------------

/** Characters a host may have once in ASCII (underscores occur in real host names). */
const HOST_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/**
 * Parses a domain block list: one domain a line (`evil.example` also covers its subdomains; a
 * leading `*.` means the same), `#` starts a comment, blank lines are ignored; IDN domains are
 * stored as punycode. Every bad line is reported (with `field` set by the caller).
 */
export function parseDomainList(text: string): { domains: string[]; problems: RulesProblem[] } {
  const domains: string[] = [];
  const seen = new Set<string>();
  const problems: RulesProblem[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const entry = raw.replace(/#.*$/, '').trim();
    if (entry === '') return;
    const problem = (message: string): void => {
      problems.push({ field: 'blockedDomains', line, message });
    };
    if (/\s/.test(entry)) {
      problem(`"${entry}" holds spaces; write one domain a line`);
      return;
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || entry.includes('/')) {
      const host = hostOfUrl(entry);
      problem(
        host === undefined
          ? `"${entry}" is not a domain; write just the domain, e.g. spam.example`
          : `"${entry}" is an address, not a domain; write just the domain: ${host}`,
      );
      return;
    }
    const bare = entry.startsWith('*.') ? entry.slice(2) : entry;
    const ascii = isIP(bare) !== 0 ? bare : normaliseHost(bare);
    if (ascii === undefined || !isDomain(ascii)) {
      problem(`"${entry}" is not a domain name; write e.g. spam.example`);
      return;
    }
    if (!seen.has(ascii)) {
      seen.add(ascii);
      domains.push(ascii);
    }
  });
  return { domains, problems };
}

function hostOfUrl(text: string): string | undefined {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
    return normaliseHost(url.hostname);
  } catch {
    return undefined;
  }
}

function isDomain(ascii: string): boolean {
  if (isIP(ascii) !== 0) return true;
  if (ascii.length > 253) return false;
  return ascii.split('.').every((label) => HOST_LABEL.test(label));
}

// --- compiling -----------------------------------------------------------------------------

function termEntries(
  field: 'blockedTerms' | 'suspectTerms',
  text: string,
  problems: RulesProblem[],
): TermEntry[] {
  try {
    return parseTermList(text);
  } catch (error) {
    if (!(error instanceof TermListError)) throw error;
    for (const { line, message } of error.problems) problems.push({ field, line, message });
    return [];
  }
}

/**
 * Compiles the rules: the site's term lists (or, where a list is `undefined`, the shipped
 * default), and the domain block list. Throws {@link RulesError} with every problem of every list.
 */
export function compileRules(settings: ModerationSettings): CompiledRules {
  const problems: RulesProblem[] = [];
  const blocked = termEntries(
    'blockedTerms',
    settings.blockedTerms ?? DEFAULT_BLOCKED_TERMS,
    problems,
  );
  const suspect = termEntries(
    'suspectTerms',
    settings.suspectTerms ?? DEFAULT_SUSPECT_TERMS,
    problems,
  );
  const domains = parseDomainList(settings.blockedDomains);
  problems.push(...domains.problems);
  if (problems.length > 0) throw new RulesError(problems);
  return {
    settings,
    terms: compileTermMatcher({ blocked, suspect }),
    blockedDomains: domains.domains,
    blockedDomainSet: new Set(domains.domains),
  };
}

// --- settings as stored --------------------------------------------------------------------

const FIRST_TIME_POLICIES: readonly FirstTimePolicy[] = ['off', 'first-comment', 'all-comments'];

interface NumberSetting {
  key: 'maxLinks' | 'floodPerMinute' | 'reportsToHold' | 'digestAfterMinutes';
  min: number;
  max: number;
  code: string;
  /** Completes "must be a whole number from MIN to MAX". */
  meaning: string;
}

const NUMBER_SETTINGS: readonly NumberSetting[] = [
  {
    key: 'maxLinks',
    min: 0,
    max: 100,
    code: 'invalid-max-links',
    meaning: 'the links a comment may have before it is held',
  },
  {
    key: 'floodPerMinute',
    min: 1,
    max: 1000,
    code: 'invalid-flood-per-minute',
    meaning: 'the comments one author or address may post a minute before the next is held',
  },
  {
    key: 'reportsToHold',
    min: 1,
    max: 100,
    code: 'invalid-reports-to-hold',
    meaning: 'the distinct readers whose reports hold a comment',
  },
  {
    key: 'digestAfterMinutes',
    min: 0,
    max: 10_080,
    code: 'invalid-digest-after-minutes',
    meaning: 'minutes a comment may wait before moderators get a digest (0 turns it off)',
  },
];

function asObject(json: unknown): Record<string, unknown> {
  let value = json;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * Settings as stored (the `settings` JSON, a string or parsed, and optionally the term lists
 * under `blockedTerms` / `suspectTerms`) → complete settings. Tolerant: a missing, mistyped or
 * out-of-range value takes its default, so a row written by an older version still works.
 */
export function parseModerationSettings(json: unknown): ModerationSettings {
  const stored = asObject(json);
  const settings: ModerationSettings = { ...DEFAULT_MODERATION_SETTINGS };
  for (const { key, min, max } of NUMBER_SETTINGS) {
    const value = stored[key];
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)
      settings[key] = value;
  }
  const firstTime = stored.firstTime;
  if (typeof firstTime === 'string' && (FIRST_TIME_POLICIES as string[]).includes(firstTime))
    settings.firstTime = firstTime as FirstTimePolicy;
  if (typeof stored.blockedDomains === 'string') settings.blockedDomains = stored.blockedDomains;
  if (typeof stored.blockedTerms === 'string') settings.blockedTerms = stored.blockedTerms;
  if (typeof stored.suspectTerms === 'string') settings.suspectTerms = stored.suspectTerms;
  return settings;
}

/** The stored rules (as `findRules` in store.ts returns them) → complete settings. */
export function settingsFromStored(stored: {
  blockedTerms: string | undefined;
  suspectTerms: string | undefined;
  settings: unknown;
}): ModerationSettings {
  return {
    ...parseModerationSettings(stored.settings),
    blockedTerms: stored.blockedTerms,
    suspectTerms: stored.suspectTerms,
  };
}

/** What goes in the `settings` JSON column: everything but the term lists (columns of their own). */
export function storedSettingsJson(settings: ModerationSettings): Record<string, unknown> {
  const { blockedTerms: _blocked, suspectTerms: _suspect, ...rest } = settings;
  return rest;
}

// --- settings as typed by a moderator --------------------------------------------------------

/** The longest term or domain list accepted, in characters (a few thousand entries). */
export const MAX_LIST_LENGTH = 100_000;

const SETTING_KEYS = [
  'blockedTerms',
  'suspectTerms',
  'blockedDomains',
  'maxLinks',
  'firstTime',
  'floodPerMinute',
  'reportsToHold',
  'digestAfterMinutes',
] as const satisfies readonly (keyof ModerationSettings)[];

/**
 * Checks settings sent by the API or the admin page and applies them over `current`: only the
 * keys given change. Numbers may be JSON numbers or strings of digits (HTML forms send text);
 * term lists may be `null` to go back to the shipped default. Throws `UnprocessableError` with
 * a code and a message naming the field on the first problem. Lists are only checked for type
 * and size here: compile the result (`compileRules`) before storing it, to check their lines.
 */
export function validateSettingsInput(
  input: unknown,
  current: ModerationSettings = DEFAULT_MODERATION_SETTINGS,
): ModerationSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new UnprocessableError(
      'The moderation settings must be an object of settings to change.',
      'invalid-settings',
    );
  }
  const given = input as Record<string, unknown>;
  const unknown = Object.keys(given).filter(
    (key) => !(SETTING_KEYS as readonly string[]).includes(key),
  );
  if (unknown.length > 0) {
    throw new UnprocessableError(
      `Unknown setting ${unknown.map((key) => `"${key}"`).join(', ')}; the settings are ${SETTING_KEYS.join(', ')}.`,
      'unknown-setting',
    );
  }
  const settings: ModerationSettings = { ...current };

  for (const { key, min, max, code, meaning } of NUMBER_SETTINGS) {
    if (!(key in given)) continue;
    const value = given[key];
    const number =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\s*\d+\s*$/.test(value)
          ? Number(value)
          : Number.NaN;
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new UnprocessableError(
        `${key} must be a whole number from ${min} to ${max} (${meaning}); got ${describe(value)}.`,
        code,
      );
    }
    settings[key] = number;
  }

  if ('firstTime' in given) {
    const value = given.firstTime;
    if (typeof value !== 'string' || !(FIRST_TIME_POLICIES as string[]).includes(value)) {
      throw new UnprocessableError(
        `firstTime must be one of ${FIRST_TIME_POLICIES.join(', ')}; got ${describe(value)}.`,
        'invalid-first-time',
      );
    }
    settings.firstTime = value as FirstTimePolicy;
  }

  for (const key of ['blockedTerms', 'suspectTerms'] as const) {
    if (!(key in given)) continue;
    const value = given[key];
    if (value === null) {
      settings[key] = undefined;
      continue;
    }
    settings[key] = checkedList(key, value, 'or null for the shipped default list');
  }
  if ('blockedDomains' in given)
    settings.blockedDomains = checkedList('blockedDomains', given.blockedDomains, '');
  return settings;
}

function checkedList(key: RulesField, value: unknown, alternative: string): string {
  const code = key === 'blockedDomains' ? 'invalid-domain-list' : 'invalid-term-list';
  if (typeof value !== 'string') {
    throw new UnprocessableError(
      `${key} must be text, one entry a line${alternative ? `, ${alternative}` : ''}; got ${describe(value)}.`,
      code,
    );
  }
  if (value.length > MAX_LIST_LENGTH) {
    throw new UnprocessableError(
      `${key} is ${value.length.toLocaleString('en')} characters long; the most is ${MAX_LIST_LENGTH.toLocaleString('en')}.`,
      code,
    );
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}
