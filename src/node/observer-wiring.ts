/**
 * Builds and starts the observer and the anomaly report service over a started MeshNode: the
 * wiring the composition root (src/peer/mesh-peer.ts) takes over. Both services get narrow
 * components (ports and event sources); only this file knows they come from one MeshNode.
 */
import type { Logger } from 'pino'
import { MeshObserver } from '../observer/mesh-observer.js'
import type { MemberSource, RoleSource } from '../observer/sources.js'
import { AnomalyReportService, controlEventIntake } from '../observer/anomaly-reports/index.js'
import { ReplayGuard } from '../protocol/index.js'
import type { MeshNode } from './mesh-node.js'
import { ReceivePipeline } from './receive-pipeline.js'

export interface ObserverServices {
  observer: MeshObserver
  reports: AnomalyReportService
}

export async function startObserverServices(
  node: MeshNode,
  parts: {
    members?: MemberSource | undefined
    roles?: RoleSource | undefined
    logger?: Logger | undefined
  },
): Promise<ObserverServices> {
  const logger = parts.logger !== undefined ? { logger: parts.logger } : {}
  const observer = new MeshObserver({
    identity: node,
    liveConfig: node,
    verdicts: node,
    connections: node,
    ...(parts.members !== undefined ? { members: parts.members } : {}),
    ...(parts.roles !== undefined ? { roles: parts.roles } : {}),
    pubsub: node.libp2p.services.pubsub,
    ...logger,
  })
  await observer.start()
  const reports = new AnomalyReportService({
    identity: node,
    control: {
      sendControl: async (kind, data) => await node.sendControl(kind, data),
      // Until the node dispatches control kinds itself (ControlChannel.handleControl).
      handleControl: controlEventIntake(node),
    },
    verdicts: node,
    // The receive checks again, minus what one message cannot prove: an empty replay memory
    // and no step window (observer/anomaly-reports/provable.ts says which codes a report may claim).
    reverify: (message) =>
      new ReceivePipeline({
        generator: node.generator,
        replayGuard: new ReplayGuard({ maxSenders: 4, window: 32 }),
        topics: node.topics,
        localStep: () => node.step,
        stepWindow: () => Number.POSITIVE_INFINITY,
        maxFrameBytes: node.config.maxFrameBytes,
      }).validate(message.topic, message.from, message.data).frames,
    sink: observer.sink,
    ...logger,
  })
  await reports.start()
  return { observer, reports }
}
