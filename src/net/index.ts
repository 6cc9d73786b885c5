/**
 * The libp2p layer of a MeshNode: create the node, dial with deadlines, pnet key files,
 * gossipsub scoring for mesh topics, and partitions for tests and simulations.
 */
export {
  createMeshLibp2p,
  meshGossipsubOptions,
  type MeshLibp2p,
  type MeshLibp2pInit,
  type MeshPubSub,
  type MeshServices,
  type MeshTransport,
} from './create-libp2p.js'
export * from './constants.js'
export { dialWithTimeout, type DialAddress, type Dialer } from './dial.js'
export {
  DialFailedError,
  DialTimeoutError,
  InvalidPartitionError,
  InvalidPskError,
  InvalidScoreParamsError,
} from './errors.js'
export { generatePskFile, parsePskFile, PSK_ENCODING, PSK_HEADER, PSK_KEY_BYTES } from './psk.js'
export {
  AllowlistGater,
  allowedByList,
  canonicalPeerIds,
  type AllowlistEvents,
  type AllowlistGaterInit,
  type AllowlistStats,
  type RefusalDirection,
} from './allowlist-gater.js'
export { composeGaters } from './compose-gaters.js'
export {
  allowedByGroups,
  PartitionGater,
  PartitionTable,
  type ConnectionCloser,
  type PartitionGaterInit,
  type PeerGroups,
  type PeerRef,
} from './partition-gater.js'
export {
  decayFor,
  MESH_PEER_SCORE_DEFAULTS,
  MESH_TOPIC_SCORE_DEFAULTS,
  meshScoreParams,
  SCORE_DECAY_INTERVAL_MS,
  type MeshScoreOverrides,
} from './score-params.js'
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js'
export {
  BootstrapDialer,
  bootstrapDialer,
  type BootstrapDialerComponents,
  type BootstrapDialerInit,
  type BootstrapPeerStatus,
} from './bootstrap-dialer.js'
export {
  DiscoveryDialer,
  discoveryDialer,
  type DiscoveryDialerComponents,
  type DiscoveryDialerInit,
} from './discovery-dialer.js'
export { fastMsgId } from './fast-msg-id.js'
export type { NetLogger } from './log.js'
export { congestedStream, waitForOutboundCapacity } from './outbound-pressure.js'
export { bindAppScore, type AppScoreSource } from './app-score.js'
