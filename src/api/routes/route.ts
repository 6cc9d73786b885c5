/**
 * A route of the control API: method, path, its token and rate-limit rules, the schema that
 * validates it and documents it in `/openapi.json`, and its handler (built per server from the
 * shared context).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import type { ApiContext } from '../context.js'
import { ref } from '../openapi-schemas.js'

export type HttpMethod = 'GET' | 'POST'

export interface ApiRoute {
  method: HttpMethod
  path: string
  /**
   * Needs a bearer token (default: no): a GET takes the read token or the admin one, any
   * other method the admin token only (app.ts).
   */
  auth?: boolean
  /** A write: takes a token of the write limit (default: no). */
  write?: boolean
  /** A WebSocket endpoint: `wsHandler` serves upgrades, `handler` the plain GET. */
  websocket?: boolean
  /** Fastify route schema plus its OpenAPI fields (operationId, summary, tags, security…). */
  schema: Record<string, unknown>
  /** Largest body read, bytes (POST routes). */
  bodyLimit?: (ctx: ApiContext) => number
  handler: (ctx: ApiContext) => (request: FastifyRequest, reply: FastifyReply) => unknown
  /** Runs before the handler (and before an upgrade): checks that need the parsed query. */
  preHandler?: (ctx: ApiContext) => (request: FastifyRequest) => void
  wsHandler?: (ctx: ApiContext) => (socket: WebSocket, request: FastifyRequest) => void
}

/** A JSON response of a shared schema. */
export const jsonResponse = (
  description: string,
  schema: string,
  headers?: Record<string, object>,
): object => ({ description, ...(headers !== undefined ? { headers } : {}), ...ref(schema) })

/** An error response: `{ error: { code, message } }`. */
export const errorResponse = (description: string, headers?: Record<string, object>): object =>
  jsonResponse(description, 'Error', headers)

/** A non-JSON response. */
export const contentResponse = (description: string, type: string): object => ({
  description,
  content: { [type]: { schema: { type: 'string' } } },
})

export const DEFAULT_ERROR = errorResponse('unexpected error (500) or unknown route (404)')
export const UNAUTHORIZED = errorResponse('missing or wrong token', {
  'WWW-Authenticate': { type: 'string' },
})
export const LIMITED = errorResponse('too many writes', { 'Retry-After': { type: 'integer' } })
export const FORBIDDEN = errorResponse('a read-only token (apiReadToken) on a write')
/** Writes: the admin token (`apiToken`). */
export const ADMIN_BEARER = [{ bearerAuth: [] }]
/** Reads that need a token (the event stream): the read token or the admin one. */
export const READ_BEARER = [{ readBearerAuth: [] }, { bearerAuth: [] }]
/** The admin scheme (app.ts sets each token route's security from its method). */
export const BEARER = ADMIN_BEARER

/** Who asked, for the audit logs: the client address and user agent (one token, no users). */
export function who(request: FastifyRequest): string {
  const agent = request.headers['user-agent']
  return `${request.raw.socket.remoteAddress ?? 'unknown'}${agent !== undefined ? ` (${agent})` : ''}`
}

export function route(definition: ApiRoute): ApiRoute {
  return definition
}
