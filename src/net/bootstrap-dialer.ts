/**
 * Dials this node's bootstrap peers when libp2p has started and, while one is not connected,
 * redials it with capped exponential backoff (at most every `backoff.maxMs`). A bootstrap peer
 * that disconnects is redialed the same way. Failures are logged, never thrown.
 *
 * Redials go out only while `redialWhile()` holds (always, by default). The peer manager
 * (src/peers) sets it to "no connection at all": a bootstrap address is a way in, never a
 * centre (DESIGN §12), so a node with other peers neither keeps its bootstrap peer connected
 * nor redials one that pruned it. When the last connection goes, every bootstrap peer not
 * connected is dialed again.
 *
 * @libp2p/bootstrap is not used: it only tags peers for discovery rather than dialing them.
 *
 * A libp2p service: libp2p calls start/afterStart/stop with the node.
 */
import type {
  AbortOptions,
  ComponentLogger,
  Connection,
  PeerId,
  Startable,
} from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js'
import { DIAL_TIMEOUT_MS } from './constants.js'
import { errorText, netLogger, type NetLogger } from './log.js'
import { peerIdOf } from './peer-addr.js'

/** What the dialer uses of libp2p's components. */
export interface BootstrapDialerComponents {
  peerId: PeerId
  logger: ComponentLogger
  connectionManager: {
    openConnection(target: Multiaddr, options?: AbortOptions): Promise<Connection>
    getConnections(peerId?: PeerId): Connection[]
  }
  events: {
    addEventListener(type: 'peer:disconnect', listener: (evt: CustomEvent<PeerId>) => void): void
    removeEventListener(type: 'peer:disconnect', listener: (evt: CustomEvent<PeerId>) => void): void
  }
}

export interface BootstrapDialerInit {
  peers: readonly Multiaddr[]
  dialTimeoutMs?: number
  backoff?: BackoffOptions
  logger?: NetLogger
  /** Source of jitter, [0, 1). */
  random?: () => number
}

/** One bootstrap peer as `status()` reports it. */
export interface BootstrapPeerStatus {
  addr: string
  /** From the address's `/p2p/` part, or learned on the first successful dial. */
  peerId: string | undefined
  connected: boolean
  /** Failed dials since the last success. */
  failures: number
}

interface Entry {
  addr: Multiaddr
  peerId: PeerId | undefined
  expectedPeerId: string | undefined
  failures: number
  dialing: boolean
  timer: ReturnType<typeof setTimeout> | undefined
}

export class BootstrapDialer implements Startable {
  private readonly components: BootstrapDialerComponents
  private readonly entries: Entry[]
  private readonly dialTimeoutMs: number
  private readonly backoff: BackoffOptions
  private readonly random: () => number
  private readonly log: NetLogger
  private controller: AbortController | undefined
  private redialCondition: () => boolean = () => true

  constructor(components: BootstrapDialerComponents, init: BootstrapDialerInit) {
    this.components = components
    this.dialTimeoutMs = init.dialTimeoutMs ?? DIAL_TIMEOUT_MS
    this.backoff = init.backoff ?? DEFAULT_BACKOFF
    this.random = init.random ?? Math.random
    this.log = netLogger('bootstrap', init.logger, components.logger)
    const self = components.peerId.toString()
    this.entries = init.peers
      .filter((addr) => peerIdOf(addr) !== self)
      .map((addr) => ({
        addr,
        peerId: undefined,
        expectedPeerId: peerIdOf(addr),
        failures: 0,
        dialing: false,
        timer: undefined,
      }))
  }

  readonly [Symbol.toStringTag] = 'patternmesh:bootstrap-dialer'

  start(): void {
    if (this.controller != null) return
    this.controller = new AbortController()
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
  }

  /** Dials once libp2p listens, so the peers can dial back. */
  afterStart(): void {
    for (const entry of this.entries) this.schedule(entry, 0, false)
  }

  stop(): void {
    if (this.controller == null) return
    this.controller.abort()
    this.controller = undefined
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
    for (const entry of this.entries) {
      clearTimeout(entry.timer)
      entry.timer = undefined
    }
  }

  /**
   * Redials (after a failure or a disconnect) only while `condition()` holds; the dials at
   * start always go out. Wired by the peer manager (see the file's comment).
   */
  redialWhile(condition: () => boolean): void {
    this.redialCondition = condition
  }

  status(): BootstrapPeerStatus[] {
    return this.entries.map((entry) => ({
      addr: entry.addr.toString(),
      peerId: entry.peerId?.toString() ?? entry.expectedPeerId,
      connected: this.isConnected(entry),
      failures: entry.failures,
    }))
  }

  private isConnected(entry: Entry): boolean {
    return (
      entry.peerId != null &&
      this.components.connectionManager.getConnections(entry.peerId).length > 0
    )
  }

  private schedule(entry: Entry, delayMs: number, redial = true): void {
    if (this.controller == null || entry.timer != null || entry.dialing) return
    entry.timer = setTimeout(() => {
      entry.timer = undefined
      // A redial the condition no longer wants leaves the entry idle until the node is alone.
      if (redial && !this.redialWhileSafe()) return
      void this.dial(entry)
    }, delayMs)
  }

  private redialWhileSafe(): boolean {
    try {
      return this.redialCondition()
    } catch (err) {
      this.log.warn({ err: errorText(err) }, 'bootstrap redial condition failed; redialing')
      return true
    }
  }

  private async dial(entry: Entry): Promise<void> {
    const stopSignal = this.controller?.signal
    if (stopSignal == null || this.isConnected(entry)) return
    entry.dialing = true
    let retryInMs: number | undefined
    try {
      const signal = AbortSignal.any([stopSignal, AbortSignal.timeout(this.dialTimeoutMs)])
      const connection = await this.components.connectionManager.openConnection(entry.addr, {
        signal,
      })
      entry.peerId = connection.remotePeer
      entry.failures = 0
      this.log.debug({ addr: entry.addr.toString() }, 'connected to bootstrap peer')
    } catch (err) {
      if (stopSignal.aborted) return
      entry.failures += 1
      retryInMs = backoffDelay(entry.failures - 1, this.backoff, this.random)
      this.log.warn(
        {
          addr: entry.addr.toString(),
          failures: entry.failures,
          retryInMs,
          err: errorText(err),
        },
        'bootstrap dial failed',
      )
    } finally {
      entry.dialing = false
    }
    if (retryInMs != null) this.schedule(entry, retryInMs)
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    if (!this.redialWhileSafe()) return
    const peer = evt.detail.toString()
    for (const entry of this.entries) {
      if (this.isConnected(entry)) continue
      const id = entry.peerId?.toString() ?? entry.expectedPeerId
      if (id === peer) {
        this.log.debug({ addr: entry.addr.toString() }, 'bootstrap peer disconnected; redialing')
        this.schedule(entry, backoffDelay(0, this.backoff, this.random))
      } else {
        // Idle since the condition stopped its retries; no-op while it has a timer or dial.
        this.schedule(
          entry,
          backoffDelay(Math.max(0, entry.failures - 1), this.backoff, this.random),
        )
      }
    }
  }
}

/** libp2p service factory: `services: { bootstrapDialer: bootstrapDialer({ peers }) }`. */
export function bootstrapDialer(
  init: BootstrapDialerInit,
): (components: BootstrapDialerComponents) => BootstrapDialer {
  return (components) => new BootstrapDialer(components, init)
}
