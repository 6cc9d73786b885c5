/**
 * The peer allowlist (config `allowPeers`, DESIGN §16): when the list is not empty, only the
 * peers on it may connect. `AllowlistGater` is the libp2p ConnectionGater over it: a dial to
 * another peer is refused before any I/O (`denyDialPeer`, or a `/p2p/` address), and a
 * connection from or to one is refused as soon as the noise handshake has authenticated its
 * peer id (`deny*EncryptedConnection`), before the muxer and any protocol. The list is read
 * live on every decision, so a changed config holds for the next connection; closing the
 * connections already open is `closeDisallowed`.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { ConnectionGater, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { errorText } from './log.js'
import { peerIdOf } from './peer-addr.js'
import type { ConnectionCloser } from './partition-gater.js'

export type RefusalDirection = 'inbound' | 'outbound'

export interface AllowlistEvents {
  /** A dial or connection refused because the peer is not on the list. */
  'peer.refused': CustomEvent<{ peerId: string; direction: RefusalDirection }>
}

export interface AllowlistStats {
  /** Peers on the list; 0: everyone may connect. */
  listed: number
  /** Connections from peers not on the list, refused after their handshake. */
  refusedInbound: number
  /** Dials to (or connections made to) peers not on the list, refused. */
  refusedOutbound: number
  /** Open connections closed because the list changed. */
  closed: number
}

/**
 * The canonical (base58btc) string of each id of `list`: a peer id given in another encoding
 * (a CID) matches all the same. An entry that is not a peer id can match nobody and is kept
 * out (the config checks refuse it before it gets here).
 */
export function canonicalPeerIds(list: readonly string[]): ReadonlySet<string> {
  const ids = new Set<string>()
  for (const entry of list) {
    try {
      ids.add(peerIdFromString(entry).toString())
    } catch {
      // Not a peer id: allows no one.
    }
  }
  return ids
}

/** Pure decision: may `peer` connect, given the allowed ids (empty: everyone)? */
export function allowedByList(allowed: ReadonlySet<string>, peer: string): boolean {
  return allowed.size === 0 || allowed.has(peer)
}

export interface AllowlistGaterInit {
  /** The list as the config has it now (read on every decision); undefined or empty: all. */
  allowPeers: () => readonly string[] | undefined
}

/**
 * ConnectionGater refusing every peer not on the list, counting each refusal and announcing it
 * (`peer.refused`). The hooks are bound properties: libp2p passes some of them around unbound.
 */
export class AllowlistGater extends TypedEventEmitter<AllowlistEvents> implements ConnectionGater {
  private readonly init: AllowlistGaterInit
  /** The last list seen and its canonical set: rebuilt only when the config's array changes. */
  private source: readonly string[] | undefined
  private allowed: ReadonlySet<string> = new Set()
  private refusedInbound = 0
  private refusedOutbound = 0
  private closed = 0

  constructor(init: AllowlistGaterInit) {
    super()
    this.init = init
  }

  /** Whether `peer` may connect under the list as it is now. */
  allows(peer: PeerId | string): boolean {
    return allowedByList(this.current(), peer.toString())
  }

  stats(): AllowlistStats {
    return {
      listed: this.current().size,
      refusedInbound: this.refusedInbound,
      refusedOutbound: this.refusedOutbound,
      closed: this.closed,
    }
  }

  readonly denyDialPeer = (peerId: PeerId): boolean => this.refuse(peerId, 'outbound')

  readonly denyDialMultiaddr = (addr: Multiaddr): boolean => {
    const peer = peerIdOf(addr)
    return peer != null && this.refuse(peer, 'outbound')
  }

  readonly denyInboundEncryptedConnection = (peerId: PeerId): boolean =>
    this.refuse(peerId, 'inbound')

  readonly denyOutboundEncryptedConnection = (peerId: PeerId): boolean =>
    this.refuse(peerId, 'outbound')

  /**
   * Closes `node`'s open connections to peers the list no longer allows (the gater only stops
   * new ones). Resolves with the number closed; a close that fails is aborted instead.
   */
  async closeDisallowed(node: ConnectionCloser): Promise<number> {
    const refused = node.getConnections().filter((conn) => !this.allows(conn.remotePeer))
    this.closed += refused.length
    await Promise.all(
      refused.map(async (connection) => {
        try {
          await connection.close()
        } catch (err) {
          connection.abort(new Error(`not in allowPeers; close failed: ${errorText(err)}`))
        }
      }),
    )
    return refused.length
  }

  private refuse(peer: PeerId | string, direction: RefusalDirection): boolean {
    if (this.allows(peer)) return false
    if (direction === 'inbound') this.refusedInbound++
    else this.refusedOutbound++
    this.safeDispatchEvent('peer.refused', { detail: { peerId: peer.toString(), direction } })
    return true
  }

  private current(): ReadonlySet<string> {
    const list = this.init.allowPeers()
    if (list !== this.source) {
      this.source = list
      this.allowed = canonicalPeerIds(list ?? [])
    }
    return this.allowed
  }
}
