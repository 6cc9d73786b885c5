/**
 * When this node heartbeats, and when its failure detector runs. Heartbeats go out every
 * interval (read live, so a CONFIG advice changes it), up to `HEARTBEAT_JITTER` of it early;
 * the detector runs at each tick and at the earliest moment a member's status would change.
 * Everything ends with the signal given to `start()`.
 */
import { sleep } from '../util/sleep.js'
import { HEARTBEAT_JITTER, PAUSE_THRESHOLD_MS } from './constants.js'

export interface HeartbeatScheduleInit {
  /** This node's interval now. */
  intervalMs: () => number
  /** The detector's dead period (read live): the longest hold, and the gap between two. */
  maxHoldMs: () => number
  /** One tick: run the detector, send a heartbeat. Must not throw. */
  tick: () => void
  /** The detector alone (at a member deadline). Must not throw. */
  check: () => void
  now: () => number
  random: () => number
}

export class HeartbeatSchedule {
  private readonly init: HeartbeatScheduleInit
  private signal: AbortSignal | undefined
  /** Ends the current wait early: a new interval to announce at once, or stop. */
  private wake: AbortController | undefined
  private detectorTimer: ReturnType<typeof setTimeout> | undefined
  private detectorAt = Number.POSITIVE_INFINITY
  /** Ticks since start (the second one is placed at random: see nextTickInMs). */
  private ticks = 0
  /** Until when the detector holds its judgement after this process was paused. */
  private holdUntil = Number.NEGATIVE_INFINITY

  constructor(init: HeartbeatScheduleInit) {
    this.init = init
  }

  start(signal: AbortSignal): void {
    this.signal = signal
    this.ticks = 0
    signal.addEventListener(
      'abort',
      () => {
        this.disarm()
        this.wake?.abort()
      },
      { once: true },
    )
    void this.loop(signal)
  }

  /** Ticks on the next turn (not inside the caller's handler), then on from there. */
  tickSoon(): void {
    this.wake?.abort()
  }

  /**
   * This process was paused (a timer of ours fired late by more than `PAUSE_THRESHOLD_MS`: GC,
   * a loaded machine, a laptop lid): the heartbeats that arrived meanwhile are still queued
   * behind us. Until `holdUntil` no member may be found late (as long as the pause, at most a
   * dead period): a node must not judge its peers by the time it could not listen. Returns the
   * end of the hold, or undefined when not holding.
   */
  holding(now: number): number | undefined {
    return now < this.holdUntil ? this.holdUntil : undefined
  }

  private noteLag(lag: number): void {
    if (!(lag > PAUSE_THRESHOLD_MS)) return
    const now = this.init.now()
    // One hold per pause, a dead period at most, and none again for a dead period after it: on
    // a machine late all the time the detector still judges, one dead period late at worst.
    const deadPeriod = this.init.maxHoldMs()
    if (now < this.holdUntil + deadPeriod) return
    this.holdUntil = now + Math.min(lag, deadPeriod)
  }

  /** The earliest member deadline; the detector runs 1 ms past it. */
  get armedAt(): number {
    return this.detectorAt
  }

  /** Sets the detector's timer to `at` (undefined: no member can change status). */
  arm(at: number | undefined): void {
    if (this.signal?.aborted !== false || at === this.detectorAt) return
    this.disarm()
    if (at === undefined) return
    this.detectorAt = at
    const due = Math.max(at, this.init.now()) + 1
    this.detectorTimer = setTimeout(() => {
      this.detectorTimer = undefined
      this.detectorAt = Number.POSITIVE_INFINITY
      this.noteLag(this.init.now() - due)
      this.init.check()
    }, due - this.init.now())
  }

  private disarm(): void {
    clearTimeout(this.detectorTimer)
    this.detectorTimer = undefined
    this.detectorAt = Number.POSITIVE_INFINITY
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.ticks++
      this.init.tick()
      // The stop signal aborts the current wake too (see start).
      this.wake = new AbortController()
      const ms = this.nextTickInMs()
      const due = this.init.now() + ms
      if (await sleep(ms, this.wake.signal)) this.noteLag(this.init.now() - due)
    }
  }

  /**
   * The interval, up to `HEARTBEAT_JITTER` of it earlier (never later: the failure detector
   * counts from the interval); the tick after the first (the joining heartbeat) anywhere within
   * the interval. Nodes started together then heartbeat at spread phases instead of in one
   * burst every interval, which a 100-node simulation on one core feels.
   */
  private nextTickInMs(): number {
    const early = this.ticks === 1 ? 1 : HEARTBEAT_JITTER
    return this.init.intervalMs() * (1 - early * this.init.random())
  }
}
