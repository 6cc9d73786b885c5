/**
 * MeshObserver: records every frame verdict of one node, turns rejections and component
 * reports (split brain, flapping, step divergence) into anomalies, keeps per-peer statistics
 * and the mesh-wide NetworkMetrics, and feeds a per-peer penalty into gossipsub's
 * application-specific score. Every node runs one; an observer node (`--observer`) is one
 * that only watches. Listeners are added in start() and removed in stop().
 */
import { randomUUID } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { TypedEventEmitter } from 'main-event'
import type { Logger } from 'pino'
import type { MemberHeartbeatDetail, Membership } from '../membership/index.js'
import { bindAppScore } from '../net/app-score.js'
import type { FrameVerdictDetail } from '../node/events.js'
import type { NodeEvents } from '../node/ports.js'
import type { MeshConfig } from '../config/index.js'
import type { FlapReport } from '../membership/flapping.js'
import type { RoleManager } from '../roles/index.js'
import type { SplitBrainDetail } from '../roles/events.js'
import { anomalyKindOfVerdict, SEVERITY_OF, type Anomaly, type AnomalyKind } from './anomaly.js'
import { AnomalyStore, type AnomalyFilter, type AnomalyStoreStats } from './anomaly-store.js'
import { PenaltyLedger } from './app-score.js'
import {
  APP_SCORE_HALF_LIFE_MS,
  APP_SCORE_POINTS,
  DEFAULT_ANOMALY_CAPACITY,
  DEFAULT_COALESCE_MS,
  DEFAULT_DIVERGENCE_STEPS,
  DEFAULT_FLOOD_BURST,
  DEFAULT_FLOOD_RATE_PER_SECOND,
  DEFAULT_MAX_PEERS,
  RATE_WINDOW_SECONDS,
  SPLIT_BRAIN_HEALTH_MS,
} from './constants.js'
import { fullBucket, takeToken, type BucketState, type FloodPolicy } from './flood.js'
import { networkHealth, type NetworkMetrics } from './network-metrics.js'
import { PeerStatsTable, type PeerStats } from './peer-stats.js'
import { RateWindow } from './rate-window.js'

/** What the observer uses of the node, with the services it watches. */
export interface ObservedNode extends NodeEvents {
  readonly step: number
  readonly config: Readonly<MeshConfig>
  readonly members: Membership | undefined
  readonly roles: RoleManager | undefined
  connectedPeers(): string[]
  readonly libp2p: unknown
}

export interface MeshObserverInit {
  node: ObservedNode
  logger?: Logger
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
}

export interface ObserverStats {
  anomalies: AnomalyStoreStats
  /** Occurrences per kind since start, folded repeats included. */
  totals: Partial<Record<AnomalyKind, number>>
}

interface Fold {
  at: number
  folded: number
}

export class MeshObserver extends TypedEventEmitter<MeshObserverEvents> {
  private readonly node: ObservedNode
  private readonly log: Logger | undefined
  private readonly now: () => number
  private readonly store: AnomalyStore
  private readonly peers: PeerStatsTable
  private readonly penalties: PenaltyLedger
  private readonly buckets: LRUCache<string, BucketState>
  private readonly folds: LRUCache<string, Fold>
  private readonly floodOverride: Partial<FloodPolicy> | undefined
  private readonly coalesceMs: number
  private readonly divergenceSteps: number
  private readonly useAppScore: boolean
  private readonly accepted = new RateWindow(RATE_WINDOW_SECONDS)
  private readonly rejected = new RateWindow(RATE_WINDOW_SECONDS)
  private readonly data = new RateWindow(RATE_WINDOW_SECONDS)
  private readonly totals: Partial<Record<AnomalyKind, number>> = {}
  private patternMismatches = 0
  private lastSplitBrainAt = -Infinity
  private readonly detach: Array<() => void> = []
  private running = false

  constructor(init: MeshObserverInit) {
    super()
    this.node = init.node
    this.log = init.logger?.child({ component: 'observer' })
    this.now = init.now ?? Date.now
    const maxPeers = init.maxPeers ?? DEFAULT_MAX_PEERS
    this.store = new AnomalyStore(init.anomalyCapacity ?? DEFAULT_ANOMALY_CAPACITY)
    this.peers = new PeerStatsTable({ maxPeers, spanSeconds: RATE_WINDOW_SECONDS })
    this.penalties = new PenaltyLedger({ halfLifeMs: APP_SCORE_HALF_LIFE_MS, maxPeers })
    this.buckets = new LRUCache({ max: maxPeers })
    this.folds = new LRUCache({ max: maxPeers * 4 })
    this.floodOverride = init.flood
    this.coalesceMs = init.coalesceMs ?? DEFAULT_COALESCE_MS
    this.divergenceSteps = Math.max(
      init.divergenceSteps ?? DEFAULT_DIVERGENCE_STEPS,
      2 * this.node.config.stepWindow + 1,
    )
    this.useAppScore = init.appScore ?? true
  }

