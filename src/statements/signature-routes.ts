/**
 * Co-signatures as pages. Public: `/s/:slug/signatures/sent`, "check your e-mail", where the sign
 * form on the statement's page leads (that form's route is with the page's, in routes.ts).
 * Members with `signatures.moderate`: an overview of the published statements with signatures
 * waiting, every signature of a statement with approve and reject, and the CSV export; closing
 * and opening signing needs `statements.publish`. The confirmation link's own page is in
 * signature-link.tsx.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requirePermission } from '../accounts/auth.js';
import type { HttpServer } from '../platform/http/server.js';
import { adminPath } from './admin-views.js';
import type { StatementPagesDeps } from './page-support.js';
import { CsrfOnly, FormText, IdParams, actorOf, memberCan, refusalOf } from './page-support.js';
import * as service from './service.js';
import * as signatures from './signature-service.js';
import { isListed } from './signatures-model.js';
import { CheckEmailPage, SignaturesAdminPage, SignaturesOverviewPage } from './signature-views.js';
import { statementHref } from './views.js';

const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200 }) });
const SignatureParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  signatureId: Type.String({ minLength: 1, maxLength: 100 }),
});

export const SignForm = Type.Object({
  kind: Type.Union([Type.Literal('person'), Type.Literal('organisation')], { default: 'person' }),
  name: FormText(2000),
  organisation: FormText(2000),
  roleTitle: FormText(2000),
  email: FormText(2000),
  country: FormText(1000),
});

const SigningForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  open: Type.Union([Type.Literal('true'), Type.Literal('false')]),
});

/** How many published statements the moderators' overview shows, newest first. */
const OVERVIEW_SIZE = 50;

const DONE = {
  approved: 'The organisation’s signature is approved: it is listed on the public page.',
  rejected: 'The signature is rejected: it is not listed, and its address cannot sign again.',
  closed: 'Signing is closed. The signatories stay listed.',
  opened: 'Signing is open again.',
} as const;
type Done = keyof typeof DONE;

