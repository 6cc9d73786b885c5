/**
 * The failure detector's hold after this process was paused (GC, a starved core, a laptop lid,
 * a hundred simulated nodes on one thread): a timer of ours firing more than
 * `PAUSE_THRESHOLD_MS` late means heartbeats may still be queued behind us, and no member may
 * be found late for the time we could not listen.
 *
 * The time of the pause itself is excused: members' silence is counted without it (each
 * member's detector clock moves on by the pause, up to one dead period), so a member whose
 * heartbeats were due while we could not listen is not found late for that.
 *
 * The hold ends as soon as this process keeps time again: a probe timer a moment after the
 * pause that fires on time means the event loop has caught up with what was queued. It lasts
 * as long as the pause at most, and never longer than a dead period. A hold that ran to its
 * limit (the process never caught up) is not granted again for a dead period: on a machine
 * late all the time the detector still judges, one dead period late at worst.
 */
import { PAUSE_PROBE_MS, PAUSE_THRESHOLD_MS } from './constants.js'

export interface PauseHoldInit {
  /** The longest hold (the detector's dead period, read live). */
  maxHoldMs: () => number
  /** The hold ended early (the process keeps time again): the detector may judge now. */
  released: () => void
  /**
   * This process could not listen for `ms` (up to now): members' silence is counted without
   * it. Each stretch of time is excused once, whichever timers saw it.
   */
  excuse?: (ms: number) => void
  now: () => number
}

export interface PauseHoldStats {
  /** Holds begun. */
  holds: number
  /** Holds ended early by an on-time probe. */
  released: number
  /** Time (ms) this process could not listen, not counted as members' silence. */
  excusedMs: number
}

export class PauseHold {
  private readonly init: PauseHoldInit
  private holdUntil = Number.NEGATIVE_INFINITY
  /** End of the last hold that ran to its limit: none again for a dead period after it. */
  private cappedUntil = Number.NEGATIVE_INFINITY
  private probe: ReturnType<typeof setTimeout> | undefined
  /** The end of the last pause excused: a later timer late for the same pause adds nothing. */
  private excusedUntil = Number.NEGATIVE_INFINITY
  readonly stats: PauseHoldStats = { holds: 0, released: 0, excusedMs: 0 }

  constructor(init: PauseHoldInit) {
    this.init = init
  }

  /** Until when the detector holds, or undefined when it does not. */
  holding(now: number): number | undefined {
    return now < this.holdUntil ? this.holdUntil : undefined
  }

  /** A timer of ours fired `lag` ms late. */
  noteLag(lag: number): void {
    if (!(lag > PAUSE_THRESHOLD_MS)) return
    const now = this.init.now()
    const excused = now - Math.max(now - lag, this.excusedUntil)
    if (excused > 0) {
      this.excusedUntil = now
      this.stats.excusedMs += excused
      this.init.excuse?.(excused)
    }
    const deadPeriod = this.init.maxHoldMs()
    if (now < this.cappedUntil + deadPeriod) return
    const until = now + Math.min(lag, deadPeriod)
    this.stats.holds++
    this.holdUntil = until
    this.cappedUntil = until
    this.armProbe()
  }

  /** Clears the probe; the hold ends. Harmless twice. */
  stop(): void {
    clearTimeout(this.probe)
    this.probe = undefined
    this.holdUntil = Number.NEGATIVE_INFINITY
  }

  private armProbe(): void {
    if (this.probe !== undefined) return
    const due = this.init.now() + PAUSE_PROBE_MS
    this.probe = setTimeout(() => {
      this.probe = undefined
      const now = this.init.now()
      if (this.holding(now) === undefined) return
      if (now - due > PAUSE_THRESHOLD_MS) {
        // Still late: another pause, or a loop that has not caught up. Probe again.
        this.armProbe()
        return
      }
      this.holdUntil = now
      this.cappedUntil = Number.NEGATIVE_INFINITY
      this.stats.released++
      this.init.released()
    }, PAUSE_PROBE_MS)
  }
}
