/**
 * The portal: kczg's HTTP API under /api/v1 (OpenAPI 3.1 from the zod schemas) and its
 * server-rendered pages, built from injected dependencies so tests start it in-process. It is a
 * Temporal client only: no business state, sessions in signed cookies.
 */
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { KczgClient } from '../client/api';
import { ApiTokenStore } from '../storage/api-tokens';
import { DraftStore } from '../storage/drafts';
import type { Records } from '../storage/schema';
import { SCRIPT, STYLESHEET } from './assets';
import { Auth } from './auth';
import type { PortalConfig } from './config';
import { PortalContext } from './context';
import { apiErrorOf, sendApiError } from './errors';
import { html } from './pages/html';
import { layout, messagePage } from './pages/layout';
import { registerProjectSteeringRoutes } from './routes/project-steering';
import { registerAuditRoutes } from './routes/audit';
import { registerDraftRoutes } from './routes/drafts';
import { registerImportRoutes } from './routes/import';
import { registerChainRoutes } from './routes/chains';
import { registerProjectRoutes } from './routes/projects';
import { registerPublicRoutes } from './routes/public';
import { registerReviewRoutes } from './routes/review';
import { registerSecretariatRoutes } from './routes/secretariat';
import { registerSignInRoutes } from './routes/signin';
import { registerTokenRoutes } from './routes/tokens';
import { registerUnitRoutes } from './routes/unit';
import { MULTIPART_LIMITS, registerUploadRoutes } from './routes/uploads';

export interface PortalDeps {
  api: KczgClient;
  config: PortalConfig;
  /** kczg's records, for drafts and API tokens; without them those routes refuse with the fix. */
  records?: Records;
  /** The process's pino logger (logging/logger.ts); none in tests. */
  logger?: FastifyBaseLogger;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  // Sign-in links carry a credential in the query: never pass the address on.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

async function registerPlugins(app: FastifyInstance, config: PortalConfig): Promise<void> {
  await app.register(formbody);
  await app.register(multipart, { limits: MULTIPART_LIMITS });
  await app.register(rateLimit, {
    max: config.requestsPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) => ({
      statusCode: context.statusCode,
      code: 'RATE_LIMITED',
      message: `请求过于频繁 / too many requests (${context.max} per ${context.after})`,
    }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'kczg API',
        version: '1',
        description:
          '“科创中国”榜单遴选周期服务 / the ranking-cycle service. Errors: {code, field, rule, message, fix}. Instants: RFC 3339, +08:00.',
      },
      components: {
        securitySchemes: {
          credential: { type: 'http', scheme: 'bearer', description: 'a party credential (kczg auth issue)' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'kczg_session',
            description: 'with x-csrf-token on writes',
          },
        },
      },
      security: [{ credential: [] }, { session: [] }],
    },
    // The document is the API's: pages, sign-in and assets are not in it.
    transform: (route) =>
      route.url.startsWith('/api/v1/')
        ? jsonSchemaTransform(route)
        : { schema: { hide: true }, url: route.url },
  });
}

function registerShell(app: FastifyInstance): void {
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/assets/portal.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );
  app.get('/assets/portal.js', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(SCRIPT),
  );
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(
      layout({
        title: '科创中国 · 推荐平台 Portal',
        programmeId: '',
        body: html`<p>请使用邮件中的登录链接进入 / sign in with the link from your e-mail.</p>
          <p>接口文档 API: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a></p>`,
      }),
    ),
  );
}

export async function buildPortal(deps: PortalDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    trustProxy: deps.config.trustProxy ?? false,
    bodyLimit: 512 * 1024,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await registerPlugins(app, deps.config);
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  app.setErrorHandler((error, request, reply) => {
    if (request.url.startsWith('/api/')) return sendApiError(error, request, reply);
    const { status, body } = apiErrorOf(error);
    if (status >= 500) request.log.error({ err: error }, 'page failed');
    const hint =
      status === 401 ? '请使用邮件中的登录链接 / use the sign-in link from your e-mail.' : (body.fix ?? '');
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(messagePage(body.code, `${body.message} ${hint}`));
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/')) {
      return reply.code(404).send({
        code: 'NOT_FOUND',
        message: `没有此接口 / no such route: ${request.method} ${request.url.split('?')[0]}`,
      });
    }
    return reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(messagePage('404', '页面不存在 / no such page'));
  });

  const drafts = deps.records && new DraftStore(deps.records);
  const tokens = deps.records && new ApiTokenStore(deps.records);
  const ctx = new PortalContext(deps.api, deps.config, new Auth(deps.api, deps.config, tokens));
  registerShell(app);
  registerSignInRoutes(app, ctx);
  registerPublicRoutes(app, ctx);
  registerUnitRoutes(app, ctx, drafts);
  registerUploadRoutes(app, ctx);
  registerSecretariatRoutes(app, ctx);
  registerProjectSteeringRoutes(app, ctx);
  registerReviewRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  registerTokenRoutes(app, ctx, tokens);
  registerDraftRoutes(app, ctx, drafts);
  registerImportRoutes(app, ctx);
  registerProjectRoutes(app, ctx);
  registerChainRoutes(app, ctx);
  await app.ready();
  return app;
}
