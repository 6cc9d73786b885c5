import { TypedEventEmitter } from 'main-event'

export interface StepChangeDetail {
  step: number
  previous: number
  reason: 'tick' | 'sync'
}

export interface StepClockEvents {
  'step.changed': CustomEvent<StepChangeDetail>
}

export interface StepClockInit {
  intervalMs: number
  /** The first step; default: the wall-clock step, `floor(now / intervalMs)`. */
  initialStep?: number
  /** Milliseconds since the epoch; default: the wall clock, read through a monotonic timer. */
  now?: () => number
}

/**
 * The node's global step: advances once per `intervalMs` boundary of the wall clock, moves
 * forward to a synced step, and never goes backwards once the node publishes (the join sync
 * may adopt a lower one before). A clock ahead of the mesh holds (skips a tick) instead.
 *
 * Ticks fall on multiples of `intervalMs` since the epoch, and a tick counts every boundary
 * passed since the last one: a stalled event loop catches up when it wakes instead of drifting
 * behind. Nodes with synchronised clocks stay on one step however loaded their machines are,
 * and a node that restarts starts on the step the mesh is on.
 */
export class StepClock extends TypedEventEmitter<StepClockEvents> {
  private current: number
  private intervalMs: number
  private readonly now: () => number
  /** The last wall-clock boundary (`floor(now / intervalMs)`) the step has accounted for. */
  private boundary: number
  private timer: NodeJS.Timeout | undefined
  private ticksToSkip = 0

  constructor(init: StepClockInit) {
    super()
    this.intervalMs = init.intervalMs
    this.now = init.now ?? monotonicWallClock()
    this.boundary = this.boundaryAt(this.now())
    this.current = init.initialStep ?? this.boundary
  }

  get step(): number {
    return this.current
  }

  get interval(): number {
    return this.intervalMs
  }

  /** Catches up with the boundaries passed since construction, then ticks on each one. */
  start(): void {
    if (this.timer !== undefined) return
    this.tick()
  }

  stop(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Moves forward to `step`; a step at or behind the current one changes nothing. */
  advanceTo(step: number): boolean {
    return step > this.current && this.adopt(step)
  }

  /**
   * Takes the mesh's step, forward or back: only for the join sync, before the node has
   * published anything (its own step was a guess from its wall clock and interval until then).
   */
  adopt(step: number): boolean {
    if (!Number.isSafeInteger(step) || step < 0 || step === this.current) return false
    this.set(step, 'sync')
    this.ticksToSkip = 0
    return true
  }

  /** Skips the next tick: how a clock ahead of the mesh lets it catch up. */
  hold(): void {
    this.ticksToSkip = 1
  }

  /** Changes the interval live (CONFIG advice); ticks fall on the new interval's boundaries. */
  setIntervalMs(ms: number): void {
    this.intervalMs = ms
    this.boundary = this.boundaryAt(this.now())
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.schedule()
    }
  }

  private boundaryAt(ms: number): number {
    return Math.floor(ms / this.intervalMs)
  }

  private tick(): void {
    const due = this.boundaryAt(this.now())
    let passed = due - this.boundary
    if (passed > 0) {
      this.boundary = due
      const skipped = Math.min(this.ticksToSkip, passed)
      this.ticksToSkip -= skipped
      passed -= skipped
      if (passed > 0) this.set(this.current + passed, 'tick')
    }
    this.schedule()
  }

  private schedule(): void {
    const next = (this.boundary + 1) * this.intervalMs
    this.timer = setTimeout(() => this.tick(), Math.max(1, next - this.now()))
    this.timer.unref?.()
  }

  private set(step: number, reason: StepChangeDetail['reason']): void {
    const previous = this.current
    this.current = step
    this.safeDispatchEvent('step.changed', { detail: { step, previous, reason } })
  }
}

/**
 * The wall clock as of now, advanced by the monotonic timer from then on: real elapsed time
 * that an NTP step of the system clock cannot send backwards (a clock set back an hour would
 * otherwise stop the steps for an hour).
 */
function monotonicWallClock(): () => number {
  const wallAtStart = Date.now()
  const monotonicAtStart = performance.now()
  return () => wallAtStart + (performance.now() - monotonicAtStart)
}
