/**
 * The one place a simulation builds a node in this process: every in-process member and every
 * attacker (of both drivers) comes from `createSimNode`: a MeshPeer (the composition root).
 */
import type { PrivateKey } from '@libp2p/interface'
import type { Logger } from 'pino'
import type { MeshConfig } from '../config/index.js'
import type { DeliveredStore } from '../delivery/index.js'
import { MeshPeer, type MeshPeerInit } from '../peer/mesh-peer.js'
import type { RoleStateStore } from '../roles/index.js'

/** All the simulator uses of a node: whatever builds it must offer this surface. */
export type SimNode = Pick<
  MeshPeer,
  | 'peerId'
  | 'step'
  | 'topics'
  | 'isStarted'
  | 'connectedPeers'
  | 'broadcast'
  | 'send'
  | 'onMessage'
  | 'addEventListener'
  | 'roles'
  | 'advice'
  | 'observer'
  | 'libp2p'
  | 'start'
  | 'stop'
>

export interface SimNodeInit {
  config: MeshConfig
  /** The network key, when not the config's seed (an attacker given a mesh's key file). */
  networkKey?: Uint8Array
  /** Kept across restarts, as a daemon's key file would be. */
  privateKey?: PrivateKey
  transport: 'memory' | 'tcp'
  /** Connection gater (partitions) and the conditioned memory transport. */
  libp2p?: MeshPeerInit['libp2p']
  /** A member's role state, kept across restarts; absent for an attacker. */
  roleStore?: RoleStateStore
  /** What a member delivered, kept across restarts (a daemon's `delivered.json`). */
  deliveredStore?: DeliveredStore
  /** False for an attacker: a mesh member by its transport, not by its heartbeats. */
  membership?: boolean
  logger?: Logger
}

/** Builds (does not start) a node. */
export function createSimNode(init: SimNodeInit): SimNode {
  return new MeshPeer({
    config: init.config,
    transport: init.transport,
    ...(init.privateKey !== undefined ? { privateKey: init.privateKey } : {}),
    ...(init.networkKey !== undefined ? { networkKey: init.networkKey } : {}),
    ...(init.libp2p !== undefined ? { libp2p: init.libp2p } : {}),
    services: {
      ...(init.membership === false ? { membership: false } : {}),
      ...(init.roleStore !== undefined ? { roleStore: init.roleStore } : {}),
      ...(init.deliveredStore !== undefined ? { repair: { store: init.deliveredStore } } : {}),
    },
    ...(init.logger !== undefined ? { logger: init.logger } : {}),
  })
}
