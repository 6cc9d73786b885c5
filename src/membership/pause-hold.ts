/**
 * The failure detector's hold after this process was paused (GC, a starved core, a laptop lid,
 * a hundred simulated nodes on one thread): a timer of ours firing more than
 * `PAUSE_THRESHOLD_MS` late means heartbeats may still be queued behind us, and no member may
 * be found late for the time we could not listen.
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
  now: () => number
}

export interface PauseHoldStats {
  /** Holds begun. */
  holds: number
  /** Holds ended early by an on-time probe. */
  released: number
}

export class PauseHold {
  private readonly init: PauseHoldInit
  private holdUntil = Number.NEGATIVE_INFINITY
  /** End of the last hold that ran to its limit: none again for a dead period after it. */
  private cappedUntil = Number.NEGATIVE_INFINITY
  private probe: ReturnType<typeof setTimeout> | undefined
  readonly stats: PauseHoldStats = { holds: 0, released: 0 }

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
