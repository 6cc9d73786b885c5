/** The libp2p node of a MeshNode, from its config and the init's overrides. */
import type { Message, TopicValidatorResult } from '@libp2p/gossipsub'
import type { Logger } from 'pino'
import type { MeshConfig } from '../config/index.js'
import {
  composeGaters,
  createMeshLibp2p,
  type AllowlistGater,
  type MeshLibp2p,
} from '../net/index.js'
import type { MeshNodeEvents } from './events.js'
import { enforceAllowlist } from './node-allowlist.js'
import type { NodeEvents } from './ports.js'
import type { MeshTopics } from './topics.js'
import type { StepClock } from '../sync/step-clock.js'
import type { MeshNodeInit, ReceivedGossip } from './types.js'

/** What the node's libp2p is made from: the live config, topics, allowlist and events. */
export interface NodeLibp2pHost extends NodeEvents {
  readonly config: MeshConfig
  readonly topics: MeshTopics
  readonly allowlist: AllowlistGater
}

/**
 * libp2p for the host's config, with the init's identity, pnet key and overrides; the
 * allowlist gater goes first, before the init's gater (partitions). Until `signal` aborts, a
 * change of `allowPeers` closes the connections it no longer allows.
 */
export async function createNodeLibp2p(
  host: NodeLibp2pHost,
  init: Pick<MeshNodeInit, 'transport' | 'privateKey' | 'psk' | 'libp2p'>,
  logger: Logger | undefined,
  signal: AbortSignal,
): Promise<MeshLibp2p> {
  const { config, topics } = host
  const overrides = init.libp2p
  const libp2p = await createMeshLibp2p({
    listen: config.listen,
    transport: init.transport ?? 'tcp',
    privateKey: init.privateKey,
    psk: init.psk,
    mdns: config.mdns,
    bootstrap: config.bootstrap,
    topics: [topics.data, topics.control],
    dialTimeoutMs: config.timeoutMs,
    meshDegree: config.gossipMeshDegree,
    floodPublish: config.gossipFloodPublish,
    logger,
    connectionManager: { maxConnections: config.maxNodes, ...overrides?.connectionManager },
    ...definedOnly({
      connectionGater: composeGaters(host.allowlist, overrides?.connectionGater),
      datastore: overrides?.datastore,
      gossipsub: overrides?.gossipsub,
      transportFactory: overrides?.transportFactory,
      metricsRegistry: overrides?.metricsRegistry,
    }),
  })
  enforceAllowlist(libp2p, host.allowlist, host, logger, signal)
  return libp2p
}

/** The entries whose value is defined (exactOptionalPropertyTypes forbids `key: undefined`). */
function definedOnly<T extends Record<string, unknown>>(
  record: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>
  }
}

/**
 * Every message of our topics goes through `receive` inside gossipsub's validator (after
 * dedup, before delivery and forwarding). StrictSign makes `message.from` the signing origin,
 * the peer a frame's senderId must match.
 */
export function installValidators(
  libp2p: MeshLibp2p,
  topics: MeshTopics,
  receive: (message: ReceivedGossip) => TopicValidatorResult,
): () => void {
  const pubsub = libp2p.services.pubsub
  const ours = [topics.data, topics.control]
  for (const topic of ours) {
    pubsub.topicValidators.set(topic, (_forwarder, message: Message) =>
      receive({
        topic,
        from: message.type === 'signed' ? message.from.toString() : '',
        data: message.data,
        gossip: message,
      }),
    )
    pubsub.subscribe(topic)
  }
  return () => {
    for (const topic of ours) pubsub.topicValidators.delete(topic)
  }
}

/** The clock's step changes and libp2p's connection events as the node's, until `signal` aborts. */
export function forwardEvents(
  libp2p: MeshLibp2p,
  clock: StepClock,
  emit: <K extends 'peer.connected' | 'peer.disconnected' | 'step.changed'>(
    type: K,
    detail: MeshNodeEvents[K]['detail'],
  ) => void,
  signal: AbortSignal,
): void {
  clock.addEventListener('step.changed', (event) => emit('step.changed', event.detail), { signal })
  libp2p.addEventListener(
    'peer:connect',
    (event) => emit('peer.connected', { peerId: event.detail.toString() }),
    { signal },
  )
  libp2p.addEventListener(
    'peer:disconnect',
    (event) => emit('peer.disconnected', { peerId: event.detail.toString() }),
    { signal },
  )
}
