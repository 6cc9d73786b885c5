import type { Logger } from 'pino'
import type { ApiTokens } from './auth.js'
import type { EventsStream } from './events-stream.js'
import type { ApiMetrics } from './metrics.js'
import type { PeerTracker } from './peer-tracker.js'
import type { TokenBucket } from './rate-limit.js'
import type { Readiness } from './readiness.js'
import type { ApiNode } from './types.js'

/** What routes and hooks share: built once per start, no I/O. */
export interface ApiContext {
  node: ApiNode
  version: string
  /** Admin token (`apiToken`) and the read-only one (`apiReadToken`), if any. */
  tokens: ApiTokens
  readiness: Readiness
  metrics: ApiMetrics
  peers: PeerTracker
  events: EventsStream
  writes: TokenBucket
  /** Largest body of every route but `POST /v1/messages`. */
  maxBodyBytes: number
  /** Largest body of `POST /v1/messages` (a batch). */
  messagesBodyBytes: number
  extraStatus: (() => Record<string, unknown>) | undefined
  log: Logger | undefined
}
