/**
 * Directed and routed messages, and receipts of acknowledged broadcasts (DESIGN §15), over
 * `/patternmesh/direct/1.0.0`. A directed message is a data-kind envelope sealed like every
 * frame, on its own sequence (the gossip data sequence stays gap-free for repair); the
 * receiver checks it as gossip would (size, pattern value, tag, step window, replay, sender =
 * the stream's remote peer), delivers it once as a `message` event with `direct: true`, and
 * answers. The sender retries with backoff (same seq, fresh step) until its deadline: a
 * retransmission its receiver already has is answered again, not delivered twice.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { LRUCache } from 'lru-cache'
import type { Logger } from 'pino'
import { NotStartedError, ObserverModeError, PayloadTooLargeError } from '../errors.js'
import type { FrameVerdictDetail, MeshMessage } from '../node/events.js'
import type {
  BroadcastReceipt,
  Libp2pSurface,
  LiveConfig,
  NodeEvents,
  NodeIdentity,
  Service,
} from '../node/ports.js'
import type { PatternKeys } from '../pattern/index.js'
import {
  FIXED_HEADER_BYTES,
  ReplayGuard,
  sealEnvelope,
  TAG_BYTES,
  verifyFrame,
  type VerifyResult,
} from '../protocol/index.js'
import { requestOnce, serveRequests } from '../rpc/request-response.js'
import { sleep } from '../util/abortable.js'
import {
  ATTEMPT_TIMEOUT_MS,
  DEFAULT_DIRECT_TIMEOUT_MS,
  DELIVERED_MEMORY,
  DIRECT_PROTOCOL,
  MAX_INBOUND_STREAMS,
  MAX_PENDING_SENDS,
  RECEIPT_SENDERS,
  RETRY_FIRST_MS,
  RETRY_MAX_MS,
} from './constants.js'
import {
  decodeAnswer,
  decodeRequest,
  decodeSeqs,
  encodeAnswer,
  encodeRequest,
  encodeSeqs,
  REQUEST_MESSAGE,
  REQUEST_RECEIPTS,
  type DirectAnswer,
  type RequestType,
} from './direct-codec.js'
import {
  DeliveryRefusedError,
  DeliveryTimeoutError,
  DirectBusyError,
  InvalidAckError,
  NoTargetError,
} from './errors.js'
import { ReceiptTracker, type AckOutcome } from './receipts.js'
import { parseTarget, resolveTarget, type Target } from './targets.js'

/** A member as the router reads it. */
export interface RoutableMember {
  id: string
  status: string
  observer: boolean
}

export interface DirectComponents {
  identity: NodeIdentity
  liveConfig: Pick<LiveConfig, 'config'>
  events: NodeEvents
  libp2p: Pick<Libp2pSurface, 'handle' | 'unhandle' | 'dialProtocol'>
  /** The network key's pattern generator: seals and checks the direct frames. */
  generator: PatternKeys
  /** The member table (without it only this node is a target). */
  members?: { members(): RoutableMember[] }
  roles?: { readonly principal: string | null }
  /** The node's broadcast (acknowledged broadcasts publish through it). */
  broadcast: (data: Uint8Array) => Promise<BroadcastReceipt>
  /** Publishes a node event: delivered direct messages and every direct frame's verdict. */
  emit: <K extends 'message' | 'verdict'>(type: K, detail: DirectEvents[K]) => void
  logger?: Logger
}

interface DirectEvents {
  message: MeshMessage
  verdict: FrameVerdictDetail
}

export interface DirectInit {
  random?: () => number
}

export interface SendOptions {
  timeoutMs?: number
}

export interface SendResult {
  id: string
  /** The peer that acknowledged it. */
  to: string
  attempts: number
}

export interface AckedBroadcast extends BroadcastReceipt, AckOutcome {}

export interface DirectStats {
  sent: number
  attempts: number
  timeouts: number
  refused: number
  received: number
  duplicates: number
  rejected: number
  receiptQueries: number
}

/** Refusals that a retry cannot cure: the frame itself is wrong for the receiver. */
const FINAL_REFUSALS = new Set([
  'OVERSIZE',
  'MALFORMED',
  'PATTERN_MISMATCH',
  'TAG_MISMATCH',
  'UNKNOWN_SENDER',
  'BAD_REQUEST',
])

