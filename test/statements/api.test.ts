// The statements API end to end, through a listening server and real HTTP, once per database
// kind: the acceptance paths (a statement based on a source, revised, diffed, refused
// until two editors approve the exact text, published; a personal statement under the policy
// "none"; co-signatures confirmed through links received by a real SMTP server; a correction and a
// withdrawal; bad input changing nothing).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src/accounts/model.js';
import * as accounts from '../../src/accounts/service.js';
import { accountsContext } from '../../src/runtime.js';
import { parseTextThread } from '../../src/interchange/text-thread.js';
import { fixedClock } from '../../src/platform/clock.js';
import { databaseKinds } from '../helpers/databases.js';
import type { TestServer } from '../helpers/runtime.js';
import { addMemberWithPassword, startTestServer } from '../helpers/runtime.js';
import { readSeed } from '../helpers/seeds.js';
import type { SmtpCapture } from '../helpers/smtp.js';
import { startSmtpCapture } from '../helpers/smtp.js';

const BASE_URL = 'https://statements.example.org/';
const clock = fixedClock('2026-11-24T10:00:00Z');

// --- what the API answers (only the fields these tests read) ----------------------------------

interface Revision {
  id: string;
  number: number;
  title: string;
  body: string;
  html: string;
  contentHash: string;
  publishedAt: string | null;
  correctionNote: string | null;
}
interface Statement {
  id: string;
  slug: string;
  status: string;
  title: string;
  clearance: string | null;
  correction: string | null;
  withdrawnReason: string | null;
  currentRevisionId?: string;
  publishedRevisionId: string | null;
  basedOn: null | {
    kind: string;
    wording: string;
    href: string | null;
    reuse: { share: number; reusedWords: number; totalWords: number };
  };
  publishedRevision: Revision | null;
  currentRevision?: Revision;
}
interface WordDiff {
  parts: { kind: 'same' | 'added' | 'removed'; text: string }[];
  added: number;
  removed: number;
}
interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

// --- the earlier text the Paris statement is based on, and the drafts made from it ------------

const SOURCE = {
  title: 'Statement on the attacks of 11 September',
  author: 'Alliance for Workers’ Liberty',
  date: '2001-09-12',
  url: 'https://www.workersliberty.org/story/2001/09/12/statement-september-11',
  text: [
    'To massacre thousands of ordinary office workers is a crime against humanity, full stop.',
    'What cause could the killers have been serving when they massacred thousands of people in New York? Not anti-imperialism in any rational sense, but only rage against the modern, secular world.',
    'We, the socialists, cannot bring back the dead, heal the wounded, or comfort the bereaved. What we can do is analyse the conditions that gave rise to the atrocity.',
  ].join('\n\n'),
};

const DRAFT_1 = [
  'To massacre ordinary workers enjoying a drink, a meal, a concert or a sporting event after work, is a crime against humanity, full stop.',
  'What cause could the Islamist killers have been serving when they massacred 130 or more people in Paris? Not anti-imperialism in any rational sense, but only rage against the modern, secular world.',
  'We, the socialists, cannot bring back the dead, heal the wounded, or comfort the bereaved. What we can do is analyse the conditions that gave rise to the atrocity.',
].join('\n\n');
const DRAFT_2 = DRAFT_1.replace('analyse the conditions', 'analyse soberly the conditions');
const DRAFT_3 = `${DRAFT_2}\n\nCritical comments are welcome.`;
/** "An author edits a comma." */
const DRAFT_4 = DRAFT_3.replace('a concert or a sporting event', 'a concert, or a sporting event');

