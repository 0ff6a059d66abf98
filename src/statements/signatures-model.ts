/**
 * Co-signatures: what a signature needs, when it is listed publicly (a person once their e-mail is
 * verified; an organisation once verified and approved by a moderator), the public order
 * (organisations first), the confirmation e-mail and the CSV export. Pure.
 */
import { isValidEmail, normaliseEmail } from '../accounts/model.js';
import type { MailMessage } from '../platform/mail.js';
import { normaliseLine } from './revisions.js';

export type SignatureKind = 'person' | 'organisation';
export const SIGNATURE_KINDS = ['person', 'organisation'] as const;

/**
 * `unverified`: the confirmation link has not been used; `verified`: it has (a person is then
 * listed); `approved` / `rejected`: a moderator's decision on an organisation's signature
 * (rejection is possible at any stage, for people too).
 */
export type SignatureStatus = 'unverified' | 'verified' | 'approved' | 'rejected';
export const SIGNATURE_STATUSES = ['unverified', 'verified', 'approved', 'rejected'] as const;

export interface Signature {
  id: string;
  statementId: string;
  kind: SignatureKind;
  /** The person's name, or the organisation's. */
  name: string;
  /** A person's organisation, or the person who signs for an organisation. */
  organisation: string | undefined;
  /** Role or title: "General Secretary". */
  roleTitle: string | undefined;
  /** Normalised (trimmed, lower-case): what mail goes to and what duplicates are found by. */
  email: string;
  country: string | undefined;
  status: SignatureStatus;
  createdAt: Date;
  verifiedAt: Date | undefined;
  decidedAt: Date | undefined;
  decidedByAccountId: string | undefined;
}

export interface SignatureInput {
  kind: SignatureKind;
  name: string;
  organisation?: string;
  roleTitle?: string;
  email: string;
  country?: string;
}

export const SIGNATURE_LIMITS = {
  name: 200,
  organisation: 200,
  roleTitle: 200,
  country: 100,
} as const;

/** The input with one-line fields tidied, the address normalised and empty optionals dropped. */
export function tidySignature(input: SignatureInput): SignatureInput {
  const optional = (value: string | undefined) => {
    const line = value === undefined ? '' : normaliseLine(value);
    return line === '' ? undefined : line;
  };
  return {
    kind: input.kind,
    name: normaliseLine(input.name),
    organisation: optional(input.organisation),
    roleTitle: optional(input.roleTitle),
    email: normaliseEmail(input.email.normalize('NFC')),
    country: optional(input.country),
  };
}

/** The first thing wrong with a (tidied) signature, or undefined. Refusals are 422s. */
export function signatureProblem(
  input: SignatureInput,
): { code: string; message: string } | undefined {
  if (!(SIGNATURE_KINDS as readonly string[]).includes(input.kind))
    return {
      code: 'invalid-signature-kind',
      message: 'Sign as a "person" or as an "organisation".',
    };
  if (input.name === '')
    return {
      code: 'name-missing',
      message:
        input.kind === 'organisation'
          ? 'Give the name of the organisation that signs.'
          : 'Give your name: it is what the list of signatories shows.',
    };
  if (!isValidEmail(input.email))
    return {
      code: 'invalid-email',
      message: `"${input.email}" is not an e-mail address we can send the confirmation link to. Check it and try again.`,
    };
  for (const field of ['name', 'organisation', 'roleTitle', 'country'] as const) {
    const value = input[field];
    if (value !== undefined && value.length > SIGNATURE_LIMITS[field])
      return {
        code: 'signature-field-too-long',
        message: `The ${field === 'roleTitle' ? 'role or title' : field} is longer than ${SIGNATURE_LIMITS[field]} characters.`,
      };
  }
  return undefined;
}

/** Whether the public list shows a signature. */
export function isListed(signature: Pick<Signature, 'kind' | 'status'>): boolean {
  if (signature.kind === 'organisation') return signature.status === 'approved';
  return signature.status === 'verified' || signature.status === 'approved';
}

/** Public order: organisations first, then people; each in the order they were confirmed. */
export function compareSignatories(a: Signature, b: Signature): number {
  if (a.kind !== b.kind) return a.kind === 'organisation' ? -1 : 1;
  const at = (s: Signature) => (s.verifiedAt ?? s.createdAt).getTime();
  return at(a) - at(b) || a.id.localeCompare(b.id);
}

export interface SignatoryCounts {
  organisations: number;
  people: number;
  total: number;
}

export function countSignatories(listed: readonly Pick<Signature, 'kind'>[]): SignatoryCounts {
  const organisations = listed.filter((s) => s.kind === 'organisation').length;
  return { organisations, people: listed.length - organisations, total: listed.length };
}

/** How long a confirmation link works. */
export const SIGNATURE_LINK_TTL_MS = 7 * 24 * 60 * 60_000;

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

export function signatureConfirmationMail(input: {
  to: string;
  statementTitle: string;
  signatoryName: string;
  kind: SignatureKind;
  confirmUrl: string;
}): MailMessage {
  const title = oneLine(input.statementTitle);
  const as =
    input.kind === 'organisation'
      ? `on behalf of ${oneLine(input.signatoryName)}`
      : `as ${oneLine(input.signatoryName)}`;
  return {
    to: input.to,
    subject: `Confirm your signature on “${title}”`,
    text: [
      `Someone asked to sign “${title}” ${as}, giving this e-mail address.`,
      '',
      'To confirm the signature, open this link and press the button on the page:',
      '',
      input.confirmUrl,
      '',
      input.kind === 'organisation'
        ? 'An organisation’s signature is listed once it is confirmed and a moderator has checked it.'
        : 'Your name is listed once you confirm.',
      'If it was not you, ignore this message: nothing will be listed.',
      `The link works for ${Math.round(SIGNATURE_LINK_TTL_MS / (24 * 60 * 60_000))} days.`,
    ].join('\n'),
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

// --- CSV -------------------------------------------------------------------------------------

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A value that a
 * spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) gets a
 * leading apostrophe first, so that opening the export never runs what a signatory typed.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_COLUMNS = [
  'kind',
  'name',
  'organisation',
  'role_title',
  'email',
  'country',
  'status',
  'signed_at',
  'verified_at',
] as const;

/** The CSV export of signatures: a header row, then one row each; CRLF line ends. */
export function signaturesCsv(signatures: readonly Signature[]): string {
  const rows = signatures.map((s) =>
    [
      s.kind,
      s.name,
      s.organisation ?? '',
      s.roleTitle ?? '',
      s.email,
      s.country ?? '',
      s.status,
      s.createdAt.toISOString(),
      s.verifiedAt?.toISOString() ?? '',
    ].map(csvCell),
  );
  return [[...CSV_COLUMNS], ...rows].map((row) => `${row.join(',')}\r\n`).join('');
}
