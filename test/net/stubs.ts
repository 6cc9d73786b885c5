/** Stub libp2p components for unit tests of the dialers (narrow interfaces, no I/O). */
import type {
  ComponentLogger,
  Connection,
  PeerDiscovery,
  PeerId,
  PeerInfo,
} from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { NetLogger } from '../../src/net/index.js'

export const silentLogger: NetLogger = { debug: () => {}, warn: () => {} }

/** Never used while `silentLogger` is passed as the init logger. */
export const unusedComponentLogger = {} as ComponentLogger

export interface DialCall {
  target: PeerId | Multiaddr | Multiaddr[]
  signal: AbortSignal | undefined
}

/**
 * A connection manager whose dials are answered by `answer` and whose open connections are
 * the peers in `connected`.
 */
export class StubConnectionManager {
  readonly calls: DialCall[] = []
  readonly connected = new Set<string>()
  answer: (call: DialCall) => Promise<PeerId> = async () => {
    throw new Error('unreachable')
  }

  async openConnection(
    target: PeerId | Multiaddr | Multiaddr[],
    options?: { signal?: AbortSignal },
  ): Promise<Connection> {
    const call = { target, signal: options?.signal }
    this.calls.push(call)
    const remotePeer = await this.answer(call)
    this.connected.add(remotePeer.toString())
    return { remotePeer } as Connection
  }

  getConnections(peerId?: PeerId): Connection[] {
    return peerId != null && this.connected.has(peerId.toString())
      ? [{ remotePeer: peerId } as Connection]
      : []
  }
}

/** libp2p's event target, reduced to `peer:disconnect`. */
export class StubEvents {
  private readonly listeners = new Set<(evt: CustomEvent<PeerId>) => void>()

  addEventListener(_type: 'peer:disconnect', listener: (evt: CustomEvent<PeerId>) => void): void {
    this.listeners.add(listener)
  }

  removeEventListener(
    _type: 'peer:disconnect',
    listener: (evt: CustomEvent<PeerId>) => void,
  ): void {
    this.listeners.delete(listener)
  }

  get listenerCount(): number {
    return this.listeners.size
  }

  disconnect(peer: PeerId): void {
    for (const listener of this.listeners)
      listener(new CustomEvent('peer:disconnect', { detail: peer }))
  }
}

/** A discovery source (like mDNS) whose announcements the test makes. */
export class StubDiscovery {
  private readonly listeners = new Set<(evt: CustomEvent<PeerInfo>) => void>()

  addEventListener(_type: 'peer', listener: (evt: CustomEvent<PeerInfo>) => void): void {
    this.listeners.add(listener)
  }

  removeEventListener(_type: 'peer', listener: (evt: CustomEvent<PeerInfo>) => void): void {
    this.listeners.delete(listener)
  }

  get listenerCount(): number {
    return this.listeners.size
  }

  announce(peer: PeerInfo): void {
    for (const listener of this.listeners) listener(new CustomEvent('peer', { detail: peer }))
  }

  asPeerDiscovery(): PeerDiscovery {
    return this as unknown as PeerDiscovery
  }
}
