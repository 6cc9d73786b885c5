import { homedir } from 'node:os'
import { join } from 'node:path'
import type { PatternAlgorithm } from '../pattern/index.js'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/** Everything a node can be configured with. Keys are the same in files, env and CONFIG advice. */
export interface MeshConfig {
  /** Name of the mesh; part of every gossipsub topic, so meshes on one network stay apart. */
  meshId: string
  /** Human label for logs (the seed's NodeConfig.nodeId); the peer id is the identity. */
  nodeId?: string
  /** Network key as a seed (simulations, development). Production uses `keyFile`. */
  seed?: string | number
  /** File with the 32-byte network key in hex (`patternmesh keygen`). */
  keyFile?: string
  /** libp2p private network key file (pnet); without it any libp2p peer may connect. */
  pskFile?: string
  /** Per-node directory: identity, peer store, role state, advice log, API token. */
  dataDir: string
  stepIntervalMs: number
  stepWindow: number
  heartbeatIntervalMs: number
  /**
   * The principal's own heartbeat interval (announced in its heartbeats, so peers time it by
   * it): faster than the members' makes failover fast at the cost of one node's heartbeats.
   * Unset: `heartbeatIntervalMs`.
   */
  principalHeartbeatIntervalMs?: number
  suspectAfter: number
  deadAfter: number
  weight: number
  maxWeight: number
  preempt: boolean
  observer: boolean
  cacheSize: number
  phaseResetInterval: number
  algorithm: PatternAlgorithm
  listen: string[]
  bootstrap: string[]
  mdns: boolean
  /**
   * The peers (ids) that may connect; empty: everyone. Any other is refused by libp2p's
   * connection gater once the handshake names it. Live: CONFIG advice and SIGHUP; existing
   * connections to peers no longer listed are closed.
   */
  allowPeers: string[]
  api: string
  /** Admin token of the control API (everything); else `<dataDir>/api-token`. */
  apiToken?: string
  /**
   * Read-only token of the control API: GET routes and the event stream, a write answers 403
   * (a dashboard on a wall screen). Else `<dataDir>/api-read-token`.
   */
  apiReadToken?: string
  /**
   * Writes (`POST /v1/messages`, advice) the control API takes: a token bucket of `burst`
   * refilled at `writesPerSecond`, shared by every client. Read live by the API.
   */
  apiRateLimit: { writesPerSecond: number; burst: number }
  logLevel: LogLevel
  maxFrameBytes: number
  batchMaxMessages: number
  batchLingerMs: number
  sendQueueLimit: number
  /** Delivered messages this node keeps for `GET /v1/messages` (oldest dropped and counted). */
  messageLogSize: number
  /** …and the bytes they may take (payloads plus 256 B an entry; oldest dropped and counted). */
  messageLogBytes: number
  /**
   * Data frames every node keeps for repair (DESIGN §15): broadcast is at-least-once within
   * `retentionMs`, in at most `retentionBytes`; `retentionMs: 0` turns retention and repair off.
   */
  retentionMs: number
  retentionBytes: number
  /** Seed NetworkConfig fields, kept. */
  /** Frames a second one signer may sustain (and its burst) before the observer reports FLOOD. */
  floodRatePerSecond: number
  floodBurst: number
  maxNodes: number
  /**
   * Connections the peer manager keeps, to alive members picked at random (DESIGN §13); 0
   * dials none (fixed topologies: simulations).
   */
  targetPeers: number
  /** Connections beyond which the peer manager prunes random members; at least `targetPeers`. */
  maxPeers: number
  /**
   * gossipsub mesh degree D (peers a message is pushed to; Dlo and Dhi follow from it). The
   * default 6 is libp2p's; fewer means fewer duplicate copies per message, less redundancy.
   */
  gossipMeshDegree: number
  /** Publish own messages to every connected peer, not only the mesh (libp2p's default). */
  gossipFloodPublish: boolean
  syncTimeout: number
  retryAttempts: number
  timeoutMs: number
}

