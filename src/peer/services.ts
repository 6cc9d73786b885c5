/**
 * The services of one peer, built from the node's ports in the order they start: membership
 * (heartbeats), roles (reads membership), advice (reads both), observer (watches them all).
 */
import { AdviceService } from '../advice/index.js'
import { Membership } from '../membership/index.js'
import type { MeshNode, Service } from '../node/index.js'
import { MeshObserver } from '../observer/index.js'
import { MemoryRoleStateStore, RoleManager } from '../roles/index.js'
import { openStepFrame } from '../sync/step-frames.js'
import type { MeshPeerInit } from './types.js'

export interface PeerServices {
  members: Membership | undefined
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
      roles: undefined,
      advice: undefined,
      observer,
      ordered: [asService(observer)],
    }
  }
  const core = { identity: node, control: node, liveConfig: node, events: node, ...logger }
  const members = new Membership(
    {
      ...core,
      exchange: {
        libp2p: node.libp2p,
        frames: {
          seal: (data) => node.sealStepFrame(data),
          open: (frame, peerId, maxBytes) =>
            openStepFrame(frame, peerId, {
              generator: node.generator,
              localStep: node.step,
              maxFrameBytes: maxBytes,
            })?.data,
        },
      },
    },
    {
      ...(options.version !== undefined ? { version: options.version } : {}),
      ...(node.config.nodeId !== undefined ? { metadata: { nodeId: node.config.nodeId } } : {}),
    },
  )
  const roles = new RoleManager({
    ...core,
    membership: members,
    store: options.roleStore ?? new MemoryRoleStateStore(),
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
    roles,
    advice,
    observer,
    ordered: [asService(members), asService(roles), asService(advice), asService(observer)],
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
