/**
 * The HTTP server factory: Fastify with the security pieces every route shares (strict CSP,
 * signed cookies, CSRF, rate limits, body limits), coded JSON errors, health, metrics and the
 * OpenAPI document. Capabilities register their routes on what this returns.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController } from 'fastify';
import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Logger } from '../logger.js';
import { AppError, TooManyRequestsError, errorBody } from '../errors.js';
import type { ErrorBody } from '../errors.js';
import { registerHealthRoutes } from './health.js';
import { registerMetrics } from './metrics.js';

export type HttpServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface HttpServerOptions {
  logger: Logger;
  secret: string;
  baseUrl: URL;
  trustProxy: boolean | number | string[];
  rateLimitPerMinute: number;
  /** Largest JSON or form body accepted, in bytes. */
  bodyLimit?: number;
  /** Cookies that carry ambient authority: a write that sends one needs a CSRF token. */
  authCookies: string[];
  /** Throws when the database is unreachable; answers /readyz. */
  ping: () => Promise<void>;
  version: string;
  /** Renders an error as an HTML page for browsers; JSON is used when absent or for /api. */
  renderErrorPage?: (status: number, body: ErrorBody, request: FastifyRequest) => string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `false` exempts the route from the CSRF check. Only for a write whose authority is a secret
     * in its own URL or body — e.g. RFC 8058 one-click unsubscribe, which mail providers POST with
     * no cookie and no token — and whose handler never acts on the session's authority.
     * `'same-origin'` replaces the token (whose cookie a cross-site frame never receives) with the
     * browser's own word: `Origin` must be this server and `Sec-Fetch-Site`, when sent,
     * `same-origin` (see {@link isSameOriginRequest}), which no other site can make a browser
     * forge. For the forms inside the embed's frame.
     */
    csrf?: boolean | 'same-origin';
  }
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;
/** The signed cookie that holds a browser's CSRF secret; its forms' tokens are made from it. */
export const CSRF_COOKIE = 'broadside_csrf';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Fastify's `trustProxy` as configured. A hop count becomes a function of the hop's position:
 * Fastify 5.12 hands a bare number to proxy-addr in a form that trusts no hop at all.
 */
function trustedProxies(
  trust: boolean | number | string[],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
}

export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const https = options.baseUrl.protocol === 'https:';
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit,
    // On close, drop every connection: open live streams and browsers' pre-opened sockets would
    // otherwise hold shutdown until they time out.
    forceCloseConnections: true,
    trustProxy: trustedProxies(options.trustProxy),
    // One line per request at info level is noise at thousands a second; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler((error: FastifyError, request, reply) =>
    sendError(error, request, reply, options, bodyLimit),
  );

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Broadside API', version: options.version },
      servers: [{ url: options.baseUrl.toString().replace(/\/$/, '') }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A personal API token (bst_…)' },
        },
      },
    },
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        // Only behind https: on plain-http development servers it would break every asset.
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    hsts: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    crossOriginEmbedderPolicy: false,
  });

  await app.register(fastifyCookie, { secret: options.secret });
  await app.register(fastifyFormbody, { bodyLimit });
  await app.register(fastifyCsrf, {
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: '/', signed: true, httpOnly: true, sameSite: 'lax', secure: https },
    getToken: (request) => {
      const header = request.headers['x-csrf-token'];
      if (typeof header === 'string') return header;
      const body = request.body as { _csrf?: unknown } | undefined;
      return typeof body?._csrf === 'string' ? body._csrf : undefined;
    },
  });

  // After the body is parsed (form tokens live in it), before validation: a refused write never
  // reaches a handler.
  app.addHook('preValidation', (request, reply, done) => {
    if (!needsCsrfCheck(request, options.authCookies)) return done();
    if (request.routeOptions.config.csrf === 'same-origin') {
      if (isSameOriginRequest(request, options.baseUrl)) return done();
      return done(
        new AppError(
          403,
          'cross-origin-form',
          'This form can be sent only from the page it is on. Reload that page and try again.',
        ),
      );
    }
    app.csrfProtection(request, reply, done);
  });

  await app.register(fastifyRateLimit, {
    global: true,
    max: options.rateLimitPerMinute,
    timeWindow: 60_000,
    allowList: (request) =>
      request.url === '/healthz' || request.url === '/readyz' || request.url === '/metrics',
    errorResponseBuilder: (_request, context) =>
      new TooManyRequestsError(
        `Too many requests from your address: at most ${context.max} a minute. Try again in ${context.after}.`,
        Math.ceil(context.ttl / 1000),
        'rate-limited',
      ),
  });

  // Unknown paths count against the limit too, or a scanner could probe without bound.
  app.setNotFoundHandler({ preHandler: app.rateLimit() }, (request, reply) =>
    sendError(
      new AppError(
        404,
        'not-found',
        `Nothing here: ${request.method} ${request.url.split('?')[0]}`,
      ),
      request,
      reply,
      options,
      bodyLimit,
    ),
  );

  registerMetrics(app);
  registerHealthRoutes(app, { ping: options.ping, version: options.version });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/**
 * A write needs a CSRF token when the browser could have sent it on its own authority: it carries
 * one of our session cookies, or it is a form post (forms are the classic cross-site vector).
 * Bearer-token requests carry no ambient authority and are exempt, as are routes that declare
 * `config: { csrf: false }` (see FastifyContextConfig above).
 */
