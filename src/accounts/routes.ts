/** Routes of accounts: the sign-in, setup and password pages, the admin home, and the token API. */
import { Type } from 'typebox';
import { AppError } from '../platform/errors.js';
import { ErrorResponse } from '../platform/http/schemas.js';
import type { HttpServer } from '../platform/http/server.js';
import { keyedHash } from '../platform/ids.js';
import type { PageRenderer } from '../web/page.js';
import { memberOf, requirePermission, setSessionCookie, clearSessionCookie } from './auth.js';
import { SESSION_COOKIE, permissionsOf, safeNextPath } from './model.js';
import type { AccountsContext } from './service.js';
import * as service from './service.js';
import type { ApiToken } from './store.js';
import {
  AccountPage,
  AdminHomePage,
  MembersPage,
  PasswordPage,
  SetupPage,
  SignInPage,
} from './views.js';

export interface AccountRoutesDeps {
  ctx: AccountsContext;
  page: PageRenderer;
  siteId: () => string;
  secret: string;
  secureCookies: boolean;
}

const FormText = (maxLength: number) => Type.String({ maxLength, default: '' });
const SignInForm = Type.Object({
  email: FormText(254),
  password: FormText(4096),
  next: Type.Optional(FormText(2000)),
  _csrf: Type.Optional(Type.String()),
});
const PasswordForm = Type.Object({
  password: FormText(4096),
  confirm: FormText(4096),
  email: Type.Optional(FormText(254)),
  name: Type.Optional(FormText(200)),
  _csrf: Type.Optional(Type.String()),
});
const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });

const MemberSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  permissions: Type.Array(Type.String()),
  authMethod: Type.String(),
});
const ApiTokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  hint: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

