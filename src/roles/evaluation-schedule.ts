/**
 * When RoleManager evaluates besides its events: every interval (read live), because the
 * time-based rules need no event, and at chosen instants, because the hearing gates open
 * between loop ticks. Aborting the signal given to `start()` leaves no timer behind.
 */
import type { Logger } from 'pino'
import { sleep } from '../util/sleep.js'

export interface EvaluationScheduleInit {
  evaluate: () => void
  interval: () => number
  now: () => number
  log?: Logger
}

export class EvaluationSchedule {
  private readonly init: EvaluationScheduleInit
  private signal: AbortSignal | undefined
  private readonly wakeTimers = new Set<ReturnType<typeof setTimeout>>()

  constructor(init: EvaluationScheduleInit) {
    this.init = init
  }

  /** Evaluates now and every interval, and once more at `wakeAt`, until `signal` aborts. */
  start(wakeAt: number, signal: AbortSignal): void {
    this.signal = signal
    signal.addEventListener(
      'abort',
      () => {
        for (const timer of this.wakeTimers) clearTimeout(timer)
        this.wakeTimers.clear()
      },
      { once: true },
    )
    this.wakeAt(wakeAt)
    void this.loop(signal)
  }

  /** Evaluates at `at` too (just after it: the gates compare with `>=`). */
  wakeAt(at: number): void {
    if (this.signal?.aborted !== false) return
    const timer = setTimeout(
      () => {
        this.wakeTimers.delete(timer)
        this.init.evaluate()
      },
      Math.max(0, Math.ceil(at - this.init.now())) + 1,
    )
    this.wakeTimers.add(timer)
  }

  private async loop(signal: AbortSignal): Promise<void> {
    do {
      try {
        this.init.evaluate()
      } catch (err) {
        // Errors in the loop are logged, never thrown: the next tick tries again.
        this.init.log?.error({ err }, 'role evaluation')
      }
    } while (await sleep(this.init.interval(), signal))
  }
}