export class DirectMessaging implements Service {
  private readonly c: DirectComponents
  private readonly random: () => number
  private readonly log: Logger | undefined
  private controller: AbortController | undefined
  /** Direct frames received, per sender: the replay guard of this channel. */
  private replay = new ReplayGuard()
  /** Gossip data seqs delivered here, per sender: what receipt queries are answered from. */
  private delivered = new ReplayGuard({ maxSenders: RECEIPT_SENDERS })
  /** `sender seq` → id of a direct message delivered here (a retransmission gets it again). */
  private readonly deliveredIds = new LRUCache<string, string>({ max: DELIVERED_MEMORY })
  private readonly receipts: ReceiptTracker
  private nextSeq = 0
  private turn = 0
  private inFlight = 0
  private readonly counters: DirectStats = {
    sent: 0,
    attempts: 0,
    timeouts: 0,
    refused: 0,
    received: 0,
    duplicates: 0,
    rejected: 0,
    receiptQueries: 0,
  }

  constructor(components: DirectComponents, init: DirectInit = {}) {
    this.c = components
    this.random = init.random ?? Math.random
    this.log = components.logger?.child({ component: 'direct' })
    this.receipts = new ReceiptTracker(
      async (peerId, seqs, signal) => await this.askReceipts(peerId, seqs, signal),
    )
  }

  async start(): Promise<void> {
    if (this.controller !== undefined) return
    this.controller = new AbortController()
    const signal = this.controller.signal
    // Its own sequence, above every earlier run's (PROTOCOL.md §3), apart from gossip data.
    this.nextSeq = Date.now() * 1000
    this.replay = new ReplayGuard()
    this.delivered = new ReplayGuard({ maxSenders: RECEIPT_SENDERS })
    this.receipts.start(signal)
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
    if (this.controller === undefined) return
    this.controller.abort()
    this.controller = undefined
    await this.c.libp2p.unhandle(DIRECT_PROTOCOL).catch(() => undefined)
  }

  stats(): DirectStats {
    return { ...this.counters }
  }

