/**
 * The rules page (term lists, blocked domains and the numbers that hold comments) and the bans
 * page (active bans, each with a button to lift it). A rejected rules form comes back with the
 * text as submitted and each list's line problems next to it.
 */
import { AdminShell } from '../web/admin-shell.js';
import { formatDateTime } from '../web/format.js';
import type { PageContext } from '../web/page.js';
import { CsrfField } from '../web/page.js';
import type { FirstTimePolicy } from './model.js';
import { ModerationNav } from './views.js';

/** The rules form as typed: numbers stay text so a bad entry comes back as it was. */
export interface RulesFormValues {
  blockedTerms: string;
  suspectTerms: string;
  /** Whether the list is the shipped default (it then follows Broadside's updates). */
  blockedDefault: boolean;
  suspectDefault: boolean;
  blockedDomains: string;
  maxLinks: string;
  firstTime: FirstTimePolicy | string;
  floodPerMinute: string;
  reportsToHold: string;
  digestAfterMinutes: string;
}

export type RulesField = Exclude<keyof RulesFormValues, 'blockedDefault' | 'suspectDefault'>;

export interface FieldProblem {
  /** Line problems of a list, e.g. "line 4: …"; or one message for a number. */
  messages: string[];
}

export interface RulesPageProps {
  ctx: PageContext;
  values: RulesFormValues;
  /** The rules' version the form was filled from: a change made meanwhile is not overwritten. */
  version: number;
  problems?: Partial<Record<RulesField, FieldProblem>>;
  /** A problem not tied to one field. */
  problem?: string;
  notice?: string;
  updatedAt: Date | undefined;
  updatedBy: string | undefined;
}

const FIRST_TIME_LABELS: Record<FirstTimePolicy, string> = {
  off: 'Publish them like anyone’s',
  'first-comment': 'Hold the first comment until one is approved',
  'all-comments': 'Hold every comment until one is approved',
};

function Problems(props: { id: string; problem: FieldProblem | undefined }) {
  if (!props.problem || props.problem.messages.length === 0) return null;
  return (
    <ul class="field-problems" id={props.id}>
      {props.problem.messages.map((message) => (
        <li>{message}</li>
      ))}
    </ul>
  );
}

export function RulesPage(props: RulesPageProps) {
  const { ctx, values } = props;
  const problems = props.problems ?? {};
  const anyProblem = Object.keys(problems).length > 0 || props.problem !== undefined;
  const describedBy = (field: RulesField, hint?: string) =>
    [hint, problems[field] ? `${field}-problems` : undefined].filter(Boolean).join(' ') ||
    undefined;
  const invalid = (field: RulesField) => (problems[field] ? 'true' : undefined);

  const list = (
    field: 'blockedTerms' | 'suspectTerms',
    defaultField: 'blockedDefault' | 'suspectDefault',
    label: string,
    hint: string,
  ) => (
    <fieldset class="rules-list">
      <legend>{label}</legend>
      <p class="hint" id={`${field}-hint`}>
        {hint} One term a line; <code>#</code> starts a comment. Matching ignores case, accents,
        l33t spellings, spacing and repeated letters, and respects word boundaries.
      </p>
      {values[defaultField] ? (
        <p class="hint">
          This is the shipped list; it follows Broadside’s updates until you edit it.
        </p>
      ) : (
        <p>
          <button
            type="submit"
            form={`reset-${field}`}
            class="secondary"
            data-confirm={`Replace your ${label.toLowerCase()} with the shipped list?`}
          >
            Reset to the shipped defaults
            <span class="visually-hidden"> ({label.toLowerCase()})</span>
          </button>
        </p>
      )}
      <label>
        <span class="visually-hidden">{label}</span>
        <textarea
          name={field}
          rows={12}
          spellcheck={false}
          aria-describedby={describedBy(field, `${field}-hint`)}
          aria-invalid={invalid(field)}
        >
          {values[field]}
        </textarea>
      </label>
      <Problems id={`${field}-problems`} problem={problems[field]} />
    </fieldset>
  );

  const number = (field: RulesField, label: string, hint: string, min = 0) => (
    <div class="rules-field">
      <label>
        {label}
        <span class="hint" id={`${field}-hint`}>
          {hint}
        </span>
        <input
          type="number"
          name={field}
          min={min}
          step={1}
          inputMode="numeric"
          value={String(values[field])}
          required
          aria-describedby={describedBy(field, `${field}-hint`)}
          aria-invalid={invalid(field)}
        />
      </label>
      <Problems id={`${field}-problems`} problem={problems[field]} />
    </div>
  );

  return (
    <AdminShell ctx={ctx} heading="Moderation">
      <ModerationNav current="/admin/moderation/rules" />
      <h2>Rules</h2>
      <p class="muted">
        Every new comment passes these rules. A blocked term or domain rejects it; a suspect term,
        too many links, a flood or a first-time author holds it for a moderator. Naming a group, a
        religion or a country is never itself a reason.
        {props.updatedAt && (
          <>
            {' '}
            Last changed{' '}
            <time dateTime={props.updatedAt.toISOString()}>{formatDateTime(props.updatedAt)}</time>
            {props.updatedBy && <> by {props.updatedBy}</>}.
          </>
        )}
      </p>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      {anyProblem && (
        <p class="alert" role="alert" id="form-problem">
          {props.problem ?? 'The rules were not saved: correct the fields marked below.'}
        </p>
      )}
      <form method="post" action="/admin/moderation/rules" class="rules-form">
        <CsrfField ctx={ctx} />
        <input type="hidden" name="version" value={props.version} />
        {list(
          'blockedTerms',
          'blockedDefault',
          'Blocked terms',
          'A comment with one of these is rejected.',
        )}
        {list(
          'suspectTerms',
          'suspectDefault',
          'Suspect terms',
          'A comment with one of these is held for a moderator.',
        )}
        <div class="rules-field">
          <label>
            Blocked domains
            <span class="hint" id="blockedDomains-hint">
              One domain a line; <code>example.com</code> also covers its subdomains. A link to one
              rejects the comment.
            </span>
            <textarea
              name="blockedDomains"
              rows={5}
              spellcheck={false}
              aria-describedby={describedBy('blockedDomains', 'blockedDomains-hint')}
              aria-invalid={invalid('blockedDomains')}
            >
              {values.blockedDomains}
            </textarea>
          </label>
          <Problems id="blockedDomains-problems" problem={problems.blockedDomains} />
        </div>
        <div class="rules-numbers">
          {number('maxLinks', 'Most links', 'More links than this hold a comment.')}
          {number(
            'floodPerMinute',
            'Most comments a minute',
            'From one author or address; more are held.',
            1,
          )}
          {number(
            'reportsToHold',
            'Reports that hold a comment',
            'From this many different readers.',
            1,
          )}
          {number(
            'digestAfterMinutes',
            'Digest e-mail after (minutes)',
            'Moderators get one e-mail when a comment has waited this long; 0 is off.',
          )}
        </div>
        <fieldset>
          <legend>First-time commenters</legend>
          <p class="hint">
            Until an earlier comment by the same e-mail address or account is approved.
          </p>
          {(Object.keys(FIRST_TIME_LABELS) as FirstTimePolicy[]).map((policy) => (
            <label class="checkbox">
              <input
                type="radio"
                name="firstTime"
                value={policy}
                checked={values.firstTime === policy}
              />
              <span>{FIRST_TIME_LABELS[policy]}</span>
            </label>
          ))}
          <Problems id="firstTime-problems" problem={problems.firstTime} />
        </fieldset>
        <button type="submit">Save the rules</button>
      </form>
      {/* Outside the rules form (forms do not nest); the reset buttons above belong to these. */}
      {(['blockedTerms', 'suspectTerms'] as const).map((list) => (
        <form method="post" action="/admin/moderation/rules/reset" id={`reset-${list}`}>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="list" value={list} />
        </form>
      ))}
    </AdminShell>
  );
}

