/**
 * Who is asking: resolves the session cookie or the `Authorization: Bearer` token to a member on
 * every request, and the permission check every admin route uses.
 */
import type { FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { ForbiddenError, UnauthenticatedError } from '../platform/errors.js';
import type { HttpServer } from '../platform/http/server.js';
import { prefersHtml } from '../platform/http/server.js';
import type { Permission } from './model.js';
import { SESSION_COOKIE, SESSION_LIFETIME_MS, can } from './model.js';
import type { AccountsContext } from './service.js';
import { authenticateApiToken, authenticateSession } from './service.js';
import type { Member } from './store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in member, if any. */
    member: Member | undefined;
    /** How the member was recognised: a browser session, or a personal API token. */
    authMethod: 'session' | 'token' | undefined;
  }
}

// Probes and static files never need to know who is asking; skipping them saves two queries.
const ANONYMOUS_PATHS = /^\/(healthz|readyz|metrics|assets\/)/;

export function registerAuthentication(
  app: HttpServer,
  ctx: AccountsContext,
  options: { siteId: () => string; secureCookies: boolean },
) {
  app.decorateRequest('member', undefined);
  app.decorateRequest('authMethod', undefined);

  app.addHook('onRequest', async (request, reply) => {
    if (ANONYMOUS_PATHS.test(request.url)) return;
    // Only our scheme: a Basic header from a protecting proxy is not ours to judge.
    const bearer = /^Bearer\s+(\S*)\s*$/i.exec(request.headers.authorization ?? '');
    if (bearer) {
      const found = bearer[1]
        ? await authenticateApiToken(ctx, options.siteId(), bearer[1])
        : undefined;
      if (!found) {
        throw new UnauthenticatedError(
          'The API token is not valid or has been revoked. Send `Authorization: Bearer bst_…` with a current token.',
          'invalid-token',
        );
      }
      request.member = found.member;
      request.authMethod = 'token';
      return; // a token request never also uses the browser's cookies
    }
    const raw = request.cookies[SESSION_COOKIE];
    if (raw === undefined) return;
    const unsigned = request.unsignCookie(raw);
    const found =
      unsigned.valid && unsigned.value
        ? await authenticateSession(ctx, options.siteId(), unsigned.value)
        : undefined;
    if (!found) {
      clearSessionCookie(reply);
      return;
    }
    if (found.renewed && unsigned.value)
      setSessionCookie(reply, unsigned.value, options.secureCookies);
    request.member = found.member;
    request.authMethod = 'session';
  });
}

export function setSessionCookie(reply: FastifyReply, token: string, secure: boolean) {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    signed: true,
    maxAge: SESSION_LIFETIME_MS / 1000,
  });
}

export function clearSessionCookie(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/**
 * A preHandler that lets the request through only for a member with `permission`. Browsers that
 * are not signed in are sent to the sign-in page and brought back afterwards.
 */
export function requirePermission(permission: Permission): preHandlerHookHandler {
  return async (request, reply) => {
    if (!request.member) {
      if (request.method === 'GET' && prefersHtml(request)) {
        return reply.redirect(`/signin?next=${encodeURIComponent(request.url)}`, 303);
      }
      throw new UnauthenticatedError();
    }
    if (!can(request.member.role, permission)) {
      throw new ForbiddenError(
        `Your role (${request.member.role}) does not allow this (${permission}).`,
      );
    }
  };
}

/** The member of a request that passed `requirePermission`. */
export function memberOf(request: FastifyRequest): Member {
  if (!request.member) throw new UnauthenticatedError();
  return request.member;
}
