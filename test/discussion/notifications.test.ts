// Reply notifications end to end: a listening app, a real SMTP server receiving the mail, and the
// links in the mail followed over real HTTP — once per database kind.
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import { buildApp } from '../../src/app.js';
import { accountsContext, discussionContext } from '../../src/runtime.js';
import * as accounts from '../../src/accounts/service.js';
import { issueEmbedFormToken } from '../../src/discussion/embed-model.js';
import { addEmbedOrigin } from '../../src/discussion/embed-service.js';
import {
  COMMENTS_TOPIC,
  MAX_CONFIRMATIONS_PER_DAY,
  endSubscriptionOfComment,
  isMembersOwnAddress,
  replyMail,
} from '../../src/discussion/notifications.js';
import type { DiscussionContext, PostCommentInput } from '../../src/discussion/service.js';
import * as discussion from '../../src/discussion/service.js';
import type { Thread } from '../../src/discussion/store.js';
import { fixedClock } from '../../src/platform/clock.js';
import type { HttpServer } from '../../src/platform/http/server.js';
import type { DatabaseKind } from '../helpers/databases.js';
import { databaseKinds, sqliteKind } from '../helpers/databases.js';
import { TEST_SECRET, createTestRuntime, holdMarkedComments } from '../helpers/runtime.js';
import { failure } from '../helpers/failure.js';
import type { ReceivedMail, SmtpCapture } from '../helpers/smtp.js';
import { startSmtpCapture } from '../helpers/smtp.js';

const BASE_URL = 'https://statements.example.org/';
const PAGE_URL = 'https://blog.example.org/2026/paris';

// --- a real SMTP server, and reading what it received ----------------------------------------

let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtpCapture();
});
afterAll(async () => {
  await smtp.close();
});
// Every mail we send is a single text/plain part in UTF-8.
afterEach(() => {
  for (const mail of smtp.received) {
    expect(mail.headers.get('content-type')).toMatch(/^text\/plain; charset=utf-8/i);
  }
});

const mailsTo = (address: string) => smtp.mailsTo(address);

/** The `index`th mail to `address` (negative from the end); fails the test when there is none. */
function mailTo(address: string, index: number): ReceivedMail {
  const mail = mailsTo(address).at(index);
  if (!mail) throw new Error(`no mail #${index} to ${address}: ${mailsTo(address).length} in all`);
  return mail;
}

function linkIn(mail: ReceivedMail, path: RegExp): string {
  const match = new RegExp(`${BASE_URL.replace(/[.]/g, '\\.')}${path.source}`).exec(mail.text);
  if (!match) throw new Error(`no link matching ${path} in:\n${mail.text}`);
  return match[0];
}

// --- a listening app whose mail goes to the SMTP server above -----------------------------------

interface Server {
  url: string;
  runtime: Runtime;
  app: HttpServer;
  close(): Promise<void>;
}

const clock = fixedClock('2026-11-24T10:00:00Z');

async function startServer(kind: DatabaseKind, env: Record<string, string>): Promise<Server> {
  const base = await createTestRuntime({
    kind,
    clock,
    env: { BASE_URL, ...env },
    moderation: holdMarkedComments,
  });
  const { app } = await buildApp(base.runtime);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    runtime: base.runtime,
    app,
    async close() {
      await app.close();
      await base.close();
    },
  };
}

/** Fetches a link from a mail on the test server (the mail names BASE_URL, not the test port). */
function follow(server: Server, link: string, init: RequestInit = {}): Promise<Response> {
  const url = new URL(link);
  return fetch(server.url + url.pathname, {
    redirect: 'manual',
    ...init,
    headers: { accept: 'text/html', ...init.headers },
  });
}

/** Presses the button on a confirmation link's page: a form POST with no cookie and no CSRF token. */
function pressConfirm(server: Server, link: string): Promise<Response> {
  return follow(server, link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });
}

