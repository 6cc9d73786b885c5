/**
 * Keeps this node connected to its bootstrap peers: dials each one when libp2p has started
 * and, while it is not connected, redials with capped exponential backoff (forever, at most
 * every `backoff.maxMs`). A bootstrap peer that disconnects is redialed the same way.
 * Failures are logged, never thrown. @libp2p/bootstrap is not used: it is not installed, and
 * it only tags peers for discovery rather than keeping them connected.
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
    for (const entry of this.entries) this.schedule(entry, 0)
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

  private schedule(entry: Entry, delayMs: number): void {
    if (this.controller == null || entry.timer != null || entry.dialing) return
    entry.timer = setTimeout(() => {
      entry.timer = undefined
      void this.dial(entry)
    }, delayMs)
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
    const peer = evt.detail.toString()
    for (const entry of this.entries) {
      const id = entry.peerId?.toString() ?? entry.expectedPeerId
      if (id === peer && !this.isConnected(entry)) {
        this.log.debug({ addr: entry.addr.toString() }, 'bootstrap peer disconnected; redialing')
        this.schedule(entry, backoffDelay(0, this.backoff, this.random))
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
