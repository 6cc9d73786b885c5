/**
 * The failure detector, pure: a member's status follows from when it was last heard. Heartbeats
 * are the truth (a libp2p disconnect decides nothing); the caller checks at `statusDeadlines`.
 */
import { LATE_TOLERANCE, MAX_ANNOUNCED_INTERVAL_FACTOR } from './constants.js'

/**
 * `left`: the member announced it was leaving (a heartbeat with status `leaving`); it is not
 * alive, never elected, and dropped after the retention like a dead one.
 */
export type MemberStatus = 'alive' | 'suspect' | 'dead' | 'left'

/** Neither dead nor gone: it may still answer (alive, or only suspect). */
export function isPresent(status: MemberStatus): boolean {
  return status === 'alive' || status === 'suspect'
}

export interface DetectorTiming {
  heartbeatIntervalMs: number
  /** Missed heartbeats before a member is suspect. */
  suspectAfter: number
  /** Missed heartbeats before a member is dead (≥ suspectAfter). */
  deadAfter: number
}

/**
 * The interval a member is timed by: the one it announced (a principal may heartbeat faster
 * than members), capped at `MAX_ANNOUNCED_INTERVAL_FACTOR` times ours; ours if it announced none.
 */
export function memberIntervalMs(announcedMs: number | null, ownIntervalMs: number): number {
  if (announcedMs === null || !(announcedMs > 0)) return ownIntervalMs
  return Math.min(announcedMs, ownIntervalMs * MAX_ANNOUNCED_INTERVAL_FACTOR)
}

/**
 * Heartbeats missed since `lastSeen`: the next one is due one interval later, and counts as
 * missed once it is `LATE_TOLERANCE` intervals overdue.
 */
export function missedHeartbeats(lastSeen: number, now: number, intervalMs: number): number {
  if (!(intervalMs > 0)) return 0
  return Math.max(0, Math.floor((now - lastSeen) / intervalMs - LATE_TOLERANCE))
}

export function statusFor(
  lastSeen: number,
  now: number,
  heartbeatIntervalMs: number,
  suspectAfter: number,
  deadAfter: number,
): MemberStatus {
  const missed = missedHeartbeats(lastSeen, now, heartbeatIntervalMs)
  if (missed >= Math.max(deadAfter, suspectAfter)) return 'dead'
  if (missed >= suspectAfter) return 'suspect'
  return 'alive'
}

/** When a member last heard at `lastSeen` becomes suspect, then dead, if nothing is heard. */
export function statusDeadlines(
  lastSeen: number,
  timing: DetectorTiming,
): { suspectAt: number; deadAt: number } {
  const { heartbeatIntervalMs: interval, suspectAfter, deadAfter } = timing
  return {
    suspectAt: lastSeen + (suspectAfter + LATE_TOLERANCE) * interval,
    deadAt: lastSeen + (Math.max(deadAfter, suspectAfter) + LATE_TOLERANCE) * interval,
  }
}
