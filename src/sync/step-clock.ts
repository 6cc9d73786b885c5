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
  initialStep?: number
}

/**
 * The node's global step: advances every `intervalMs`, moves forward to a synced step, and
 * never goes backwards. A clock ahead of the mesh holds (skips ticks) instead.
 */
export class StepClock extends TypedEventEmitter<StepClockEvents> {
  private current: number
  private intervalMs: number
  private timer: NodeJS.Timeout | undefined
  private ticksToSkip = 0

  constructor(init: StepClockInit) {
    super()
    this.current = init.initialStep ?? 0
    this.intervalMs = init.intervalMs
  }

  get step(): number {
    return this.current
  }

  get interval(): number {
    return this.intervalMs
  }

  start(): void {
    if (this.timer !== undefined) return
    this.schedule()
  }

  stop(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Moves forward to `step`; a step at or behind the current one changes nothing. */
  advanceTo(step: number): boolean {
    if (!Number.isSafeInteger(step) || step <= this.current) return false
    this.set(step, 'sync')
    this.ticksToSkip = 0
    return true
  }

  /** Skips the next tick: how a clock ahead of the mesh lets it catch up. */
  hold(): void {
    this.ticksToSkip = 1
  }

  /** Changes the interval live (CONFIG advice); the next tick uses it. */
  setIntervalMs(ms: number): void {
    this.intervalMs = ms
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.schedule()
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.tick()
      this.schedule()
    }, this.intervalMs)
    this.timer.unref?.()
  }

  private tick(): void {
    if (this.ticksToSkip > 0) {
      this.ticksToSkip--
      return
    }
    this.set(this.current + 1, 'tick')
  }

  private set(step: number, reason: StepChangeDetail['reason']): void {
    const previous = this.current
    this.current = step
    this.safeDispatchEvent('step.changed', { detail: { step, previous, reason } })
  }
}
