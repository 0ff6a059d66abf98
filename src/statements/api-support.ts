/**
 * What the statements API's route files share: security and error descriptions, parameter and
 * text schemas, who is asking, and how a statement is shown to them.
 */
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { memberOf } from '../accounts/auth.js';
import type { Permission } from '../accounts/model.js';
import { can } from '../accounts/model.js';
import { ForbiddenError, NotFoundError } from '../platform/errors.js';
import { ErrorResponse } from '../platform/http/schemas.js';
import { ClearanceSchema, StatementSchema, presentStatement } from './api-schemas.js';
import { correctionWording } from './model.js';
import * as review from './review-service.js';
import type { Actor } from './service.js';
import * as service from './service.js';
import { isPublic } from './service.js';
import type { Statement } from './store.js';
import type { StatementApiDeps } from './api-routes.js';

export const tags = ['statements'];
/**
 * Bodies that carry a statement's text: up to 200,000 characters of it, which UTF-8 and JSON
 * escaping can make several times as many bytes (the server's default limit is 64 KiB).
 */
export const TEXT_BODY_LIMIT = 1024 * 1024;
/** Anyone may call these; a session or a bearer token makes the caller a member. */
export const anyone: Record<string, string[]>[] = [{}, { bearer: [] }];
/** Members only (a session cookie with the CSRF header, or a bearer token). */
export const members: Record<string, string[]>[] = [{ bearer: [] }];

export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ErrorResponse]));
export const Id = (description: string) =>
  Type.String({ minLength: 1, maxLength: 200, description });
export const StatementParams = Type.Object({ statement: Id('The statement’s id or slug.') });
export const RevisionParams = Type.Object({
  ...StatementParams.properties,
  revisionId: Id('The revision’s id.'),
});
export const SignatureParams = Type.Object({
  ...StatementParams.properties,
  signatureId: Id('The signature’s id.'),
});
export const Cursor = Type.String({ minLength: 1, maxLength: 300 });
export const Text = (maxLength: number, description?: string) =>
  Type.String({ maxLength, ...(description ? { description } : {}) });

export const RevisionQuery = Type.Object({
  revision: Type.Optional(Id('A revision of the statement; default: the current one.')),
});

export const StatementOutcome = Type.Object({
  statement: StatementSchema,
  clearance: Type.Optional(ClearanceSchema),
});

export function mayWrite(request: FastifyRequest): boolean {
  return can(request.member?.role, 'statements.write');
}

/** The same refusal `requirePermission` gives, for a route that is public without a parameter. */
export function requireCan(request: FastifyRequest, permission: Permission): void {
  const member = memberOf(request);
  if (!can(member.role, permission))
    throw new ForbiddenError(`Your role (${member.role}) does not allow this (${permission}).`);
}

export function actorOf(request: FastifyRequest): Actor {
  const member = memberOf(request);
  return { accountId: member.id, name: member.displayName, role: member.role };
}

export function notFound(reference: string, code = 'statement-not-found') {
  return code === 'no-provenance'
    ? new NotFoundError(`Statement "${reference}" is not based on anything recorded.`, code)
    : new NotFoundError(`There is no statement "${reference}".`, code);
}

/** What every route group needs: the context, the site, and how to show a statement to the caller. */
export function apiSupport(deps: StatementApiDeps) {
  const { ctx } = deps;
  const site = deps.siteId;

  /** The statement as the caller may see it: members who write see every status. */
  async function present(request: FastifyRequest, statement: Statement) {
    const member = mayWrite(request);
    const published = statement.publishedRevisionId
      ? (
          await service.getRevision(ctx, {
            siteId: site(),
            statementId: statement.id,
            revisionId: statement.publishedRevisionId,
          })
        ).revision
      : undefined;
    const current = member
      ? (
          await service.getRevision(ctx, {
            siteId: site(),
            statementId: statement.id,
            revisionId: statement.currentRevisionId,
          })
        ).revision
      : undefined;
    const shown = published ?? current;
    const provenance =
      shown && (await review.provenanceOf(ctx, statement, shown, !member || !current));
    return presentStatement(statement, {
      publishedRevision: published,
      currentRevision: current,
      provenance,
      correction:
        statement.correctedAt && published?.correctionNote !== undefined
          ? correctionWording(statement.correctedAt, published.correctionNote)
          : undefined,
      member,
    });
  }

  /** A statement the caller may read: any for members who write, else only public ones. */
  async function readable(request: FastifyRequest, reference: string): Promise<Statement> {
    const statement = await service.getStatement(ctx, { siteId: site(), statementId: reference });
    if (!mayWrite(request) && !isPublic(statement, ctx.clock.now())) throw notFound(reference);
    return statement;
  }

  async function currentHash(statement: Statement): Promise<string> {
    const { revision } = await service.getRevision(ctx, {
      siteId: site(),
      statementId: statement.id,
      revisionId: statement.currentRevisionId,
    });
    return revision.contentHash;
  }

  return { ctx, site, present, readable, currentHash };
}
