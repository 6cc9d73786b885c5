/**
 * The per-node control API (DESIGN §8): Fastify, with @fastify/websocket for `/v1/events` and
 * @fastify/swagger for `/openapi.json`. `createApiServer(deps)` is the factory; `ApiNode` is
 * all it needs of a node.
 */
export { createApiServer } from './server.js'
export type {
  Anomaly,
  AnomalyKind,
  AnomalySeverity,
  ApiAddress,
  ApiDeps,
  ApiEvent,
  ApiNode,
  ApiNodeEvents,
  ApiRateLimit,
  ApiServer,
  MemberStatusView,
  PeerView,
  RoleStateView,
} from './types.js'
export { ANOMALY_KINDS, MEMBER_STATUSES } from './types.js'
export { EVENT_TYPES, type EventType } from './event-frames.js'
export { ROUTES, type RouteSpec, type HttpMethod } from './routes/index.js'
export { buildOpenApiDocument } from './openapi-document.js'
export type { OpenApiDocument } from './openapi.js'
export {
  createLiveTokenBucket,
  createTokenBucket,
  type TokenBucket,
  type TakeResult,
} from './rate-limit.js'
export { resolveApiToken, API_TOKEN_FILE, type ResolvedApiToken } from './token.js'
export { assertSafeBind, isLoopbackHost, parseApiAddress } from './address.js'
export * from './constants.js'
export { meshNodeView, peerViewOf } from './mesh-node-view.js'
