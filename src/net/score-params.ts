/**
 * gossipsub peer scoring for the mesh's topics.
 *
 * gossipsub 17 scores a topic only if `scoreParams.topics[topic]` exists: without it a topic
 * validator's Reject is counted nowhere and the sender's score never moves. And its topic
 * defaults do not suit us: P1 (time in mesh) uses a 1 ms quantum, so every peer reaches the
 * +10 cap within a second and rejections (P4, weight -1, decaying 70 % a second) barely dent
 * it; P3 (mesh delivery rate) punishes honest peers of a quiet mesh that only heartbeats.
 *
 * Scale of our defaults (gossipsub thresholds: gossip -10, publish -50, graylist -80): a topic
 * earns at most +10 (P1 +5, P2 +5); each topic's rejection counter n costs -10·n². With the
 * full positive score of two topics (+20), a peer absorbs one rejected message; two put it
 * below the gossip threshold, three below the publish threshold, four graylist it. A new peer
 * is negative from the first rejection. Counters halve every 5 minutes.
 *
 * Defaults → `meshScoreParams(topics, overrides)` → validated, as gossipsub's own
 * `createPeerScoreParams` does not validate.
 */
import {
  createPeerScoreParams,
  validatePeerScoreParams,
  type PeerScoreParams,
  type TopicScoreParams,
} from '@libp2p/gossipsub/score'
import { InvalidScoreParamsError } from './errors.js'

/** Score counters decay once per this interval (gossipsub's minimum, 1 s). */
export const SCORE_DECAY_INTERVAL_MS = 1_000

/** Per-interval factor that halves a counter every `halfLifeMs`. Pure. */
export function decayFor(halfLifeMs: number, decayIntervalMs = SCORE_DECAY_INTERVAL_MS): number {
  if (!(halfLifeMs > 0) || !(decayIntervalMs > 0)) {
    throw new InvalidScoreParamsError(
      `half-life and decay interval must be positive, got ${halfLifeMs} and ${decayIntervalMs}`,
    )
  }
  return Math.pow(0.5, decayIntervalMs / halfLifeMs)
}

/** Score parameters of each mesh topic. */
export const MESH_TOPIC_SCORE_DEFAULTS: Readonly<TopicScoreParams> = {
  /** All mesh topics count alike. */
  topicWeight: 1,
  /** P1 time in mesh: +1 per minute grafted, up to +5 after 5 minutes. */
  timeInMeshWeight: 1,
  timeInMeshQuantum: 60_000,
  timeInMeshCap: 5,
  /** P2 first deliveries: +0.25 per message first seen from the peer, up to +5; half-life 1 min. */
  firstMessageDeliveriesWeight: 0.25,
  firstMessageDeliveriesDecay: decayFor(60_000),
  firstMessageDeliveriesCap: 20,
  /**
   * P3 mesh delivery rate: off. It expects a steady message rate per mesh peer; a quiet mesh
   * (heartbeats every few seconds) would push honest peers below the gossip threshold.
   */
  meshMessageDeliveriesWeight: 0,
  meshMessageDeliveriesDecay: 0.5,
  meshMessageDeliveriesCap: 100,
  meshMessageDeliveriesThreshold: 1,
  meshMessageDeliveriesWindow: 10,
  meshMessageDeliveriesActivation: 5_000,
  /** P3b: off with P3 (it is P3's sticky penalty on prune). */
  meshFailurePenaltyWeight: 0,
  meshFailurePenaltyDecay: 0.5,
  /** P4 rejected messages: -10 · n², n halving every 5 minutes. */
  invalidMessageDeliveriesWeight: -10,
  invalidMessageDeliveriesDecay: decayFor(5 * 60_000),
}

/** Peer-wide score parameters (topic-independent). */
export const MESH_PEER_SCORE_DEFAULTS: Readonly<Omit<PeerScoreParams, 'topics'>> = {
  /** The sum of topic scores is capped here, so good behaviour cannot bank credit for attacks. */
  topicScoreCap: 10,
  /** P5 application score: unused for now (0), weight kept at gossipsub's default. */
  appSpecificScore: () => 0,
  appSpecificWeight: 10,
  /**
   * P6 IP colocation: more than 10 peers from one IP cost -5·surplus². Loopback is exempt:
   * local meshes and simulations run every node on 127.0.0.1, and whoever controls loopback
   * controls the host anyway. (Memory-transport peers have no IP and are never counted.)
   */
  IPColocationFactorWeight: -5,
  IPColocationFactorThreshold: 10,
  IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1']),
  /** P7 protocol misbehaviour (GRAFT during backoff, broken IWANT promises): gossipsub defaults. */
  behaviourPenaltyWeight: -10,
  behaviourPenaltyThreshold: 0,
  behaviourPenaltyDecay: 0.2,
  decayInterval: SCORE_DECAY_INTERVAL_MS,
  /** A decayed counter below this is 0. */
  decayToZero: 0.01,
  /** A disconnected peer's score is remembered for an hour: reconnecting does not wash it. */
  retainScore: 60 * 60_000,
}

export interface MeshScoreOverrides {
  /** Applied to every topic's parameters. */
  topic?: Partial<TopicScoreParams>
  /** Applied to the peer-wide parameters. */
  peer?: Partial<Omit<PeerScoreParams, 'topics'>>
}

/**
 * Full, validated gossipsub score parameters scoring each of `topics` with the mesh defaults.
 * Throws `InvalidScoreParamsError` naming the bad parameter.
 */
export function meshScoreParams(
  topics: readonly string[],
  overrides: MeshScoreOverrides = {},
): PeerScoreParams {
  const topicParams: TopicScoreParams = { ...MESH_TOPIC_SCORE_DEFAULTS, ...overrides.topic }
  const params = createPeerScoreParams({
    ...MESH_PEER_SCORE_DEFAULTS,
    IPColocationFactorWhitelist: new Set(MESH_PEER_SCORE_DEFAULTS.IPColocationFactorWhitelist),
    ...overrides.peer,
    topics: Object.fromEntries(topics.map((topic) => [topic, { ...topicParams }])),
  })
  try {
    validatePeerScoreParams(params)
  } catch (err) {
    throw new InvalidScoreParamsError(
      `invalid gossipsub score parameters: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    )
  }
  return params
}
