/**
 * Flapping: a member whose status keeps changing. `isFlapping` is the pure rule; `FlapTracker`
 * keeps, per member, the last few change times (never more than `maxChanges + 1`) and says
 * when to report, at most once per window per member.
 */
import { countInWindow } from '../util/window.js'

export interface FlapPolicy {
  /** More changes than this within the window is flapping. */
  maxChanges: number
  windowMs: number
}

/** `changeTimes` ascending; true if more than `maxChanges` of them fall in `(now - windowMs, now]`. */
export function isFlapping(
  changeTimes: readonly number[],
  now: number,
  policy: FlapPolicy,
): boolean {
  return countInWindow(changeTimes, now, policy.windowMs) > policy.maxChanges
}

export interface FlapReport {
  peerId: string
  /** Status changes within the window. */
  changes: number
  windowMs: number
}

export class FlapTracker {
  private readonly changes = new Map<string, number[]>()
  private readonly reportedAt = new Map<string, number>()

  /** Records a status change; returns a report when the member is newly found flapping. */
  record(peerId: string, now: number, policy: FlapPolicy): FlapReport | undefined {
    const times = (this.changes.get(peerId) ?? []).filter((at) => at > now - policy.windowMs)
    times.push(now)
    // Only the latest maxChanges + 1 can matter to the rule.
    while (times.length > policy.maxChanges + 1) times.shift()
    this.changes.set(peerId, times)
    if (!isFlapping(times, now, policy)) return undefined
    const last = this.reportedAt.get(peerId)
    if (last !== undefined && now - last < policy.windowMs) return undefined
    this.reportedAt.set(peerId, now)
    return { peerId, changes: times.length, windowMs: policy.windowMs }
  }

  forget(peerId: string): void {
    this.changes.delete(peerId)
    this.reportedAt.delete(peerId)
  }

  clear(): void {
    this.changes.clear()
    this.reportedAt.clear()
  }
}
