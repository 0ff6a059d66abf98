/**
 * `broadside moderation check`: judges comments read from a stream under the site's current
 * rules and writes one JSON line per comment, storing nothing — for operators trying out their
 * term lists, and for tests. Reads and writes in constant memory, whatever the input's size.
 *
 * Input, one comment a line: plain text (the line is the body), or, when the line starts with
 * `{`, a JSON object `{"body": …, "authorName": …, "authorEmail": …}`. Blank lines are skipped.
 * Output: `{"line":N,"decision":"hold","reasons":[{"code":…,"message":…,"matches":[…]}]}`, or
 * `{"line":N,"error":"…"}` for a line that cannot be read (the others are still checked).
 *
 * Each comment is judged as a first comment from an unknown author in an open thread: there is
 * no history, no ban and no outside classifier (a test of the site's own rules sends nothing
 * anywhere).
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Kysely } from 'kysely';
import { findFirstSite } from '../accounts/store.js';
import type { AccountsDb } from '../accounts/store.js';
import type { CommentUnderReview, Decision, VerdictReason } from './model.js';
import { NO_HISTORY } from './model.js';
import { runPipeline } from './pipeline.js';
import type { CompiledRules } from './rules.js';
import { compileRules, settingsFromStored } from './rules.js';
import { defaultRules, findRules } from './store.js';
import type { ModerationDb } from './store.js';

/** A line longer than this is refused (and skipped) rather than buffered without end. */
export const MAX_LINE_LENGTH = 1_000_000;

const FIELDS = ['body', 'authorName', 'authorEmail'] as const;

export type CheckLine =
  { line: number; decision: Decision; reasons: VerdictReason[] } | { line: number; error: string };

export interface CheckSummary {
  /** Lines that held a comment (blank lines are not counted). */
  comments: number;
  /** Of those, lines that could not be read. */
  failed: number;
}

interface CommentInput {
  body: string;
  authorName: string;
  authorEmail: string | undefined;
}

/** The comment on one input line, or the problem with it. */
export function parseCheckLine(text: string): CommentInput | { error: string } {
  if (!text.trimStart().startsWith('{'))
    return { body: text, authorName: 'Anonymous', authorEmail: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `malformed JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: 'a line starting with { must be a JSON object' };
  }
  const object = value as Record<string, unknown>;
  const unknown = Object.keys(object).filter((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    return {
      error: `unknown field ${unknown.map((key) => `"${key}"`).join(', ')}; the fields are ${FIELDS.join(', ')}`,
    };
  }
  const { body, authorName, authorEmail } = object;
  // An empty body is a comment with nothing to object to (imports have some), not an error.
  if (typeof body !== 'string') return { error: '"body" must be the comment\'s text' };
  if (authorName !== undefined && typeof authorName !== 'string') {
    return { error: '"authorName" must be text' };
  }
  if (authorEmail !== undefined && authorEmail !== null && typeof authorEmail !== 'string') {
    return { error: '"authorEmail" must be text' };
  }
  return {
    body,
    authorName: authorName?.trim() || 'Anonymous',
    authorEmail: authorEmail?.trim() || undefined,
  };
}

/** Judges one line's comment (`undefined` for a blank line). */
export function checkLine(
  text: string,
  line: number,
  rules: CompiledRules,
  context: { siteId: string; now: Date },
): CheckLine | undefined {
  if (text.trim() === '') return undefined;
  const input = parseCheckLine(text);
  if ('error' in input) return { line, error: input.error };
  const comment: CommentUnderReview = {
    siteId: context.siteId,
    threadId: 'moderation-check',
    body: input.body,
    authorName: input.authorName,
    authorEmail: input.authorEmail,
    authorAccountId: undefined,
    ipHash: undefined,
    threadStatus: 'open',
    origin: 'local',
    history: NO_HISTORY,
    now: context.now,
  };
  const verdict = runPipeline({ comment, rules, ban: undefined, classifier: undefined });
  return { line, decision: verdict.decision, reasons: verdict.reasons };
}

/**
 * The site's current rules, compiled. Reads only: without a site (nothing set up yet) or a
 * rules row (nothing changed yet), the defaults.
 */
export async function loadCurrentRules(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the runtime's handle to every table
  db: Kysely<any>,
): Promise<{ siteId: string; rules: CompiledRules }> {
  const site = await findFirstSite(db as AccountsDb);
  const stored = site ? await findRules(db as ModerationDb, site.id) : defaultRules('none');
  return { siteId: site?.id ?? 'none', rules: compileRules(settingsFromStored(stored)) };
}

/**
 * Reads comments from `input` and writes a JSON line per comment to `output`, keeping only one
 * line in memory and waiting for `output` to drain when it is full.
 */
export async function checkComments(options: {
  input: AsyncIterable<string | Buffer>;
  output: Writable;
  rules: CompiledRules;
  siteId: string;
  now: Date;
}): Promise<CheckSummary> {
  const summary: CheckSummary = { comments: 0, failed: 0 };
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let lineNumber = 0;
  let overlong = false; // inside a line that is being skipped for its length

  const emit = async (result: CheckLine | undefined): Promise<void> => {
    if (result === undefined) return;
    summary.comments++;
    if ('error' in result) summary.failed++;
    if (!options.output.write(`${JSON.stringify(result)}\n`)) await once(options.output, 'drain');
  };
  const finishLine = async (text: string): Promise<void> => {
    lineNumber++;
    if (overlong) {
      overlong = false;
      await emit({ line: lineNumber, error: `longer than ${MAX_LINE_LENGTH} characters` });
      return;
    }
    const clean = (lineNumber === 1 ? text.replace(/^\uFEFF/, '') : text).replace(/\r$/, '');
    await emit(checkLine(clean, lineNumber, options.rules, options));
  };

  for await (const chunk of options.input) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    for (
      let newline = pending.indexOf('\n');
      newline >= 0;
      newline = pending.indexOf('\n', start)
    ) {
      await finishLine(pending.slice(start, newline));
      start = newline + 1;
    }
    pending = pending.slice(start);
    if (pending.length > MAX_LINE_LENGTH) {
      overlong = true;
      pending = '';
    }
  }
  pending += decoder.decode();
  if (pending !== '' || overlong) await finishLine(pending);
  return summary;
}
