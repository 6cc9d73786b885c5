import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Logger } from 'pino'
import type { MeshConfig } from '../../config/index.js'
import { MemoryDeliveredStore } from '../../delivery/index.js'
import { PartitionGater, type PartitionTable } from '../../net/index.js'
import { MemoryRoleStateStore } from '../../roles/index.js'
import { createSimNode, type SimNode, type SimNodeInit } from '../sim-node.js'

export interface SimMemberInit {
  index: number
  name: string
  /** The node's config (listen address, weight, observer, …). */
  config: MeshConfig
  partitions: PartitionTable
  libp2p?: SimNodeInit['libp2p']
  logger?: Logger
}

/**
 * One simulated member: a real node with membership and roles, a stable identity and role
 * state across kill and restart (as a daemon with its data dir would have), behind a partition
 * gater over the simulation's shared table.
 */
export class SimMember {
  readonly index: number
  readonly name: string
  readonly config: MeshConfig
  private readonly init: SimMemberInit
  private readonly roleStore = new MemoryRoleStateStore()
  private readonly deliveredStore = new MemoryDeliveredStore()
  private privateKey: PrivateKey | undefined
  private peerId_ = ''
  private node_: SimNode | undefined
  startedAt = 0
  /**
   * In the gossip mesh: a peer knows it subscribes (the driver sets it after dialing). Only a
   * joined member is expected to receive traffic; a node that is still dialing cannot.
   */
  joined = false
  /**
   * When this member last changed the principal it names (local clock): the run takes the
   * mesh as formed at the last such change, not when its own polling timer got to look.
   */
  principalSince: number | undefined

  constructor(init: SimMemberInit) {
    this.init = init
    this.index = init.index
    this.name = init.name
    this.config = init.config
  }

  get peerId(): string {
    return this.peerId_
  }

  get node(): SimNode | undefined {
    return this.node_
  }

  get alive(): boolean {
    return this.node_?.isStarted === true
  }

  get observer(): boolean {
    return this.config.observer
  }

  async start(): Promise<SimNode> {
    this.privateKey ??= await generateKeyPair('Ed25519')
    this.peerId_ = peerIdFromPrivateKey(this.privateKey).toString()
    const gater = new PartitionGater({ self: this.peerId_, table: this.init.partitions })
    const node = createSimNode({
      config: this.config,
      privateKey: this.privateKey,
      transport: 'memory',
      libp2p: { ...this.init.libp2p, connectionGater: gater },
      roleStore: this.roleStore,
      deliveredStore: this.deliveredStore,
      ...(this.init.logger !== undefined ? { logger: this.init.logger } : {}),
    })
    this.principalSince = undefined
    node.roles?.addEventListener('roles.principal-changed', () => {
      this.principalSince = Date.now()
    })
    await node.start()
    this.node_ = node
    this.startedAt = Date.now()
    return node
  }

  /**
   * Stops the node as a crash would (no leaving heartbeat); its identity and role state stay,
   * as on disk.
   */
  async kill(): Promise<void> {
    const node = this.node_
    this.node_ = undefined
    this.joined = false
    await node?.stop({ leave: false })
  }

  address(): string {
    return this.config.listen[0]!
  }
}
