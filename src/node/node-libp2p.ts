/** The libp2p node of a MeshNode, from its config and the init's overrides. */
import type { PrivateKey } from '@libp2p/interface'
import type { Logger } from 'pino'
import type { MeshConfig } from '../config/index.js'
import {
  createMeshLibp2p,
  type MeshLibp2p,
  type MeshLibp2pInit,
  type MeshTransport,
} from '../net/index.js'
import type { MeshTopics } from './topics.js'

/** What may be handed to libp2p besides the config: partitions, persistence, gossipsub overrides. */
export type Libp2pOverrides = Partial<
  Pick<
    MeshLibp2pInit,
    'connectionGater' | 'datastore' | 'gossipsub' | 'connectionManager' | 'transportFactory'
  >
>

export interface NodeLibp2pInit {
  config: MeshConfig
  topics: MeshTopics
  transport?: MeshTransport
  privateKey?: PrivateKey
  psk?: Uint8Array
  overrides?: Libp2pOverrides
  logger?: Logger
}

export async function createNodeLibp2p(init: NodeLibp2pInit): Promise<MeshLibp2p> {
  const { config, overrides } = init
  return await createMeshLibp2p({
    listen: config.listen,
    transport: init.transport ?? 'tcp',
    privateKey: init.privateKey,
    psk: init.psk,
    mdns: config.mdns,
    bootstrap: config.bootstrap,
    topics: [init.topics.data, init.topics.control],
    dialTimeoutMs: config.timeoutMs,
    meshDegree: config.gossipMeshDegree,
    floodPublish: config.gossipFloodPublish,
    logger: init.logger,
    connectionManager: { maxConnections: config.maxNodes, ...overrides?.connectionManager },
    ...definedOnly({
      connectionGater: overrides?.connectionGater,
      datastore: overrides?.datastore,
      gossipsub: overrides?.gossipsub,
      transportFactory: overrides?.transportFactory,
    }),
  })
}

/** The entries whose value is defined (exactOptionalPropertyTypes forbids `key: undefined`). */
function definedOnly<T extends Record<string, unknown>>(
  record: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>
  }
}
