/**
 * The receiving side of `/patternmesh/direct/1.0.0`. Each request's frame is checked as gossip
 * would check it (size, pattern value, tag, step window, replay, sender = the stream's remote
 * peer); a directed message is delivered once as a `message` event with `direct: true` and
 * answered; a retransmission its sender already delivered here is answered again, not
 * delivered twice; a receipt query is answered from the gossip data seqs delivered here.
 */
import { LRUCache } from 'lru-cache'
import type { Logger } from 'pino'
import { ReplayGuard, verifyFrame, type VerifyResult } from '../protocol/index.js'
import { serveRequests } from '../rpc/request-response.js'
import {
  ATTEMPT_TIMEOUT_MS,
  DELIVERED_MEMORY,
  DIRECT_PROTOCOL,
  MAX_INBOUND_STREAMS,
  RECEIPT_SENDERS,
} from './constants.js'
import {
  decodeRequest,
  decodeSeqs,
  encodeAnswer,
  REQUEST_RECEIPTS,
  type DirectAnswer,
} from './direct-codec.js'
import type { DirectComponents, DirectStats } from './types.js'

export type ReceiverComponents = Pick<
  DirectComponents,
  'identity' | 'liveConfig' | 'events' | 'libp2p' | 'generator' | 'emit'
>

export class DirectReceiver {
  private readonly c: ReceiverComponents
  private readonly counters: DirectStats
  private readonly log: Logger | undefined
  /** Direct frames received, per sender: the replay guard of this channel. */
  private replay = new ReplayGuard()
  /** Gossip data seqs delivered here, per sender: what receipt queries are answered from. */
  private delivered = new ReplayGuard({ maxSenders: RECEIPT_SENDERS })
  /** `sender seq` → id of a direct message delivered here (a retransmission gets it again). */
  private readonly deliveredIds = new LRUCache<string, string>({ max: DELIVERED_MEMORY })

  constructor(components: ReceiverComponents, counters: DirectStats, log: Logger | undefined) {
    this.c = components
    this.counters = counters
    this.log = log
  }

  /** Fresh replay memories, the gossip deliveries followed, the protocol served. */
  async start(signal: AbortSignal): Promise<void> {
    this.replay = new ReplayGuard()
    this.delivered = new ReplayGuard({ maxSenders: RECEIPT_SENDERS })
    this.c.events.addEventListener(
      'message',
      (event) => {
        const { envelope, direct } = event.detail
        if (direct !== true) this.delivered.record(envelope.senderId, envelope.seq)
      },
      { signal },
    )
    await serveRequests(
      this.c.libp2p,
      DIRECT_PROTOCOL,
      (request, peerId) => encodeAnswer(this.answer(request, peerId)),
      {
        timeoutMs: ATTEMPT_TIMEOUT_MS,
        maxRequestBytes: this.c.liveConfig.config.maxFrameBytes + 1,
        maxInboundStreams: MAX_INBOUND_STREAMS,
        onError: (err, peerId) => {
          this.counters.rejected++
          this.log?.debug({ err, peerId }, 'direct request failed')
        },
      },
    )
  }

  async stop(): Promise<void> {
    await this.c.libp2p.unhandle(DIRECT_PROTOCOL).catch(() => undefined)
  }

  /** Checks the request's frame as gossip would, then serves it. */
  answer(request: Uint8Array, remotePeer: string): DirectAnswer {
    const decoded = decodeRequest(request)
    if ('error' in decoded)
      return this.refuse(remotePeer, {
        verdict: 'reject',
        code: 'MALFORMED',
        detail: decoded.error,
      })
    const config = this.c.liveConfig.config
    const result = verifyFrame(decoded.frame, {
      generator: this.c.generator,
      replayGuard: this.replay,
      localStep: this.c.identity.step,
      stepWindow: config.stepWindow,
      maxFrameBytes: config.maxFrameBytes,
      expectedSender: remotePeer,
    })
    const envelope = result.envelope
    if (envelope !== undefined && envelope.kind !== 'data')
      return this.refuse(remotePeer, {
        ...result,
        verdict: 'reject',
        code: 'MALFORMED',
        detail: `${envelope.kind} frame on the direct protocol`,
      })
    // A retransmission by its own sender (its stream is authenticated as that peer): the
    // answer got lost, so answer again, without delivering twice.
    if (result.code === 'REPLAY' && envelope?.senderId === remotePeer) {
      this.counters.duplicates++
      if (decoded.type === REQUEST_RECEIPTS)
        return this.receiptAnswer(envelope.senderId, envelope.data)
      const id = this.deliveredIds.get(`${envelope.senderId} ${envelope.seq}`)
      if (id !== undefined) return { ok: true, id, duplicate: true }
    }
    if (result.verdict !== 'accept' || envelope === undefined)
      return this.refuse(remotePeer, result)
    const at = Date.now()
    this.c.emit('verdict', { topic: DIRECT_PROTOCOL, from: remotePeer, result, at })
    if (decoded.type === REQUEST_RECEIPTS) {
      this.counters.receiptQueries++
      return this.receiptAnswer(envelope.senderId, envelope.data)
    }
    const id = Buffer.from(result.tag!).toString('hex')
    this.deliveredIds.set(`${envelope.senderId} ${envelope.seq}`, id)
    this.counters.received++
    this.c.emit('message', { id, envelope, from: remotePeer, receivedAt: at, direct: true })
    return { ok: true, id, duplicate: false }
  }

  private receiptAnswer(sender: string, data: Uint8Array): DirectAnswer {
    const seqs = decodeSeqs(data)
    if (!Array.isArray(seqs)) return { ok: false, code: 'BAD_REQUEST', detail: seqs.error }
    return { ok: true, seen: seqs.filter((seq) => this.delivered.check(sender, seq) === 'seen') }
  }

  private refuse(remotePeer: string, result: VerifyResult): DirectAnswer {
    this.counters.rejected++
    this.c.emit('verdict', { topic: DIRECT_PROTOCOL, from: remotePeer, result, at: Date.now() })
    this.log?.debug(
      { peerId: remotePeer, code: result.code, detail: result.detail },
      'direct frame refused',
    )
    return { ok: false, code: result.code, detail: result.detail ?? result.code }
  }
}
