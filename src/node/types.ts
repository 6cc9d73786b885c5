/** The messaging core's init, stats and received-gossip shapes. */
import type { Message } from '@libp2p/gossipsub'
import type { PrivateKey } from '@libp2p/interface'
import type { Logger } from 'pino'
import type { MeshConfig } from '../config/index.js'
import type { MeshLibp2pInit, MeshTransport } from '../net/index.js'
import type { PatternKeySet, PatternKeys } from '../pattern/index.js'
import type { ReplayGuard, VerdictCode } from '../protocol/index.js'
import type { OutboundStats } from './outbound-batcher.js'

/** What may be handed to libp2p besides the config: partitions, persistence, gossipsub overrides. */
export type Libp2pOverrides = Partial<
  Pick<
    MeshLibp2pInit,
    | 'connectionGater'
    | 'datastore'
    | 'gossipsub'
    | 'connectionManager'
    | 'transportFactory'
    | 'metricsRegistry'
  >
>

export interface MeshNodeInit {
  config: MeshConfig
  /** The network key; when absent, `config.seed` is stretched into one. */
  networkKey?: Uint8Array
  /** The keys (the daemon's keyring): when given, `networkKey` and `config.seed` are not used. */
  keys?: PatternKeySet
  privateKey?: PrivateKey
  /** pnet key file bytes. */
  psk?: Uint8Array
  transport?: MeshTransport
  /** Passed to libp2p: partitions, persistence, gossipsub overrides (tests, simulations). */
  libp2p?: Libp2pOverrides
  logger?: Logger
  /**
   * Publish step-sync frames every heartbeat interval (default true). Off when membership
   * runs: heartbeats carry the step already, announcing it twice would double control traffic.
   */
  announceSteps?: boolean
  /**
   * Called with the time (seconds) `validate` took for one gossip message in 64: the verify
   * latency histogram of /metrics, at two clock reads per 64 messages on the hot path.
   */
  verifyTiming?: ((seconds: number) => void) | undefined
}

export interface MeshNodeStats {
  step: number
  verdicts: Partial<Record<VerdictCode, number>>
  delivered: number
  outbound: OutboundStats
  replay: ReturnType<ReplayGuard['stats']>
  patternCache: ReturnType<PatternKeys['cacheStats']>
}

/** What gossipsub's validator hands over of one message. */
export interface ReceivedGossip {
  topic: string
  /** The peer that signed it (StrictSign). */
  from: string
  data: Uint8Array
  /** The message as received, kept as evidence of what the signer sent. */
  gossip?: Message
}
