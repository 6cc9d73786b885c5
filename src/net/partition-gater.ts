/**
 * Network partitions for tests and simulations: peers are put in groups, and connections
 * between groups are refused. Peers not listed in any group are not partitioned (an observer
 * outside the groups still sees every side).
 *
 * `PartitionTable` holds the groups and decides (`allowed`, pure); `PartitionGater` is one
 * node's libp2p ConnectionGater over a table. Gaters of a whole simulated mesh can share one
 * table, so one `partition()` or `heal()` call moves every node.
 */
import type { Connection, ConnectionGater, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { InvalidPartitionError } from './errors.js'
import { errorText } from './log.js'
import { peerIdOf } from './peer-addr.js'

/** A peer id or its string form. */
export type PeerRef = PeerId | string

export type PeerGroups = ReadonlyArray<ReadonlyArray<PeerRef>>

/** Pure decision: may `a` and `b` connect, given each listed peer's group number? */
export function allowedByGroups(
  groupOf: ReadonlyMap<string, number>,
  a: string,
  b: string,
): boolean {
  if (a === b) return true
  const groupA = groupOf.get(a)
  const groupB = groupOf.get(b)
  return groupA == null || groupB == null || groupA === groupB
}

/** The groups in force; none after `heal()`. */
export class PartitionTable {
  private groupOf: ReadonlyMap<string, number> = new Map()

  /** Replaces the groups. Throws `InvalidPartitionError` if a peer is in two groups. */
  partition(groups: PeerGroups): void {
    const next = new Map<string, number>()
    groups.forEach((group, index) => {
      for (const peer of group) {
        const id = peer.toString()
        const previous = next.get(id)
        if (previous != null && previous !== index) {
          throw new InvalidPartitionError(`peer ${id} is in group ${previous} and group ${index}`)
        }
        next.set(id, index)
      }
    })
    this.groupOf = next
  }

  /** Lifts the partition: everyone may connect again. */
  heal(): void {
    this.groupOf = new Map()
  }

  get partitioned(): boolean {
    return this.groupOf.size > 0
  }

  allowed(a: PeerRef, b: PeerRef): boolean {
    return allowedByGroups(this.groupOf, a.toString(), b.toString())
  }
}

export interface PartitionGaterInit {
  /** The node this gater guards. */
  self: PeerRef
  /** Share one table between the gaters of a mesh; a new one if omitted. */
  table?: PartitionTable
  /** Groups to start with. */
  groups?: PeerGroups
}

/** What `closeCrossGroupConnections` needs of a node: `Libp2p` has it. */
export interface ConnectionCloser {
  peerId: PeerId
  getConnections(): Connection[]
}

/**
 * ConnectionGater refusing dials to and connections from peers in another group (outbound by
 * peer id or `/p2p/` address before dialing, both directions again once the remote peer is
 * authenticated). The hooks are bound properties: libp2p passes some of them around unbound.
 */
export class PartitionGater implements ConnectionGater {
  readonly table: PartitionTable
  private readonly self: string

  constructor(init: PartitionGaterInit) {
    this.self = init.self.toString()
    this.table = init.table ?? new PartitionTable()
    if (init.groups != null) this.table.partition(init.groups)
  }

  partition(groups: PeerGroups): void {
    this.table.partition(groups)
  }

  heal(): void {
    this.table.heal()
  }

  allowed(a: PeerRef, b: PeerRef): boolean {
    return this.table.allowed(a, b)
  }

  readonly denyDialPeer = (peerId: PeerId): boolean => !this.allowed(this.self, peerId)

  readonly denyDialMultiaddr = (addr: Multiaddr): boolean => {
    const peer = peerIdOf(addr)
    return peer != null && !this.allowed(this.self, peer)
  }

  readonly denyInboundEncryptedConnection = (peerId: PeerId): boolean =>
    !this.allowed(this.self, peerId)

  readonly denyOutboundEncryptedConnection = (peerId: PeerId): boolean =>
    !this.allowed(this.self, peerId)

  /**
   * Closes `node`'s open connections to peers now in another group (the gater only stops new
   * ones). Resolves with the number closed; a close that fails is aborted instead.
   */
  async closeCrossGroupConnections(node: ConnectionCloser): Promise<number> {
    const crossing = node
      .getConnections()
      .filter((connection) => !this.allowed(node.peerId, connection.remotePeer))
    await Promise.all(
      crossing.map(async (connection) => {
        try {
          await connection.close()
        } catch (err) {
          connection.abort(new Error(`partitioned; close failed: ${errorText(err)}`))
        }
      }),
    )
    return crossing.length
  }
}
