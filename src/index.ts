/**
 * patternmesh as a library: `createMeshPeer()` builds a mesh member (the messaging core and
 * every service) that an application starts, sends through and listens to.
 *
 *   import { createMeshPeer } from 'patternmesh'
 *   const peer = createMeshPeer({ config: { seed: 'dev', listen: ['/ip4/127.0.0.1/tcp/0'] } })
 *   await peer.start()
 *   peer.onMessage((m) => console.log(Buffer.from(m.envelope.data).toString()))
 *   await peer.broadcast('hello mesh')
 */
import './compat.js'

export { createMeshPeer, type CreateMeshPeerInit } from './peer/create.js'
export { MeshPeer, type MeshPeerInit } from './peer/mesh-peer.js'
export { MeshNode } from './node/index.js'
export type {
  BroadcastReceipt,
  ControlFrame,
  ControlKind,
  ControlVerdict,
  FrameVerdictDetail,
  MeshMessage,
  MeshNodeEvents,
  MeshNodeInit,
  MeshNodeStats,
} from './node/index.js'
export {
  DEFAULT_CONFIG,
  loadConfig,
  mergeConfig,
  validateConfigLayer,
  validateMergedConfig,
  type MeshConfig,
} from './config/index.js'
export { PatternGenerator, parseNetworkKey, readNetworkKeyFile } from './pattern/index.js'
export {
  AdviceService,
  type Advice,
  type AdviceRequest,
  type AdviceResult,
  type AdviceView,
} from './advice/index.js'
export type { UpdateEvent, UpdateHandler } from './advice/apply.js'
export type { Member, MemberStatus } from './membership/index.js'
export type { Anomaly, AnomalyKind, NetworkMetrics } from './observer/index.js'
export type { RoleState } from './roles/index.js'
export * from './errors.js'
