/**
 * The seed's NetworkMetrics, and the one documented rule for `networkHealth`:
 *
 *   networkHealth = liveness × integrity × (a SPLIT_BRAIN in the last minute ? 0.5 : 1)
 *   liveness  = alive members / known members (this node included)
 *   integrity = accepted frames / (accepted + rejected frames), over the last 10 s (1 if none)
 *
 * A number in [0, 1], 1 for a mesh where everyone is alive and nothing is rejected. Ignored
 * frames (benign noise) count in neither.
 */
export interface NetworkMetrics {
  /** Alive members, this node included. */
  totalNodes: number
  /** Data messages accepted per second over the last 10 s, all senders. */
  messagesPerSecond: number
  /** Mean ms from a frame's timestamp to its acceptance over the last 10 s; null if none. */
  averageLatency: number | null
  /** PATTERN_MISMATCH frames seen since start. */
  patternMismatches: number
  /** 0..1, see above. */
  networkHealth: number
}

export interface HealthInputs {
  alive: number
  known: number
  accepted: number
  rejected: number
  splitBrainRecent: boolean
}

export function networkHealth(inputs: HealthInputs): number {
  const liveness = inputs.known > 0 ? Math.min(1, inputs.alive / inputs.known) : 1
  const seen = inputs.accepted + inputs.rejected
  const integrity = seen > 0 ? inputs.accepted / seen : 1
  const health = liveness * integrity * (inputs.splitBrainRecent ? 0.5 : 1)
  return Math.round(health * 1000) / 1000
}
