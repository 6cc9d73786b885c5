/**
 * The verification of repaired frames: each frame of a repair answer is checked like gossip
 * (`DeliveryPort.verifyRepaired`, at most retention old), must be one that was asked for, and
 * is then handed to the node. A bad frame is rejected, published and blamed on the peer that
 * answered (the connection is authenticated as it).
 */
import type { Logger } from 'pino'
import type { DeliveryPort, LiveConfig } from '../node/ports.js'
import type { VerifyResult } from '../protocol/index.js'
import { REPAIR_PROTOCOL } from './constants.js'
import type { DeliveryLedger } from './ledger.js'
import type { SeqRange } from './ranges.js'

export interface RepairedFramesComponents {
  liveConfig: LiveConfig
  delivery: DeliveryPort
  ledger: DeliveryLedger
  /** The service's counters this part adds to. */
  counts: { repaired: number; repairBytes: number; rejected: number }
  /** Backs off the peer that answered with a bad frame. */
  blame: (from: string) => void
  /** Publishes a rejected frame (the service's `delivery.rejected` event). */
  rejected: (from: string, result: VerifyResult) => void
  log?: Logger
}

/**
 * A verified frame that was not asked for (another sender, or a seq outside `ranges`) becomes a
 * reject: REPLAY if it was delivered before, UNKNOWN_SENDER if it is pushed on us. Anything
 * else is returned as it is.
 */
export function checkAsked(
  result: VerifyResult,
  sender: string,
  ranges: readonly SeqRange[],
  delivered: (sender: string, seq: number) => boolean,
): VerifyResult {
  const env = result.envelope
  if (result.verdict !== 'accept' || env === undefined) return result
  const asked = env.senderId === sender && ranges.some(([lo, hi]) => env.seq >= lo && env.seq <= hi)
  if (asked) return result
  // Not what we asked for: a replay of something delivered, or a frame pushed on us.
  return delivered(env.senderId, env.seq)
    ? {
        verdict: 'reject',
        code: 'REPLAY',
        envelope: env,
        detail: `repair answer replays seq ${env.seq} of ${env.senderId}`,
      }
    : {
        verdict: 'reject',
        code: 'UNKNOWN_SENDER',
        envelope: env,
        detail: `repair answer holds a frame that was not asked for (seq ${env.seq} of ${env.senderId})`,
      }
}

/** Retention bounds how old a repaired frame may be, in steps: older ones are refused (STEP_SKEW). */
export function repairMaxAgeSteps(
  config: Pick<LiveConfig['config'], 'retentionMs' | 'stepIntervalMs' | 'stepWindow'>,
): number {
  return Math.ceil(config.retentionMs / config.stepIntervalMs) + config.stepWindow
}

export class RepairedFrames {
  private readonly c: RepairedFramesComponents
  private handing = false

  constructor(components: RepairedFramesComponents) {
    this.c = components
  }

  /** True while a repaired frame is handed to the node (the tap then keeps it, never drops it). */
  get repairing(): boolean {
    return this.handing
  }

  /** Verifies and delivers an answer's frames; returns how many were new. */
  take(from: string, sender: string, ranges: readonly SeqRange[], frames: Uint8Array[]): number {
    const config = this.c.liveConfig.config
    const maxAgeSteps = repairMaxAgeSteps(config)
    let delivered = 0
    for (const frame of frames) {
      this.c.counts.repairBytes += frame.length
      const result = checkAsked(
        this.c.delivery.verifyRepaired(frame, maxAgeSteps),
        sender,
        ranges,
        (s, seq) => this.c.ledger.has(s, seq),
      )
      const env = result.envelope
      if (result.verdict !== 'accept') {
        this.c.counts.rejected++
        // The answer came over a connection authenticated as `from`: it is what is blamed.
        this.c.blame(from)
        this.c.log?.warn(
          { from, code: result.code, detail: result.detail },
          'repair answer rejected',
        )
        this.c.rejected(from, result)
        this.c.delivery.deliverRepaired(result, frame, from, REPAIR_PROTOCOL)
        continue
      }
      const before = this.c.counts.repaired
      this.handing = true
      try {
        const fresh = !this.c.ledger.has(env!.senderId, env!.seq)
        this.c.delivery.deliverRepaired(result, frame, from, REPAIR_PROTOCOL)
        if (fresh && this.c.ledger.has(env!.senderId, env!.seq)) this.c.counts.repaired++
      } finally {
        this.handing = false
      }
      delivered += this.c.counts.repaired - before
    }
    return delivered
  }
}
