/**
 * What peers send, routed: each `advice` / `advice-status` control frame and each batch of
 * items pulled by anti-entropy is parsed (frames.ts), counted, and queued for the principal to
 * stamp or for this node to record. The one place that counts what arrives.
 */
import type { Logger } from 'pino'
import type { ControlVerdict } from '../node/ports.js'
import type { Envelope } from '../protocol/index.js'
import type { RoleManager } from '../roles/index.js'
import { parseAdviceFrame, splitSyncItems } from './frames.js'
import type { IngestQueue } from './ingest-queue.js'
import type { AdviceIssuer } from './issuer.js'
import type { AdviceRecorder } from './recorder.js'
import type { SyncItem } from './sync.js'

export interface AdviceInboundComponents {
  /** Invalid frames are logged (debug) with what was wrong, and counted. */
  logger?: Logger | undefined
  roles?: Pick<RoleManager, 'isPrincipal' | 'checkFencing'> | undefined
  /** Shared with the service's stats. */
  counters: { received: number; invalid: number; staleTerm: number }
  queue: Pick<IngestQueue, 'enqueue'>
  issuer: Pick<AdviceIssuer, 'stamp'>
  recorder: Pick<AdviceRecorder, 'ingestAdvice' | 'ingestResult'>
}

const ACCEPT: ControlVerdict = { verdict: 'accept' }
const NOT_ADVICE: ControlVerdict = { verdict: 'ignore', code: 'MALFORMED', detail: 'not advice' }
const RELAYED_BY_OTHER: ControlVerdict = {
  verdict: 'ignore',
  code: 'MALFORMED',
  detail: 'a relay frame passed on by another node than its origin',
}

export class AdviceInbound {
  private readonly c: AdviceInboundComponents

  constructor(components: AdviceInboundComponents) {
    this.c = components
  }

  /**
   * An `advice` / `advice-status` control frame, inside gossipsub's validator: a malformed
   * one is rejected (not forwarded, scored against its signer); the rest is queued.
   */
  onControl(envelope: Envelope): ControlVerdict {
    const { kind, senderId, data } = envelope
    if (kind !== 'advice' && kind !== 'advice-status') return NOT_ADVICE
    const { counters, queue, recorder, roles } = this.c
    counters.received++
    const frame = parseAdviceFrame(kind, senderId, data)
    switch (frame.kind) {
      case 'invalid':
        counters.invalid++
        this.c.logger?.debug({ senderId, kind, detail: frame.detail }, 'invalid advice frame')
        return { verdict: 'reject', code: 'MALFORMED', detail: frame.detail }
      case 'ignored':
        return RELAYED_BY_OTHER
      case 'relay':
        // A request relayed over gossip: the principal stamps it (and broadcasts the advice).
        if (roles === undefined || roles.isPrincipal)
          void queue.enqueue(async () => await this.c.issuer.stamp(frame.relayed))
        return ACCEPT
      case 'advice': {
        const { advice } = frame
        const fencing = roles?.checkFencing(advice.term, advice.issuer)
        if (fencing !== undefined && !fencing.ok && fencing.code === 'STALE_TERM')
          counters.staleTerm++
        void queue.enqueue(async () => await recorder.ingestAdvice(advice))
        return ACCEPT
      }
      case 'result':
        void queue.enqueue(async () => await recorder.ingestResult(frame.result))
        return ACCEPT
    }
  }

  /** Items pulled by anti-entropy: the valid ones recorded, advice first, in one queued step. */
  async ingestItems(items: readonly SyncItem[]): Promise<void> {
    const { advice, results, invalid } = splitSyncItems(items)
    this.c.counters.invalid += invalid
    await this.c.queue.enqueue(async () => {
      for (const a of advice) await this.c.recorder.ingestAdvice(a)
      for (const r of results) await this.c.recorder.ingestResult(r)
    })
  }
}