  /**
   * Sends `data` to `to` (a peer id, `role:principal`, `role:member`, `any`, `key:<k>`) and
   * resolves once the receiver acknowledged it. NoTargetError when nothing matches now;
   * DeliveryTimeoutError when no acknowledgement came within `timeoutMs`.
   */
  async send(
    to: string,
    data: Uint8Array | string,
    options: SendOptions = {},
  ): Promise<SendResult> {
    const target = parseTarget(to)
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
    const signal = this.checkSend(bytes)
    if (this.inFlight >= MAX_PENDING_SENDS)
      throw new DirectBusyError(`${MAX_PENDING_SENDS} directed messages are already in flight`)
    const timeoutMs = options.timeoutMs ?? DEFAULT_DIRECT_TIMEOUT_MS
    const deadline = Date.now() + timeoutMs
    const first = this.resolve(target)
    if ('none' in first) throw new NoTargetError(`no target for ${to}: ${first.none}`)
    if (target.kind === 'member') this.turn++
    const seq = this.nextSeq++
    this.inFlight++
    this.counters.sent++
    try {
      let peerId = first.peerId
      let lastProblem = 'no answer'
      for (let attempt = 1; ; attempt++) {
        this.counters.attempts++
        const frame = this.seal(seq, bytes)
        const answer = await this.attempt(peerId, frame, deadline, signal)
        if (answer.ok && 'id' in answer) return { id: answer.id, to: peerId, attempts: attempt }
        if (!answer.ok) {
          lastProblem = `${answer.code}: ${answer.detail}`
          if (FINAL_REFUSALS.has(answer.code)) {
            this.counters.refused++
            throw new DeliveryRefusedError(
              answer.code,
              `${peerId} refused the message: ${lastProblem}`,
            )
          }
        }
        const wait =
          Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (attempt - 1)) * (1 + this.random() / 2)
        if (Date.now() + wait >= deadline || signal.aborted) {
          this.counters.timeouts++
          throw new DeliveryTimeoutError(
            `${to} did not acknowledge within ${timeoutMs} ms after ${attempt} attempt(s) (last: ${lastProblem})`,
            attempt,
          )
        }
        await sleep(wait, signal)
        // A routed target follows the mesh (a principal failover, a key's owner dying); a peer
        // id stays the peer.
        const next = target.kind === 'peer' ? first : this.resolve(target)
        if ('peerId' in next) peerId = next.peerId
      }
    } finally {
      this.inFlight--
    }
  }

  /**
   * Broadcasts `data` and waits until `ack` (0 < ack ≤ 1) of the alive members (this node
   * aside) delivered it, or `timeoutMs`: `complete` says which.
   */
  async broadcastAcked(
    data: Uint8Array | string,
    ack: number,
    options: SendOptions = {},
  ): Promise<AckedBroadcast> {
    if (!(ack > 0 && ack <= 1))
      throw new InvalidAckError(`ack: expected a fraction in (0, 1], got ${ack}`)
    if (this.controller === undefined) throw new NotStartedError()
    // Every alive member delivers broadcasts, observers included (unlike routed messages).
    const members = (this.c.members?.members() ?? [])
      .filter((m) => m.status === 'alive')
      .map((m) => m.id)
    const need = Math.ceil(ack * members.length - 1e-9)
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
    const receipt = await this.c.broadcast(bytes)
    const outcome = await this.receipts.await(
      receipt.seq,
      members,
      need,
      options.timeoutMs ?? DEFAULT_DIRECT_TIMEOUT_MS,
    )
    return { ...receipt, ...outcome }
  }

  /** What `to` resolves to now (the API and tests read it), or a sentence why nothing. */
  route(to: string): { peerId: string } | { none: string } {
    return this.resolve(parseTarget(to))
  }

  private resolve(target: Target): { peerId: string } | { none: string } {
    const table = this.c.members?.members() ?? []
    const self = this.c.identity.peerId
    return resolveTarget(target, {
      candidates: this.aliveMembers(),
      status: (peerId) => (peerId === self ? 'alive' : table.find((m) => m.id === peerId)?.status),
      principal: this.c.roles?.principal ?? null,
      turn: this.turn,
      random: this.random,
    })
  }

  /** Alive members that take routed messages (observers do not), this node included. */
  private aliveMembers(): string[] {
    const out = (this.c.members?.members() ?? [])
      .filter((m) => m.status === 'alive' && !m.observer)
      .map((m) => m.id)
    if (!this.c.liveConfig.config.observer) out.push(this.c.identity.peerId)
    return out
  }

  private checkSend(bytes: Uint8Array): AbortSignal {
    if (this.controller === undefined) throw new NotStartedError()
    // An observer never publishes data (DESIGN §7), directed or not.
    if (this.c.liveConfig.config.observer) throw new ObserverModeError()
    const limit = this.c.liveConfig.config.maxFrameBytes - FIXED_HEADER_BYTES - TAG_BYTES - 128
    if (bytes.length > limit)
      throw new PayloadTooLargeError(
        `payload of ${bytes.length} bytes exceeds ${limit} (a direct message is one frame)`,
      )
    return this.controller.signal
  }

  private seal(seq: number, data: Uint8Array): Uint8Array {
    return sealEnvelope(this.c.generator, {
      kind: 'data',
      senderId: this.c.identity.peerId,
      globalStep: this.c.identity.step,
      seq,
      timestamp: Date.now(),
      data,
    })
  }

  private async attempt(
    peerId: string,
    frame: Uint8Array,
    deadline: number,
    signal: AbortSignal,
  ): Promise<DirectAnswer> {
    // To this node itself: the same checks, no stream.
    if (peerId === this.c.identity.peerId)
      return this.answer(encodeRequest(REQUEST_MESSAGE, frame), peerId)
    return await this.request(
      peerId,
      REQUEST_MESSAGE,
      frame,
      Math.min(ATTEMPT_TIMEOUT_MS, deadline - Date.now()),
      signal,
    )
  }

  private async request(
    peerId: string,
    type: RequestType,
    frame: Uint8Array,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<DirectAnswer> {
    if (timeoutMs <= 0 || signal.aborted)
      return { ok: false, code: 'TIMEOUT', detail: 'no time left' }
    try {
      const answer = await requestOnce(
        this.c.libp2p,
        peerIdFromString(peerId),
        DIRECT_PROTOCOL,
        encodeRequest(type, frame),
        {
          timeoutMs,
          maxResponseBytes: 64 * 1024,
        },
      )
      return decodeAnswer(answer)
    } catch (err) {
      return {
        ok: false,
        code: 'UNREACHABLE',
        detail: err instanceof Error ? err.message : String(err),
      }
    }
  }

  private async askReceipts(
    peerId: string,
    seqs: number[],
    signal: AbortSignal,
  ): Promise<number[]> {
    const frame = this.seal(this.nextSeq++, encodeSeqs(seqs))
    const answer = await this.request(peerId, REQUEST_RECEIPTS, frame, ATTEMPT_TIMEOUT_MS, signal)
    return answer.ok && 'seen' in answer ? answer.seen : []
  }

  /** The receiver: checks the request's frame as gossip would, then serves it. */
  private answer(request: Uint8Array, remotePeer: string): DirectAnswer {
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

export function directMessaging(init?: DirectInit) {
  return (components: DirectComponents) => new DirectMessaging(components, init)
}
