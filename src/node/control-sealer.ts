/** Seals control frames (heartbeats, claims, advice, step announcements), one at a time. */
import type { PatternKeys } from '../pattern/index.js'
import { sealEnvelope, type EnvelopeFields, type EnvelopeKind } from '../protocol/index.js'
import { receiptOf } from './node-batcher.js'
import type { BroadcastReceipt } from './ports.js'

export class ControlSealer {
  private readonly generator: PatternKeys
  private readonly now: () => Pick<EnvelopeFields, 'senderId' | 'globalStep'>
  /** The control channel's own sequence (PROTOCOL.md §3); data frames count apart. */
  private nextSeq = 0

  constructor(generator: PatternKeys, now: () => Pick<EnvelopeFields, 'senderId' | 'globalStep'>) {
    this.generator = generator
    this.now = now
  }

  /** Sequence numbers go on from `firstSeq` (each run starts above the last one's). */
  restartAt(firstSeq: number): void {
    this.nextSeq = firstSeq
  }

  seal(kind: EnvelopeKind, data: Uint8Array): { bytes: Buffer; receipt: BroadcastReceipt } {
    const fields: EnvelopeFields = {
      kind,
      ...this.now(),
      seq: this.nextSeq++,
      timestamp: Date.now(),
      data,
    }
    const bytes = sealEnvelope(this.generator, fields)
    return { bytes, receipt: receiptOf(fields, bytes, bytes.length) }
  }
}
