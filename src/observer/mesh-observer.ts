/**
 * MeshObserver: detectors (verdict rates and frame anomalies, flood, step divergence, split
 * brain, flapping, graylisted drops) feeding one anomaly reporter, the per-peer statistics and
 * the mesh-wide NetworkMetrics, and a per-peer penalty plugged into gossipsub's
 * application-specific score. Every node runs one; an observer node (`--observer`) is one that
 * only watches. Anomaly reports from the mesh (anomaly-reports/) reach the same reporter through
 * `sink`. Listeners live from start() until stop() aborts them.
 */
import { TypedEventEmitter } from 'main-event'
import type { Logger } from 'pino'
import { bindAppScore } from '../net/app-score.js'
import type { NodeIdentity, Service } from '../node/ports.js'
import type { Anomaly, AnomalyKind } from './anomaly.js'
import { AnomalyReporter, type AnomalySink } from './anomaly-reporter.js'
import type { AnomalyFilter, AnomalyStoreStats } from './anomaly-store.js'
import {
  DEFAULT_ANOMALY_CAPACITY,
  DEFAULT_COALESCE_MS,
  DEFAULT_DIVERGENCE_STEPS,
  DEFAULT_MAX_PEERS,
  SPLIT_BRAIN_HEALTH_MS,
} from './constants.js'
import type { Detector } from './detectors/detector.js'
import { FlappingDetector } from './detectors/flapping.js'
import { FloodDetector } from './detectors/flood.js'
import { GraylistDetector } from './detectors/graylist.js'
import { SplitBrainDetector } from './detectors/split-brain.js'
import { StepDivergenceDetector } from './detectors/step-divergence.js'
import { VerdictDetector } from './detectors/verdicts.js'
import type { FloodPolicy } from './flood.js'
import { networkHealth, type NetworkMetrics } from './network-metrics.js'
import type { PeerStats } from './peer-stats.js'
import type { MemberSource, ObserverConfig, RoleSource, VerdictSource } from './sources.js'
import { TrafficStats } from './traffic.js'

export interface MeshObserverComponents {
  identity: NodeIdentity
  liveConfig: ObserverConfig
  verdicts: VerdictSource
  /** Connected peers: the alive count of a node without a member table. */
  connections: { connectedPeers(): string[] }
  /** The member table (heartbeats, flaps, statuses), when membership runs. */
  members?: MemberSource
  /** The roles (split brains), when they run. */
  roles?: RoleSource
  /** The gossipsub instance: P5 score and graylisted drops (absent: neither). */
  pubsub?: unknown
  logger?: Logger
}

export interface MeshObserverInit {
  anomalyCapacity?: number
  maxPeers?: number
  coalesceMs?: number
  flood?: Partial<FloodPolicy>
  divergenceSteps?: number
  /** Plug the anomaly penalty into gossipsub's score (default true). */
  appScore?: boolean
  now?: () => number
}

export interface MeshObserverEvents {
  'observer.anomaly': CustomEvent<Anomaly>
  /** A graylisted peer's gossip messages dropped unread (counted, never validated). */
  'observer.graylist-drop': CustomEvent<{ peerId: string; messages: number }>
}

export interface ObserverStats {
  anomalies: AnomalyStoreStats
  /** Occurrences per kind since start, folded repeats included. */
  totals: Partial<Record<AnomalyKind, number>>
  /** Gossip messages dropped unread from graylisted peers since start. */
  droppedWhileGraylisted: number
}

export class MeshObserver extends TypedEventEmitter<MeshObserverEvents> implements Service {
  private readonly components: MeshObserverComponents
  private readonly log: Logger | undefined
  private readonly now: () => number
  private readonly useAppScore: boolean
  private readonly reporter: AnomalyReporter
  private readonly traffic: TrafficStats
  private readonly splitBrain: SplitBrainDetector | undefined
  private readonly detectors: Detector[] = []
  private controller: AbortController | undefined