describe.each(databaseKinds)('reply notifications on $name', (kind) => {
  let server: Server;
  let ctx: DiscussionContext;
  let thread: Thread;
  // Every mail the listener has been asked to send so far has been sent (or given up on).
  const settled = () => server.app.replyNotifications.settled();

  beforeEach(async () => {
    clock.set('2026-11-24T10:00:00Z');
    smtp.received.length = 0;
    server = await startServer(kind, { SMTP_URL: smtp.url });
    ctx = discussionContext(server.runtime);
    const siteId = (
      await server.runtime.db.selectFrom('sites').select('id').executeTakeFirstOrThrow()
    ).id as string;
    thread = await discussion.createThread(ctx, { siteId, title: 'On Paris', url: PAGE_URL });
  });
  afterEach(async () => {
    await server.close();
  });

  const post = async (
    input: Partial<PostCommentInput> & { name: string; email?: string; body?: string },
  ) => {
    const { name, email, ...rest } = input;
    const posted = await discussion.postComment(ctx, {
      threadId: thread.id,
      body: `A comment by ${name}.`,
      ...rest,
      author: { name, email },
    });
    await settled();
    return posted;
  };

  const subscribeAndConfirm = async (email: string, name = 'Ann') => {
    const posted = await post({ name, email, notifyReplies: true });
    const response = await pressConfirm(
      server,
      linkIn(mailTo(email, -1), /notifications\/confirm\/bsc_[0-9a-f]+/),
    );
    expect(response.status).toBe(200);
    return posted;
  };

  const siteIdOf = async () =>
    (await server.runtime.db.selectFrom('sites').select('id').executeTakeFirstOrThrow())
      .id as string;

  it('mails one confirmation, nothing before it is confirmed, then one mail per reply with one-click unsubscribe', async () => {
    const ann = 'ann@example.org';
    const annsComment = await post({ name: 'Ann', email: ann, notifyReplies: true });
    expect(annsComment.replyNotifications).toBe('pending-confirmation');

    // Exactly one confirmation mail, with a link under BASE_URL.
    expect(mailsTo(ann)).toHaveLength(1);
    const confirmation = mailTo(ann, 0);
    expect(confirmation.subject).toBe('Confirm e-mails about replies on “On Paris”');
    expect(confirmation.headers.get('from')).toBe('Broadside <no-reply@statements.example.org>');
    const confirmLink = linkIn(confirmation, /notifications\/confirm\/bsc_[0-9a-f]{64}/);

    // A reply before confirming sends nothing.
    await post({ name: 'Bob', email: 'bob@example.org', parentId: annsComment.comment.id });
    expect(mailsTo(ann)).toHaveLength(1);

    // Opening the link (a real GET, as a mail scanner or a link preview would) only shows a
    // button that posts to the link; it confirms nothing, however often it is opened.
    const confirmPath = new URL(confirmLink).pathname;
    for (let visit = 0; visit < 2; visit++) {
      const page = await follow(server, confirmLink);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      expect(html).toContain('Confirm e-mails about replies?');
      expect(html).toContain('On Paris');
      expect(html).toContain(`<form method="post" action="${confirmPath}"`);
      expect(html).not.toContain('Your address is confirmed');
    }
    await post({ name: 'Bob', email: 'bob@example.org', parentId: annsComment.comment.id });
    expect(mailsTo(ann)).toHaveLength(1);

    // Pressing the button (a form POST without cookie or CSRF token) confirms; again, the same.
    for (let press = 0; press < 2; press++) {
      const page = await pressConfirm(server, confirmLink);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      expect(html).toContain('Your address is confirmed');
      expect(html).toContain('On Paris');
    }
    // The link's page now says so, with no button.
    const confirmedPage = await (await follow(server, confirmLink)).text();
    expect(confirmedPage).toContain('Your address is confirmed');
    expect(confirmedPage).not.toContain('<form method="post"');

    // A reply now: exactly one notification, with the headers, the excerpt and the links.
    const carol = await post({
      name: 'Carol',
      email: 'carol@example.org',
      parentId: annsComment.comment.id,
      body: 'I **disagree**, see [this report](https://example.org/report).\n\n> quoted\n\nAnd more.',
    });
    expect(mailsTo(ann)).toHaveLength(2);
    const notification = mailTo(ann, 1);
    expect(notification.subject).toBe('Carol replied to your comment on “On Paris”');
    const unsubscribeLink = linkIn(notification, /notifications\/unsubscribe\/bsu_[0-9a-f]{64}/);
    expect(notification.headers.get('list-unsubscribe')).toBe(`<${unsubscribeLink}>`);
    expect(notification.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(notification.headers.get('auto-submitted')).toBe('auto-generated');
    expect(notification.text).toContain('I disagree, see this report.\n\nquoted\n\nAnd more.');
    expect(notification.text).not.toMatch(/\*\*|\]\(/); // plain text, not Markdown
    const commentLink = linkIn(notification, /c\/[0-9a-f-]+/);
    expect(commentLink).toBe(`${BASE_URL}c/${carol.comment.id}`);
    expect(notification.text).toContain(unsubscribeLink);

    // The permalink leads to the comment on the page that shows the thread.
    const permalink = await follow(server, commentLink);
    expect(permalink.status).toBe(302);
    expect(permalink.headers.get('location')).toBe(`${PAGE_URL}#comment-${carol.comment.id}`);

    // Her own reply (under any capitalisation of her address) is not mailed to her.
    await post({ name: 'Ann', email: 'ANN@Example.org', parentId: annsComment.comment.id });
    expect(mailsTo(ann)).toHaveLength(2);

    // The unsubscribe page (GET) only offers a button: it does not unsubscribe by itself.
    const offer = await follow(server, unsubscribeLink);
    expect(offer.status).toBe(200);
    const offerHtml = await offer.text();
    expect(offerHtml).toContain('Stop e-mails about replies?');
    expect(offerHtml).toMatch(
      /<form method="post" action="\/notifications\/unsubscribe\/bsu_[0-9a-f]{64}"/,
    );
    await post({ name: 'Dan', parentId: annsComment.comment.id });
    expect(mailsTo(ann)).toHaveLength(3);
    expect(mailTo(ann, 2).subject).toBe('Dan replied to your comment on “On Paris”');

    // RFC 8058 one-click: a POST with no cookie and no CSRF token unsubscribes.
    const oneClick = await follow(server, unsubscribeLink, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.text()).toContain('You are unsubscribed');
    await post({ name: 'Eve', email: 'eve@example.org', parentId: annsComment.comment.id });
    expect(mailsTo(ann)).toHaveLength(3);

    // The address is forgotten; its keyed hash stays. Unsubscribing again is harmless.
    const row = await server.runtime.db
      .selectFrom('subscriptions')
      .select(['email', 'email_hash', 'unsubscribed_at'])
      .where('comment_id', '=', annsComment.comment.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ email: null, unsubscribed_at: '2026-11-24T10:00:00.000Z' });
    expect(row.email_hash).toMatch(/^[0-9a-f]{64}$/);
    const again = await follow(server, unsubscribeLink, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n',
    });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('You were already unsubscribed');
    // …and the confirmation link no longer revives it.
    expect(await (await follow(server, confirmLink)).text()).toContain(
      'These e-mails were stopped',
    );
    expect(await (await pressConfirm(server, confirmLink)).text()).toContain(
      'These e-mails were stopped',
    );
    await post({ name: 'Fay', parentId: annsComment.comment.id });
    expect(mailsTo(ann)).toHaveLength(3);
  });

  it('answers bad and expired links with a clear 404 page', async () => {
    for (const path of [
      '/notifications/confirm/bsc_nonsense',
      '/notifications/unsubscribe/bsu_nonsense',
    ]) {
      const page = await follow(server, BASE_URL + path.slice(1));
      expect(page.status).toBe(404);
      expect(await page.text()).toContain('link is not valid');
    }
    const oneClick = await follow(server, `${BASE_URL}notifications/unsubscribe/bsu_nonsense`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(404);
    expect(await oneClick.json()).toMatchObject({ error: { code: 'subscription-link-invalid' } });
    const pressed = await pressConfirm(server, `${BASE_URL}notifications/confirm/bsc_nonsense`);
    expect(pressed.status).toBe(404);
    expect(await pressed.text()).toContain('link is not valid');

    const late = 'late@example.org';
    const { comment } = await post({ name: 'Late', email: late, notifyReplies: true });
    const link = linkIn(mailTo(late, 0), /notifications\/confirm\/bsc_[0-9a-f]+/);
    clock.advance(8 * 24 * 60 * 60_000);
    for (const response of [await follow(server, link), await pressConfirm(server, link)]) {
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('This confirmation link has expired');
    }
    const row = await server.runtime.db
      .selectFrom('subscriptions')
      .select('confirmed_at')
      .where('comment_id', '=', comment.id)
      .executeTakeFirstOrThrow();
    expect(row.confirmed_at).toBeNull();

    // The permalink of an unknown comment, too.
    expect((await follow(server, `${BASE_URL}c/nothing`)).status).toBe(404);
  });

  it('sends nothing for a held reply, nor a confirmation for a held comment, until approved', async () => {
    const ann = 'ann@example.org';
    const { comment } = await subscribeAndConfirm(ann);
    expect(mailsTo(ann)).toHaveLength(1);
    const held = await post({ name: 'Mallory', body: 'buy now [hold]', parentId: comment.id });
    expect(held.comment.status).toBe('pending');
    expect(mailsTo(ann)).toHaveLength(1);

    const heldSubscriber = 'held@example.org';
    const heldComment = await post({
      name: 'Hal',
      email: heldSubscriber,
      body: 'a held comment [hold]',
      notifyReplies: true,
    });
    expect(heldComment.replyNotifications).toBe('pending-confirmation');
    expect(mailsTo(heldSubscriber)).toHaveLength(0);

    // When moderation approves them (announcing `comment.approved`), the mail goes out, once.
    for (const id of [held.comment.id, heldComment.comment.id]) {
      await server.runtime.db
        .updateTable('comments')
        .set({ status: 'approved' })
        .where('id', '=', id)
        .execute();
      for (let twice = 0; twice < 2; twice++)
        await server.runtime.bus.publish({
          type: 'comment.approved',
          topic: COMMENTS_TOPIC,
          payload: { commentId: id, status: 'approved' },
        });
    }
    await settled();
    expect(mailsTo(ann).map((m) => m.subject)).toEqual([
      'Confirm e-mails about replies on “On Paris”',
      'Mallory replied to your comment on “On Paris”',
    ]);
    expect(mailsTo(heldSubscriber).map((m) => m.subject)).toEqual([
      'Confirm e-mails about replies on “On Paris”',
    ]);
  });

  it('asks every subscription to be confirmed, even for an address that confirmed before', async () => {
    const ann = 'ann@example.org';
    await subscribeAndConfirm(ann);
    const second = await post({ name: 'Ann', email: 'Ann@example.org', notifyReplies: true });
    expect(second.replyNotifications).toBe('pending-confirmation');
    expect(mailsTo(ann)).toHaveLength(2);
    expect(mailTo(ann, 1).subject).toBe('Confirm e-mails about replies on “On Paris”');
    // Until that second link is used, replies to the second comment are not mailed.
    await post({ name: 'Bob', parentId: second.comment.id });
    expect(mailsTo(ann)).toHaveLength(2);
    expect(
      (await pressConfirm(server, linkIn(mailTo(ann, 1), /notifications\/confirm\/bsc_[0-9a-f]+/)))
        .status,
    ).toBe(200);
    await post({ name: 'Bob', parentId: second.comment.id });
    expect(mailTo(ann, -1).subject).toBe('Bob replied to your comment on “On Paris”');
  });

  it('answers a poster the same whether or not the address is known here', async () => {
    const known = 'known@example.org';
    await subscribeAndConfirm(known);
    const fresh = 'fresh@example.org';

    // The JSON API (no cookie: no CSRF token needed).
    const postJson = async (email: string) => {
      const response = await fetch(`${server.url}/api/v1/threads/${thread.id}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          authorName: 'Someone',
          authorEmail: email,
          body: 'Tell me of replies.',
          notifyReplies: true,
        }),
      });
      expect(response.status).toBe(201);
      const {
        comment: _comment,
        editToken: _editToken,
        ...rest
      } = (await response.json()) as {
        comment: unknown;
        editToken: unknown;
      };
      return rest;
    };
    const answers = [await postJson(known), await postJson(fresh)];
    expect(answers[0]).toEqual({
      status: 'approved',
      reasons: [],
      replyNotifications: 'pending-confirmation',
    });
    expect(answers[1]).toEqual(answers[0]);

    // The embed's comment form (pages.post, as on a statement page): the same notice either way.
    await addEmbedOrigin(accountsContext(server.runtime), {
      siteId: await siteIdOf(),
      origin: new URL(PAGE_URL).origin,
    });
    const postForm = async (email: string) => {
      const response = await fetch(`${server.url}/embed/threads/${thread.id}/comments`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
          origin: server.url,
          'sec-fetch-site': 'same-origin',
        },
        body: new URLSearchParams({
          _csrf: issueEmbedFormToken(TEST_SECRET, thread.id, clock.now()),
          name: 'Someone',
          email,
          body: 'Tell me of replies.',
          notifyReplies: 'on',
        }).toString(),
      });
      expect(response.status).toBe(303);
      return (response.headers.get('location') ?? '').replace(/#.*$/, '');
    };
    const locations = [await postForm(known), await postForm(fresh)];
    expect(locations[0]).toMatch(/[?&]mail=confirm\b/);
    expect(locations[1]).toBe(locations[0]);
  });

  it('starts a signed-in member’s subscription at their own account address without a confirmation', async () => {
    const { member } = await accounts.addMember(accountsContext(server.runtime), {
      siteId: await siteIdOf(),
      email: 'Member@Example.org',
      displayName: 'Mo Member',
      role: 'editor',
    });
    const asMember = (email: string) =>
      discussion
        .postComment(ctx, {
          threadId: thread.id,
          author: { accountId: member.id, name: member.displayName, email },
          body: 'A member’s comment.',
          notifyReplies: true,
        })
        .then(async (posted) => {
          await settled();
          return posted;
        });

    const own = await asMember(member.email);
    expect(own.replyNotifications).toBe('active');
    expect(mailsTo(member.email)).toHaveLength(0); // nothing to confirm
    await post({ name: 'Bob', parentId: own.comment.id });
    expect(mailsTo(member.email).map((m) => m.subject)).toEqual([
      'Bob replied to your comment on “On Paris”',
    ]);

    // Any other address — even given with the member's account — is confirmed by its link, and
    // a non-member giving the member's address is not trusted either.
    const other = await asMember('someone-else@example.org');
    expect(other.replyNotifications).toBe('pending-confirmation');
    expect(mailsTo('someone-else@example.org')).toHaveLength(1);
    const impostor = await post({ name: 'Mo Member', email: member.email, notifyReplies: true });
    expect(impostor.replyNotifications).toBe('pending-confirmation');
    expect(mailTo(member.email, -1).subject).toBe('Confirm e-mails about replies on “On Paris”');
  });

  it(`mails at most ${MAX_CONFIRMATIONS_PER_DAY} confirmations a day to one address`, async () => {
    const target = 'target@example.org';
    for (let i = 0; i < MAX_CONFIRMATIONS_PER_DAY + 2; i++)
      await post({ name: 'Someone', email: target, notifyReplies: true });
    expect(mailsTo(target)).toHaveLength(MAX_CONFIRMATIONS_PER_DAY);
  });

  it('ends a comment’s subscription inside the removal’s transaction (nothing if it rolls back)', async () => {
    const { comment } = await subscribeAndConfirm('ann@example.org');
    const ended = () =>
      server.runtime.db
        .selectFrom('subscriptions')
        .select(['email', 'unsubscribed_at'])
        .where('comment_id', '=', comment.id)
        .executeTakeFirstOrThrow();
    const rollback = new Error('rolled back');
    await expect(
      ctx.db.transaction().execute(async (trx) => {
        expect(await endSubscriptionOfComment(trx, comment.id, clock.now())).toBe(true);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await ended()).toEqual({ email: 'ann@example.org', unsubscribed_at: null });

    await ctx.db.transaction().execute(async (trx) => {
      expect(await endSubscriptionOfComment(trx, comment.id, clock.now())).toBe(true);
      expect(await endSubscriptionOfComment(trx, comment.id, clock.now())).toBe(false);
    });
    expect(await ended()).toEqual({ email: null, unsubscribed_at: '2026-11-24T10:00:00.000Z' });
  });

  it('ends the subscription of a removed comment and forgets its address', async () => {
    const { comment, editToken } = await subscribeAndConfirm('ann@example.org');
    await discussion.deleteComment(ctx, { commentId: comment.id, editor: { editToken } });
    await settled();
    const row = await server.runtime.db
      .selectFrom('subscriptions')
      .select(['email', 'unsubscribed_at'])
      .where('comment_id', '=', comment.id)
      .executeTakeFirstOrThrow();
    expect(row.email).toBeNull();
    expect(row.unsubscribed_at).not.toBeNull();
  });

  it('ends the subscription in the removal itself, not only when the event arrives', async () => {
    const { comment, editToken } = await subscribeAndConfirm('ann@example.org');
    const silent = { ...ctx.bus, publish: async () => undefined };
    await discussion.deleteComment(
      { ...ctx, bus: silent },
      { commentId: comment.id, editor: { editToken } },
    );
    const row = await server.runtime.db
      .selectFrom('subscriptions')
      .select(['email', 'unsubscribed_at'])
      .where('comment_id', '=', comment.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ email: null, unsubscribed_at: clock.now().toISOString() });
  });

  it('refuses notifications without an address, writing nothing', async () => {
    const error = await failure(
      discussion.postComment(ctx, {
        threadId: thread.id,
        author: { name: 'Nobody' },
        body: 'Tell me of replies',
        notifyReplies: true,
      }),
    );
    expect(error.code).toBe('email-required-for-notifications');
    expect(error.status).toBe(422);
    expect((await discussion.getThread(ctx, thread.id)).commentCount).toBe(0);
  });

  it('keeps the CSRF exemption to the one-click route: other form posts still need a token', async () => {
    const response = await fetch(`${server.url}/signout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x=1',
      redirect: 'manual',
    });
    expect(response.status).toBe(403);
  });
});

