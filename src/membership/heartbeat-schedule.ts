/**
 * When this node heartbeats, and when its failure detector runs. Heartbeats go out every
 * interval (read live, so a CONFIG advice changes it), up to `HEARTBEAT_JITTER` of it early;
 * the detector runs at each tick and at the earliest moment a member's status would change.
 * Everything ends with the signal given to `start()`.
 */
import { sleep } from '../util/sleep.js'
import { HEARTBEAT_JITTER } from './constants.js'
import { PauseHold, type PauseHoldStats } from './pause-hold.js'

export interface HeartbeatScheduleInit {
  /** This node's interval now. */
  intervalMs: () => number
  /** The detector's dead period (read live): the longest hold, and the gap between two. */
  maxHoldMs: () => number
  /** One tick: run the detector, send a heartbeat. Must not throw. */
  tick: () => void
  /** The detector alone (at a member deadline). Must not throw. */
  check: () => void
  /** This process could not listen for `ms`: not members' silence (pause-hold.ts). */
  excuse?: (ms: number) => void
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
  /** The detector's hold after this process was paused. */
  private readonly pause: PauseHold

  constructor(init: HeartbeatScheduleInit) {
    this.init = init
    this.pause = new PauseHold({
      maxHoldMs: init.maxHoldMs,
      released: () => {
        if (this.signal?.aborted === false) init.check()
      },
      excuse: init.excuse,
      now: init.now,
    })
  }

  start(signal: AbortSignal): void {
    this.signal = signal
    this.ticks = 0
    signal.addEventListener(
      'abort',
      () => {
        this.disarm()
        this.pause.stop()
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
   * Until when the failure detector holds its judgement after this process was paused
   * (pause-hold.ts), or undefined when it does not.
   */
  holding(now: number): number | undefined {
    return this.pause.holding(now)
  }

  get pauseStats(): Readonly<PauseHoldStats> {
    return this.pause.stats
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
      this.pause.noteLag(this.init.now() - due)
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
      if (await sleep(ms, this.wake.signal)) this.pause.noteLag(this.init.now() - due)
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
