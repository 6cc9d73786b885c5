/**
 * The libp2p node of a MeshNode: transports, pnet, noise, yamux, identify, ping, gossipsub,
 * bootstrap and mDNS dialing, with defaults for meshes of many peers on one host or LAN.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import {
  gossipsub,
  StrictSign,
  type GossipSub,
  type GossipSubComponents,
  type GossipsubOpts,
} from '@libp2p/gossipsub'
import { identify, type Identify } from '@libp2p/identify'
import type { ConnectionGater, Libp2p, PeerDiscovery, PrivateKey } from '@libp2p/interface'
import { mdns } from '@libp2p/mdns'
import { memory } from '@libp2p/memory'
import { ping, type Ping } from '@libp2p/ping'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type ConnectionManagerInit, type Libp2pOptions } from 'libp2p'
import type { Registry } from 'prom-client'
import { ConfigError } from '../errors.js'
import { bootstrapDialer, type BootstrapDialer } from './bootstrap-dialer.js'
import {
  DEFAULT_MESH_DEGREE,
  DIAL_TIMEOUT_MS,
  INBOUND_CONNECTION_THRESHOLD,
  MAX_CONNECTIONS,
  MAX_INCOMING_PENDING_CONNECTIONS,
  MAX_PARALLEL_DIALS,
  MDNS_INTERVAL_MS,
  MDNS_SERVICE_TAG,
} from './constants.js'
import { discoveryDialer, type DiscoveryDialer } from './discovery-dialer.js'
import { serializeConcurrentCopies } from './concurrent-copies.js'
import { fastMsgId } from './fast-msg-id.js'
import { gossipDegree } from './gossip-degree.js'
import type { NetLogger } from './log.js'
import { parseMultiaddrs } from './peer-addr.js'
import { parsePskFile } from './psk.js'
import { meshScoreParams } from './score-params.js'

/** `tcp`: TCP and WebSockets (daemons). `memory`: @libp2p/memory, `/memory/<name>` addresses. */
export type MeshTransport = 'tcp' | 'memory'

export interface MeshLibp2pInit {
  /** Listen multiaddrs: `DEFAULT_LISTEN` for daemons, `/ip4/127.0.0.1/tcp/0` in tests. */
  listen: string[]
  transport: MeshTransport
  /**
   * Replaces the transports `transport` selects (listen addresses are still checked against
   * `transport`): e.g. `conditionedMemory()` of src/sim/transport with `transport: 'memory'`.
   */
  transportFactory?: NonNullable<Libp2pOptions['transports']>[number]
  /** Identity; a stable one gives a stable peer id. A fresh ed25519 key if omitted. */
  privateKey?: PrivateKey
  /** pnet key file bytes (see psk.ts): only nodes with the same key can connect. */
  psk?: Uint8Array
  /** Discover and dial peers on the LAN by multicast DNS. */
  mdns: boolean
  /** Multiaddrs (with `/p2p/<id>`) dialed at start and redialed while not connected. */
  bootstrap: string[]
  /** Passed to libp2p (partitions in tests and simulations). */
  connectionGater?: ConnectionGater
  /** Passed to libp2p: peer store persistence. In memory if omitted. */
  datastore?: Libp2pOptions['datastore']
  /** Topics scored with `meshScoreParams` (a Reject then lowers the sender's score). */
  topics?: string[]
  /** gossipsub mesh degree D (default 6, libp2p's); Dlo, Dhi… follow (gossip-degree.ts). */
  meshDegree?: number
  /** Publish own messages to all connected peers, not only mesh peers (default true). */
  floodPublish?: boolean
  /** Overrides of the gossipsub options below (`scoreParams` replaces the mesh scoring). */
  gossipsub?: Partial<GossipsubOpts>
  /**
   * Deadline of every dial and inbound upgrade, ms (default `DIAL_TIMEOUT_MS`). libp2p also
   * limits each address of a dial to its `addressDialTimeout` (6 s), so longer values only
   * help peers with several addresses.
   */
  dialTimeoutMs?: number
  /** Overrides of the connection manager limits. */
  connectionManager?: ConnectionManagerInit
  mdnsIntervalMs?: number
  mdnsServiceTag?: string
  /**
   * libp2p's own metrics (connections, streams, bytes per protocol) go into this registry
   * through @libp2p/prometheus-metrics; none are collected without it. Never prom-client's
   * global registry: two peers in one process each have theirs. The registry must not hold
   * libp2p's metrics already (a restarted peer clears it first): a name twice throws.
   */
  metricsRegistry?: Registry
  /** pino or compatible; libp2p's debug logger if omitted. */
  logger?: NetLogger
  /** Start the node before returning it (default true). */
  start?: boolean
}

/** gossipsub as created here: its class has these too, but its exported interface omits them. */
export type MeshPubSub = GossipSub & {
  /** The peer's gossipsub score (cached for one heartbeat). */
  getScore(peerId: string): number
  /** Peer ids (strings) in this node's mesh for `topic`. */
  getMeshPeers(topic: string): string[]
}

// A type alias, not an interface: libp2p's ServiceMap needs an index-signature-compatible type.
export type MeshServices = {
  identify: Identify
  ping: Ping
  pubsub: MeshPubSub
  bootstrapDialer: BootstrapDialer
  discoveryDialer: DiscoveryDialer
}