export function needsCsrfCheck(request: FastifyRequest, authCookies: string[]): boolean {
  if (!UNSAFE_METHODS.has(request.method)) return false;
  if (request.routeOptions.config.csrf === false) return false;
  if (/^Bearer\s/i.test(request.headers.authorization ?? '')) return false;
  const contentType = request.headers['content-type'] ?? '';
  if (/^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)/i.test(contentType))
    return true;
  return authCookies.some((name) => request.cookies[name] !== undefined);
}

/**
 * Whether the browser itself says a write comes from one of our own pages: its `Origin` is this
 * server (as the request addressed it, or the configured base URL) and its `Sec-Fetch-Site`, when
 * it sends Fetch Metadata, is `same-origin`. Browsers send `Origin` with every form POST; a request
 * with neither header is refused. Used by routes with `config: { csrf: 'same-origin' }`.
 */
export function isSameOriginRequest(request: FastifyRequest, baseUrl: URL): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return site === 'same-origin';
  return origin === baseUrl.origin || origin === `${request.protocol}://${request.host}`;
}

const SERIALISED_ORIGIN = /^https?:\/\/(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * Lets pages on `origins` (serialised origins such as `https://blog.example`, never a wildcard)
 * show this response in a frame: the one exception to the CSP's `frame-ancestors 'none'`, for the
 * embed widget's frame. Every other directive stays; `X-Frame-Options` goes (the CSP supersedes
 * it). With no origins the response stays unframeable.
 */
export function allowFramingBy(reply: FastifyReply, origins: readonly string[]): void {
  for (const origin of origins) {
    if (!SERIALISED_ORIGIN.test(origin)) throw new Error(`not a serialised origin: ${origin}`);
  }
  if (origins.length === 0) return;
  const policy = String(reply.getHeader('content-security-policy') ?? '');
  const directives = policy
    .split(';')
    .map((directive) => directive.trim())
    .filter((directive) => directive !== '' && !/^frame-ancestors(\s|$)/i.test(directive));
  directives.push(`frame-ancestors ${origins.join(' ')}`);
  reply.header('content-security-policy', directives.join(';'));
  reply.removeHeader('x-frame-options');
}

/**
 * A rate limit several routes share: one count per client address across all of them, e.g.
 * posting a comment through the API, the statement page's form and the embed's form. Put it in
 * each route's `onRequest` with `config: { rateLimit: false }` (the global limit would otherwise
 * run first and this one would be skipped). One hook, not a `groupId`: the plugin's in-memory
 * store keeps a separate count per route whatever the group.
 *
 * @example
 * const posting = sharedRateLimit(app, { max: 20, timeWindow: 60_000 });
 * app.post('/a', { onRequest: posting, config: { rateLimit: false } }, handler);
 */
export function sharedRateLimit(
  app: HttpServer,
  options: { max: number; timeWindow: number },
): SharedRateLimit {
  const limit = app.rateLimit(options);
  return async (request, reply) => {
    await limit.call(app, request, reply);
  };
}

/** The hook {@link sharedRateLimit} makes. */
export type SharedRateLimit = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Whether to answer with a page rather than JSON: browsers outside /api/ ask for HTML. */
export function prefersHtml(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/')) return false;
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}

/** Maps any error to a status and `{error: {code, message}}`; the one place that does. */
export function toErrorResponse(
  error: unknown,
  bodyLimit = DEFAULT_BODY_LIMIT,
): { status: number; body: ErrorBody } {
  if (error instanceof AppError)
    return { status: error.status, body: errorBody(error.code, error.message, error.details) };
  const fastifyError = error as Partial<FastifyError> & { validation?: unknown };
  if (fastifyError.validation) {
    return {
      status: 400,
      body: errorBody('invalid-request', `Invalid request: ${fastifyError.message}.`),
    };
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: errorBody(
          'body-too-large',
          `The request body is larger than the limit of ${Math.round(bodyLimit / 1024)} KiB.`,
        ),
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        body: errorBody(
          'malformed-json',
          `The request body is not valid JSON: ${fastifyError.message}`,
        ),
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: errorBody(
          'unsupported-media-type',
          `Send the body as application/json. ${fastifyError.message ?? ''}`.trim(),
        ),
      };
    case 'FST_CSRF_MISSING_SECRET':
    case 'FST_CSRF_INVALID_TOKEN':
      return {
        status: 403,
        body: errorBody(
          'csrf-invalid',
          'The form was missing its security token or it has expired. Reload the page and try again.',
        ),
      };
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return {
      status: 400,
      body: errorBody('malformed-json', `The request body is not valid JSON: ${error.message}`),
    };
  }
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) {
    return { status, body: errorBody('bad-request', fastifyError.message ?? 'Bad request.') };
  }
  return {
    status: 500,
    body: errorBody('internal', 'Something went wrong on our side. It has been logged.'),
  };
}

function sendError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  options: HttpServerOptions,
  bodyLimit: number,
) {
  const { status, body } = toErrorResponse(error, bodyLimit);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  if (error instanceof TooManyRequestsError)
    reply.header('retry-after', String(error.retryAfterSeconds));
  reply.status(status);
  if (options.renderErrorPage && prefersHtml(request)) {
    return reply
      .type('text/html; charset=utf-8')
      .send(options.renderErrorPage(status, body, request));
  }
  return reply.type('application/json; charset=utf-8').send(body);
}