/**
 * Defaults for a daemon on a machine. Tests, simulations and benchmarks override `listen`,
 * `mdns` and the timings.
 */
export const DEFAULT_CONFIG: Readonly<MeshConfig> = Object.freeze({
  meshId: 'default',
  dataDir: join(homedir(), '.patternmesh'),
  // One step a second: pattern values change every second, like a fast TOTP.
  stepIntervalMs: 1000,
  // ±2 steps tolerate the reconciliation lag between nodes plus gossip latency.
  stepWindow: 2,
  heartbeatIntervalMs: 1000,
  // Suspect after 3 silent heartbeats, dead after 6: a lost packet or two is not a failure.
  suspectAfter: 3,
  deadAfter: 6,
  weight: 1,
  // Weights above this are refused, so no node can win an election with an absurd claim.
  maxWeight: 1000,
  preempt: false,
  observer: false,
  cacheSize: 1024,
  // A new phase key every hour of steps: a leaked step key is useless in the next phase.
  phaseResetInterval: 3600,
  algorithm: 'sha256',
  listen: ['/ip4/0.0.0.0/tcp/4001', '/ip4/0.0.0.0/tcp/4002/ws'],
  bootstrap: [],
  mdns: true,
  // Everyone who has the network key (and the PSK, if set) may connect.
  allowPeers: Object.freeze([]) as unknown as string[],
  api: '127.0.0.1:7070',
  // A messaging API: a script posting a few hundred messages must not hit 429 (a batch
  // of up to 1,000 messages costs one token), while a runaway loop is still held to about
  // 200 requests/s, far below what broadcast() and the send queue absorb.
  apiRateLimit: Object.freeze({ writesPerSecond: 200, burst: 400 }),
  logLevel: 'info',
  maxFrameBytes: 64 * 1024,
  // Broadcasts within 1 ms travel in one gossip message (up to 1,024 of them or 512 KiB): one
  // ed25519 signature and one gossip message for many envelopes, ≈20× one message each.
  batchMaxMessages: 1024,
  batchLingerMs: 1,
  // Outbound frames waiting for a batch; beyond it broadcast() waits, then fails.
  sendQueueLimit: 10_000,
  // A client that reconnects resumes from its cursor within this many messages (DESIGN §15).
  messageLogSize: 10_000,
  // 10,000 payloads of 64 KiB would be 640 MiB: the bytes are bounded too (1,000 of them).
  messageLogBytes: 64 * 1024 * 1024,
  // A minute of history: a partition or a restart shorter than this loses nothing. 64 MiB holds
  // that minute at ~1,000 frames/s of 1 KiB; beyond it the oldest frames go first (counted).
  retentionMs: 60_000,
  retentionBytes: 64 * 1024 * 1024,
  // Generous: an honest batched sender reaches ~100k frames/s; tighten it for your traffic.
  floodRatePerSecond: 50_000,
  floodBurst: 100_000,
  maxNodes: 200,
  // Six random members each: the mesh stays connected when any few nodes die, and no node
  // (bootstrap included) is a centre. 24 leaves room for the peers that join through us.
  targetPeers: 6,
  maxPeers: 24,
  gossipMeshDegree: 6,
  gossipFloodPublish: true,
  syncTimeout: 3000,
  retryAttempts: 3,
  // Timeout of every dial and request; a PSK node dialing a non-PSK node would hang otherwise.
  timeoutMs: 5000,
} satisfies MeshConfig)

/** The principal's heartbeat interval: `principalHeartbeatIntervalMs`, else the members'. */
export function principalIntervalMs(
  config: Pick<MeshConfig, 'heartbeatIntervalMs' | 'principalHeartbeatIntervalMs'>,
): number {
  return config.principalHeartbeatIntervalMs ?? config.heartbeatIntervalMs
}
