/**
 * The Fastify application of the control API: the routes of routes/index.ts with their schemas
 * (which validate requests and make `/openapi.json`), and the rules every route shares: JSON
 * bodies, the bearer token, the write limit, `{ error: { code, message } }` errors, 404/405
 * and the request metrics. WebSocket upgrades go to `/v1/events` through @fastify/websocket.
 */
import { EventEmitter } from 'node:events'
import type { IncomingMessage } from 'node:http'
import swagger from '@fastify/swagger'
import websocket from '@fastify/websocket'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { requireAccess, type Access } from './auth.js'
import { readJsonBody } from './body.js'
import { EVENT_CLIENT_MAX_PAYLOAD, HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from './constants.js'
import type { ApiContext } from './context.js'
import {
  ApiError,
  badRequest,
  errorBody,
  methodNotAllowed,
  notFound,
  tooManyRequests,
  unsupportedMediaType,
} from './errors.js'
import { EVENTS_PATH } from './events-stream.js'
import { toApiError } from './http-errors.js'
import { swaggerOptions } from './openapi.js'
import { ADVICE_SCHEMAS } from './routes/advice-schemas.js'
import { MESSAGE_SCHEMAS } from './routes/messages-schemas.js'
import { API_ROUTES, type ApiRoute } from './routes/index.js'
import { ADMIN_BEARER, FORBIDDEN, READ_BEARER } from './routes/route.js'
import { sharedSchemas } from './openapi-schemas.js'
import { compileValidator } from './validation.js'
import { serveUpgradeAsHttp, onClientError } from './upgrade.js'

const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])
/** Says what the request's token opens: `read` or `admin`. */
export const TOKEN_ACCESS_HEADER = 'X-Token-Access'
const COMMON_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }

/** Builds the app of one server start (not listening yet). */
export async function buildApp(ctx: ApiContext, version: string): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    exposeHeadRoutes: false,
    forceCloseConnections: true,
    // While closing, requests are cut with their connections; no Fastify-shaped 503 body.
    return503OnClosing: false,
    requestTimeout: REQUEST_TIMEOUT_MS,
    bodyLimit: ctx.maxBodyBytes,
    clientErrorHandler: onClientError,
    frameworkErrors: (_err, _request, reply) => {
      void sendError(reply, badRequest('malformed request target'))
    },
  })
  app.server.headersTimeout = HEADERS_TIMEOUT_MS
  // @fastify/websocket listens for upgrades on this emitter: only WebSocket upgrades are
  // passed on; any other (h2c from curl --http2) is served as the plain request it also is.
  const upgrades = new EventEmitter()
  app.server.on('upgrade', (req, socket, head) => {
    if (req.headers.upgrade?.toLowerCase() === 'websocket')
      upgrades.emit('upgrade', req, socket, head)
    else serveUpgradeAsHttp(app, req, socket)
  })
  await app.register(swagger, swaggerOptions(version))
  await app.register(websocket, {
    options: {
      server: upgrades as never,
      maxPayload: EVENT_CLIENT_MAX_PAYLOAD,
      perMessageDeflate: false,
    },
  })
  for (const schema of sharedSchemas({ ...ADVICE_SCHEMAS, ...MESSAGE_SCHEMAS }))
    app.addSchema(schema)
  app.setValidatorCompiler(compileValidator)
  // Response schemas document; they do not filter: extra fields (extraStatus) go out as given.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', async (request: FastifyRequest, payload: IncomingMessage) => {
    return await readJsonBody(payload, request.routeOptions.bodyLimit ?? ctx.maxBodyBytes)
  })

  app.addHook('onRequest', async (request) => {
    // A WebSocket upgrade anywhere but the event stream finds no route.
    if (request.ws && request.routeOptions.url !== EVENTS_PATH) throw notFound(pathOf(request))
  })
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.headers(COMMON_HEADERS)
    return payload
  })
  app.addHook('onResponse', async (request, reply) => {
    const method = KNOWN_METHODS.has(request.method) ? request.method : 'OTHER'
    ctx.metrics.countRequest(method, request.routeOptions.url ?? 'unmatched', reply.statusCode)
  })
  app.setErrorHandler(async (err, request, reply) => {
    const { error, internal } = toApiError(err)
    if (internal)
      ctx.log?.error({ err, method: request.method, path: pathOf(request) }, 'api request failed')
    return await sendError(reply, error)
  })
  app.setNotFoundHandler(async (request, reply) => {
    const path = pathOf(request)
    const allowed = API_ROUTES.filter((route) => route.path === path).map((route) => route.method)
    return await sendError(
      reply,
      allowed.length === 0 ? notFound(path) : methodNotAllowed(request.method, allowed),
    )
  })

  for (const route of API_ROUTES) app.route(routeOptions(route, ctx))
  return app
}