export interface BanRow {
  id: string;
  /** `account`, `email` or `address`. */
  kind: string;
  /** What is banned, as shown: a member's name, an e-mail address, a shortened address hash. */
  value: string;
  reason: string;
  createdBy: string | undefined;
  createdAt: Date;
  expiresAt: Date | undefined;
}

export function BansPage(props: {
  ctx: PageContext;
  bans: readonly BanRow[];
  cursor: string | undefined;
  nextCursor: string | undefined;
  notice?: string;
}) {
  const { ctx, bans } = props;
  return (
    <AdminShell ctx={ctx} heading="Moderation">
      <ModerationNav current="/admin/moderation/bans" />
      <h2>Bans</h2>
      <p class="muted">
        A banned author’s new comments are refused with a neutral message. Ban an author from a
        comment in the queue.
      </p>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      {bans.length === 0 ? (
        <p class="empty-state">
          {props.cursor
            ? 'There are no more bans.'
            : 'Nobody is banned. Ban an author from one of their comments in the queue; the ban is listed here until it ends or you lift it.'}
        </p>
      ) : (
        <table class="bans-table">
          <caption class="visually-hidden">Active bans</caption>
          <thead>
            <tr>
              <th scope="col">Who</th>
              <th scope="col">Why</th>
              <th scope="col">Since</th>
              <th scope="col">Until</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {bans.map((ban) => (
              <tr>
                <td>
                  {ban.value} <span class="hint">({BAN_KIND_LABELS[ban.kind] ?? ban.kind})</span>
                </td>
                <td>{ban.reason}</td>
                <td>
                  <time dateTime={ban.createdAt.toISOString()}>
                    {formatDateTime(ban.createdAt)}
                  </time>
                  {ban.createdBy && <span class="hint"> by {ban.createdBy}</span>}
                </td>
                <td>
                  {ban.expiresAt ? (
                    <time dateTime={ban.expiresAt.toISOString()}>
                      {formatDateTime(ban.expiresAt)}
                    </time>
                  ) : (
                    'for ever'
                  )}
                </td>
                <td>
                  <form
                    method="post"
                    action={`/admin/moderation/bans/${encodeURIComponent(ban.id)}/lift`}
                    class="inline-form"
                  >
                    <CsrfField ctx={ctx} />
                    <button
                      type="submit"
                      class="secondary"
                      data-confirm={`Lift the ban on ${ban.value}?`}
                    >
                      Lift<span class="visually-hidden"> the ban on {ban.value}</span>
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(props.cursor || props.nextCursor) && (
        <nav class="comment-pages" aria-label="Pages of bans">
          <ul>
            {props.cursor && (
              <li>
                <a href="/admin/moderation/bans">Newest bans</a>
              </li>
            )}
            {props.nextCursor && (
              <li>
                <a
                  href={`/admin/moderation/bans?cursor=${encodeURIComponent(props.nextCursor)}`}
                  rel="next"
                >
                  Older bans
                </a>
              </li>
            )}
          </ul>
        </nav>
      )}
    </AdminShell>
  );
}

const BAN_KIND_LABELS: Record<string, string> = {
  account: 'account',
  email: 'e-mail address',
  address: 'network address',
};
