/**
 * Plays a scenario's timeline for both runners: each action at its `at` second, tracked until
 * it has finished, so that the end of a run can wait for the ones still under way.
 */
import { settleActions } from './formation.js'
import type { TimelineAction } from './scenario.js'

export class TimelinePlayer {
  private readonly apply: (action: TimelineAction) => Promise<void>
  private readonly onError: (err: unknown, action: TimelineAction) => void
  private readonly timers: NodeJS.Timeout[] = []
  /** Actions under way (an attacker dialing, a node restarting). */
  private readonly running = new Set<Promise<void>>()

  constructor(
    apply: (action: TimelineAction) => Promise<void>,
    onError: (err: unknown, action: TimelineAction) => void,
  ) {
    this.apply = apply
    this.onError = onError
  }

  start(timeline: readonly TimelineAction[]): void {
    for (const action of timeline) {
      const timer = setTimeout(() => {
        const applying = this.apply(action)
          .catch((err: unknown) => this.onError(err, action))
          .finally(() => this.running.delete(applying))
        this.running.add(applying)
      }, action.at * 1000)
      this.timers.push(timer)
    }
  }

  /** Waits (5 s at most) for the actions under way. */
  async settle(): Promise<void> {
    await settleActions(this.running)
  }

  /** Cancels the actions not yet due. */
  stop(): void {
    for (const timer of this.timers.splice(0)) clearTimeout(timer)
  }
}
