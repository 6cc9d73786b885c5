import type { ApiMetrics } from './metrics.js'
import type { PeerTracker } from './peer-tracker.js'
import type { Readiness } from './readiness.js'
import type { ApiNode } from './types.js'

/** What route handlers share: built once per server, no I/O. */
export interface ApiContext {
  node: ApiNode
  version: string
  readiness: Readiness
  metrics: ApiMetrics
  peers: PeerTracker
  maxBodyBytes: number
  extraStatus: (() => Record<string, unknown>) | undefined
}
