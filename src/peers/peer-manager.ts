/**
 * The peer manager (DESIGN §13; Lodestar's network/peers/peerManager.ts is the model): every
 * round it keeps `targetPeers` connections to alive members picked at random, never more than
 * `maxPeers`. A lost connection is replaced at once (a disconnect wakes a round) and a peer
 * whose dial failed waits out a backoff. On start, before any member is known, it dials peers
 * remembered in the peer store: a node whose bootstrap peers are all gone still rejoins.
 *
 * The choices are pure (selection.ts); this class reads the state, runs the dials and hang-ups
 * (each with a timeout), counts, and logs errors without ever throwing from its loop.
 */
import type { Connection, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { setMaxListeners } from 'node:events'
import type { Logger } from 'pino'
import type { MeshConfig } from '../config/index.js'
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../net/backoff.js'
import type { Libp2pSurface, NodeIdentity, Service } from '../node/ports.js'
import {
  MAX_BACKOFF_ENTRIES,
  MAX_PARALLEL_DIALS,
  MEMBER_TAG,
  PEER_MANAGER_INTERVAL_MS,
  PROBE_EVERY_ROUNDS,
  PRUNE_GRACE_MS,
  REMEMBERED_LIMIT,
  REMEMBERED_RELOAD_MS,
} from './constants.js'
import { planDials, planPrunes } from './selection.js'

/** The member table as the manager reads it (Membership's `memberView()`). */
export interface MemberDirectory {
  memberView(): Iterable<Readonly<{ id: string; status: string }>>
}

export interface PeerManagerComponents {
  identity: Pick<NodeIdentity, 'peerId'>
  libp2p: Pick<
    Libp2pSurface,
    'dial' | 'hangUp' | 'getConnections' | 'peerStore' | 'addEventListener' | 'removeEventListener'
  >
  members: MemberDirectory
  /** Read every round, so a CONFIG advice or a reload changes the numbers live. */
  liveConfig: {
    readonly config: Readonly<Pick<MeshConfig, 'targetPeers' | 'maxPeers' | 'timeoutMs'>>
  }
  logger?: Logger
}

export interface PeerManagerInit {
  /** Time between rounds, ms. */
  intervalMs?: number
  /** Connections younger than this are never pruned, ms. */
  pruneGraceMs?: number
  maxParallelDials?: number
  /** Peers read from the peer store at start (and while alone). */
  rememberedLimit?: number
  rememberedReloadMs?: number
  /** One not-alive member is probed every this many rounds. */
  probeEveryRounds?: number
  backoff?: BackoffOptions
  random?: () => number
  now?: () => number
}

export interface PeerManagerStats {
  /** Peers with an open connection. */
  connections: number
  targetPeers: number
  maxPeers: number
  dialing: number
  dials: number
  dialFailures: number
  /** Connections this manager hung up because there were more than `maxPeers`. */
  pruned: number
  /** Peers from the peer store the last time it was read. */
  remembered: number
  /** Peers waiting out a backoff before the next dial. */
  backingOff: number
  rounds: number
}

interface Backoff {
  failures: number
  until: number
}

export class PeerManager implements Service {
  private readonly components: PeerManagerComponents
  private readonly intervalMs: number
  private readonly pruneGraceMs: number
  private readonly maxParallelDials: number
  private readonly rememberedLimit: number
  private readonly rememberedReloadMs: number
  private readonly probeEveryRounds: number
  private readonly backoff: BackoffOptions
  private readonly random: () => number
  private readonly now: () => number
  private readonly log: Logger | undefined
  private controller: AbortController | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private wakeTimer: ReturnType<typeof setTimeout> | undefined
  private running: Promise<void> | undefined
  /** A wake came while a round ran: run another once it is over. */
  private rerun = false
  private readonly dialing = new Set<string>()
  private readonly backoffs = new Map<string, Backoff>()
  private remembered: string[] = []
  private rememberedAt: number | undefined
  private readonly counters = { dials: 0, dialFailures: 0, pruned: 0, rounds: 0 }

  constructor(components: PeerManagerComponents, init: PeerManagerInit = {}) {
    this.components = components
    this.intervalMs = init.intervalMs ?? PEER_MANAGER_INTERVAL_MS
    this.pruneGraceMs = init.pruneGraceMs ?? PRUNE_GRACE_MS
    this.maxParallelDials = init.maxParallelDials ?? MAX_PARALLEL_DIALS
    this.rememberedLimit = init.rememberedLimit ?? REMEMBERED_LIMIT
    this.rememberedReloadMs = init.rememberedReloadMs ?? REMEMBERED_RELOAD_MS
    this.probeEveryRounds = init.probeEveryRounds ?? PROBE_EVERY_ROUNDS
    this.backoff = init.backoff ?? DEFAULT_BACKOFF
    this.random = init.random ?? Math.random
    this.now = init.now ?? Date.now
    this.log = components.logger?.child({ component: 'peer-manager' })
  }

  async start(): Promise<void> {
    if (this.controller !== undefined) return
    this.controller = new AbortController()
    const { signal } = this.controller
    // Every dial and peer store call listens to it for as long as it lasts: many at once is normal.
    setMaxListeners(Infinity, signal)
    this.components.libp2p.addEventListener('peer:disconnect', this.onDisconnect, { signal })
    this.components.libp2p.addEventListener('peer:connect', this.onConnect, { signal })
    this.schedule(0)
  }

  async stop(): Promise<void> {
    if (this.controller === undefined) return
    this.controller.abort()
    this.controller = undefined
    clearTimeout(this.timer)
    clearTimeout(this.wakeTimer)
    this.timer = undefined
    this.wakeTimer = undefined
    await this.running
  }

  /** True while the node has no connection at all: bootstrap peers are then worth redialing. */
  isAlone(): boolean {
    return this.components.libp2p.getConnections().length === 0
  }

  /** True while there are fewer connections than the target (discovery dials are welcome). */
  belowTarget(): boolean {
    const { targetPeers, maxPeers } = this.components.liveConfig.config
    return this.openPeers().size < Math.min(targetPeers, maxPeers)
  }

  stats(): PeerManagerStats {
    const { targetPeers, maxPeers } = this.components.liveConfig.config
    const now = this.now()
    let backingOff = 0
    for (const entry of this.backoffs.values()) if (entry.until > now) backingOff++
    return {
      connections: this.openPeers().size,
      targetPeers,
      maxPeers,
      dialing: this.dialing.size,
      ...this.counters,
      remembered: this.remembered.length,
      backingOff,
    }
  }

  /** Runs a round now (tests, and after a disconnect); resolves when it is over. */
  async runRound(): Promise<void> {
    if (this.controller === undefined) return
    if (this.running !== undefined) {
      this.rerun = true
      return await this.running
    }
    this.running = this.round().finally(() => {
      this.running = undefined
      if (this.rerun) {
        this.rerun = false
        this.wake()
      }
    })
    await this.running
  }

  private schedule(delayMs: number): void {
    if (this.controller === undefined) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.runRound().finally(() => this.schedule(this.intervalMs))
    }, delayMs)
  }

  /** A round soon, at most one pending: many disconnects at once make one round. */
  private wake(): void {
    if (this.controller === undefined || this.wakeTimer !== undefined) return
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined
      void this.runRound()
    }, 0)
  }

  private async round(): Promise<void> {
    const signal = this.controller?.signal
    if (signal === undefined) return
    try {
      this.counters.rounds++
      const now = this.now()
      const { targetPeers, maxPeers, timeoutMs } = this.components.liveConfig.config
      const open = this.openPeers()
      if (
        this.rememberedAt === undefined ||
        (open.size === 0 && now - this.rememberedAt >= this.rememberedReloadMs)
      ) {
        await this.loadRemembered(signal)
      }
      if (signal.aborted) return
      const alive: string[] = []
      const notAlive: string[] = []
      for (const member of this.components.members.memberView()) {
        // A member that announced its leave (status `left`, DESIGN §13) is not dialed.
        if (member.status === 'left') continue
        ;(member.status === 'alive' ? alive : notAlive).push(member.id)
      }
      const plan = planDials(
        {
          self: this.components.identity.peerId,
          connected: new Set(open.keys()),
          dialing: this.dialing,
          alive,
          notAlive,
          remembered: this.remembered,
          target: Math.min(targetPeers, maxPeers),
          max: maxPeers,
          maxParallel: this.maxParallelDials,
          probe: this.counters.rounds % this.probeEveryRounds === 0,
          backingOff: (peerId) => (this.backoffs.get(peerId)?.until ?? 0) > now,
        },
        this.random,
      )
      for (const peerId of plan.dial) void this.dial(peerId, timeoutMs, signal)
      const aliveSet = new Set(alive)
      const prunes = planPrunes(
        {
          peers: [...open].map(([peerId, openedAt]) => ({
            peerId,
            openedAt,
            alive: aliveSet.has(peerId),
          })),
          max: maxPeers,
          graceMs: this.pruneGraceMs,
          now,
        },
        this.random,
      )
      for (const peerId of prunes) void this.prune(peerId, timeoutMs, signal)
    } catch (err) {
      if (!signal.aborted) this.log?.warn({ err }, 'peer manager round failed')
    }
  }

  /** Peer id → when its oldest open connection opened. */
  private openPeers(): Map<string, number> {
    const open = new Map<string, number>()
    for (const connection of this.components.libp2p.getConnections() as Connection[]) {
      if (connection.status !== 'open') continue
      const peerId = connection.remotePeer.toString()
      const at = connection.timeline.open
      const seen = open.get(peerId)
      if (seen === undefined || at < seen) open.set(peerId, at)
    }
    return open
  }

  /**
   * Members remembered in the peer store: peers with addresses whose record came in a member's
   * heartbeat (PeerRecords tags them). Not every peer the store knows: a forger that once
   * dialed us is not one we dial back.
   */
  private async loadRemembered(signal: AbortSignal): Promise<void> {
    this.rememberedAt = this.now()
    const self = this.components.identity.peerId
    try {
      const peers = await this.components.libp2p.peerStore.all({
        filters: [
          (peer) =>
            peer.tags.has(MEMBER_TAG) && peer.addresses.length > 0 && peer.id.toString() !== self,
        ],
        limit: this.rememberedLimit,
        signal,
      })
      this.remembered = peers.map((peer) => peer.id.toString())
      if (this.remembered.length > 0) {
        this.log?.debug(
          { remembered: this.remembered.length },
          'peers remembered in the peer store',
        )
      }
    } catch (err) {
      if (!signal.aborted) this.log?.warn({ err }, 'peer store not read')
    }
  }

  private async dial(peerId: string, timeoutMs: number, stop: AbortSignal): Promise<void> {
    this.dialing.add(peerId)
    this.counters.dials++
    try {
      const signal = AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)])
      await this.components.libp2p.dial(peerIdFromString(peerId), { signal })
      this.backoffs.delete(peerId)
      this.log?.debug({ peerId }, 'connected')
    } catch (err) {
      if (stop.aborted) return
      this.counters.dialFailures++
      const failures = (this.backoffs.get(peerId)?.failures ?? 0) + 1
      const retryInMs = backoffDelay(failures - 1, this.backoff, this.random)
      this.setBackoff(peerId, { failures, until: this.now() + retryInMs })
      this.log?.debug({ peerId, failures, retryInMs, err }, 'dial failed')
    } finally {
      this.dialing.delete(peerId)
    }
  }

  private async prune(peerId: string, timeoutMs: number, stop: AbortSignal): Promise<void> {
    // Not redialed before the grace period is over: it was pruned for a reason.
    this.setBackoff(peerId, { failures: 0, until: this.now() + this.pruneGraceMs })
    try {
      const signal = AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)])
      await this.components.libp2p.hangUp(peerIdFromString(peerId), { signal })
      this.counters.pruned++
      this.log?.debug({ peerId }, 'pruned: more connections than maxPeers')
    } catch (err) {
      if (!stop.aborted) this.log?.debug({ peerId, err }, 'hang-up failed')
    }
  }

  /** Bounded: expired entries go first, then the oldest. */
  private setBackoff(peerId: string, entry: Backoff): void {
    this.backoffs.delete(peerId)
    this.backoffs.set(peerId, entry)
    if (this.backoffs.size <= MAX_BACKOFF_ENTRIES) return
    const now = this.now()
    for (const [id, other] of this.backoffs) {
      if (other.until <= now && other.failures === 0) this.backoffs.delete(id)
    }
    for (const id of this.backoffs.keys()) {
      if (this.backoffs.size <= MAX_BACKOFF_ENTRIES) break
      this.backoffs.delete(id)
    }
  }

  private readonly onDisconnect = (event: CustomEvent<PeerId>): void => {
    const peerId = event.detail.toString()
    // The peer may have hung up on us (it prunes too): not redialed at once.
    const previous = this.backoffs.get(peerId)
    const until = this.now() + backoffDelay(0, this.backoff, this.random)
    if (previous === undefined || previous.until < until) {
      this.setBackoff(peerId, { failures: previous?.failures ?? 0, until })
    }
    this.wake()
  }

  private readonly onConnect = (): void => {
    // Over maxPeers now? Prune in a round soon rather than at the next interval.
    if (this.openPeers().size > this.components.liveConfig.config.maxPeers) this.wake()
  }
}

/** Service factory: `peerManager(init)(components)`. */
export function peerManager(
  init: PeerManagerInit = {},
): (components: PeerManagerComponents) => PeerManager {
  return (components) => new PeerManager(components, init)
}