  get isStarted(): boolean {
    return this.running
  }

  start(): void {
    if (this.running) return
    this.running = true
    const node = this.node
    const onVerdict = (event: CustomEvent<FrameVerdictDetail>): void => this.onVerdict(event.detail)
    node.addEventListener('verdict', onVerdict)
    this.detach.push(() => node.removeEventListener('verdict', onVerdict))
    if (node.members !== undefined) this.watchMembers(node.members)
    if (node.roles !== undefined) this.watchRoles(node.roles)
    if (this.useAppScore) {
      let pubsub: unknown
      try {
        pubsub = (node.libp2p as { services?: { pubsub?: unknown } }).services?.pubsub
      } catch {
        pubsub = undefined // not started: no gossipsub to score with
      }
      if (pubsub !== undefined)
        this.detach.push(bindAppScore(pubsub, (peerId) => this.appScore(peerId)))
    }
  }

  stop(): void {
    if (!this.running) return
    this.running = false
    for (const undo of this.detach.splice(0)) undo()
  }

  /** Newest first. */
  anomalies(filter: AnomalyFilter = {}): Anomaly[] {
    return this.store.list(filter)
  }

  peerStats(): PeerStats[] {
    return this.peers.list(this.now())
  }

  stats(): ObserverStats {
    return { anomalies: this.store.stats(), totals: { ...this.totals } }
  }

  /** gossipsub's P5 for `peerId`: minus its decayed anomaly penalty points. */
  appScore(peerId: string): number {
    return this.penalties.score(peerId, this.now())
  }

  networkMetrics(): NetworkMetrics {
    const now = this.now()
    // Without a member table (messaging-only nodes), the connected peers count as alive.
    const members = this.node.members?.members()
    const alive =
      members === undefined
        ? this.connectedCount() + 1
        : members.filter((m) => m.status === 'alive').length + 1
    const known = members === undefined ? alive : members.length + 1
    const latency = this.accepted.mean(now)
    return {
      totalNodes: alive,
      messagesPerSecond: Math.round(this.data.rate(now) * 10) / 10,
      averageLatency: latency === null ? null : Math.round(latency * 10) / 10,
      patternMismatches: this.patternMismatches,
      networkHealth: networkHealth({
        alive,
        known,
        accepted: this.accepted.totals(now).count,
        rejected: this.rejected.totals(now).count,
        splitBrainRecent: now - this.lastSplitBrainAt < SPLIT_BRAIN_HEALTH_MS,
      }),
    }
  }

  private connectedCount(): number {
    try {
      return this.node.connectedPeers().length
    } catch {
      return 0 // not started
    }
  }

  /** The hot path: O(1) per frame. */
  private onVerdict(detail: FrameVerdictDetail): void {
    const { from, result, at } = detail
    if (result.code === 'SELF') return
    const envelope = result.envelope
    if (result.verdict === 'accept' && envelope !== undefined) {
      const latency = Math.max(0, at - envelope.timestamp)
      this.accepted.add(at, latency)
      if (envelope.kind === 'data') this.data.add(at)
      if (from !== '')
        this.peers.record(from, result.code, at, {
          step: envelope.globalStep,
          latencyMs: latency,
          data: envelope.kind === 'data',
        })
    } else {
      if (result.verdict === 'reject') this.rejected.add(at)
      if (from !== '') this.peers.record(from, result.code, at)
    }
    if (result.code === 'PATTERN_MISMATCH' && result.verdict === 'reject') this.patternMismatches++
    if (from !== '') this.checkFlood(from, at, envelope?.globalStep ?? null)
    const kind = anomalyKindOfVerdict(result.verdict, result.code)
    if (kind === undefined) return
    const claimed = envelope?.senderId
    const detailText = [
      result.detail ?? kind,
      claimed !== undefined && claimed !== from ? `frame claims sender ${claimed}` : undefined,
      `topic ${detail.topic}`,
    ]
      .filter((part) => part !== undefined)
      .join('; ')
    this.report(kind, from === '' ? null : from, envelope?.globalStep ?? null, detailText, at)
  }