describe('reply notifications where mail cannot be sent', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const newThread = async (ctx: DiscussionContext, runtime: Runtime) => {
    const siteId = (await runtime.db.selectFrom('sites').select('id').executeTakeFirstOrThrow())
      .id as string;
    return discussion.createThread(ctx, { siteId, title: 'On Paris', url: PAGE_URL });
  };

  it('refuses to subscribe when SMTP_URL is not set, writing nothing', async () => {
    server = await startServer(sqliteKind, {});
    const ctx = discussionContext(server.runtime);
    const thread = await newThread(ctx, server.runtime);
    const error = await failure(
      discussion.postComment(ctx, {
        threadId: thread.id,
        author: { name: 'Ann', email: 'ann@example.org' },
        body: 'Tell me of replies',
        notifyReplies: true,
      }),
    );
    expect(error.code).toBe('notifications-unavailable');
    expect(error.message).toContain('cannot send e-mail');
    expect((await discussion.getThread(ctx, thread.id)).commentCount).toBe(0);
  });

  it('posts the comment when the mail server is unreachable, and logs the failure', async () => {
    // Nothing listens on port 9 (discard) of the loopback address in a test environment.
    server = await startServer(sqliteKind, { SMTP_URL: 'smtp://127.0.0.1:9' });
    const errors: unknown[] = [];
    const log = server.runtime.logger;
    const original = log.error.bind(log);
    log.error = ((...args: unknown[]) => {
      errors.push(args);
      return (original as (...a: unknown[]) => void)(...args);
    }) as typeof log.error;
    const ctx = discussionContext(server.runtime);
    const thread = await newThread(ctx, server.runtime);
    const posted = await discussion.postComment(ctx, {
      threadId: thread.id,
      author: { name: 'Ann', email: 'ann@example.org' },
      body: 'Tell me of replies',
      notifyReplies: true,
    });
    expect(posted.comment.status).toBe('approved');
    expect(posted.replyNotifications).toBe('pending-confirmation');
    await server.app.replyNotifications.settled();
    expect(JSON.stringify(errors)).toContain('reply notification e-mail could not be sent');
    expect(JSON.stringify(errors)).not.toContain('ann@example.org');
  });
});

describe('reply notification rules', () => {
  it('trusts an address without a confirmation only as a member’s own account address', () => {
    expect(isMembersOwnAddress('ann@example.org', undefined)).toBe(false);
    expect(isMembersOwnAddress('ann@example.org', { email: 'bob@example.org' })).toBe(false);
    expect(isMembersOwnAddress('Ann@Example.org', { email: 'ann@example.org' })).toBe(true);
  });

  it('keeps user-given names and titles on one header line', () => {
    const mail = replyMail({
      to: 'a@example.org',
      threadTitle: 'Title\r\nBcc: victim@example.org',
      replierName: 'Eve\nX-Injected: yes',
      excerpt: 'text',
      commentUrl: 'https://x.example/c/1',
      unsubscribeUrl: 'https://x.example/notifications/unsubscribe/bsu_1',
    });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toBe(
      'Eve X-Injected: yes replied to your comment on “Title Bcc: victim@example.org”',
    );
  });
});
