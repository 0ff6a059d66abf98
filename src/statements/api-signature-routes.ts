/** The statements API: co-signatures, their confirmation, moderation and export, and signing. */
import { Type } from 'typebox';
import { requirePermission } from '../accounts/auth.js';
import type { HttpServer } from '../platform/http/server.js';
import {
  SignatoryCountsSchema,
  SignatorySchema,
  SignatureSchema,
  presentCounts,
  presentSignatory,
  presentSignature,
} from './api-schemas.js';
import * as signatures from './signature-service.js';
import { SIGNATURE_KINDS, SIGNATURE_STATUSES } from './signatures-model.js';
import {
  anyone,
  members,
  errors,
  StatementParams,
  SignatureParams,
  Text,
  tags,
  StatementOutcome,
  actorOf,
  apiSupport,
} from './api-support.js';
import type { StatementApiDeps } from './api-routes.js';

/** Signatures one client address may send a minute (each one mails a confirmation link). */
export const SIGNATURES_PER_MINUTE = 10;

const SignBody = Type.Object(
  {
    kind: Type.Enum([...SIGNATURE_KINDS], { default: 'person' }),
    name: Text(400, 'The person’s name, or the organisation’s.'),
    organisation: Type.Optional(Text(400)),
    roleTitle: Type.Optional(Text(400)),
    email: Text(400, 'A confirmation link is sent here; never shown publicly.'),
    country: Type.Optional(Text(200)),
  },
  { additionalProperties: false },
);
const SignaturesQuery = Type.Object({
  status: Type.Optional(Type.Array(Type.Enum([...SIGNATURE_STATUSES]))),
});

export function registerSignatureApi(app: HttpServer, deps: StatementApiDeps): void {
  const { ctx, site, present, readable } = apiSupport(deps);
  const publish = requirePermission('statements.publish');
  const moderate = requirePermission('signatures.moderate');

  app.post(
    '/api/v1/statements/signatures/verify',
    {
      schema: {
        tags,
        summary: 'Confirm a signature with the token from its confirmation e-mail',
        description:
          'The e-mailed link opens a page whose button does the same; this is for clients of the API. Idempotent.',
        security: anyone,
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            state: Type.Enum(['pending', 'confirmed', 'rejected']),
            statementId: Type.String(),
            signatory: SignatorySchema,
            listed: Type.Boolean(),
          }),
          ...errors(400, 404),
        },
      },
      // The token is the authority, as for the link's own page; no session is read.
      config: { csrf: false },
    },
    async (request) => {
      const link = await signatures.verifySignature(ctx, request.body.token);
      return {
        state: link.state,
        statementId: link.statement.id,
        signatory: presentSignatory(link.signature),
        listed:
          link.signature.kind === 'organisation'
            ? link.signature.status === 'approved'
            : link.state === 'confirmed',
      };
    },
  );

  // --- co-signatures --------------------------------------------------------------------------

  app.post(
    '/api/v1/statements/:statement/signatures',
    {
      schema: {
        tags,
        summary: 'Sign a published statement',
        description:
          'A confirmation link is e-mailed; the signature is listed once confirmed (an organisation’s also needs a moderator’s approval). 422 `invalid-email` for an address we cannot mail; 409 `already-signed` when the address has signed before; 409 `signing-closed`.',
        security: anyone,
        params: StatementParams,
        body: SignBody,
        response: {
          202: Type.Object({
            signatory: SignatorySchema,
            status: Type.Enum([...SIGNATURE_STATUSES]),
            message: Type.String(),
          }),
          ...errors(400, 404, 409, 422, 429, 503),
        },
      },
      // Each signature mails an address someone typed: a tighter limit than the global one.
      config: { rateLimit: { max: SIGNATURES_PER_MINUTE, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const statement = await readable(request, request.params.statement);
      const signature = await signatures.signStatement(ctx, {
        siteId: site(),
        statementId: statement.id,
        signature: request.body,
      });
      return reply.status(202).send({
        signatory: presentSignatory(signature),
        status: signature.status,
        message: `Thank you. We have sent a link to ${signature.email}: open it to confirm the signature.`,
      });
    },
  );

  app.get(
    '/api/v1/statements/:statement/signatories',
    {
      schema: {
        tags,
        summary: 'The listed signatories: organisations first, with counts',
        security: anyone,
        params: StatementParams,
        response: {
          200: Type.Object({ items: Type.Array(SignatorySchema), counts: SignatoryCountsSchema }),
          ...errors(404),
        },
      },
    },
    async (request) => {
      const list = await signatures.listSignatories(ctx, {
        siteId: site(),
        statementId: request.params.statement,
      });
      return { items: list.items.map(presentSignatory), counts: presentCounts(list.counts) };
    },
  );

  app.get(
    '/api/v1/statements/:statement/signatures',
    {
      schema: {
        tags,
        summary: 'Every signature with its address and status (moderators and editors)',
        security: members,
        params: StatementParams,
        querystring: SignaturesQuery,
        response: {
          200: Type.Object({ items: Type.Array(SignatureSchema) }),
          ...errors(401, 403, 404),
        },
      },
      preHandler: moderate,
    },
    async (request) => {
      const items = await signatures.listSignatures(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        statuses: request.query.status,
      });
      return { items: items.map(presentSignature) };
    },
  );

  app.get(
    '/api/v1/statements/:statement/signatures.csv',
    {
      schema: {
        tags,
        summary: 'CSV export of the signatures (moderators and editors)',
        description:
          'Every signature with its status, or only the listed ones with `listed=true`. Cells a spreadsheet would run as formulas are prefixed with an apostrophe.',
        security: members,
        params: StatementParams,
        querystring: Type.Object({ listed: Type.Optional(Type.Boolean()) }),
        response: {
          200: { description: 'CSV', content: { 'text/csv': { schema: Type.String() } } },
          ...errors(401, 403, 404),
        },
      },
      preHandler: moderate,
    },
    async (request, reply) => {
      const { statement, csv } = await signatures.exportSignaturesCsv(ctx, {
        siteId: site(),
        statementId: request.params.statement,
        listedOnly: request.query.listed === true,
      });
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${statement.slug}-signatures.csv"`)
        .header('cache-control', 'no-store')
        .send(csv);
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post(
      `/api/v1/statements/:statement/signatures/:signatureId/${decision}`,
      {
        schema: {
          tags,
          summary:
            decision === 'approve'
              ? 'Approve an organisation’s confirmed signature (moderators)'
              : 'Reject a signature: it is not listed (moderators)',
          security: members,
          params: SignatureParams,
          response: { 200: SignatureSchema, ...errors(401, 403, 404, 409) },
        },
        preHandler: moderate,
      },
      async (request) =>
        presentSignature(
          await signatures.decideSignature(ctx, {
            siteId: site(),
            statementId: request.params.statement,
            signatureId: request.params.signatureId,
            decision,
            actor: actorOf(request),
          }),
        ),
    );
  }

  for (const [action, open] of [
    ['close', false],
    ['open', true],
  ] as const) {
    app.post(
      `/api/v1/statements/:statement/signing/${action}`,
      {
        schema: {
          tags,
          summary: open ? 'Open signing again' : 'Close signing',
          security: members,
          params: StatementParams,
          response: { 200: StatementOutcome, ...errors(401, 403, 404, 409) },
        },
        preHandler: publish,
      },
      async (request) => {
        const statement = await signatures.setSigning(ctx, {
          siteId: site(),
          statementId: request.params.statement,
          open,
          actor: actorOf(request),
        });
        return { statement: await present(request, statement) };
      },
    );
  }
}
