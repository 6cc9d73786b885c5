/**
 * Dials peers that a discovery source (mDNS) announces: libp2p 3 only adds them to the peer
 * store. Bounded: at most `concurrency` dials at once, a queue of `queueLimit` (mDNS repeats
 * itself, so dropping is harmless), no redial of a peer within `redialCooldownMs`, and every
 * dial has a timeout. Errors are logged, never thrown.
 *
 * Dials go out only while `dialWhile()` holds (always, by default): the peer manager (src/peers)
 * sets it to "below the target", so on a LAN of many daemons mDNS fills the gaps instead of
 * connecting every node to every other, which the manager would then prune.
 *
 * It listens to the sources' own `peer` events, not libp2p's `peer:discovery`: that one fires
 * only the first time the peer store hears of a peer, so a peer that left and came back would
 * never be redialed.
 */
import type {
  AbortOptions,
  ComponentLogger,
  Connection,
  PeerDiscovery,
  PeerId,
  PeerInfo,
  Startable,
} from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import {
  DIAL_TIMEOUT_MS,
  DISCOVERY_DIAL_CONCURRENCY,
  DISCOVERY_QUEUE_LIMIT,
  DISCOVERY_REDIAL_COOLDOWN_MS,
} from './constants.js'
import { errorText, netLogger, type NetLogger } from './log.js'
import { peerIdOf } from './peer-addr.js'

/** What the dialer uses of libp2p's components. */
export interface DiscoveryDialerComponents {
  peerId: PeerId
  logger: ComponentLogger
  connectionManager: {
    openConnection(target: PeerId | Multiaddr[], options?: AbortOptions): Promise<Connection>
    getConnections(peerId?: PeerId): Connection[]
  }
}

export interface DiscoveryDialerInit {
  /** Discovery sources to follow; read at start(), so it may be filled after construction. */
  sources: readonly PeerDiscovery[]
  dialTimeoutMs?: number
  concurrency?: number
  queueLimit?: number
  redialCooldownMs?: number
  logger?: NetLogger
}

export class DiscoveryDialer implements Startable {
  private readonly components: DiscoveryDialerComponents
  private readonly sources: readonly PeerDiscovery[]
  private readonly dialTimeoutMs: number
  private readonly concurrency: number
  private readonly queueLimit: number
  private readonly redialCooldownMs: number
  private readonly log: NetLogger
  /** Peers waiting for a dial slot, by peer id; a newer announcement replaces the older. */
  private readonly queue = new Map<string, PeerInfo>()
  /** When each peer was last dialed (ms since epoch), for the cooldown. */
  private readonly lastDial = new Map<string, number>()
  private inFlight = 0
  private controller: AbortController | undefined
  private dialCondition: () => boolean = () => true

  constructor(components: DiscoveryDialerComponents, init: DiscoveryDialerInit) {
    this.components = components
    this.sources = init.sources
    this.dialTimeoutMs = init.dialTimeoutMs ?? DIAL_TIMEOUT_MS
    this.concurrency = init.concurrency ?? DISCOVERY_DIAL_CONCURRENCY
    this.queueLimit = init.queueLimit ?? DISCOVERY_QUEUE_LIMIT
    this.redialCooldownMs = init.redialCooldownMs ?? DISCOVERY_REDIAL_COOLDOWN_MS
    this.log = netLogger('discovery', init.logger, components.logger)
  }

  readonly [Symbol.toStringTag] = 'patternmesh:discovery-dialer'

  start(): void {
    if (this.controller != null) return
    this.controller = new AbortController()
    for (const source of this.sources) source.addEventListener('peer', this.onPeer)
  }

  stop(): void {
    if (this.controller == null) return
    for (const source of this.sources) source.removeEventListener('peer', this.onPeer)
    this.controller.abort()
    this.controller = undefined
    this.queue.clear()
    this.lastDial.clear()
  }

  /** Dials discovered peers only while `condition()` holds (see the file's comment). */
  dialWhile(condition: () => boolean): void {
    this.dialCondition = condition
  }

  /** Dials in progress and peers waiting, for status output and tests. */
  pending(): { dialing: number; queued: number } {
    return { dialing: this.inFlight, queued: this.queue.size }
  }

  private readonly onPeer = (evt: CustomEvent<PeerInfo>): void => {
    const peer = evt.detail
    const id = peer.id.toString()
    if (this.controller == null || id === this.components.peerId.toString()) return
    if (!this.wanted()) return
    if (!this.queue.has(id) && this.queue.size >= this.queueLimit) {
      this.log.debug({ peer: id }, 'discovery queue full; dropping announcement')
      return
    }
    this.queue.set(id, peer)
    this.pump()
  }

  private wanted(): boolean {
    try {
      return this.dialCondition()
    } catch (err) {
      this.log.warn({ err: errorText(err) }, 'discovery dial condition failed; dialing')
      return true
    }
  }

  private pump(): void {
    const now = Date.now()
    for (const [id, peer] of this.queue) {
      if (this.inFlight >= this.concurrency) return
      if (!this.wanted()) {
        this.queue.clear()
        return
      }
      this.queue.delete(id)
      const last = this.lastDial.get(id)
      if (last != null && now - last < this.redialCooldownMs) continue
      if (this.components.connectionManager.getConnections(peer.id).length > 0) continue
      this.lastDial.set(id, now)
      void this.dial(peer)
    }
    this.forgetExpiredCooldowns(now)
  }

  private async dial(peer: PeerInfo): Promise<void> {
    const stopSignal = this.controller?.signal
    if (stopSignal == null) return
    this.inFlight += 1
    const target =
      peer.multiaddrs.length > 0
        ? peer.multiaddrs.map((addr) =>
            peerIdOf(addr) == null ? addr.encapsulate(`/p2p/${peer.id.toString()}`) : addr,
          )
        : peer.id
    try {
      const signal = AbortSignal.any([stopSignal, AbortSignal.timeout(this.dialTimeoutMs)])
      await this.components.connectionManager.openConnection(target, { signal })
      this.log.debug({ peer: peer.id.toString() }, 'connected to discovered peer')
    } catch (err) {
      if (!stopSignal.aborted) {
        this.log.warn(
          { peer: peer.id.toString(), err: errorText(err) },
          'dial of discovered peer failed',
        )
      }
    } finally {
      this.inFlight -= 1
      if (!stopSignal.aborted) this.pump()
    }
  }

  private forgetExpiredCooldowns(now: number): void {
    if (this.lastDial.size <= this.queueLimit * 4) return
    for (const [id, at] of this.lastDial) {
      if (now - at >= this.redialCooldownMs) this.lastDial.delete(id)
    }
  }
}

/** libp2p service factory. */
export function discoveryDialer(
  init: DiscoveryDialerInit,
): (components: DiscoveryDialerComponents) => DiscoveryDialer {
  return (components) => new DiscoveryDialer(components, init)
}
