/**
 * The Prometheus registry of one peer (never prom-client's global one: two peers in one
 * process each have theirs). At every start it is emptied and filled anew: the messaging
 * core's figures, libp2p's own (through @libp2p/prometheus-metrics, registered by the libp2p
 * node of that start) and each service's, which the service's own `metrics.ts` registers
 * from its stats and events. The API's `/metrics` serves it beside the API's own.
 */
import { Histogram, Registry, type Metric } from 'prom-client'
import { registerAdviceMetrics } from '../advice/metrics.js'
import { registerDeliveryMetrics } from '../delivery/metrics.js'
import { registerMessageLogMetrics } from '../direct/index.js'
import { registerGossipMetrics } from '../net/gossip-metrics.js'
import { registerMembershipMetrics } from '../membership/metrics.js'
import type { MeshNode } from '../node/index.js'
import { registerAnomalyReportMetrics } from '../observer/anomaly-reports/metrics.js'
import { registerPeerMetrics } from '../peers/metrics.js'
import { registerRoleMetrics } from '../roles/metrics.js'
import { readGauge } from '../util/metrics.js'
import type { PeerServices } from './services.js'

/** gossipsub's default graylist threshold (we keep its thresholds: score-params.ts). */
const GOSSIPSUB_GRAYLIST_THRESHOLD = -80

/** Verify time of one gossip message (all its frames): tens of µs when healthy. */
const VERIFY_BUCKETS = [1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 5e-2]

/**
 * libp2p's metrics registry. @libp2p/prometheus-metrics keeps the metrics it made in a map
 * shared by every libp2p node of the process, emptied when a node is created: peers started
 * at the same time can register one name twice in one registry, which prom-client refuses by
 * throwing (inside libp2p's start). Here the newer registration replaces the older one.
 */
class Libp2pRegistry extends Registry {
  override registerMetric<T extends string>(metric: Metric<T>): void {
    const name = (metric as unknown as { name: string }).name
    if (this.getSingleMetric(name) !== undefined) this.removeSingleMetric(name)
    super.registerMetric(metric)
  }
}

export class PeerMetrics {
  /** The core's and the services' metrics (a name registered twice is a bug: it throws). */
  readonly registry = new Registry()
  /** libp2p's own (connections, streams, bytes per protocol), for MeshLibp2pInit. */
  readonly libp2pRegistry: Registry = new Libp2pRegistry()
  private verify: Histogram | undefined
  private controller = new AbortController()

  /** The sampled verify timing the node reports (MeshNodeInit.verifyTiming). */
  readonly observeVerify = (seconds: number): void => {
    this.verify?.observe(seconds)
  }

  /**
   * Empties the registry before a start (libp2p's metrics are registered again by the new
   * libp2p node, and a name registered twice throws) and registers the core's figures.
   */
  beginStart(node: Pick<MeshNode, 'stats'>): void {
    this.controller.abort()
    this.controller = new AbortController()
    this.registry.clear()
    this.libp2pRegistry.clear()
    this.verify = new Histogram({
      name: 'patternmesh_verify_duration_seconds',
      help: 'Time to verify one gossip message (every frame of it), sampled: one message in 64.',
      buckets: VERIFY_BUCKETS,
      registers: [this.registry],
    })
    readGauge(
      this.registry,
      'patternmesh_outbound_queue_depth',
      'Data frames waiting in the outbound queue (bounded: a full queue refuses broadcasts).',
      () => node.stats().outbound.queued,
    )
  }

  /** gossipsub's figures (mesh and topic peers, score spread), read from the started node. */
  registerGossip(node: Pick<MeshNode, 'libp2p' | 'topics'>): void {
    registerGossipMetrics(
      this.registry,
      () => node.libp2p.services.pubsub,
      { data: node.topics.data, control: node.topics.control },
      GOSSIPSUB_GRAYLIST_THRESHOLD,
    )
  }

  /** Each service's metrics, once the services of this start are built. */
  registerServices(services: PeerServices, self: { readonly peerId: string }): void {
    const signal = this.controller.signal
    if (services.members !== undefined) {
      registerMembershipMetrics(this.registry, services.members, signal)
    }
    if (services.peers !== undefined) registerPeerMetrics(this.registry, services.peers)
    if (services.roles !== undefined)
      registerRoleMetrics(this.registry, services.roles, self, signal)
    if (services.advice !== undefined) registerAdviceMetrics(this.registry, services.advice)
    registerAnomalyReportMetrics(this.registry, services.reports)
    registerDeliveryMetrics(this.registry, () => services.delivery.stats())
    registerMessageLogMetrics(this.registry, () => services.log.stats())
  }

  /** Removes the services' event listeners (the figures stay readable until the next start). */
  endStart(): void {
    this.controller.abort()
  }

  /** The Prometheus text of this peer's metrics: ours, then libp2p's. */
  async text(): Promise<string> {
    const parts = [await this.registry.metrics(), await this.libp2pRegistry.metrics()]
    return `${parts
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .join('\n\n')}\n`
  }
}
