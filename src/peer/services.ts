/**
 * The services of one peer, built from the node's ports in the order they start: membership
 * (heartbeats), roles (reads membership), advice (reads both), observer (watches them all).
 */
import { AdviceService } from '../advice/index.js'
import {
  directMessaging,
  messageLog,
  type DirectMessaging,
  type MessageLog,
} from '../direct/index.js'
import { heldKeyIds, keyring, type KeyringService } from '../keyring/index.js'
import { RepairService } from '../delivery/index.js'
import { Membership } from '../membership/index.js'
import type { MeshNode, Service } from '../node/index.js'
import { MeshObserver } from '../observer/index.js'
import { anomalyReports, type AnomalyReportService } from '../observer/anomaly-reports/index.js'
import { ReplayGuard } from '../protocol/index.js'
import { ReceivePipeline } from '../node/receive-pipeline.js'
import { peerManager, peerRecords, type PeerManager, type PeerRecords } from '../peers/index.js'
import { MemoryRoleStateStore, RoleManager } from '../roles/index.js'
import { openStepFrame } from '../sync/step-frames.js'
import type { MeshPeerInit } from './types.js'

export interface PeerServices {
  members: Membership | undefined
  /** Signed peer records in heartbeats, and the peer manager (DESIGN §13). */
  peers: { records: PeerRecords; manager: PeerManager } | undefined
  roles: RoleManager | undefined
  advice: AdviceService | undefined
  observer: MeshObserver
  /** Anomaly reports with evidence, to and from the mesh (DESIGN §14). */
  reports: AnomalyReportService
  /** The network keys: install, use, remove, propagated to members (DESIGN §16). */
  keyring: KeyringService
  /** The log of delivered messages (`GET /v1/messages`, DESIGN §15). */
  log: MessageLog
  /** Directed and routed messages, receipts of acknowledged broadcasts (DESIGN §15). */
  direct: DirectMessaging
  /** Retention, dedup and repair of data frames (DESIGN §15). */
  delivery: RepairService
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

/**
 * The message log and the delivery service, started in one synchronous step: the log listens
 * before the delivery tap dedups, so no frame is recorded as delivered (never to come again)
 * that the log missed. Both start() add their listeners before their first await.
 */
function startedTogether(log: Service, delivery: Service): Service {
  return {
    start: async () => {
      const logged = log.start()
      try {
        await Promise.all([logged, delivery.start()])
      } catch (err) {
        await delivery.stop()
        await log.stop()
        throw err
      }
    },
    stop: async () => {
      await delivery.stop()
      await log.stop()
    },
  }
}

export function buildServices(node: MeshNode, init: MeshPeerInit): PeerServices {
  const logger = init.logger !== undefined ? { logger: init.logger } : {}
  const options = init.services ?? {}
  // First of all, so that no frame accepted once the services run escapes retention.
  const delivery = new RepairService(
    {
      identity: node,
      liveConfig: node,
      events: node,
      libp2p: node.libp2p,
      delivery: node.router,
      ...logger,
    },
    options.repair,
  )
  if (options.membership === false) {
    const { observer, reports } = observerServices(node, undefined, undefined, init)
    const keys = keyringService(node, undefined, init)
    const { log, direct } = deliveryServices(node, undefined, undefined, init)
    return {
      members: undefined,
      peers: undefined,
      roles: undefined,
      advice: undefined,
      observer,
      reports,
      keyring: keys,
      log,
      direct,
      delivery,
      ordered: [keys, startedTogether(log, delivery), observer, reports, direct],
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
      peerRecord: () => records.current(),
      keyring: () => heldKeyIds(node.generator),
    },
  )
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
  const { observer, reports } = observerServices(node, members, roles, init)
  const keys = keyringService(node, members, init)
  const { log, direct } = deliveryServices(node, members, roles, init)
  return {
    members,
    peers: { records, manager },
    roles,
    advice,
    observer,
    reports,
    keyring: keys,
    log,
    direct,
    delivery,
    ordered: [
      keys,
      startedTogether(log, delivery),
      records,
      manager,
      asService(members),
      asService(roles),
      asService(advice),
      observer,
      reports,
      direct,
    ],
  }
}

/**
 * The message log (every delivered message, from the node's events) and directed messages
 * (the member table and principal route them; delivered ones and their verdicts go out as the
 * node's own events, so handlers, the log and the observer see them like gossiped ones).
 */
function deliveryServices(
  node: MeshNode,
  members: Membership | undefined,
  roles: RoleManager | undefined,
  init: MeshPeerInit,
): { log: MessageLog; direct: DirectMessaging } {
  const log = messageLog()({ events: node, liveConfig: node })
  const direct = directMessaging()({
    identity: node,
    liveConfig: node,
    events: node,
    libp2p: node.libp2p,
    generator: node.generator,
    ...(members !== undefined ? { members } : {}),
    ...(roles !== undefined ? { roles } : {}),
    broadcast: async (data) => await node.broadcast(data),
    emit: (type, detail) => node.safeDispatchEvent(type, { detail }),
    ...(init.logger !== undefined ? { logger: init.logger } : {}),
  })
  return { log, direct }
}

/**
 * The observer (detectors feeding one anomaly reporter) and the anomaly reports it takes from
 * the mesh: both on narrow ports of the node, the reports' believed findings into the
 * observer's reporter.
 */
function observerServices(
  node: MeshNode,
  members: Membership | undefined,
  roles: RoleManager | undefined,
  init: MeshPeerInit,
): { observer: MeshObserver; reports: AnomalyReportService } {
  const logger = init.logger !== undefined ? { logger: init.logger } : {}
  const observer = new MeshObserver({
    identity: node,
    liveConfig: node,
    verdicts: node,
    connections: node,
    ...(members !== undefined ? { members } : {}),
    ...(roles !== undefined ? { roles } : {}),
    pubsub: node.libp2p.services.pubsub,
    ...logger,
  })
  const reports = anomalyReports()({
    identity: node,
    drops: observer,
    control: node,
    verdicts: node,
    // The receive checks again, minus what one message cannot prove: an empty replay memory
    // and no step window (observer/anomaly-reports/provable.ts says which codes may be claimed).
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
  return { observer, reports }
}

/** The keyring on the node's live keys; members are the targets of its pushes when they run. */
function keyringService(
  node: MeshNode,
  members: Membership | undefined,
  init: MeshPeerInit,
): KeyringService {
  return keyring(init.services?.keyring)({
    heartbeats: members,
    identity: node,
    keys: node.generator,
    libp2p: node.libp2p,
    events: node,
    liveConfig: node,
    members,
    store: init.services?.keyringStore,
    audit: init.services?.keyAudit,
    clock: node,
    logger: init.logger,
  })
}
