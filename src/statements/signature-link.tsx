/**
 * The confirmation link mailed to a new signatory: GET shows what the link is for and a button;
 * the button's POST confirms. Opening the link confirms nothing, so mail scanners and link
 * previews cannot sign anyone up.
 */
import { Type } from 'typebox';
import type { HttpServer } from '../platform/http/server.js';
import type { PageRenderer } from '../web/page.js';
import type { StatementsContext } from './service-support.js';
import type { SignatureLink } from './signature-service.js';
import { describeSignatureLink, verifySignature } from './signature-service.js';

const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });

function BackToStatement({ link }: { link: SignatureLink }) {
  return (
    <p>
      <a href={`/s/${encodeURIComponent(link.statement.slug)}#signatories`}>
        Back to “{link.statement.title}”
      </a>
    </p>
  );
}

export function SignatureConfirmedPage({ link }: { link: SignatureLink }) {
  const { signature } = link;
  if (link.state === 'rejected') {
    return (
      <>
        <h1>This signature is not listed</h1>
        <p>The site’s moderators did not accept this signature on “{link.statement.title}”.</p>
        <BackToStatement link={link} />
      </>
    );
  }
  const waiting = signature.kind === 'organisation' && signature.status !== 'approved';
  return (
    <>
      <h1>Thank you: your signature is confirmed</h1>
      <p>
        {waiting
          ? `${signature.name} will be listed among the signatories of “${link.statement.title}” once a moderator has checked the signature.`
          : `${signature.name} is listed among the signatories of “${link.statement.title}”.`}
      </p>
      <BackToStatement link={link} />
    </>
  );
}

export function SignatureConfirmPage({ link, action }: { link: SignatureLink; action: string }) {
  if (link.state !== 'pending') return <SignatureConfirmedPage link={link} />;
  const { signature } = link;
  return (
    <>
      <h1>Confirm your signature?</h1>
      <p>
        Someone asked to sign “{link.statement.title}”{' '}
        {signature.kind === 'organisation'
          ? `on behalf of ${signature.name}`
          : `as ${signature.name}`}
        , giving this e-mail address. If that was you, press the button. If not, close this page:
        nothing will be listed.
      </p>
      {/* No CSRF token: the secret link is the authority (the route is exempt, see below). */}
      <form method="post" action={action} class="stacked">
        <button type="submit">Yes, confirm my signature</button>
      </form>
    </>
  );
}

export function registerSignatureLinkRoutes(
  app: HttpServer,
  deps: { ctx: StatementsContext; page: PageRenderer },
): void {
  const { ctx, page } = deps;
  const schema = { hide: true, params: TokenParams } as const;

  app.get('/signatures/confirm/:token', { schema }, async (request, reply) => {
    const { token } = request.params;
    const link = await describeSignatureLink(ctx, token);
    reply.header('cache-control', 'no-store');
    return page.send(request, reply, {
      title: link.state === 'pending' ? 'Confirm your signature' : 'Signature confirmed',
      head: { robots: 'noindex' },
      body: () =>
        SignatureConfirmPage({
          link,
          action: `/signatures/confirm/${encodeURIComponent(token)}`,
        }),
    });
  });

  // Exempt from the CSRF check: the secret token in the URL is the authority and the route reads
  // no session, so the person who opened the link from their mail needs no cookie. A forged POST
  // would have to know the token, and whoever knows it may confirm anyway.
  app.post(
    '/signatures/confirm/:token',
    { schema, config: { csrf: false } },
    async (request, reply) => {
      const link = await verifySignature(ctx, request.params.token);
      reply.header('cache-control', 'no-store');
      return page.send(request, reply, {
        title: 'Signature confirmed',
        head: { robots: 'noindex' },
        body: () => SignatureConfirmedPage({ link }),
      });
    },
  );
}
