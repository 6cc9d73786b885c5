/**
 * The services of one peer, built from the node's ports in the order they start: membership
 * (heartbeats), roles (reads membership), advice (reads both), observer (watches them all).
 */
import { AdviceService } from '../advice/index.js'
import { Membership } from '../membership/index.js'
import type { MeshNode, Service } from '../node/index.js'
import { MeshObserver } from '../observer/index.js'
import { peerManager, peerRecords, type PeerManager, type PeerRecords } from '../peers/index.js'
import { MemoryRoleStateStore, RoleManager } from '../roles/index.js'
import type { MeshPeerInit } from './types.js'

export interface PeerServices {
  members: Membership | undefined
  /** Signed peer records in heartbeats, and the peer manager (DESIGN §13). */
  peers: { records: PeerRecords; manager: PeerManager } | undefined
  roles: RoleManager | undefined
  advice: AdviceService | undefined
  observer: MeshObserver
  /** In start order; stopped in reverse. */
  ordered: Service[]
}

/** A part whose start/stop may be synchronous, as a Service. */
function asService(part: { start(): unknown; stop(): unknown }): Service {
  return {
    start: async () => {
      await part.start()
    },
    stop: async () => {
      await part.stop()
    },
  }
}

export function buildServices(node: MeshNode, init: MeshPeerInit): PeerServices {
  const logger = init.logger !== undefined ? { logger: init.logger } : {}
  const options = init.services ?? {}
  if (options.membership === false) {
    const observer = new MeshObserver({ node: observedNode(node, undefined, undefined), ...logger })
    return {
      members: undefined,
      peers: undefined,
      roles: undefined,
      advice: undefined,
      observer,
      ordered: [asService(observer)],
    }
  }
  const members = new Membership({
    node,
    ...logger,
    ...(options.version !== undefined ? { version: options.version } : {}),
    ...(node.config.nodeId !== undefined ? { metadata: { nodeId: node.config.nodeId } } : {}),
    peerRecord: () => records.current(),
  })
  // Our signed record rides our heartbeats and members' records land in the peer store; the
  // manager keeps `targetPeers` connections to random members. Bootstrap peers are redialed
  // only while alone, mDNS peers dialed only below the target.
  const records = peerRecords()({
    identity: node,
    privateKey: node.privateKey,
    libp2p: node.libp2p,
    heartbeats: members,
    ...logger,
  })
  const manager = peerManager()({
    identity: node,
    libp2p: node.libp2p,
    members,
    liveConfig: node,
    ...logger,
  })
  node.libp2p.services.bootstrapDialer.redialWhile(() => manager.isAlone())
  node.libp2p.services.discoveryDialer.dialWhile(() => manager.belowTarget())
  const roles = new RoleManager({
    node,
    membership: members,
    store: options.roleStore ?? new MemoryRoleStateStore(),
    ...logger,
  })
  const advice = new AdviceService({
    node,
    roles,
    members,
    ...(options.adviceStore !== undefined ? { store: options.adviceStore } : {}),
    ...(options.adviceAudit !== undefined ? { audit: options.adviceAudit } : {}),
    ...logger,
  })
  const observer = new MeshObserver({ node: observedNode(node, members, roles), ...logger })
  return {
    members,
    peers: { records, manager },
    roles,
    advice,
    observer,
    ordered: [
      records,
      manager,
      asService(members),
      asService(roles),
      asService(advice),
      asService(observer),
    ],
  }
}

/** The observer's view: the node's events and step, with the services it watches. */
function observedNode(
  node: MeshNode,
  members: Membership | undefined,
  roles: RoleManager | undefined,
): ConstructorParameters<typeof MeshObserver>[0]['node'] {
  return {
    get step() {
      return node.step
    },
    config: node.config,
    addEventListener: node.addEventListener.bind(node),
    removeEventListener: node.removeEventListener.bind(node),
    connectedPeers: () => node.connectedPeers(),
    get libp2p() {
      return node.libp2p
    },
    members,
    roles,
  }
}
