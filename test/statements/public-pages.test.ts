// The public pages of statements through a listening server and real HTTP, once per database
// kind: what the statement page says of itself (clearance, citation, Open Graph and feeds);
// co-signing without JavaScript, confirmed by links received at a real SMTP server, moderated and
// exported; a correction that keeps the old text readable and a withdrawal that marks the page,
// both in the Atom feed; and the Westminster sample as a personal statement.
import { parseFeed } from '@rowanmanning/feed-parser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { statementsContext } from '../../src/runtime.js';
import { fixedClock } from '../../src/platform/clock.js';
import * as statements from '../../src/statements/service.js';
import { databaseKinds } from '../helpers/databases.js';
import { Browser } from '../helpers/http.js';
import type { TestServer } from '../helpers/runtime.js';
import { addMemberWithPassword, startTestServer } from '../helpers/runtime.js';
import { readSeed } from '../helpers/seeds.js';
import type { SmtpCapture } from '../helpers/smtp.js';
import { startSmtpCapture } from '../helpers/smtp.js';
import { buildStatement } from './factories.js';
import type { MemberBrowser } from './page-helpers.js';
import { elementById, inputValue, signedIn, statementIdOf, textOf } from './page-helpers.js';

const BASE_URL = 'https://statements.example.org/';
const PASSWORD = 'correct horse battery staple';
const clock = fixedClock('2017-03-23T09:00:00Z');

