// Mail goes out through a real SMTP conversation (smtp-server in-process), or is logged when off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { createMailer } from '../../src/platform/mail.js';
import type { SmtpCapture } from '../helpers/smtp.js';
import { startSmtpCapture } from '../helpers/smtp.js';

let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtpCapture();
});
afterAll(async () => {
  await smtp.close();
});

describe('mail', () => {
  it('delivers a message with its headers to a real SMTP server', async () => {
    const mailer = createMailer({
      smtpUrl: new URL(smtp.url),
      from: 'Broadside <no-reply@example.org>',
      logger: createLogger('silent'),
    });
    expect(mailer.enabled).toBe(true);
    await mailer.send({
      to: 'reader@example.org',
      subject: 'A reply to your comment',
      text: 'Someone replied.',
      headers: { 'List-Unsubscribe': '<https://example.org/u/1>' },
    });
    mailer.close();
    const message = smtp.received.at(-1);
    expect(message?.from).toBe('no-reply@example.org');
    expect(message?.to).toEqual(['reader@example.org']);
    expect(message?.subject).toBe('A reply to your comment');
    expect(message?.headers.get('list-unsubscribe')).toBe('<https://example.org/u/1>');
    expect(message?.text).toContain('Someone replied.');
  });

  it('is disabled without SMTP_URL and says so, sending nothing', async () => {
    const lines: string[] = [];
    const logger = createLogger('info');
    const capture = logger.child({});
    capture.info = ((...args: unknown[]) => {
      lines.push(String(args.find((a) => typeof a === 'string')));
    }) as typeof capture.info;
    const before = smtp.received.length;
    const mailer = createMailer({ smtpUrl: undefined, from: 'x@example.org', logger: capture });
    expect(mailer.enabled).toBe(false);
    await mailer.send({ to: 'a@example.org', subject: 'Hello', text: 'secret link' });
    expect(lines[0]).toBe(
      'SMTP_URL is not set: e-mail is disabled, messages will be logged and not sent',
    );
    expect(lines.join('\n')).not.toContain('secret link');
    expect(smtp.received.length).toBe(before);
  });
});