  /** `MeshObserverInit.flood`, else the node's config (live: CONFIG advice), else defaults. */
  private floodPolicy(): FloodPolicy {
    const config = this.node.config as Partial<Record<'floodRatePerSecond' | 'floodBurst', number>>
    return {
      ratePerSecond:
        this.floodOverride?.ratePerSecond ??
        config.floodRatePerSecond ??
        DEFAULT_FLOOD_RATE_PER_SECOND,
      burst: this.floodOverride?.burst ?? config.floodBurst ?? DEFAULT_FLOOD_BURST,
    }
  }

  private checkFlood(from: string, at: number, step: number | null): void {
    const policy = this.floodPolicy()
    const outcome = takeToken(this.buckets.get(from) ?? fullBucket(policy, at), at, policy)
    this.buckets.set(from, outcome.state)
    if (outcome.startedFlood) {
      this.report(
        'FLOOD',
        from,
        step,
        `more than ${policy.ratePerSecond} frames/s (burst ${policy.burst})`,
        at,
      )
    }
  }

  private watchMembers(members: Membership): void {
    const onHeartbeat = (event: CustomEvent<MemberHeartbeatDetail>): void => {
      const { peerId, step, receivedAt } = event.detail
      const ours = this.node.step
      if (Math.abs(step - ours) > this.divergenceSteps) {
        this.report(
          'STEP_DIVERGENCE',
          peerId,
          step,
          `announces step ${step}, ${step - ours > 0 ? '+' : ''}${step - ours} from the mesh step ${ours}`,
          receivedAt,
        )
      }
    }
    const onFlapping = (event: CustomEvent<FlapReport>): void => {
      const { peerId, changes, windowMs } = event.detail
      this.report(
        'MEMBER_FLAPPING',
        peerId,
        null,
        `${changes} status changes within ${windowMs} ms`,
        this.now(),
      )
    }
    members.addEventListener('members.heartbeat', onHeartbeat)
    members.addEventListener('members.flapping', onFlapping)
    this.detach.push(() => {
      members.removeEventListener('members.heartbeat', onHeartbeat)
      members.removeEventListener('members.flapping', onFlapping)
    })
  }

  private watchRoles(roles: RoleManager): void {
    const onSplit = (event: CustomEvent<SplitBrainDetail>): void => {
      const { principals, terms, winner, overlapMs } = event.detail
      const now = this.now()
      this.lastSplitBrainAt = now
      // A mesh-level condition, nobody's attack: isolated nodes that each elected themselves
      // and then met (a healed partition, or a mesh forming) show it too. Nobody is blamed.
      this.report(
        'SPLIT_BRAIN',
        null,
        null,
        `principals ${principals[0]} (term ${terms[0]}) and ${principals[1]} (term ${terms[1]}) active together for ${overlapMs} ms; ${winner} remains`,
        now,
      )
    }
    roles.addEventListener('roles.split-brain', onSplit)
    this.detach.push(() => roles.removeEventListener('roles.split-brain', onSplit))
  }

  /**
   * Records an anomaly unless one of the same kind against the same peer was recorded less
   * than `coalesceMs` ago: then it is folded into the next record's count.
   */
  private report(
    kind: AnomalyKind,
    peerId: string | null,
    step: number | null,
    detail: string,
    at: number,
  ): void {
    this.totals[kind] = (this.totals[kind] ?? 0) + 1
    // Every occurrence costs the peer, folded or not: 1,000 forgeries weigh more than one.
    if (peerId !== null && kind !== 'SPLIT_BRAIN')
      this.penalties.add(peerId, APP_SCORE_POINTS[SEVERITY_OF[kind]], at)
    const key = `${kind}|${peerId ?? ''}`
    const fold = this.folds.get(key)
    if (fold !== undefined && at - fold.at < this.coalesceMs) {
      fold.folded++
      return
    }
    this.folds.set(key, { at, folded: 0 })
    const severity = SEVERITY_OF[kind]
    const anomaly: Anomaly = {
      id: randomUUID(),
      kind,
      severity,
      peerId,
      step,
      at,
      detail,
      count: (fold?.folded ?? 0) + 1,
    }
    this.store.push(anomaly)
    if (peerId !== null) this.peers.countAnomaly(peerId)
    this.log?.warn({ anomaly }, 'anomaly')
    this.safeDispatchEvent('observer.anomaly', { detail: anomaly })
  }
}
