// The moderators' digest with a fixed clock and a real SMTP server: off by default, sent once to
// every member who can moderate when something has waited too long, not again before the
// interval (not even by two processes at once), and given back when no mail could be sent.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  reportComment,
  sendModerationDigestIfDue,
  updateSiteRules,
} from '../../src/moderation/service.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailer } from '../../src/platform/mail.js';
import type { Mailer } from '../../src/platform/mail.js';
import { databaseKinds } from '../helpers/databases.js';
import type { ReceivedMail, SmtpCapture } from '../helpers/smtp.js';
import { startSmtpCapture } from '../helpers/smtp.js';
import type { ModerationFixture } from './fixture.js';
import { moderationFixture } from './fixture.js';

let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtpCapture();
});
afterAll(async () => {
  await smtp.close();
});

describe.each(databaseKinds)('the moderation digest on $name', (kind) => {
  let f: ModerationFixture;
  let mailer: Mailer;
  beforeEach(async () => {
    smtp.received.length = 0;
    mailer = createMailer({
      smtpUrl: new URL(smtp.url),
      from: 'Broadside <no-reply@statements.example.org>',
      logger: createLogger('silent'),
    });
    f = await moderationFixture(kind, { mailer });
    await f.addMember('owner@example.org', 'owner', 'Olive Owner');
    await f.addMember('writer@example.org', 'author', 'Walt Writer'); // cannot moderate
  });
  afterEach(async () => {
    mailer.close();
    await f.close();
  });

  const digestAfter = (minutes: number) =>
    updateSiteRules(f.ctx, {
      siteId: f.siteId,
      actor: f.moderator,
      changes: { digestAfterMinutes: minutes },
    });
  const send = () => sendModerationDigestIfDue(f.ctx, f.siteId);
  const minutes = (n: number) => f.clock.advance(n * 60_000);

  it('sends nothing while the digest is off (the default)', async () => {
    const thread = await f.openThread();
    await f.post(thread, 'Held [hold]');
    minutes(600);
    expect(await send()).toEqual({ sent: false, why: 'off' });
    expect(smtp.received).toEqual([]);
  });

  it('mails every moderator once something waited too long, then not before the interval', async () => {
    await digestAfter(30);
    const thread = await f.openThread('On Paris', 'https://blog.example.org/paris');
    await f.post(thread, 'Held for a reason [hold]', { name: 'Ann', email: 'ann@example.org' });
    minutes(10);
    await f.post(thread, 'Another one [hold]', { name: 'Bob' });
    minutes(19);
    expect(await send()).toEqual({ sent: false, why: 'nothing-waiting' });
    minutes(1);
    expect(await send()).toEqual({ sent: true, recipients: 2, waiting: 2 });
    expect(smtp.received.map((m) => m.to).sort()).toEqual([
      ['mo@example.org'],
      ['owner@example.org'],
    ]);
    const mail = smtp.received[0] as ReceivedMail;
    expect(mail.subject).toBe('Moderation: 2 comments wait for review');
    expect(mail.text).toContain('Pending: 2');
    expect(mail.text).toContain('https://statements.example.org/admin/moderation?tab=pending');
    // Oldest first, with who, where, how long and why.
    expect(mail.text).toMatch(
      /- Ann on “On Paris”, 30 minutes ago:\n\s+“Held for a reason \[hold\]”\n\s+Why: Held by the test\./,
    );
    expect(mail.text.indexOf('Ann on')).toBeLessThan(mail.text.indexOf('Bob on'));

    minutes(29);
    expect(await send()).toEqual({ sent: false, why: 'not-yet' });
    minutes(1);
    expect(await send()).toMatchObject({ sent: true });
    expect(smtp.received).toHaveLength(4);
  });

  it('counts reported comments as waiting from their first open report', async () => {
    await digestAfter(15);
    const thread = await f.openThread();
    const id = await f.post(thread, 'An old public comment.');
    minutes(600);
    expect(await send()).toEqual({ sent: false, why: 'nothing-waiting' });
    await reportComment(f.ctx, {
      siteId: f.siteId,
      commentId: id,
      reason: 'hate',
      reporter: { ipHash: 'r1' },
    });
    minutes(16);
    expect(await send()).toEqual({ sent: true, recipients: 2, waiting: 1 });
    expect(smtp.received[0]?.text).toContain('Reported: 1');
    expect(smtp.received[0]?.text).toContain('admin/moderation?tab=reported');
  });

  it('sends one digest when two processes try at the same moment', async () => {
    await digestAfter(5);
    const thread = await f.openThread();
    await f.post(thread, 'Held [hold]');
    minutes(6);
    const outcomes = await Promise.all([send(), send(), send()]);
    expect(outcomes.filter((o) => o.sent)).toHaveLength(1);
    expect(smtp.received).toHaveLength(2);
  });

  it('gives the turn back when no mail could be sent, so the next run tries again', async () => {
    await digestAfter(5);
    const thread = await f.openThread();
    await f.post(thread, 'Held [hold]');
    minutes(6);
    const broken = createMailer({
      smtpUrl: new URL('smtp://127.0.0.1:9'), // nothing listens on the discard port
      from: 'Broadside <no-reply@statements.example.org>',
      logger: createLogger('silent'),
    });
    try {
      expect(await sendModerationDigestIfDue({ ...f.ctx, mailer: broken }, f.siteId)).toEqual({
        sent: false,
        why: 'not-yet',
      });
    } finally {
      broken.close();
    }
    expect(await send()).toMatchObject({ sent: true, recipients: 2 });
  });
});
