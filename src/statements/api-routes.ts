/**
 * The statements JSON API under /api/v1/statements. Each route validates (TypeBox, so it is in
 * the OpenAPI document), checks the permission, calls one service function and presents the
 * result.
 */
import { Type } from 'typebox';
import { ErrorResponse } from '../platform/http/schemas.js';
import type { HttpServer } from '../platform/http/server.js';
import type { StatementsContext } from './service.js';
import * as service from './service.js';

export interface StatementApiDeps {
  ctx: StatementsContext;
  siteId: () => string;
}

const tags = ['statements'];

const StatementListItem = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  title: Type.String(),
  publishedAt: Type.String({ format: 'date-time' }),
});

const Cursor = Type.String({ minLength: 1, maxLength: 300 });

export function registerStatementApi(app: HttpServer, deps: StatementApiDeps): void {
  const { ctx } = deps;

  app.get(
    '/api/v1/statements',
    {
      schema: {
        tags,
        summary: 'Published statements, newest first',
        description:
          'Pages through the published statements, newest first. Pass `nextCursor` back as `cursor` for the next page; it is null on the last page.',
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
          cursor: Type.Optional(Cursor),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(StatementListItem),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          400: ErrorResponse,
        },
      },
    },
    async (request) => {
      const list = await service.listPublishedStatements(ctx, deps.siteId(), {
        limit: request.query.limit,
        before: request.query.cursor,
      });
      return {
        items: list.items.map((item) => ({
          id: item.id,
          slug: item.slug,
          title: item.title,
          publishedAt: item.publishedAt.toISOString(),
        })),
        nextCursor: list.nextCursor ?? null,
      };
    },
  );
}
