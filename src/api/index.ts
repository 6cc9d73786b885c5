/**
 * The per-node control API (DESIGN §8): HTTP + WebSocket on node:http and ws.
 * `createApiServer(deps)` is the factory; `ApiNode` is all it needs of a node.
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
  PeerView,
  RoleStateView,
} from './types.js'
export { ANOMALY_KINDS } from './types.js'
export { EVENT_TYPES, type EventType } from './event-frames.js'
export { ROUTES, type Route, type HttpMethod } from './router.js'
export { buildOpenApiDocument, type OpenApiDocument } from './openapi.js'
export { createTokenBucket, type TokenBucket, type TakeResult } from './rate-limit.js'
export { resolveApiToken, API_TOKEN_FILE, type ResolvedApiToken } from './token.js'
export { assertSafeBind, isLoopbackHost, parseApiAddress } from './address.js'
export * from './constants.js'
export { meshNodeView, peerViewOf } from './mesh-node-view.js'
