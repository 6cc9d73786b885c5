/**
 * The node's step keeping: StepSync over this node's libp2p, with answers authenticated by a
 * sealed step-sync frame, and the join sync a node runs before it publishes anything.
 */
import type { Logger } from 'pino'
import type { MeshConfig } from '../config/index.js'
import type { MeshLibp2p } from '../net/index.js'
import type { PatternKeys } from '../pattern/index.js'
import { ReplayGuard, verifyFrame } from '../protocol/index.js'
import type { StepClock } from '../sync/step-clock.js'
import { StepSync } from '../sync/step-sync.js'
import { waitForCondition } from '../util/abortable.js'
import type { MeshTopics } from './topics.js'

/** Peers asked at once for the step when joining. */
const JOIN_PEERS_ASKED = 5
/** A step-sync answer is one small frame. */
const STEP_FRAME_MAX_BYTES = 4096

export interface NodeStepSyncInit {
  libp2p: MeshLibp2p
  clock: StepClock
  generator: PatternKeys
  config: MeshConfig
  /** A sealed step-sync frame of the current step. */
  sealStepFrame: () => Uint8Array
  /** Publishes a step-sync frame; undefined when heartbeats carry the step already. */
  announce: (() => Promise<void>) | undefined
  logger?: Logger | undefined
}

export function createNodeStepSync(init: NodeStepSyncInit): StepSync {
  const { config, clock, generator } = init
  return new StepSync({
    node: init.libp2p,
    clock,
    sealStepFrame: init.sealStepFrame,
    verifyStepFrame: (frame, peerId) => {
      const result = verifyFrame(frame, {
        generator,
        replayGuard: new ReplayGuard({ maxSenders: 1 }),
        localStep: clock.step,
        stepWindow: Number.POSITIVE_INFINITY,
        maxFrameBytes: STEP_FRAME_MAX_BYTES,
        expectedSender: peerId,
      })
      return result.verdict === 'accept' && result.envelope?.kind === 'step-sync'
        ? result.envelope.globalStep
        : undefined
    },
    announce: init.announce ?? (async () => {}),
    announceIntervalMs: config.heartbeatIntervalMs,
    timeoutMs: config.syncTimeout,
    maxPeersAsked: JOIN_PEERS_ASKED,
    staleAfterMs: config.heartbeatIntervalMs * config.deadAfter,
    maxTrackedPeers: config.maxNodes * 2,
    onError: (err, context) => init.logger?.debug({ err, context }, 'step sync'),
  })
}

export interface JoinSyncInit {
  libp2p: MeshLibp2p
  stepSync: StepSync
  config: MeshConfig
  topics: MeshTopics
  signal: AbortSignal
  /** Called once the step is settled (unless stopped meanwhile); announcements then begin. */
  synced: (source: 'peers' | 'local') => void
}

/**
 * A joining or restarted node asks its peers for the step before it publishes: it waits (up to
 * `syncTimeout`) for a first connection when it has a way in (bootstrap, mDNS), asks, then
 * waits for gossipsub to know a subscriber (until then a publish reaches nobody).
 */
export async function joinSync(init: JoinSyncInit): Promise<void> {
  const source = await settleStep(init)
  if (init.signal.aborted) return
  init.synced(source)
  init.stepSync.startAnnouncing()
}

async function settleStep(init: JoinSyncInit): Promise<'peers' | 'local'> {
  const { libp2p, config, signal } = init
  const deadline = Date.now() + config.syncTimeout
  const left = (): number => deadline - Date.now()
  const connected = (): boolean => libp2p.getConnections().length > 0
  if (config.bootstrap.length > 0 || config.mdns) {
    await waitForCondition(connected, { source: libp2p, event: 'connection:open' }, left(), signal)
  }
  if (!connected() || signal.aborted) return 'local'
  const source = (await init.stepSync.requestCurrentStep()) !== undefined ? 'peers' : 'local'
  const pubsub = libp2p.services.pubsub
  await waitForCondition(
    () => pubsub.getSubscribers(init.topics.data).length > 0,
    { source: pubsub, event: 'subscription-change' },
    left(),
    signal,
  )
  return source
}