  constructor(components: MeshObserverComponents, init: MeshObserverInit = {}) {
    super()
    this.components = components
    this.log = components.logger?.child({ component: 'observer' })
    this.now = init.now ?? Date.now
    this.useAppScore = init.appScore ?? true
    const maxPeers = init.maxPeers ?? DEFAULT_MAX_PEERS
    this.traffic = new TrafficStats(maxPeers)
    this.reporter = new AnomalyReporter({
      self: () => components.identity.peerId,
      capacity: init.anomalyCapacity ?? DEFAULT_ANOMALY_CAPACITY,
      maxPeers,
      coalesceMs: init.coalesceMs ?? DEFAULT_COALESCE_MS,
      onRecord: (anomaly) => this.onRecord(anomaly),
    })
    const sink = this.reporter
    const now = this.now
    const flood = new FloodDetector(
      { sink, liveConfig: components.liveConfig },
      { maxPeers, ...(init.flood !== undefined ? { override: init.flood } : {}) },
    )
    const traffic = this.traffic
    this.detectors.push(
      new VerdictDetector({ verdicts: components.verdicts, sink, traffic, flood }),
    )
    if (components.pubsub !== undefined)
      this.detectors.push(
        new GraylistDetector({
          pubsub: components.pubsub,
          traffic,
          sink,
          now,
          onDrop: (peerId, messages) =>
            this.safeDispatchEvent('observer.graylist-drop', { detail: { peerId, messages } }),
        }),
      )
    const { members, roles } = components
    if (members !== undefined) {
      const maxSteps = Math.max(
        init.divergenceSteps ?? DEFAULT_DIVERGENCE_STEPS,
        2 * components.liveConfig.config.stepWindow + 1,
      )
      this.detectors.push(
        new StepDivergenceDetector(
          {
            members,
            identity: components.identity,
            sink,
            stepIntervalMs: () => components.liveConfig.config.stepIntervalMs ?? 0,
          },
          { maxSteps },
        ),
        new FlappingDetector({ members, sink, now }),
      )
    }
    if (roles !== undefined) {
      this.splitBrain = new SplitBrainDetector({ roles, sink, now })
      this.detectors.push(this.splitBrain)
    }
  }

  get isStarted(): boolean {
    return this.controller !== undefined
  }

  /** Where anomaly reports from the mesh go (the report service's sink). */
  get sink(): AnomalySink {
    return this.reporter
  }

  async start(): Promise<void> {
    if (this.controller !== undefined) return
    const controller = new AbortController()
    this.controller = controller
    for (const detector of this.detectors) detector.start(controller.signal)
    if (this.useAppScore && this.components.pubsub !== undefined) {
      const undo = bindAppScore(this.components.pubsub, (peerId) => this.appScore(peerId))
      controller.signal.addEventListener('abort', undo, { once: true })
    }
  }

  async stop(): Promise<void> {
    this.controller?.abort()
    this.controller = undefined
  }

  /** Newest first. */
  anomalies(filter: AnomalyFilter = {}): Anomaly[] {
    return this.reporter.list(filter)
  }

  peerStats(): PeerStats[] {
    return this.traffic.peers.list(this.now())
  }

  stats(): ObserverStats {
    return {
      anomalies: this.reporter.storeStats(),
      totals: this.reporter.totalsByKind(),
      droppedWhileGraylisted: this.traffic.droppedWhileGraylisted,
    }
  }

  /**
   * Gossip messages of `peerId` dropped unread while it was graylisted (DESIGN §14);
   * undefined for a peer this observer has no figures of.
   */
  droppedWhileGraylisted(peerId: string): number | undefined {
    return this.traffic.peers.get(peerId, this.now())?.droppedWhileGraylisted
  }

  /** gossipsub's P5 for `peerId`: minus its decayed anomaly penalty points. */
  appScore(peerId: string): number {
    return this.reporter.appScore(peerId, this.now())
  }

  networkMetrics(): NetworkMetrics {
    const now = this.now()
    // Without a member table (messaging-only nodes), the connected peers count as alive.
    const members = this.components.members?.members()
    const alive =
      members === undefined
        ? this.connectedCount() + 1
        : members.filter((m) => m.status === 'alive').length + 1
    const known = members === undefined ? alive : members.length + 1
    const latency = this.traffic.accepted.mean(now)
    return {
      totalNodes: alive,
      messagesPerSecond: Math.round(this.traffic.data.rate(now) * 10) / 10,
      averageLatency: latency === null ? null : Math.round(latency * 10) / 10,
      patternMismatches: this.traffic.patternMismatches,
      networkHealth: networkHealth({
        alive,
        known,
        accepted: this.traffic.accepted.totals(now).count,
        rejected: this.traffic.rejected.totals(now).count,
        splitBrainRecent: now - (this.splitBrain?.lastAt ?? -Infinity) < SPLIT_BRAIN_HEALTH_MS,
      }),
    }
  }

  private connectedCount(): number {
    try {
      return this.components.connections.connectedPeers().length
    } catch {
      return 0 // not started
    }
  }

  private onRecord(anomaly: Anomaly): void {
    if (anomaly.peerId !== null) this.traffic.peers.countAnomaly(anomaly.peerId)
    this.log?.warn({ anomaly }, 'anomaly')
    this.safeDispatchEvent('observer.anomaly', { detail: anomaly })
  }
}
