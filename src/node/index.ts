export { MeshNode } from './mesh-node.js'
export type { MeshNodeInit, MeshNodeStats, ReceivedGossip } from './types.js'
export type * from './ports.js'
export type { FrameVerdictDetail, MeshMessage, MeshNodeEvents } from './events.js'
export { meshTopics, type MeshTopics } from './topics.js'
export {
  OutboundBatcher,
  type OutboundBatcherInit,
  type OutboundStats,
} from './outbound-batcher.js'
export { ReceivePipeline, type GossipVerdict } from './receive-pipeline.js'
