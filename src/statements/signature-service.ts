/**
 * Use cases of co-signatures: sign a published statement (a confirmation link is mailed), confirm
 * by the link, a moderator's decision on organisations' signatures, the public list (verified
 * signatories, organisations first, with counts), the editors' full list and CSV export, and
 * closing or opening signing.
 *
 * The confirmation token is random, mailed once and stored only as its SHA-256. The link's page
 * only shows a button; the button's POST confirms (mail scanners open links and must not sign
 * anyone up).
 */
import { AppError, ConflictError, NotFoundError, UnprocessableError } from '../platform/errors.js';
import { inTransaction, isUniqueViolation } from '../platform/database/index.js';
import { hashToken } from '../platform/ids.js';
import type {
  Signature,
  SignatoryCounts,
  SignatureInput,
  SignatureStatus,
} from './signatures-model.js';
import {
  SIGNATURE_LINK_TTL_MS,
  compareSignatories,
  countSignatories,
  isListed,
  signatureConfirmationMail,
  signatureProblem,
  signaturesCsv,
  tidySignature,
} from './signatures-model.js';
import * as signatureStore from './signature-store.js';
import type { Actor, StatementsContext } from './service-support.js';
import {
  announce,
  isPublic,
  requireLifecycle,
  requireStatement,
  statementNotFound,
} from './service-support.js';
import * as store from './store.js';
import type { Statement } from './store.js';

/** Where the confirmation link points: GET shows a button, POST confirms. */
export function signatureLinkPath(token: string): string {
  return `/signatures/confirm/${encodeURIComponent(token)}`;
}

/**
 * Adds an unverified signature to a published statement and mails the confirmation link. 422
 * `invalid-email` (and others) for bad input; 409 `already-signed` when the address has signed
 * this statement before; 409 `signing-closed`; 422 `signing-unavailable` when the site cannot
 * send mail. If the mail cannot be sent, the signature is taken back (so the person can try
 * again) and the answer is 503 `mail-failed`.
 */
export async function signStatement(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string; signature: SignatureInput },
): Promise<Signature> {
  const tidy = tidySignature(input.signature);
  const problem = signatureProblem(tidy);
  if (problem) throw new UnprocessableError(problem.message, problem.code);
  const mail = ctx.mail;
  if (!mail?.mailer.enabled)
    throw new UnprocessableError(
      'This site cannot send e-mail, so a signature could not be confirmed. Ask the site’s editors to add your name.',
      'signing-unavailable',
    );
  const token = ctx.ids.token('bss_');
  let statement: Statement;
  let signature: Signature;
  try {
    ({ statement, signature } = await inTransaction(ctx.db, async (trx) => {
      const statement = await requireStatement(trx, input.siteId, input.statementId, {
        lock: true,
      });
      if (!isPublic(statement, ctx.clock.now())) throw statementNotFound(input.statementId);
      requireLifecycle(statement, 'sign');
      if (await signatureStore.findSignatureByEmail(trx, statement.id, tidy.email))
        throw alreadySigned();
      const signature: Signature = {
        id: ctx.ids.id(),
        statementId: statement.id,
        kind: tidy.kind,
        name: tidy.name,
        organisation: tidy.organisation,
        roleTitle: tidy.roleTitle,
        email: tidy.email,
        country: tidy.country,
        status: 'unverified',
        createdAt: ctx.clock.now(),
        verifiedAt: undefined,
        decidedAt: undefined,
        decidedByAccountId: undefined,
      };
      await signatureStore.insertSignature(trx, signature, hashToken(token));
      return { statement, signature };
    }));
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadySigned(); // the same address, at the same moment
    throw error;
  }
  try {
    await mail.mailer.send(
      signatureConfirmationMail({
        to: signature.email,
        statementTitle: statement.title,
        signatoryName: signature.name,
        kind: signature.kind,
        confirmUrl: new URL(signatureLinkPath(token).slice(1), mail.baseUrl).toString(),
      }),
    );
  } catch (error) {
    mail.logger.error({ err: error, signatureId: signature.id }, 'signature confirmation not sent');
    await ctx.db
      .deleteFrom('statement_signatures')
      .where('id', '=', signature.id)
      .where('status', '=', 'unverified')
      .execute();
    throw new AppError(
      503,
      'mail-failed',
      'The confirmation e-mail could not be sent, so your signature was not recorded. Please try again in a few minutes.',
    );
  }
  return signature;
}

function alreadySigned() {
  return new ConflictError(
    'This e-mail address has already been used to sign this statement — thank you! If you have not confirmed yet, look for our e-mail (and in your spam folder).',
    'already-signed',
  );
}

export interface SignatureLink {
  signature: Signature;
  statement: Pick<Statement, 'id' | 'siteId' | 'slug' | 'title'>;
  /** `pending`: not yet confirmed; `confirmed`: done (listed, or waiting for a moderator). */
  state: 'pending' | 'confirmed' | 'rejected';
}

async function requireLink(ctx: StatementsContext, token: string): Promise<SignatureLink> {
  const signature = await signatureStore.findSignatureByTokenHash(ctx.db, hashToken(token));
  const statement = signature && (await store.findStatement(ctx.db, signature.statementId));
  if (!signature || !statement)
    throw new NotFoundError(
      'This confirmation link is not valid. Check that it was copied whole from the e-mail.',
      'signature-link-invalid',
    );
  const state =
    signature.status === 'unverified'
      ? 'pending'
      : signature.status === 'rejected'
        ? 'rejected'
        : 'confirmed';
  if (
    state === 'pending' &&
    ctx.clock.now().getTime() - signature.createdAt.getTime() > SIGNATURE_LINK_TTL_MS
  )
    throw new NotFoundError(
      'This confirmation link has expired. Sign the statement again to get a new one.',
      'signature-link-expired',
    );
  return {
    signature,
    statement: {
      id: statement.id,
      siteId: statement.siteId,
      slug: statement.slug,
      title: statement.title,
    },
    state,
  };
}

