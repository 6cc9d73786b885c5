/**
 * When anti-entropy runs: a round every period (SYNC_EVERY_HEARTBEATS heartbeats unless
 * configured), jittered so that nodes started together do not sync in lockstep. The period is
 * read again before every round, since advice may change the heartbeat interval.
 */
import type { Logger } from 'pino'
import { sleep } from '../util/abortable.js'
import { SYNC_EVERY_HEARTBEATS } from './constants.js'

export interface SyncScheduleComponents {
  /** The period now; 0 or less stops the rounds. */
  periodMs: () => number
  /** One anti-entropy round; a failure is logged and the next round scheduled all the same. */
  round: () => Promise<unknown>
  logger?: Logger | undefined
}

/** The anti-entropy period: the configured one, else SYNC_EVERY_HEARTBEATS heartbeats. */
export function syncPeriodMs(
  syncIntervalMs: number | undefined,
  heartbeatIntervalMs: number,
): number {
  return syncIntervalMs ?? SYNC_EVERY_HEARTBEATS * heartbeatIntervalMs
}

/** `periodMs` spread uniformly over ±25 % (`random` in [0, 1)). */
export function jittered(periodMs: number, random: number = Math.random()): number {
  return periodMs * (0.75 + random * 0.5)
}

export class SyncSchedule {
  private readonly c: SyncScheduleComponents

  constructor(components: SyncScheduleComponents) {
    this.c = components
  }

  /** Runs rounds until `signal` aborts; a round in flight then finishes but starts no other. */
  start(signal: AbortSignal): void {
    void this.loop(signal)
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const period = this.c.periodMs()
      if (period <= 0) return
      await sleep(jittered(period), signal)
      if (signal.aborted) return
      await this.c.round().catch((err: unknown) => this.c.logger?.debug({ err }, 'advice sync'))
    }
  }
}
