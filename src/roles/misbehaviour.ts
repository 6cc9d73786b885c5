/**
 * Peers that keep sending frames we reject. The tracker keeps, per peer, only the last
 * `threshold` reject times, and a bounded number of peers; the time is passed in.
 */
import { countInWindow } from '../util/window.js'

export interface MisbehaviourPolicy {
  /** Rejects within the window that make a peer misbehaving. */
  threshold: number
  windowMs: number
}

/** `times` ascending: at least `threshold` of them within `(now - windowMs, now]`? */
export function isMisbehaving(
  times: readonly number[],
  now: number,
  policy: MisbehaviourPolicy,
): boolean {
  return policy.threshold > 0 && countInWindow(times, now, policy.windowMs) >= policy.threshold
}

export class RejectTracker {
  private readonly times = new Map<string, number[]>()
  private readonly maxPeers: number

  constructor(maxPeers: number) {
    this.maxPeers = maxPeers
  }

  /** Records a reject; true when this one made the peer misbehaving. */
  record(peerId: string, now: number, policy: MisbehaviourPolicy): boolean {
    const before = this.isMisbehaving(peerId, now, policy)
    const times = (this.times.get(peerId) ?? []).filter((at) => at > now - policy.windowMs)
    times.push(now)
    while (times.length > Math.max(1, policy.threshold)) times.shift()
    // Re-insert: Map order is then least recently rejected first, the one to forget.
    this.times.delete(peerId)
    this.times.set(peerId, times)
    while (this.times.size > this.maxPeers) {
      const oldest = this.times.keys().next().value
      if (oldest === undefined) break
      this.times.delete(oldest)
    }
    return !before && this.isMisbehaving(peerId, now, policy)
  }

  isMisbehaving(peerId: string, now: number, policy: MisbehaviourPolicy): boolean {
    const times = this.times.get(peerId)
    return times !== undefined && isMisbehaving(times, now, policy)
  }

  clear(): void {
    this.times.clear()
  }
}