function routeOptions(route: ApiRoute, ctx: ApiContext): Parameters<FastifyInstance['route']>[0] {
  const onRequest = [
    ...(route.auth ? [authorise(ctx, accessNeeded(route))] : []),
    ...(route.write ? [takeWriteToken(ctx)] : []),
  ]
  const preHandler = route.preHandler?.(ctx)
  return {
    method: route.method,
    url: route.path,
    schema: route.auth ? withAccessRules(route) : route.schema,
    ...(route.bodyLimit !== undefined ? { bodyLimit: route.bodyLimit(ctx) } : {}),
    ...(onRequest.length > 0 ? { onRequest } : {}),
    preValidation: async (request: FastifyRequest) => {
      // A POST without a body (and without a content type) is not JSON.
      if (route.method === 'POST' && request.body === undefined) throw unsupportedMediaType()
    },
    ...(preHandler !== undefined
      ? { preHandler: async (request: FastifyRequest) => preHandler(request) }
      : {}),
    handler: route.handler(ctx),
    ...(route.wsHandler !== undefined ? { wsHandler: route.wsHandler(ctx) } : {}),
  } as unknown as Parameters<FastifyInstance['route']>[0]
}

/**
 * A GET (the event stream, reads that need a token) takes the read token or the admin one;
 * anything else is a write and takes the admin token only. By method, so a new write route
 * cannot be left open to read tokens by mistake.
 */
function accessNeeded(route: ApiRoute): Access {
  return route.method === 'GET' ? 'read' : 'admin'
}

/** The route's schema with the bearer schemes that open it, and its 403 for writes. */
function withAccessRules(route: ApiRoute): Record<string, unknown> {
  const admin = accessNeeded(route) === 'admin'
  const responses = (route.schema['response'] ?? {}) as Record<string, unknown>
  return {
    ...route.schema,
    security: admin ? ADMIN_BEARER : READ_BEARER,
    response:
      admin && responses['403'] === undefined ? { ...responses, 403: FORBIDDEN } : responses,
  }
}

/**
 * The bearer token; on a WebSocket upgrade it may be `?token=` (browsers set no headers). The
 * answer says what the token opens (`X-Token-Access: read | admin`): the dashboard hides write
 * actions from a read token.
 */
const authorise =
  (ctx: ApiContext, needed: Access) =>
  async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const query = request.ws ? new URLSearchParams(queryOf(request)) : undefined
    void reply.header(TOKEN_ACCESS_HEADER, requireAccess(request.raw, ctx.tokens, needed, query))
  }

/** One token of the write limit per write request, taken after the token check. */
const takeWriteToken = (ctx: ApiContext) => async (): Promise<void> => {
  const taken = ctx.writes.take()
  if (!taken.ok) throw tooManyRequests(taken.retryAfterMs)
}

async function sendError(reply: FastifyReply, error: ApiError): Promise<FastifyReply> {
  return await reply.code(error.status).headers(error.headers).send(errorBody(error))
}

function pathOf(request: FastifyRequest): string {
  const url = request.raw.url ?? '/'
  const mark = url.indexOf('?')
  return mark === -1 ? url : url.slice(0, mark)
}

function queryOf(request: FastifyRequest): string {
  const url = request.raw.url ?? '/'
  const mark = url.indexOf('?')
  return mark === -1 ? '' : url.slice(mark + 1)
}
