/**
 * When RoleManager evaluates besides its events: every interval (read live), because the
 * time-based rules need no event, and at chosen instants, because the hearing gates open
 * between loop ticks. `stop()` leaves no timer behind and is harmless twice.
 */
import type { Logger } from 'pino'

export interface EvaluationScheduleInit {
  evaluate: () => void
  interval: () => number
  now: () => number
  log?: Logger
}

export class EvaluationSchedule {
  private readonly init: EvaluationScheduleInit
  private running = false
  private loopTimer: ReturnType<typeof setTimeout> | undefined
  private readonly wakeTimers = new Set<ReturnType<typeof setTimeout>>()

  constructor(init: EvaluationScheduleInit) {
    this.init = init
  }

  /** Evaluates now and every interval, and once more at `wakeAt`. */
  start(wakeAt: number): void {
    if (this.running) return
    this.running = true
    this.wakeAt(wakeAt)
    this.loop()
  }

  stop(): void {
    this.running = false
    clearTimeout(this.loopTimer)
    this.loopTimer = undefined
    for (const timer of this.wakeTimers) clearTimeout(timer)
    this.wakeTimers.clear()
  }

  /** Evaluates at `at` too (just after it: the gates compare with `>=`). */
  wakeAt(at: number): void {
    if (!this.running) return
    const timer = setTimeout(
      () => {
        this.wakeTimers.delete(timer)
        this.init.evaluate()
      },
      Math.max(0, Math.ceil(at - this.init.now())) + 1,
    )
    this.wakeTimers.add(timer)
  }

  private loop(): void {
    if (!this.running) return
    try {
      this.init.evaluate()
    } catch (err) {
      // Errors in the loop are logged, never thrown: the next tick tries again.
      this.init.log?.error({ err }, 'role evaluation')
    }
    this.loopTimer = setTimeout(() => this.loop(), this.init.interval())
  }
}