export function registerSignatureRoutes(app: HttpServer, deps: StatementPagesDeps): void {
  const { ctx, page } = deps;
  const siteId = () => deps.siteId();
  const pageSchema = { hide: true } as const;
  const moderate = requirePermission('signatures.moderate');

  // --- public -----------------------------------------------------------------------------------

  app.get(
    '/s/:slug/signatures/sent',
    { schema: { ...pageSchema, params: SlugParams } },
    async (request, reply) => {
      const { statement } = await service.getPublishedStatement(ctx, {
        siteId: siteId(),
        slug: request.params.slug,
      });
      return page.send(request, reply, {
        title: 'Check your e-mail',
        head: { robots: 'noindex' },
        body: () =>
          CheckEmailPage({
            title: statement.title,
            statementHref: `${statementHref(statement.slug)}#signatories`,
          }),
      });
    },
  );

  // --- moderation -------------------------------------------------------------------------------

  // The newest published statements with their signatures counted: one list query, then one per
  // statement (at most OVERVIEW_SIZE), which an admin page opened now and then can afford.
  app.get(
    '/admin/signatures',
    { schema: pageSchema, preHandler: moderate },
    async (request, reply) => {
      const list = await service.listPublishedStatements(ctx, siteId(), { limit: OVERVIEW_SIZE });
      const rows = await Promise.all(
        list.items.map(async (statement) => {
          const all = await signatures.listSignatures(ctx, {
            siteId: siteId(),
            statementId: statement.id,
          });
          return {
            statement,
            waiting: all.filter((s) => s.kind === 'organisation' && s.status === 'verified').length,
            listed: all.filter(isListed).length,
            unconfirmed: all.filter((s) => s.status === 'unverified').length,
          };
        }),
      );
      return page.send(request, reply, {
        title: 'Signatures',
        body: (pageCtx) => SignaturesOverviewPage({ ctx: pageCtx, rows }),
      });
    },
  );

  async function sendAdmin(
    request: FastifyRequest,
    reply: FastifyReply,
    statementId: string,
    input: { problem?: string; notice?: string; status?: number } = {},
  ) {
    const statement = await service.getStatement(ctx, { siteId: siteId(), statementId });
    const list = await signatures.listSignatures(ctx, {
      siteId: siteId(),
      statementId: statement.id,
    });
    return page.send(request, reply, {
      title: `Signatures: ${statement.title}`,
      status: input.status,
      body: (pageCtx) =>
        SignaturesAdminPage({
          ctx: pageCtx,
          statement,
          signatures: list,
          canModerate: true,
          canCloseSigning: memberCan(request, 'statements.publish'),
          canWrite: memberCan(request, 'statements.write'),
          problem: input.problem,
          notice: input.notice,
        }),
    });
  }

  app.get(
    '/admin/statements/:id/signatures',
    {
      schema: {
        ...pageSchema,
        params: IdParams,
        querystring: Type.Object({
          done: Type.Optional(Type.Enum(Object.keys(DONE) as Done[])),
        }),
      },
      preHandler: moderate,
    },
    async (request, reply) =>
      sendAdmin(request, reply, request.params.id, {
        notice: request.query.done && DONE[request.query.done],
      }),
  );

  app.get(
    '/admin/statements/:id/signatures.csv',
    { schema: { ...pageSchema, params: IdParams }, preHandler: moderate },
    async (request, reply) => {
      const { statement, csv } = await signatures.exportSignaturesCsv(ctx, {
        siteId: siteId(),
        statementId: request.params.id,
      });
      return reply
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="signatures-${statement.slug}.csv"`)
        .type('text/csv; charset=utf-8')
        .send(csv);
    },
  );

  /** A moderation form: act, then back to the list with what was done, or the reason it was not. */
  function moderation<Body>(
    path: string,
    options: {
      params: typeof IdParams | typeof SignatureParams;
      body: typeof CsrfOnly | typeof SigningForm;
      permission?: Parameters<typeof requirePermission>[0];
      done: (body: Body) => Done;
      act: (
        request: FastifyRequest,
        params: { id: string; signatureId?: string },
        body: Body,
      ) => Promise<unknown>;
    },
  ) {
    app.post(
      path,
      {
        schema: { ...pageSchema, params: options.params, body: options.body },
        preHandler: options.permission ? requirePermission(options.permission) : moderate,
      },
      async (request, reply) => {
        const params = request.params as { id: string; signatureId?: string };
        const body = request.body as Body;
        try {
          await options.act(request, params, body);
        } catch (error) {
          const { status, message } = refusalOf(error);
          return sendAdmin(request, reply, params.id, { problem: message, status });
        }
        const statement = await service.getStatement(ctx, {
          siteId: siteId(),
          statementId: params.id,
        });
        return reply.redirect(
          `${adminPath(statement.id, '/signatures')}?done=${options.done(body)}`,
          303,
        );
      },
    );
  }

  for (const decision of ['approve', 'reject'] as const) {
    moderation<unknown>(`/admin/statements/:id/signatures/:signatureId/${decision}`, {
      params: SignatureParams,
      body: CsrfOnly,
      done: () => (decision === 'approve' ? 'approved' : 'rejected'),
      act: (request, params) =>
        signatures.decideSignature(ctx, {
          siteId: siteId(),
          statementId: params.id,
          signatureId: params.signatureId ?? '',
          decision,
          actor: actorOf(request),
        }),
    });
  }

  // Closing and opening signing is a publisher's decision, as in the API.
  moderation<{ open: 'true' | 'false' }>('/admin/statements/:id/signatures/signing', {
    permission: 'statements.publish',
    params: IdParams,
    body: SigningForm,
    done: (body) => (body.open === 'true' ? 'opened' : 'closed'),
    act: (request, params, body) =>
      signatures.setSigning(ctx, {
        siteId: siteId(),
        statementId: params.id,
        open: body.open === 'true',
        actor: actorOf(request),
      }),
  });
}