function presentToken(token: ApiToken) {
  return {
    id: token.id,
    name: token.name,
    hint: token.hint,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

function problemOf(error: unknown): { status: number; message: string } {
  if (error instanceof AppError) return { status: error.status, message: error.message };
  throw error;
}

export function registerAccountRoutes(app: HttpServer, deps: AccountRoutesDeps) {
  const { ctx, page } = deps;
  const pageSchema = { hide: true } as const;

  // --- signing in and out ---------------------------------------------------------------------

  app.get(
    '/signin',
    {
      schema: {
        ...pageSchema,
        querystring: Type.Object({
          next: Type.Optional(Type.String({ maxLength: 2000 })),
          password: Type.Optional(Type.String()),
        }),
      },
    },
    async (request, reply) => {
      if (request.member) return reply.redirect(safeNextPath(request.query.next), 303);
      const notice =
        request.query.password === 'set' ? 'Your password is set. Sign in with it now.' : undefined;
      return page.send(request, reply, {
        title: 'Sign in',
        body: (pageCtx) => SignInPage({ ctx: pageCtx, next: request.query.next, notice }),
      });
    },
  );

  app.post(
    '/signin',
    {
      schema: { ...pageSchema, body: SignInForm },
      // Per-address ceiling on attempts; per-account throttling is in the service.
      config: { rateLimit: { max: 30, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const { email, password, next } = request.body;
      try {
        const { token } = await service.signIn(ctx, {
          siteId: deps.siteId(),
          email,
          password,
          addressKey: keyedHash(deps.secret, request.ip),
          userAgent: request.headers['user-agent'],
        });
        setSessionCookie(reply, token, deps.secureCookies);
        return reply.redirect(safeNextPath(next), 303);
      } catch (error) {
        const { status, message } = problemOf(error);
        if (status === 429)
          reply.header('retry-after', String((error as AppError).details?.retryAfterSeconds ?? 60));
        return page.send(request, reply, {
          title: 'Sign in',
          status,
          body: (pageCtx) => SignInPage({ ctx: pageCtx, email, next, problem: message }),
        });
      }
    },
  );

  app.post(
    '/signout',
    { schema: { ...pageSchema, body: Type.Object({ _csrf: Type.Optional(Type.String()) }) } },
    async (request, reply) => {
      const raw = request.cookies[SESSION_COOKIE];
      const unsigned = raw === undefined ? undefined : request.unsignCookie(raw);
      if (unsigned?.valid && unsigned.value) await service.signOut(ctx, unsigned.value);
      clearSessionCookie(reply);
      return reply.redirect('/', 303);
    },
  );

  // --- one-time links -------------------------------------------------------------------------

  app.get(
    '/setup/:token',
    { schema: { ...pageSchema, params: TokenParams } },
    async (request, reply) => {
      await service.checkLink(ctx, request.params.token, 'setup');
      return page.send(request, reply, {
        title: 'Set up',
        body: (pageCtx) => SetupPage({ ctx: pageCtx, token: request.params.token }),
      });
    },
  );

  app.post(
    '/setup/:token',
    { schema: { ...pageSchema, params: TokenParams, body: PasswordForm } },
    async (request, reply) => {
      const { token } = request.params;
      const { email = '', name = '', password, confirm } = request.body;
      try {
        const { sessionToken } = await service.claimSite(ctx, {
          siteId: deps.siteId(),
          token,
          email,
          displayName: name,
          password,
          confirm,
          userAgent: request.headers['user-agent'],
        });
        setSessionCookie(reply, sessionToken, deps.secureCookies);
        return reply.redirect('/admin', 303);
      } catch (error) {
        const { status, message } = problemOf(error);
        if (status === 404) throw error; // the link itself is bad: the error page says so
        return page.send(request, reply, {
          title: 'Set up',
          status,
          body: (pageCtx) => SetupPage({ ctx: pageCtx, token, email, name, problem: message }),
        });
      }
    },
  );

  app.get(
    '/password/:token',
    { schema: { ...pageSchema, params: TokenParams } },
    async (request, reply) => {
      const link = await service.checkLink(ctx, request.params.token, 'password');
      const email = link.accountId ? (await service.findAccount(ctx, link.accountId)).email : '';
      return page.send(request, reply, {
        title: 'Choose a password',
        body: (pageCtx) => PasswordPage({ ctx: pageCtx, token: request.params.token, email }),
      });
    },
  );

  app.post(
    '/password/:token',
    { schema: { ...pageSchema, params: TokenParams, body: PasswordForm } },
    async (request, reply) => {
      const { token } = request.params;
      const { password, confirm, email = '' } = request.body;
      try {
        await service.setPasswordWithLink(ctx, { token, password, confirm });
        clearSessionCookie(reply);
        return reply.redirect('/signin?password=set', 303);
      } catch (error) {
        const { status, message } = problemOf(error);
        if (status === 404) throw error;
        return page.send(request, reply, {
          title: 'Choose a password',
          status,
          body: (pageCtx) => PasswordPage({ ctx: pageCtx, token, email, problem: message }),
        });
      }
    },
  );

  // --- admin pages ----------------------------------------------------------------------------

  const adminView = requirePermission('admin.view');

  app.get('/admin', { schema: pageSchema, preHandler: adminView }, async (request, reply) =>
    page.send(request, reply, {
      title: 'Dashboard',
      body: (pageCtx) => AdminHomePage({ ctx: pageCtx }),
    }),
  );

  app.get(
    '/admin/members',
    { schema: pageSchema, preHandler: requirePermission('members.manage') },
    async (request, reply) => {
      const members = await service.listMembers(ctx, deps.siteId());
      return page.send(request, reply, {
        title: 'Members',
        body: (pageCtx) => MembersPage({ ctx: pageCtx, members }),
      });
    },
  );

  app.get(
    '/admin/account',
    {
      schema: {
        ...pageSchema,
        querystring: Type.Object({ revoked: Type.Optional(Type.String()) }),
      },
      preHandler: adminView,
    },
    async (request, reply) => {
      const tokens = await service.listApiTokens(ctx, memberOf(request).id);
      const notice = request.query.revoked ? 'The token has been revoked.' : undefined;
      return page.send(request, reply, {
        title: 'Your account',
        body: (pageCtx) => AccountPage({ ctx: pageCtx, tokens, notice }),
      });
    },
  );

  app.post(
    '/admin/account/tokens',
    {
      schema: {
        ...pageSchema,
        body: Type.Object({ name: FormText(200), _csrf: Type.Optional(Type.String()) }),
      },
      preHandler: adminView,
    },
    async (request, reply) => {
      const member = memberOf(request);
      try {
        const created = await service.createApiToken(ctx, {
          accountId: member.id,
          name: request.body.name,
        });
        const tokens = await service.listApiTokens(ctx, member.id);
        reply.header('cache-control', 'no-store');
        return page.send(request, reply, {
          title: 'Your account',
          status: 201,
          body: (pageCtx) =>
            AccountPage({
              ctx: pageCtx,
              tokens,
              newToken: { name: created.apiToken.name, token: created.token },
            }),
        });
      } catch (error) {
        const { status, message } = problemOf(error);
        const tokens = await service.listApiTokens(ctx, member.id);
        return page.send(request, reply, {
          title: 'Your account',
          status,
          body: (pageCtx) => AccountPage({ ctx: pageCtx, tokens, problem: message }),
        });
      }
    },
  );

  app.post(
    '/admin/account/tokens/:id/revoke',
    {
      schema: { ...pageSchema, params: Type.Object({ id: Type.String({ maxLength: 100 }) }) },
      preHandler: adminView,
    },
    async (request, reply) => {
      await service.revokeApiToken(ctx, {
        tokenId: request.params.id,
        accountId: memberOf(request).id,
      });
      return reply.redirect('/admin/account?revoked=1#tokens', 303);
    },
  );

  // --- API ------------------------------------------------------------------------------------

  const security = [{ bearer: [] }];

  app.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['accounts'],
        summary: 'The member making the request',
        security,
        response: { 200: MemberSchema, 401: ErrorResponse },
      },
      preHandler: adminView,
    },
    async (request) => {
      const member = memberOf(request);
      return {
        id: member.id,
        email: member.email,
        displayName: member.displayName,
        role: member.role,
        permissions: permissionsOf(member.role),
        authMethod: request.authMethod ?? 'session',
      };
    },
  );

  app.get(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Your personal API tokens (never the tokens themselves)',
        security,
        response: { 200: Type.Object({ items: Type.Array(ApiTokenSchema) }), 401: ErrorResponse },
      },
      preHandler: adminView,
    },
    async (request) => ({
      items: (await service.listApiTokens(ctx, memberOf(request).id)).map(presentToken),
    }),
  );

  app.post(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create a personal API token; the token is in this response only',
        security,
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 100 }) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ token: Type.String(), apiToken: ApiTokenSchema }),
          401: ErrorResponse,
          422: ErrorResponse,
        },
      },
      preHandler: adminView,
    },
    async (request, reply) => {
      const created = await service.createApiToken(ctx, {
        accountId: memberOf(request).id,
        name: request.body.name,
      });
      reply.header('cache-control', 'no-store');
      return reply
        .status(201)
        .send({ token: created.token, apiToken: presentToken(created.apiToken) });
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Revoke one of your API tokens',
        security,
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        response: { 200: ApiTokenSchema, 401: ErrorResponse, 404: ErrorResponse },
      },
      preHandler: adminView,
    },
    async (request) =>
      presentToken(
        await service.revokeApiToken(ctx, {
          tokenId: request.params.id,
          accountId: memberOf(request).id,
        }),
      ),
  );
}
