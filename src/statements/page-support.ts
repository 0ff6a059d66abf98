/**
 * What the statements' page routes share: their dependencies, who is acting, how a refused form
 * is turned into a message on the page it came from, and form fields as browsers send them.
 */
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { memberOf } from '../accounts/auth.js';
import type { Permission } from '../accounts/model.js';
import { can } from '../accounts/model.js';
import { AppError } from '../platform/errors.js';
import type { PageRenderer } from '../web/page.js';
import type { Actor, StatementsContext } from './service-support.js';

export interface StatementPagesDeps {
  ctx: StatementsContext;
  page: PageRenderer;
  siteId: () => string;
  siteName: () => string;
  /** The public address of the site, for absolute links (feeds, Open Graph). */
  baseUrl: URL;
}

/** The member acting through a page (after `requirePermission`). */
export function actorOf(request: FastifyRequest): Actor {
  const member = memberOf(request);
  return { accountId: member.id, name: member.displayName, role: member.role };
}

/** Whether the signed-in member has `permission`. */
export function memberCan(request: FastifyRequest, permission: Permission): boolean {
  return can(request.member?.role, permission);
}

/**
 * A refusal to show on the form's page: its status and message. Anything that is not one of our
 * coded errors is a fault, not a refusal, and is thrown on (the error page says so).
 */
export function refusalOf(error: unknown): { status: number; message: string; code: string } {
  if (error instanceof AppError && error.status < 500)
    return { status: error.status, message: error.message, code: error.code };
  throw error;
}

/** A text field of a form: browsers send it empty rather than not at all. */
export const FormText = (maxLength: number) => Type.String({ maxLength, default: '' });
export const CsrfOnly = Type.Object({ _csrf: Type.Optional(Type.String()) });
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

/**
 * Bodies may be long (a statement and the source it is based on, up to 200,000 characters each,
 * URL-encoded): the editor's routes accept more than the server's default.
 */
export const EDITOR_BODY_LIMIT = 8 * 1024 * 1024;

export const DIFF_MODES = ['side', 'inline'] as const;
export const ModeQuery = Type.Optional(Type.Enum([...DIFF_MODES]));
