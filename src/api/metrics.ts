import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import { ANOMALY_KINDS } from '../observer/anomaly.js'
import { VERDICT_CODES } from '../protocol/index.js'
import type { ApiNode } from './types.js'

/**
 * The node's metrics, in a registry of this server (never prom-client's global one). The
 * counters mirror `node.stats()` when scraped, so nothing has to be counted twice; the API's
 * own counters (requests, dropped events) are counted as they happen. `/metrics` serves them
 * with the peer's own registry (`node.peerMetrics`: the core's, libp2p's and each service's
 * metrics) and the process's (CPU, memory, event-loop lag, GC).
 */
export interface ApiMetrics {
  readonly registry: Registry
  /** The Prometheus text of the API's metrics, the peer's registry and the process's. */
  render(): Promise<{ text: string; contentType: string }>
  countRequest(method: string, route: string, status: number): void
  countDroppedEvents(count: number): void
}

export interface ApiMetricsInit {
  node: ApiNode
  /** Connected `/v1/events` clients, for a gauge. */
  eventClients: () => number
}

export function createApiMetrics(init: ApiMetricsInit): ApiMetrics {
  const { node } = init
  const registry = new Registry()
  const registers = [registry]

  const mirror = (name: string, help: string, read: () => number): void => {
    const counter: Counter = new Counter({
      name,
      help,
      registers,
      collect: () => {
        counter.reset()
        counter.inc(Math.max(0, read()))
      },
    })
  }

  const received: Counter<'code'> = new Counter({
    name: 'patternmesh_messages_received_total',
    help: 'Frames received, by verdict code (ACCEPTED, PATTERN_MISMATCH, REPLAY, …).',
    labelNames: ['code'],
    registers,
    collect: () => {
      const verdicts = node.stats().verdicts
      received.reset()
      for (const code of VERDICT_CODES) received.inc({ code }, verdicts[code] ?? 0)
    },
  })
  mirror(
    'patternmesh_messages_delivered_total',
    'Data messages delivered to the application.',
    () => node.stats().delivered,
  )
  mirror(
    'patternmesh_messages_broadcast_total',
    'Data messages this node published.',
    () => node.stats().outbound.framesPublished,
  )
  mirror(
    'patternmesh_outbound_frames_refused_total',
    'Outbound frames refused because the send queue stayed full.',
    () => node.stats().outbound.framesRefused,
  )
  mirror(
    'patternmesh_outbound_frames_failed_total',
    'Outbound frames lost because gossipsub refused their batch.',
    () => node.stats().outbound.framesFailed,
  )
  mirror(
    'patternmesh_graylisted_dropped_total',
    'Gossip messages gossipsub dropped unread from graylisted peers (still counted, DESIGN §14).',
    () => node.droppedWhileGraylistedTotal?.() ?? 0,
  )
  mirror(
    'patternmesh_pattern_cache_hits_total',
    'Pattern cache lookups answered from the cache.',
    () => node.stats().patternCache.hits,
  )
  mirror(
    'patternmesh_pattern_cache_misses_total',
    'Pattern cache lookups that derived the step key.',
    () => node.stats().patternCache.misses,
  )

  const anomalies: Counter<'kind'> = new Counter({
    name: 'patternmesh_anomalies_total',
    help: 'Anomalies the observer saw, by kind (repeats folded into one record counted too).',
    labelNames: ['kind'],
    registers,
    collect: () => {
      const totals = node.anomalyTotals?.() ?? {}
      anomalies.reset()
      for (const kind of ANOMALY_KINDS) anomalies.inc({ kind }, totals[kind] ?? 0)
    },
  })
  const health: Gauge = new Gauge({
    name: 'patternmesh_network_health',
    help: 'Network health 0..1 as the observer computes it (alive share × accepted share).',
    registers,
    collect: () => health.set(node.networkMetrics?.().networkHealth ?? 1),
  })
  const step: Gauge = new Gauge({
    name: 'patternmesh_step',
    help: "The node's global step.",
    registers,
    collect: () => step.set(node.step),
  })
  const peers: Gauge = new Gauge({
    name: 'patternmesh_connected_peers',
    help: 'Peers with an open libp2p connection.',
    registers,
    collect: () => peers.set(connectedCount(node)),
  })
  const clients: Gauge = new Gauge({
    name: 'patternmesh_api_event_clients',
    help: 'Connected /v1/events WebSocket clients.',
    registers,
    collect: () => clients.set(init.eventClients()),
  })
  const requests = new Counter({
    name: 'patternmesh_api_requests_total',
    help: 'Control API requests, by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    registers,
  })
  const dropped = new Counter({
    name: 'patternmesh_api_events_dropped_total',
    help: 'Events not sent to a /v1/events client whose send buffer was full.',
    registers,
  })

  return {
    registry,
    async render() {
      const parts = [
        await registry.metrics(),
        (await node.peerMetrics?.()) ?? '',
        await processRegistry().metrics(),
      ]
      const text = parts.map((part) => part.trim()).filter((part) => part !== '')
      return { text: `${text.join('\n\n')}\n`, contentType: registry.contentType }
    },
    countRequest(method, route, status) {
      requests.inc({ method, route, status: String(status) })
    },
    countDroppedEvents(count) {
      dropped.inc(count)
    },
  }
}

export function connectedCount(node: ApiNode): number {
  try {
    return node.connectedPeers().length
  } catch {
    return 0 // not started
  }
}

let processRegistry_: Registry | undefined

/**
 * Node process metrics (CPU, memory, event loop lag, GC) in one registry for the process:
 * prom-client's collectors install observers that are never removed, so they are installed
 * once, not once per server.
 */
function processRegistry(): Registry {
  if (processRegistry_ === undefined) {
    processRegistry_ = new Registry()
    collectDefaultMetrics({ register: processRegistry_ })
  }
  return processRegistry_
}
