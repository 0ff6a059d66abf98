/**
 * Outgoing e-mail through nodemailer. Without SMTP_URL the transport is disabled: messages are
 * logged (without their bodies, which may hold sign-in links) and not sent.
 */
import nodemailer from 'nodemailer';
import type { Logger } from './logger.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  readonly enabled: boolean;
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export function createMailer(options: {
  smtpUrl: URL | undefined;
  from: string;
  logger: Logger;
}): Mailer {
  const { smtpUrl, from, logger } = options;
  if (!smtpUrl) {
    logger.info('SMTP_URL is not set: e-mail is disabled, messages will be logged and not sent');
    return {
      enabled: false,
      async send(message) {
        logger.info(
          { to: message.to, subject: message.subject },
          'e-mail not sent (SMTP_URL is not set)',
        );
      },
      close() {},
    };
  }
  const transport = nodemailer.createTransport(smtpUrl.toString());
  return {
    enabled: true,
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
    close() {
      transport.close();
    },
  };
}