describe.each(databaseKinds)('statements API on $name', (kind) => {
  let smtp: SmtpCapture;
  let server: TestServer;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
  });
  afterAll(async () => {
    await smtp.close();
  });
  beforeEach(async () => {
    clock.set('2026-11-24T10:00:00Z');
    smtp.received.length = 0;
    server = await startTestServer({ kind, clock, env: { BASE_URL, SMTP_URL: smtp.url } });
  });
  afterEach(async () => {
    await server.close();
  });

  async function bearerFor(role: Role, name: string): Promise<string> {
    const { member } = await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      email: `${name.toLowerCase().replace(/\W/g, '')}@example.org`,
      role,
      name,
    });
    const { token } = await accounts.createApiToken(accountsContext(server.runtime), {
      accountId: member.id,
      name: 'test',
    });
    return `Bearer ${token}`;
  }

  async function call<T>(
    method: string,
    path: string,
    options: { auth?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.auth) headers.authorization = options.auth;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      body: (type.includes('json') ? JSON.parse(text) : text) as T,
    };
  }

  const get = <T>(path: string, auth?: string) => call<T>('GET', path, { auth });
  const post = <T>(path: string, auth: string | undefined, body: unknown = {}) =>
    call<T>('POST', path, { auth, body });

  it('takes the Paris statement from an external source through two revisions, diffs and clearance of the exact text to publication', async () => {
    const author = await bearerFor('author', 'Jim Denham');
    const ann = await bearerFor('editor', 'Ann Editor');
    const bob = await bearerFor('editor', 'Bob Editor');

    // Created from the earlier text, then revised twice.
    const created = await post<Statement>('/api/v1/statements', author, {
      title: 'Statement on the Paris attacks',
      body: DRAFT_1,
      eventName: 'The Paris attacks',
      eventDate: '2015-11-13',
      basedOn: { source: SOURCE },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({ status: 'draft', slug: 'statement-on-the-paris-attacks' });
    expect(created.body.basedOn?.wording).toBe(
      'Based in part on “Statement on the attacks of 11 September” (Alliance for Workers’ Liberty, 12 September 2001)',
    );
    const firstShare = created.body.basedOn?.reuse.share ?? NaN;
    expect(firstShare).toBeGreaterThan(0.3);
    expect(firstShare).toBeLessThan(1);

    const r2 = await post<{ revision: Revision }>(`/api/v1/statements/${id}/revisions`, author, {
      body: DRAFT_2,
      note: 'soberly',
    });
    const r3 = await post<{ revision: Revision }>(`/api/v1/statements/${id}/revisions`, author, {
      body: DRAFT_3,
    });
    expect([r2.status, r3.status]).toEqual([201, 201]);
    expect([r2.body.revision.number, r3.body.revision.number]).toEqual([2, 3]);

    const history = await get<{ items: Revision[] }>(`/api/v1/statements/${id}/revisions`, author);
    expect(history.body.items.map((r) => r.number)).toEqual([1, 2, 3]);
    const [rev1, rev2, rev3] = history.body.items;

    // Both diffs, word by word.
    const d12 = await get<{ diff: { body: WordDiff } }>(
      `/api/v1/statements/${id}/diff?from=${rev1?.id}&to=${rev2?.id}`,
      author,
    );
    expect(d12.status).toBe(200);
    expect(d12.body.diff.body.parts.filter((p) => p.kind !== 'same')).toEqual([
      { kind: 'added', text: 'soberly ' },
    ]);
    const d23 = await get<{ diff: { body: WordDiff } }>(
      `/api/v1/statements/${id}/diff?from=${rev2?.id}&to=${rev3?.id}`,
      author,
    );
    expect(d23.body.diff.body).toMatchObject({ added: 4, removed: 0 });

    // The provenance diff and reuse share follow the current text.
    const provenance = await get<{ reuse: { share: number }; diff: WordDiff; sourceText: string }>(
      `/api/v1/statements/${id}/provenance`,
      author,
    );
    expect(provenance.body.sourceText).toBe(SOURCE.text);
    expect(
      provenance.body.diff.parts.some((p) => p.kind === 'removed' && /New York/.test(p.text)),
    ).toBe(true);
    expect(provenance.body.reuse.share).toBeLessThan(firstShare); // more new words since

    // Submitted; publishing is refused, naming the two missing approvals.
    expect((await post<unknown>(`/api/v1/statements/${id}/submit`, author)).status).toBe(200);
    const refused = await post<ErrorBody>(`/api/v1/statements/${id}/publish`, ann);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('clearance-incomplete');
    expect(refused.body.error.message).toContain('2 approvals from editors are missing');

    // Two editors approve revision 3: cleared.
    const first = await post<{ clearance: { message: string } }>(
      `/api/v1/statements/${id}/approve`,
      ann,
      { revisionId: rev3?.id },
    );
    expect(first.body.clearance.message).toContain('1 approval from an editor is missing');
    const second = await post<{ statement: Statement; clearance: { state: string } }>(
      `/api/v1/statements/${id}/approve`,
      bob,
      { revisionId: rev3?.id, comment: 'Good.' },
    );
    expect(second.body.clearance.state).toBe('met');
    expect(second.body.statement.status).toBe('cleared');

    // The author edits a comma: both approvals are stale, and publishing is refused again.
    clock.advance(60_000);
    const r4 = await post<{ revision: Revision; statement: Statement }>(
      `/api/v1/statements/${id}/revisions`,
      author,
      { body: DRAFT_4, note: 'a comma' },
    );
    expect(r4.body.statement.status).toBe('in-review');
    const stale = await post<ErrorBody>(`/api/v1/statements/${id}/publish`, bob);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('clearance-incomplete');
    expect(stale.body.error.message).toContain('2 approvals from editors are missing');
    expect(stale.body.error.message).toContain(
      'The approvals by Ann Editor and Bob Editor were given to an earlier text',
    );
    expect(stale.body.error.details?.staleApprovals).toHaveLength(2);
    const clearance = await get<{ state: string; stale: unknown[] }>(
      `/api/v1/statements/${id}/clearance`,
      author,
    );
    expect(clearance.body).toMatchObject({ state: 'missing' });
    expect(clearance.body.stale).toHaveLength(2);

    // Re-approved, it publishes; it says how it was cleared and what it is based on.
    clock.set('2026-11-25T08:00:00Z');
    for (const editor of [ann, bob])
      expect(
        (
          await post(`/api/v1/statements/${id}/approve`, editor, {
            revisionId: r4.body.revision.id,
          })
        ).status,
      ).toBe(200);
    const published = await post<{ statement: Statement }>(
      `/api/v1/statements/${id}/publish`,
      bob,
      {
        revisionId: r4.body.revision.id,
      },
    );
    expect(published.status).toBe(200);
    const publicView = await get<Statement>(`/api/v1/statements/statement-on-the-paris-attacks`);
    expect(publicView.status).toBe(200);
    expect(publicView.body).toMatchObject({
      status: 'published',
      clearance: 'Cleared by 2 editors on 25 November 2026',
      publishedRevisionId: r4.body.revision.id,
    });
    expect(publicView.body.currentRevision).toBeUndefined(); // drafts stay private
    expect(publicView.body.basedOn).toMatchObject({
      kind: 'source',
      wording:
        'Based in part on “Statement on the attacks of 11 September” (Alliance for Workers’ Liberty, 12 September 2001)',
      href: SOURCE.url,
    });
    expect(publicView.body.publishedRevision?.body).toBe(DRAFT_4);
    // The public history holds only what was published.
    const publicHistory = await get<{ items: Revision[] }>(`/api/v1/statements/${id}/revisions`);
    expect(publicHistory.body.items.map((r) => r.number)).toEqual([4]);
  });

  it('publishes the Westminster sample as a personal statement on a site whose policy is "none"', async () => {
    const owner = await bearerFor('owner', 'Owner');
    const editor = await bearerFor('editor', 'Ed Itor');
    const policy = await call<unknown>('PUT', '/api/v1/statements/clearance-policy', {
      auth: owner,
      body: { kind: 'none' },
    });
    expect(policy).toEqual({ status: 200, body: { kind: 'none' } });

    const { statement: sample } = parseTextThread(readSeed('westminster-statement.txt'));
    const created = await post<Statement>('/api/v1/statements', editor, {
      title: sample.title,
      subtitle: sample.subtitle,
      body: sample.body,
      eventName: 'The Westminster attack',
      eventDate: '2017-03-22',
    });
    expect(created.status).toBe(201);
    const published = await post<{ statement: Statement }>(
      `/api/v1/statements/${created.body.id}/publish`,
      editor,
    );
    expect(published.status).toBe(200);
    const view = await get<Statement>(`/api/v1/statements/${created.body.slug}`);
    expect(view.body).toMatchObject({
      status: 'published',
      title: sample.title,
      clearance: 'Personal statement, not cleared',
      basedOn: null,
    });
    expect(view.body.publishedRevision?.html).toContain('Marxist-Leninists');
    const list = await get<{ items: { slug: string; clearanceNote: string }[] }>(
      '/api/v1/statements',
    );
    expect(list.body.items).toEqual([
      expect.objectContaining({
        slug: created.body.slug,
        clearanceNote: 'Personal statement, not cleared',
      }),
    ]);
  });

  /** A statement published under the policy "none", for the tests that need one. */
  async function publishedStatement(title: string): Promise<{ id: string; slug: string }> {
    const owner = await bearerFor('owner', `Owner of ${title}`);
    await call('PUT', '/api/v1/statements/clearance-policy', {
      auth: owner,
      body: { kind: 'none' },
    });
    const created = await post<Statement>('/api/v1/statements', owner, {
      title,
      body: 'We condemn the attack.\n\nWe stand together.',
    });
    const published = await post<{ statement: Statement }>(
      `/api/v1/statements/${created.body.id}/publish`,
      owner,
    );
    expect(published.status).toBe(200);
    return { id: created.body.id, slug: created.body.slug };
  }

  it('lists only the signatories who confirmed by the link in their e-mail, and exports them', async () => {
    const { id, slug } = await publishedStatement('Statement on Westminster');
    const moderator = await bearerFor('moderator', 'Mo Derator');
    const people = [
      { name: 'Rosa Worker', email: 'rosa@example.net', country: 'DE' },
      { name: 'Karl Reader', email: 'Karl@Example.net', roleTitle: 'Branch secretary' },
      { name: 'Never Confirms', email: 'never@example.net' },
    ];
    for (const person of people) {
      const signed = await post<{ status: string; message: string }>(
        `/api/v1/statements/${slug}/signatures`,
        undefined,
        { kind: 'person', ...person },
      );
      expect(signed.status).toBe(202);
      expect(signed.body.status).toBe('unverified');
    }
    // Nobody is listed before confirming.
    const before = await get<{ items: unknown[] }>(`/api/v1/statements/${id}/signatories`);
    expect(before.body.items).toEqual([]);

    // Two open the link from their mail and press the button.
    for (const address of ['rosa@example.net', 'karl@example.net']) {
      const mails = smtp.mailsTo(address);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.subject).toBe('Confirm your signature on “Statement on Westminster”');
      const link = /https:\/\/statements\.example\.org\/signatures\/confirm\/\S+/.exec(
        mails[0]?.text ?? '',
      )?.[0];
      expect(link).toBeDefined();
      const path = new URL(link ?? '').pathname;
      const page = await fetch(`${server.url}${path}`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('Confirm your signature?');
      // Opening the link confirmed nothing.
      expect(
        (await get<{ items: unknown[] }>(`/api/v1/statements/${id}/signatories`)).body.items,
      ).toHaveLength(address === 'rosa@example.net' ? 0 : 1);
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      expect(action).toBe(path);
      const pressed = await fetch(`${server.url}${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: '',
      });
      expect(pressed.status).toBe(200);
      expect(await pressed.text()).toContain('your signature is confirmed');
    }

    const listed = await get<{
      items: { name: string; email?: string }[];
      counts: { people: number; organisations: number; total: number };
    }>(`/api/v1/statements/${id}/signatories`);
    expect(listed.body.items.map((s) => s.name)).toEqual(['Rosa Worker', 'Karl Reader']);
    expect(listed.body.items.every((s) => s.email === undefined)).toBe(true);
    expect(listed.body.counts).toEqual({ organisations: 0, people: 2, total: 2 });

    // The export: the listed ones only, or everyone with their status.
    const csv = await get<string>(`/api/v1/statements/${id}/signatures.csv?listed=true`, moderator);
    expect(csv.status).toBe(200);
    const rows = csv.body.trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'kind,name,organisation,role_title,email,country,status,signed_at,verified_at',
    );
    expect(rows.slice(1).map((row) => row.split(',').slice(0, 5).join(','))).toEqual([
      'person,Rosa Worker,,,rosa@example.net',
      'person,Karl Reader,,Branch secretary,karl@example.net',
    ]);
    const all = await get<string>(`/api/v1/statements/${id}/signatures.csv`, moderator);
    expect(all.body).toContain('never@example.net,,unverified');
    expect((await get<string>(`/api/v1/statements/${id}/signatures.csv`)).status).toBe(401);

    // The same address signs again: refused politely, nothing added.
    const again = await post<ErrorBody>(`/api/v1/statements/${id}/signatures`, undefined, {
      kind: 'person',
      name: 'Rosa again',
      email: ' ROSA@example.net ',
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already-signed');
    expect(again.body.error.message).toMatch(
      /already been used to sign this statement — thank you/,
    );
    expect(smtp.mailsTo('rosa@example.net')).toHaveLength(1);
  });

  it('keeps a corrected revision readable in the public history, and marks a withdrawn statement', async () => {
    const { id, slug } = await publishedStatement('Statement on the strike');
    const owner = await bearerFor('owner', 'Second Owner');
    const original = await get<Statement>(`/api/v1/statements/${slug}`);
    const originalRevision = original.body.publishedRevisionId;

    clock.set('2026-11-27T12:00:00Z');
    const corrected = await post<{ statement: Statement }>(
      `/api/v1/statements/${id}/correct`,
      owner,
      {
        note: 'the date of the strike was wrong',
        body: 'We condemn the attack.\n\nWe stand together, on 28 November.',
      },
    );
    expect(corrected.status).toBe(200);
    const view = await get<Statement>(`/api/v1/statements/${slug}`);
    expect(view.body.correction).toBe(
      'Corrected on 27 November 2026: the date of the strike was wrong',
    );
    expect(view.body.publishedRevision?.body).toContain('on 28 November');
    expect(view.body.publishedRevisionId).not.toBe(originalRevision);

    const history = await get<{ items: Revision[] }>(`/api/v1/statements/${slug}/revisions`);
    expect(history.body.items.map((r) => [r.number, r.correctionNote])).toEqual([
      [1, null],
      [2, 'the date of the strike was wrong'],
    ]);
    const old = await get<Revision>(`/api/v1/statements/${slug}/revisions/${originalRevision}`);
    expect(old.status).toBe(200);
    expect(old.body.body).toBe('We condemn the attack.\n\nWe stand together.');
    const diff = await get<{ diff: { body: WordDiff } }>(
      `/api/v1/statements/${slug}/diff?from=${originalRevision}&to=${view.body.publishedRevisionId}`,
    );
    expect(diff.body.diff.body.added).toBe(3); // "on 28 November"

    const withdrawn = await post<{ statement: Statement }>(
      `/api/v1/statements/${id}/withdraw`,
      owner,
      {
        reason: 'Superseded by the joint statement of 1 December.',
      },
    );
    expect(withdrawn.status).toBe(200);
    const after = await get<Statement>(`/api/v1/statements/${slug}`);
    expect(after.status).toBe(200); // the page stays
    expect(after.body).toMatchObject({
      status: 'withdrawn',
      withdrawnReason: 'Superseded by the joint statement of 1 December.',
    });
    const list = await get<{ items: { slug: string; status: string; withdrawnAt: string }[] }>(
      '/api/v1/statements',
    );
    expect(list.body.items[0]).toMatchObject({
      slug,
      status: 'withdrawn',
      withdrawnAt: '2026-11-27T12:00:00.000Z',
    });
    const sign = await post<ErrorBody>(`/api/v1/statements/${id}/signatures`, undefined, {
      name: 'Late',
      email: 'late@example.net',
    });
    expect(sign.status).toBe(409);
    expect(sign.body.error.code).toBe('statement-withdrawn');
  });

  it('refuses bad input with a clear error and changes nothing', async () => {
    const author = await bearerFor('author', 'Writer');
    const editor = await bearerFor('editor', 'Checker');
    const created = await post<Statement>('/api/v1/statements', author, {
      title: 'Statement on the Paris attacks',
      body: DRAFT_1,
    });
    const id = created.body.id;
    const first = created.body.currentRevisionId;
    await post(`/api/v1/statements/${id}/submit`, author);
    const r2 = await post<{ revision: Revision }>(`/api/v1/statements/${id}/revisions`, author, {
      body: DRAFT_2,
    });
    const decisions = () =>
      get<{ items: unknown[] }>(`/api/v1/statements/${id}/decisions`, editor).then(
        (r) => r.body.items,
      );

    // Approving a revision that does not exist, or one that is no longer the current text.
    const unknown = await post<ErrorBody>(`/api/v1/statements/${id}/approve`, editor, {
      revisionId: '0190aaaa-0000-7000-8000-000000000000',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('revision-not-found');
    const replaced = await post<ErrorBody>(`/api/v1/statements/${id}/approve`, editor, {
      revisionId: first,
    });
    expect(replaced.status).toBe(409);
    expect(replaced.body.error).toMatchObject({ code: 'not-current-revision' });
    expect(replaced.body.error.message).toContain('revision 2 replaced it');
    expect(await decisions()).toEqual([]);

    // Publishing without permission.
    const forbidden = await post<ErrorBody>(`/api/v1/statements/${id}/publish`, author);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('forbidden');
    const unchanged = await get<Statement>(`/api/v1/statements/${id}`, author);
    expect(unchanged.body).toMatchObject({ status: 'in-review', publishedRevisionId: null });
    expect((await get<ErrorBody>(`/api/v1/statements/${id}`)).status).toBe(404);

    // A diff between revisions of two statements.
    const other = await post<Statement>('/api/v1/statements', author, {
      title: 'Another statement',
      body: 'Other words.',
    });
    const across = await get<ErrorBody>(
      `/api/v1/statements/${id}/diff?from=${r2.body.revision.id}&to=${other.body.currentRevisionId}`,
      author,
    );
    expect(across.status).toBe(422);
    expect(across.body.error.code).toBe('revisions-of-different-statements');
    const missing = await get<ErrorBody>(
      `/api/v1/statements/${id}/diff?from=${r2.body.revision.id}&to=no-such-revision`,
      author,
    );
    expect(missing.status).toBe(404);

    // A signature with an invalid address.
    const { id: publishedId } = await publishedStatement('Statement to sign');
    const badEmail = await post<ErrorBody>(
      `/api/v1/statements/${publishedId}/signatures`,
      undefined,
      {
        kind: 'person',
        name: 'Someone',
        email: 'someone(at)example.net',
      },
    );
    expect(badEmail.status).toBe(422);
    expect(badEmail.body.error.code).toBe('invalid-email');
    expect(badEmail.body.error.message).toContain('someone(at)example.net');
    const moderator = await bearerFor('moderator', 'Mod');
    const signaturesAfter = await get<{ items: unknown[] }>(
      `/api/v1/statements/${publishedId}/signatures`,
      moderator,
    );
    expect(signaturesAfter.body.items).toEqual([]);
    expect(smtp.received).toEqual([]);

    // Nothing about the first statement changed either.
    const revisions = await get<{ items: unknown[] }>(`/api/v1/statements/${id}/revisions`, author);
    expect(revisions.body.items).toHaveLength(2);
  });

  it('needs the CSRF token for cookie-authenticated writes', async () => {
    await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      email: 'cookie@example.org',
      role: 'editor',
      password: 'correct horse battery staple',
    });
    const signIn = await fetch(`${server.url}/signin`);
    const cookies = signIn.headers.getSetCookie().map((c) => c.split(';')[0]);
    const token = /name="_csrf" value="([^"]+)"/.exec(await signIn.text())?.[1] ?? '';
    const signedIn = await fetch(`${server.url}/signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: cookies.join('; '),
      },
      body: new URLSearchParams({
        _csrf: token,
        email: 'cookie@example.org',
        password: 'correct horse battery staple',
      }).toString(),
    });
    expect(signedIn.status).toBe(303);
    const jar = [...cookies, ...signedIn.headers.getSetCookie().map((c) => c.split(';')[0])];
    const create = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/v1/statements`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: jar.join('; '), ...headers },
        body: JSON.stringify({ title: 'By cookie', body: 'Text.' }),
      });
    const without = await create({});
    expect(without.status).toBe(403);
    expect(((await without.json()) as ErrorBody).error.code).toBe('csrf-invalid');
    expect((await create({ 'x-csrf-token': token })).status).toBe(201);
  });

  it('takes a long statement and its pasted source, beyond the server’s default 64 KiB body limit', async () => {
    const author = await bearerFor('author', 'Long Writer');
    const paragraph = 'Solidarity with the workers of every country, whatever their faith. ';
    const body = `${paragraph.repeat(1500)}\n\nÉgalité.`; // about 100,000 characters
    const created = await post<Statement>('/api/v1/statements', author, {
      title: 'A long statement',
      body,
      basedOn: { source: { ...SOURCE, text: paragraph.repeat(1000) } },
    });
    expect(created.status).toBe(201);
    expect(created.body.currentRevision?.body).toBe(body.replace(/ +\n/g, '\n')); // normalised
    expect(created.body.basedOn?.reuse.share).toBeGreaterThan(0.5);
  });

  it('limits how many signatures one address may send a minute (each mails someone)', async () => {
    const { id } = await publishedStatement('Statement to sign often');
    const statuses: number[] = [];
    for (let n = 1; n <= 11; n++) {
      const signed = await post<unknown>(`/api/v1/statements/${id}/signatures`, undefined, {
        name: `Signer ${n}`,
        email: `signer${n}@example.net`,
      });
      statuses.push(signed.status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(202), 429]);
    expect(smtp.received).toHaveLength(10);
  });

  it('describes the statements API in the OpenAPI document', async () => {
    const doc = await get<{ paths: Record<string, Record<string, { tags?: string[] }>> }>(
      '/api/openapi.json',
    );
    const paths = Object.keys(doc.body.paths).filter((p) => p.startsWith('/api/v1/statements'));
    for (const path of [
      '/api/v1/statements',
      '/api/v1/statements/{statement}',
      '/api/v1/statements/{statement}/revisions',
      '/api/v1/statements/{statement}/diff',
      '/api/v1/statements/{statement}/approve',
      '/api/v1/statements/{statement}/object',
      '/api/v1/statements/{statement}/publish',
      '/api/v1/statements/{statement}/correct',
      '/api/v1/statements/{statement}/withdraw',
      '/api/v1/statements/{statement}/signatures',
      '/api/v1/statements/signatures/verify',
    ])
      expect(paths).toContain(path);
    expect(doc.body.paths['/api/v1/statements/{statement}/publish']?.post?.tags).toEqual([
      'statements',
    ]);
  });
});
