/**
 * In-process meshes with membership and roles on every node: real MeshNodes (TCP on
 * 127.0.0.1 or the memory transport), fast timings, and a cleanup that stops services before
 * their nodes.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { MeshConfig } from '../../src/config/index.js'
import { Membership, type MembershipInit } from '../../src/membership/index.js'
import { PartitionGater, type PartitionTable } from '../../src/net/index.js'
import type { MeshPeer as MeshNode } from '../../src/peer/mesh-peer.js'
import {
  MemoryRoleStateStore,
  RoleManager,
  type RoleManagerInit,
  type RoleStateStore,
} from '../../src/roles/index.js'
import { MeshFixture, connect, subscribersOf } from './mesh.js'
import { coreOf } from './stub-node.js'
import { until } from './until.js'

/** Timings of the role tests: dead after 4.5 intervals (≈ 0.7 s). */
export const ROLE_TEST_CONFIG: Partial<MeshConfig> = {
  heartbeatIntervalMs: 150,
  suspectAfter: 2,
  deadAfter: 4,
  maxWeight: 100,
}

export interface RoleNodeOptions {
  weight?: number
  config?: Partial<MeshConfig>
  store?: RoleStateStore
  privateKey?: PrivateKey
  /** Put the node behind a PartitionGater over this shared table. */
  partitions?: PartitionTable
  transport?: 'tcp' | 'memory'
  /** Start membership and roles at once (default true). */
  startServices?: boolean
  roles?: RoleManagerInit
  membership?: MembershipInit
}

export interface RoleNode {
  node: MeshNode
  membership: Membership
  roles: RoleManager
  store: RoleStateStore
  privateKey: PrivateKey
  peerId: string
  weight: number
  gater: PartitionGater | undefined
}

export class RolesFixture {
  readonly all: RoleNode[] = []
  private readonly mesh = new MeshFixture()

  async create(options: RoleNodeOptions = {}): Promise<RoleNode> {
    const privateKey = options.privateKey ?? (await generateKeyPair('Ed25519'))
    const peerId = peerIdFromPrivateKey(privateKey).toString()
    const gater =
      options.partitions === undefined
        ? undefined
        : new PartitionGater({ self: peerId, table: options.partitions })
    const weight = options.weight ?? 1
    const node = await this.mesh.node(
      { ...ROLE_TEST_CONFIG, weight, ...options.config },
      {
        privateKey,
        transport: options.transport ?? 'tcp',
        ...(gater !== undefined ? { libp2p: { connectionGater: gater } } : {}),
      },
    )
    const store = options.store ?? new MemoryRoleStateStore()
    const membership = new Membership(coreOf(node), options.membership)
    const roles = new RoleManager({ ...coreOf(node), membership, store }, options.roles)
    const roleNode: RoleNode = {
      node,
      membership,
      roles,
      store,
      privateKey,
      peerId,
      weight,
      gater,
    }
    this.all.push(roleNode)
    if (options.startServices ?? true) await startServices(roleNode)
    return roleNode
  }

  /** Stops a node's services, then the node: to its peers, the node is gone. */
  async stop(roleNode: RoleNode): Promise<void> {
    await stopServices(roleNode)
    await roleNode.node.stop()
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all.splice(0).map(stopServices))
    await this.mesh.stopAll()
  }
}

export async function startServices(roleNode: RoleNode): Promise<void> {
  await roleNode.membership.start()
  await roleNode.roles.start()
}

export async function stopServices(roleNode: RoleNode): Promise<void> {
  await roleNode.roles.stop()
  await roleNode.membership.stop()
}

/** Dials every pair (in parallel) and waits until each node sees all others on the control topic. */
export async function fullMesh(nodes: readonly RoleNode[], timeout = 10_000): Promise<void> {
  const dials: Array<Promise<void>> = []
  for (let i = 0; i < nodes.length; i++)
    for (let j = i + 1; j < nodes.length; j++) dials.push(connect(nodes[i]!.node, nodes[j]!.node))
  await Promise.all(dials)
  await until(() => nodes.every((n) => controlPeers(n) >= nodes.length - 1), {
    timeout,
    message: 'full mesh on the control topic',
  })
}

export function controlPeers(roleNode: RoleNode): number {
  return subscribersOf(roleNode.node, roleNode.node.topics.control).length
}

/** The one principal all `nodes` agree on, or undefined while they disagree (or have none). */
export function agreedPrincipal(nodes: readonly RoleNode[]): string | undefined {
  const views = new Set(nodes.map((n) => n.roles.principal))
  if (views.size !== 1) return undefined
  return [...views][0] ?? undefined
}

/** Waits until every node of `nodes` names `expected` (a RoleNode) as principal. */
export async function untilPrincipal(
  nodes: readonly RoleNode[],
  expected: RoleNode,
  timeout = 5_000,
): Promise<void> {
  await until(() => agreedPrincipal(nodes) === expected.peerId, {
    timeout,
    message: `all ${nodes.length} nodes to follow the node of weight ${expected.weight}`,
  })
}

/** Who each node follows, by weight: for assertion messages. */
export function describeViews(nodes: readonly RoleNode[]): string {
  const weightOf = new Map(nodes.map((n) => [n.peerId, n.weight]))
  return nodes
    .map((n) => {
      const p = n.roles.principal
      return `${n.weight}→${p === null ? 'none' : (weightOf.get(p) ?? p.slice(-6))}@${n.roles.term}`
    })
    .join(' ')
}