export type MeshLibp2p = Libp2p<MeshServices>

/** Messages at least this large make gossipsub send IDONTWANT to its mesh peers. */
export const IDONTWANT_MIN_DATA_BYTES = 16 * 1024

/** The gossipsub options a mesh runs with, before `init.gossipsub` overrides. */
export function meshGossipsubOptions(
  topics: readonly string[],
  shape: { meshDegree?: number; floodPublish?: boolean } = {},
): Partial<GossipsubOpts> {
  return {
    ...gossipDegree(shape.meshDegree ?? DEFAULT_MESH_DEGREE),
    floodPublish: shape.floodPublish ?? true,
    globalSignaturePolicy: StrictSign,
    allowPublishToZeroTopicPeers: true,
    emitSelf: false,
    fastMsgIdFn: fastMsgId,
    scoreParams: meshScoreParams(topics),
    // IDONTWANT is one more RPC to every mesh peer for every message received: it saves
    // bandwidth only when the message is large. From gossipsub's 512 bytes, every heartbeat
    // (with its peer record) paid it, doubling the RPCs of a 100-node mesh.
    idontwantMinDataSize: IDONTWANT_MIN_DATA_BYTES,
  }
}

/**
 * Creates (and unless `start: false`, starts) a mesh libp2p node. Throws `ConfigError` for a
 * bad listen or bootstrap address and `InvalidPskError` for a bad key file, before any I/O.
 */
export async function createMeshLibp2p(init: MeshLibp2pInit): Promise<MeshLibp2p> {
  const listen = parseMultiaddrs(init.listen, 'listen')
  checkListenTransport(listen, init.transport)
  const bootstrap = parseMultiaddrs(init.bootstrap, 'bootstrap')
  const psk = init.psk == null ? undefined : parsePskFile(init.psk)
  const dialTimeoutMs = init.dialTimeoutMs ?? DIAL_TIMEOUT_MS
  if (!(dialTimeoutMs > 0)) {
    throw new ConfigError(
      `dialTimeoutMs must be a positive number, got ${dialTimeoutMs}`,
      'dialTimeoutMs',
    )
  }

  // The mDNS instance libp2p builds, handed to the discovery dialer when libp2p starts it.
  const discoverySources: PeerDiscovery[] = []
  const peerDiscovery: Libp2pOptions['peerDiscovery'] = init.mdns
    ? [
        (components) => {
          const source = mdns({
            interval: init.mdnsIntervalMs ?? MDNS_INTERVAL_MS,
            serviceTag: init.mdnsServiceTag ?? MDNS_SERVICE_TAG,
          })(components)
          discoverySources.push(source)
          return source
        },
      ]
    : []

  const pubsub = gossipsub({
    ...meshGossipsubOptions(init.topics ?? [], {
      ...(init.meshDegree !== undefined ? { meshDegree: init.meshDegree } : {}),
      ...(init.floodPublish !== undefined ? { floodPublish: init.floodPublish } : {}),
    }),
    ...init.gossipsub,
  }) as (components: GossipSubComponents) => MeshPubSub

  const libp2p = await createLibp2p<MeshServices>({
    start: init.start ?? true,
    privateKey: init.privateKey,
    addresses: { listen: listen.map((addr) => addr.toString()) },
    transports:
      init.transportFactory != null
        ? [init.transportFactory]
        : init.transport === 'memory'
          ? [memory()]
          : [tcp(), webSockets()],
    connectionProtector: psk == null ? undefined : preSharedKey({ psk }),
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: init.connectionGater,
    datastore: init.datastore,
    connectionManager: {
      dialTimeout: dialTimeoutMs,
      inboundUpgradeTimeout: dialTimeoutMs,
      inboundConnectionThreshold: INBOUND_CONNECTION_THRESHOLD,
      maxIncomingPendingConnections: MAX_INCOMING_PENDING_CONNECTIONS,
      maxConnections: MAX_CONNECTIONS,
      maxParallelDials: MAX_PARALLEL_DIALS,
      ...init.connectionManager,
    },
    peerDiscovery,
    ...(init.metricsRegistry !== undefined
      ? {
          // Process figures (CPU, memory, event loop) are the API's, once per process.
          metrics: prometheusMetrics({
            registry: init.metricsRegistry,
            collectDefaultMetrics: false,
          }),
        }
      : {}),
    services: {
      identify: identify(),
      ping: ping(),
      pubsub,
      bootstrapDialer: bootstrapDialer({ peers: bootstrap, dialTimeoutMs, logger: init.logger }),
      discoveryDialer: discoveryDialer({
        sources: discoverySources,
        dialTimeoutMs,
        logger: init.logger,
      }),
    },
  })
  serializeConcurrentCopies(libp2p.services.pubsub)
  return libp2p
}

function checkListenTransport(listen: readonly Multiaddr[], transport: MeshTransport): void {
  listen.forEach((addr, index) => {
    const isMemory = addr.toString().startsWith('/memory/')
    if (transport === 'memory' && !isMemory) {
      throw new ConfigError(
        `listen[${index}] '${addr.toString()}' is not a /memory/<name> address (transport 'memory')`,
        'listen',
      )
    }
    if (transport === 'tcp' && isMemory) {
      throw new ConfigError(
        `listen[${index}] '${addr.toString()}' is a memory address but transport is 'tcp'`,
        'listen',
      )
    }
  })
}
