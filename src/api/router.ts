import type { IncomingMessage } from 'node:http'
import { methodNotAllowed, notFound } from './errors.js'

export type HttpMethod = 'GET' | 'POST'

export interface RouteSpec {
  method: HttpMethod
  path: string
  /** Name of the handler in the handler table. */
  handler: string
  /** Needs the bearer token. */
  auth: boolean
  /** A write: rate-limited. */
  write: boolean
  /** A WebSocket endpoint: served on upgrade; a plain GET gets 426. */
  websocket: boolean
}

/**
 * Every route the server has. The server dispatches only from this table, and the OpenAPI
 * test holds `/openapi.json` against it, so the document cannot drift from the server.
 */
export const ROUTES = [
  {
    method: 'GET',
    path: '/',
    handler: 'dashboard',
    auth: false,
    write: false,
    websocket: false,
  },
  {
    method: 'GET',
    path: '/health',
    handler: 'health',
    auth: false,
    write: false,
    websocket: false,
  },
  { method: 'GET', path: '/ready', handler: 'ready', auth: false, write: false, websocket: false },
  {
    method: 'GET',
    path: '/metrics',
    handler: 'metrics',
    auth: false,
    write: false,
    websocket: false,
  },
  {
    method: 'GET',
    path: '/openapi.json',
    handler: 'openapi',
    auth: false,
    write: false,
    websocket: false,
  },
  {
    method: 'GET',
    path: '/v1/status',
    handler: 'status',
    auth: false,
    write: false,
    websocket: false,
  },
  {
    method: 'GET',
    path: '/v1/peers',
    handler: 'peers',
    auth: false,
    write: false,
    websocket: false,
  },
  {
    method: 'GET',
    path: '/v1/anomalies',
    handler: 'anomalies',
    auth: false,
    write: false,
    websocket: false,
  },
  {
    method: 'GET',
    path: '/v1/metrics/network',
    handler: 'networkMetrics',
    auth: false,
    write: false,
    websocket: false,
  },
  {
    method: 'POST',
    path: '/v1/messages',
    handler: 'postMessage',
    auth: true,
    write: true,
    websocket: false,
  },
  {
    method: 'GET',
    path: '/v1/advice',
    handler: 'listAdvice',
    auth: false,
    write: false,
    websocket: false,
  },
  {
    method: 'POST',
    path: '/v1/advice',
    handler: 'postAdvice',
    auth: true,
    write: true,
    websocket: false,
  },
  {
    method: 'POST',
    path: '/v1/advice/rollback',
    handler: 'rollbackAdvice',
    auth: true,
    write: true,
    websocket: false,
  },
  {
    method: 'GET',
    path: '/v1/events',
    handler: 'events',
    auth: true,
    write: false,
    websocket: true,
  },
] as const satisfies readonly RouteSpec[]

export type Route = (typeof ROUTES)[number]
export type HandlerName = Route['handler']

/** What a handler answers; the server writes it (JSON or text) with the common headers. */
export type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; text: string; contentType: string; headers?: Record<string, string> }

export interface RequestContext {
  req: IncomingMessage
  path: string
  query: URLSearchParams
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>
export type Handlers = Record<HandlerName, Handler>

/**
 * Splits a request target into path and query without resolving it against a host: a
 * target like `//evil/x` stays a path (and finds no route).
 */
export function splitTarget(target: string | undefined): { path: string; query: URLSearchParams } {
  const raw = target ?? '/'
  const mark = raw.indexOf('?')
  const path = mark === -1 ? raw : raw.slice(0, mark)
  const query = new URLSearchParams(mark === -1 ? '' : raw.slice(mark + 1))
  return { path, query }
}

/** The route of `method path`; throws a 404 (no such path) or a 405 with the allowed methods. */
export function matchRoute(method: string | undefined, path: string): Route {
  const candidates = ROUTES.filter((route) => route.path === path)
  if (candidates.length === 0) throw notFound(path)
  const route = candidates.find((candidate) => candidate.method === method)
  if (route === undefined)
    throw methodNotAllowed(
      method ?? '(none)',
      candidates.map((candidate) => candidate.method),
    )
  return route
}
