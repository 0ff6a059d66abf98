// Mail goes out through a real SMTP conversation (smtp-server in-process), or is logged when off.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { createMailer } from '../../src/platform/mail.js';

interface Received {
  from: string | undefined;
  to: string[];
  data: string;
}

let smtp: SMTPServer;
let port: number;
const received: Received[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe('mail', () => {
  it('delivers a message with its headers to a real SMTP server', async () => {
    const mailer = createMailer({
      smtpUrl: new URL(`smtp://127.0.0.1:${port}`),
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
    const message = received.at(-1);
    expect(message?.from).toBe('no-reply@example.org');
    expect(message?.to).toEqual(['reader@example.org']);
    expect(message?.data).toContain('Subject: A reply to your comment');
    expect(message?.data).toContain('List-Unsubscribe: <https://example.org/u/1>');
    expect(message?.data).toContain('Someone replied.');
  });

  it('is disabled without SMTP_URL and says so, sending nothing', async () => {
    const lines: string[] = [];
    const logger = createLogger('info');
    const capture = logger.child({});
    capture.info = ((...args: unknown[]) => {
      lines.push(String(args.find((a) => typeof a === 'string')));
    }) as typeof capture.info;
    const before = received.length;
    const mailer = createMailer({ smtpUrl: undefined, from: 'x@example.org', logger: capture });
    expect(mailer.enabled).toBe(false);
    await mailer.send({ to: 'a@example.org', subject: 'Hello', text: 'secret link' });
    expect(lines[0]).toBe(
      'SMTP_URL is not set: e-mail is disabled, messages will be logged and not sent',
    );
    expect(lines.join('\n')).not.toContain('secret link');
    expect(received.length).toBe(before);
  });
});
