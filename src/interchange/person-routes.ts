/**
 * The admin page for personal-data requests (`members.manage`): download everything stored about
 * an address as JSON, or erase it after a confirmation page. Addresses travel only in POST bodies
 * (CSRF-checked forms), never in URLs, where logs and browser history would keep them.
 */
import { Type } from 'typebox';
import { memberOf, requirePermission } from '../accounts/auth.js';
import { AppError } from '../platform/errors.js';
import type { HttpServer } from '../platform/http/server.js';
import type { PageRenderer } from '../web/page.js';
import type { PersonalDataContext } from './personal-data.js';
import { erasePersonalData, exportPersonalData, previewErasure } from './personal-data.js';
import { ConfirmErasurePage, erasedNotice, PersonalDataPage } from './person-views.js';

export interface PersonRoutesDeps {
  ctx: PersonalDataContext;
  page: PageRenderer;
}

const PersonForm = Type.Object({
  email: Type.String({ maxLength: 254, default: '' }),
  confirm: Type.Optional(Type.String({ maxLength: 10 })),
  _csrf: Type.Optional(Type.String()),
});

const TITLE = 'Personal data';

export function registerPersonRoutes(app: HttpServer, deps: PersonRoutesDeps): void {
  const { ctx, page } = deps;
  const schema = { hide: true } as const;
  const preHandler = requirePermission('members.manage');

  /** The form again, with what was wrong; errors other than the request's own go up. */
  const refuse = (
    request: Parameters<PageRenderer['send']>[0],
    reply: Parameters<PageRenderer['send']>[1],
    email: string,
    error: unknown,
  ) => {
    if (!(error instanceof AppError)) throw error;
    return page.send(request, reply, {
      title: TITLE,
      status: error.status,
      body: (pageCtx) => PersonalDataPage({ ctx: pageCtx, email, problem: error.message }),
    });
  };

  app.get('/admin/personal-data', { schema, preHandler }, async (request, reply) =>
    page.send(request, reply, {
      title: TITLE,
      body: (pageCtx) => PersonalDataPage({ ctx: pageCtx }),
    }),
  );

  app.post(
    '/admin/personal-data/export',
    { schema: { ...schema, body: PersonForm }, preHandler },
    async (request, reply) => {
      const member = memberOf(request);
      const { email } = request.body;
      try {
        const document = await exportPersonalData(ctx, {
          email,
          actor: { kind: 'member', accountId: member.id, email: member.email },
        });
        const day = document.exportedAt.slice(0, 10);
        return reply
          .header('cache-control', 'no-store')
          .header('content-disposition', `attachment; filename="personal-data-${day}.json"`)
          .type('application/json; charset=utf-8')
          .send(`${JSON.stringify(document, null, 2)}\n`);
      } catch (error) {
        return refuse(request, reply, email, error);
      }
    },
  );

  app.post(
    '/admin/personal-data/erase',
    { schema: { ...schema, body: PersonForm }, preHandler },
    async (request, reply) => {
      const member = memberOf(request);
      const { email, confirm } = request.body;
      try {
        if (confirm !== 'yes') {
          const preview = await previewErasure(ctx, { email });
          return page.send(request, reply, {
            title: TITLE,
            body: (pageCtx) =>
              ConfirmErasurePage({
                ctx: pageCtx,
                email: preview.email,
                counts: preview.counts,
                memberName: preview.account?.displayName,
              }),
          });
        }
        const summary = await erasePersonalData(ctx, {
          email,
          actor: { kind: 'member', accountId: member.id, email: member.email },
        });
        return page.send(request, reply, {
          title: TITLE,
          body: (pageCtx) =>
            PersonalDataPage({ ctx: pageCtx, notice: erasedNotice(summary.email, summary.counts) }),
        });
      } catch (error) {
        return refuse(request, reply, email, error);
      }
    },
  );
}