/** What a confirmation link is for, without acting on it (GET must not confirm). */
export function describeSignatureLink(
  ctx: StatementsContext,
  token: string,
): Promise<SignatureLink> {
  return requireLink(ctx, token);
}

/**
 * Confirms the signature behind a link. Idempotent: a second use reports the same. Unknown and
 * expired links are 404s. A person is listed from now on; an organisation after a moderator's
 * approval.
 */
export async function verifySignature(
  ctx: StatementsContext,
  token: string,
): Promise<SignatureLink> {
  const link = await requireLink(ctx, token);
  if (link.state !== 'pending') return link;
  const now = ctx.clock.now();
  const verified = await inTransaction(ctx.db, async (trx) => {
    const done = await signatureStore.markVerified(trx, link.signature.id, now);
    if (done) await touchStatement(trx, link.signature.statementId, now);
    return done;
  });
  const result = await requireLink(ctx, token);
  if (verified) await announce(ctx, 'statement.signed', link.statement);
  return result;
}

/** A new signatory changes the statement's page: its stamp (and ETag) follows `updatedAt`. */
async function touchStatement(db: StatementsContext['db'], statementId: string, now: Date) {
  await db
    .updateTable('statements')
    .set({ updated_at: now.toISOString() })
    .where('id', '=', statementId)
    .execute();
}

/**
 * A moderator's decision on a signature: `approve` lists a verified organisation; `reject` takes
 * any signature off the list (and keeps its address from signing again).
 */
export async function decideSignature(
  ctx: StatementsContext,
  input: {
    siteId: string;
    statementId: string;
    signatureId: string;
    decision: 'approve' | 'reject';
    actor: Actor;
  },
): Promise<Signature> {
  return inTransaction(ctx.db, async (trx) => {
    const statement = await requireStatement(trx, input.siteId, input.statementId, { lock: true });
    const signature = await signatureStore.findSignature(trx, input.signatureId);
    if (!signature || signature.statementId !== statement.id)
      throw new NotFoundError(
        `There is no signature "${input.signatureId}" on “${statement.title}”.`,
        'signature-not-found',
      );
    if (input.decision === 'approve' && signature.status !== 'verified')
      throw new ConflictError(
        signature.status === 'unverified'
          ? 'The signatory has not confirmed their e-mail address yet: approve the signature once they have.'
          : `The signature is already ${signature.status}.`,
        'signature-not-verified',
      );
    if (input.decision === 'approve' && signature.kind !== 'organisation')
      throw new ConflictError(
        'People are listed once they confirm: only organisations’ signatures need approval.',
        'signature-needs-no-approval',
      );
    const now = ctx.clock.now();
    const status = input.decision === 'approve' ? 'approved' : 'rejected';
    await signatureStore.setDecision(trx, signature.id, {
      status,
      at: now,
      byAccountId: input.actor.accountId,
    });
    await touchStatement(trx, statement.id, now);
    return { ...signature, status, decidedAt: now, decidedByAccountId: input.actor.accountId };
  });
}

export interface Signatories {
  /** Listed signatures, organisations first, each kind in the order they were confirmed. */
  items: Signature[];
  counts: SignatoryCounts;
}

/** The public list of a statement's signatories. */
export async function listSignatories(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string },
): Promise<Signatories> {
  const statement = await requireStatement(ctx.db, input.siteId, input.statementId);
  if (!isPublic(statement, ctx.clock.now())) throw statementNotFound(input.statementId);
  const listed = (
    await signatureStore.listSignatures(ctx.db, statement.id, ['verified', 'approved'])
  ).filter(isListed);
  listed.sort(compareSignatories);
  return { items: listed, counts: countSignatories(listed) };
}

/** Every signature of a statement, for editors and moderators; `statuses` narrows them. */
export async function listSignatures(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string; statuses?: readonly SignatureStatus[] },
): Promise<Signature[]> {
  const statement = await requireStatement(ctx.db, input.siteId, input.statementId);
  return signatureStore.listSignatures(ctx.db, statement.id, input.statuses);
}

/** The CSV export of a statement's signatures (all of them, with their status), for editors. */
export async function exportSignaturesCsv(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string; listedOnly?: boolean },
): Promise<{ statement: Statement; csv: string }> {
  const statement = await requireStatement(ctx.db, input.siteId, input.statementId);
  let signatures = await signatureStore.listSignatures(ctx.db, statement.id);
  if (input.listedOnly) signatures = signatures.filter(isListed).sort(compareSignatories);
  return { statement, csv: signaturesCsv(signatures) };
}

/** Closes or reopens signing of a statement. */
export async function setSigning(
  ctx: StatementsContext,
  input: { siteId: string; statementId: string; open: boolean; actor: Actor },
): Promise<Statement> {
  const statement = await inTransaction(ctx.db, async (trx) => {
    const statement = await requireStatement(trx, input.siteId, input.statementId, { lock: true });
    if (statement.status === 'withdrawn')
      throw new ConflictError(
        'The statement has been withdrawn; it can no longer be signed.',
        'statement-withdrawn',
      );
    const next: Statement = { ...statement, signingOpen: input.open, updatedAt: ctx.clock.now() };
    await store.updateStatement(trx, next);
    return next;
  });
  await announce(
    ctx,
    input.open ? 'statement.signing-opened' : 'statement.signing-closed',
    statement,
  );
  return statement;
}