describe.each(databaseKinds)('statement public pages on $name', (kind) => {
  let smtp: SmtpCapture;
  let server: TestServer;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
  });
  afterAll(async () => {
    await smtp.close();
  });

  async function start(siteSettings?: Record<string, unknown>) {
    clock.set('2017-03-23T09:00:00Z');
    smtp.received.length = 0;
    server = await startTestServer({
      kind,
      clock,
      env: { BASE_URL, SMTP_URL: smtp.url },
      siteSettings,
    });
  }
  afterEach(async () => {
    await server?.close();
  });

  async function member(role: 'owner' | 'editor' | 'author' | 'moderator', name: string) {
    const email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.org`;
    await addMemberWithPassword(server.runtime, {
      siteId: server.siteId,
      email,
      role,
      name,
      password: PASSWORD,
    });
    return signedIn(server.url, email, PASSWORD);
  }

  const anonymous = () => new Browser(server.url);

  /** Posts the public sign form as a browser on this site's page does (with its Origin). */
  function sign(browser: Browser, slug: string, fields: Record<string, string>) {
    return browser.request(`/s/${slug}/signatures`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: server.url,
      },
      body: new URLSearchParams({ kind: 'person', ...fields }).toString(),
    });
  }

  /** The confirmation link in the one mail sent to `address`. */
  function linkFor(address: string): string {
    const mails = smtp.mailsTo(address);
    expect(mails).toHaveLength(1);
    const url = /https:\/\/statements\.example\.org(\/signatures\/confirm\/\S+)/.exec(
      mails[0]?.text ?? '',
    )?.[1];
    if (!url) throw new Error(`no confirmation link in the mail to ${address}`);
    return url;
  }

  async function confirm(address: string) {
    const path = linkFor(address);
    const browser = anonymous();
    const landing = await browser.get(path);
    expect(landing.status).toBe(200);
    expect(textOf(await landing.text())).toContain('Confirm your signature?');
    // Opening the link confirmed nothing; the button's POST does.
    const done = await browser.request(path, { method: 'POST' });
    expect(done.status).toBe(200);
    return textOf(await done.text());
  }

  describe('a published statement', () => {
    beforeEach(() => start());

    it('says who wrote it, how it was cleared, and carries Open Graph and feed metadata', async () => {
      await statements.publishStatement(
        statementsContext(server.runtime),
        buildStatement(server.siteId, {
          title: 'Statement on the Paris attacks',
          subtitle: undefined,
          body: 'To massacre ordinary workers enjoying a drink is a crime against humanity, full stop.\n\n## More\n\nText.',
          clearanceNote: 'Personal statement, not cleared',
        }),
      );
      const html = await (await anonymous().get('/s/statement-on-the-paris-attacks')).text();
      const url = `${BASE_URL}s/statement-on-the-paris-attacks`;
      expect(html).toContain('<link rel="canonical" href="/s/statement-on-the-paris-attacks"/>');
      expect(html).toContain(
        '<link rel="alternate" type="application/atom+xml" href="/statements.atom" title="Statements (Atom) · Broadside"/>',
      );
      expect(html).toContain(
        '<link rel="alternate" type="application/atom+xml" href="/s/statement-on-the-paris-attacks/comments.atom"',
      );
      expect(html).toContain('<meta property="og:type" content="article"/>');
      expect(html).toContain(`<meta property="og:url" content="${url}"/>`);
      expect(html).toContain(
        '<meta property="og:title" content="Statement on the Paris attacks"/>',
      );
      expect(html).toContain(
        '<meta name="description" content="To massacre ordinary workers enjoying a drink is a crime against humanity, full stop.',
      );
      expect(html).toContain(
        '<meta property="article:published_time" content="2017-03-23T09:00:00.000Z"/>',
      );
      expect(textOf(html)).toContain('Personal statement, not cleared');

      // The home page lists it, and points feed readers at the statements feed.
      const home = await (await anonymous().get('/')).text();
      expect(home).toContain('href="/s/statement-on-the-paris-attacks"');
      expect(home).toContain(
        '<link rel="alternate" type="application/atom+xml" href="/statements.atom"',
      );
    });

    it('takes three signatures without JavaScript; the two confirmed by e-mail are listed, and exported', async () => {
      const { statement } = await statements.publishStatement(
        statementsContext(server.runtime),
        buildStatement(server.siteId, { title: 'Statement on the Westminster attack' }),
      );
      const slug = statement.slug;
      const page = await (await anonymous().get(`/s/${slug}`)).text();
      expect(textOf(elementById(page, 'signatories'))).toContain('No signatories yet');
      // The public page carries no per-visitor token for the sign form.
      expect(elementById(page, 'sign')).not.toContain('_csrf');

      // A bad address is refused with the reason and what was typed; nothing is mailed.
      const bad = await sign(anonymous(), slug, { name: 'Ann Signer', email: 'ann@' });
      expect(bad.status).toBe(422);
      const badHtml = await bad.text();
      expect(textOf(elementById(badHtml, 'sign-problem'))).toContain(
        '"ann@" is not an e-mail address we can send the confirmation link to',
      );
      expect(inputValue(badHtml, 'name')).toBe('Ann Signer');
      expect(smtp.received).toHaveLength(0);

      // A form posted from another site is refused.
      const forged = await anonymous().request(`/s/${slug}/signatures`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'https://elsewhere.example',
        },
        body: new URLSearchParams({ name: 'Mallory', email: 'm@example.org' }).toString(),
      });
      expect(forged.status).toBe(403);

      // Three sign; each is told to check their e-mail.
      for (const [name, email] of [
        ['Ann Signer', 'ann@example.org'],
        ['Bob Signer', 'bob@example.org'],
        ['Cy Signer', 'cy@example.org'],
      ] as const) {
        const signed = await sign(anonymous(), slug, {
          name,
          email,
          roleTitle: 'Member',
          country: 'UK',
        });
        expect(signed.status).toBe(303);
        expect(signed.headers.get('location')).toBe(`/s/${slug}/signatures/sent`);
      }
      const sent = await (await anonymous().get(`/s/${slug}/signatures/sent`)).text();
      expect(textOf(sent)).toContain('Check your e-mail');

      // Signing again with the same address is refused politely.
      const again = await sign(anonymous(), slug, { name: 'Ann Again', email: 'ANN@example.org' });
      expect(again.status).toBe(409);
      expect(textOf(await again.text())).toContain('has already been used to sign this statement');

      // Two confirm by the link they received; only they are listed.
      expect(await confirm('ann@example.org')).toContain('Ann Signer is listed');
      await confirm('bob@example.org');
      const listed = textOf(
        elementById(await (await anonymous().get(`/s/${slug}`)).text(), 'signatories'),
      );
      expect(listed).toContain('2 signatories: 2 people');
      expect(listed).toMatch(/Ann Signer ?, Member, UK/);
      expect(listed).toContain('Bob Signer');
      expect(listed).not.toContain('Cy Signer');

      // An organisation confirms, but is listed only once a moderator approves it — first.
      await sign(anonymous(), slug, {
        kind: 'organisation',
        name: 'Workers’ Union',
        organisation: 'Dee Secretary',
        email: 'union@example.org',
      });
      expect(await confirm('union@example.org')).toContain('once a moderator has checked');
      expect(textOf(await (await anonymous().get(`/s/${slug}`)).text())).not.toContain(
        'Workers’ Union',
      );
      const moderator = await member('moderator', 'Mo Derator');
      // The moderator finds it from the Signatures overview, waiting organisations first.
      const overview = await moderator.page('/admin/signatures');
      expect(overview).toContain('href="/admin/signatures"');
      expect(textOf(overview)).toContain('1 organisation waits for approval.');
      expect(textOf(overview)).toMatch(/Statement on the Westminster attack 1 2 1/);
      const admin = await moderator.page(`/admin/statements/${statement.id}/signatures`);
      // A moderator's tabs are only those they may open.
      expect(admin).not.toContain(`href="/admin/statements/${statement.id}/review"`);
      expect(textOf(admin)).toContain('1 organisation waits for approval');
      const orgId = /signatures\/([^/"]+)\/approve/.exec(admin)?.[1] ?? '';
      const approved = await moderator.postAndFollow(
        `/admin/statements/${statement.id}/signatures/${orgId}/approve`,
        {},
      );
      expect(textOf(approved)).toContain('The organisation’s signature is approved');
      const withOrg = await (await anonymous().get(`/s/${slug}`)).text();
      const section = textOf(elementById(withOrg, 'signatories'));
      expect(section).toContain('3 signatories: 1 organisation and 2 people');
      expect(section.indexOf('Workers’ Union')).toBeLessThan(section.indexOf('Ann Signer'));

      // The CSV has every signature, the confirmed ones as such.
      const csv = await moderator.get(`/admin/statements/${statement.id}/signatures.csv`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const rows = (await csv.text()).trim().split('\r\n');
      expect(rows[0]).toBe(
        'kind,name,organisation,role_title,email,country,status,signed_at,verified_at',
      );
      expect(rows.filter((row) => row.includes(',verified,'))).toHaveLength(2);
      expect(rows.some((row) => row.startsWith('person,Ann Signer,,Member,ann@example.org'))).toBe(
        true,
      );
      expect(rows.some((row) => row.includes('cy@example.org,UK,unverified'))).toBe(true);

      // Closing signing is a publisher's decision; it removes the form and refuses a signature.
      expect(
        (
          await moderator.post(`/admin/statements/${statement.id}/signatures/signing`, {
            open: 'false',
          })
        ).status,
      ).toBe(403);
      const editor = await member('editor', 'Ed Itor');
      const closedNotice = await editor.postAndFollow(
        `/admin/statements/${statement.id}/signatures/signing`,
        { open: 'false' },
      );
      expect(textOf(closedNotice)).toContain('Signing is closed. The signatories stay listed.');
      const closed = await (await anonymous().get(`/s/${slug}`)).text();
      expect(textOf(closed)).toContain('Signing of this statement is closed.');
      expect(closed).not.toContain('id="sign"');
      const late = await sign(anonymous(), slug, { name: 'Late', email: 'late@example.org' });
      expect(late.status).toBe(409);
      // An author may not see the signatures' addresses.
      const author = await member('author', 'Al Author');
      await author.page(`/admin/statements/${statement.id}/signatures`, 403);
    });
  });

  describe('under the clearance policy "none"', () => {
    beforeEach(() => start({ clearance: { kind: 'none' } }));

    async function draft(editor: MemberBrowser, title: string, subtitle: string, body: string) {
      const created = await editor.post('/admin/statements', {
        title,
        subtitle,
        basis: 'none',
        body,
      });
      expect(created.status).toBe(303);
      return statementIdOf(created.headers.get('location') ?? '');
    }

    it('publishes the Westminster sample as a personal statement, and says so', async () => {
      const [heading = '', ...rest] = readSeed('westminster-statement.txt').split('\n');
      const [title = '', subtitle = ''] = heading.split(': ');
      const body = rest.join('\n').trim();
      const editor = await member('editor', 'Eve Editor');
      const id = await draft(editor, title, subtitle, body);
      const review = textOf(await editor.page(`/admin/statements/${id}/review`));
      expect(review).toContain('This site publishes personal statements without clearance.');
      const published = await editor.postAndFollow(`/admin/statements/${id}/publish`, {
        revisionId: '',
      });
      expect(textOf(published)).toContain('Published.');
      const page = textOf(
        await (await anonymous().get('/s/against-imperialism-fascism-and-takfiri-islamism')).text(),
      );
      expect(page).toContain(
        'Against Imperialism, Fascism and Takfiri Islamism Statement on the Westminster Attack Eve Editor',
      );
      expect(page).toContain('Personal statement, not cleared');
      expect(page).toContain('Workers and oppressed peoples of the world – unite!');
    });

    it('keeps a corrected text readable in the public history, marks a withdrawal, and the feed follows both', async () => {
      const editor = await member('editor', 'Eve Editor');
      const id = await draft(
        editor,
        'Statement on the Westminster attack',
        '',
        'On the 22nd of March, an attack was carried out.\n\nWe condemn it.',
      );
      await editor.postAndFollow(`/admin/statements/${id}/publish`, { revisionId: '' });
      const feedBefore = await anonymous().get('/statements.atom');
      expect(feedBefore.status).toBe(200);
      const etag = feedBefore.headers.get('etag') ?? '';
      const first = parseFeed(await feedBefore.text());
      expect(first.items.map((item) => item.title)).toEqual([
        'Statement on the Westminster attack',
      ]);
      const entryId = first.items[0]?.id;
      // An unchanged feed is not sent again.
      const unchanged = await anonymous().request('/statements.atom', {
        headers: { 'if-none-match': etag },
      });
      expect(unchanged.status).toBe(304);

      // A correction: a new revision, published with a note.
      clock.set('2017-03-25T12:00:00Z');
      const editorPage = await editor.page(`/admin/statements/${id}`);
      await editor.post(`/admin/statements/${id}`, {
        title: 'Statement on the Westminster attack',
        body: 'On the 22nd of March, a terrorist attack was carried out in Westminster.\n\nWe condemn it.',
        baseRevisionId: inputValue(editorPage, 'baseRevisionId'),
        intent: 'save',
      });
      const corrected = await editor.postAndFollow(`/admin/statements/${id}/correct`, {
        revisionId: '',
        note: 'where the attack took place',
      });
      expect(textOf(corrected)).toContain('The correction is published');
      const slug = 'statement-on-the-westminster-attack';
      const page = textOf(await (await anonymous().get(`/s/${slug}`)).text());
      expect(page).toContain('Corrected on 25 March 2017: where the attack took place');
      expect(page).toContain('a terrorist attack was carried out in Westminster');

      expect(textOf(await (await anonymous().get('/')).text())).toContain(
        '23 March 2017 · corrected on 25 March 2017',
      );

      // The public history lists both texts; the first is still readable whole.
      const history = await (await anonymous().get(`/s/${slug}/history`)).text();
      const links = [...history.matchAll(/href="(\/s\/[^"]+\/revisions\/[^"]+)"/g)].map(
        (m) => m[1],
      );
      expect(links).toHaveLength(2);
      expect(textOf(history)).toContain('Published on 23 March 2017');
      const old = textOf(await (await anonymous().get(links[1] ?? '')).text());
      expect(old).toContain(
        'You are reading “Statement on the Westminster attack” as published on 23 March 2017',
      );
      expect(old).toContain('It was corrected on 25 March 2017');
      expect(old).toContain('an attack was carried out.');
      const compare = /href="(\/s\/[^"]+\/history\?from=[^"#]+)/
        .exec(history)?.[1]
        ?.replace(/&amp;/g, '&');
      const diff = textOf(await (await anonymous().get(compare ?? '')).text());
      expect(diff).toMatch(/\[added: [^\]]*terrorist/);

      // The feed's entry is the same one, updated, with the corrected text and the note.
      const afterCorrection = await anonymous().request('/statements.atom', {
        headers: { 'if-none-match': etag },
      });
      expect(afterCorrection.status).toBe(200);
      const second = parseFeed(await afterCorrection.text());
      expect(second.items).toHaveLength(1);
      expect(second.items[0]?.id).toBe(entryId);
      expect(second.items[0]?.updated?.toISOString()).toBe('2017-03-25T12:00:00.000Z');
      expect(second.items[0]?.content).toContain('Corrected on 25 March 2017');
      expect(second.items[0]?.content).toContain('terrorist attack');

      // Withdrawn: the page stays, marked with the reason; the home page and the feed say so.
      clock.set('2017-03-26T08:00:00Z');
      const withdrawn = await editor.post(`/admin/statements/${id}/withdraw`, {
        reason: 'Superseded by our joint statement.',
      });
      expect(withdrawn.status).toBe(303);
      const marked = await (await anonymous().get(`/s/${slug}`)).text();
      expect(textOf(elementById(marked, 'main'))).toMatch(
        /^Withdrawn on 26 March 2017\. Superseded by our joint statement\./,
      );
      expect(marked).not.toContain('id="sign"');
      expect(textOf(await (await anonymous().get('/')).text())).toContain(
        'Withdrawn 23 March 2017',
      );
      const third = parseFeed(await (await anonymous().get('/statements.atom')).text());
      expect(third.items[0]?.title).toBe('Withdrawn: Statement on the Westminster attack');
      expect(third.items[0]?.updated?.toISOString()).toBe('2017-03-26T08:00:00.000Z');
      expect(third.items[0]?.content).toContain('Superseded by our joint statement.');
    });
  });
});
