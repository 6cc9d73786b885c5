/**
 * Retention and repair (DESIGN §15, PROTOCOL.md §9): broadcast becomes at-least-once within
 * `retentionMs`. The service taps the node's data path (DeliveryPort): every accepted frame,
 * and our own, is kept in a bounded buffer; the ledger dedups deliveries by (sender, seq) and
 * finds gaps. Missing frames are asked for over `/patternmesh/repair/1.0.0`, the sender first,
 * then the other connected peers, with backoff; answers are verified like gossip.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import type { Logger } from 'pino'
import type {
  AcceptedDataFrame,
  DeliveryPort,
  Libp2pSurface,
  LiveConfig,
  NodeEvents,
  NodeIdentity,
  Service,
} from '../node/ports.js'
import type { Envelope, VerifyResult } from '../protocol/index.js'
import { requestOnce, serveRequests } from '../rpc/request-response.js'
import {
  BACKOFF_MAX_MS,
  BACKOFF_MIN_MS,
  BAD_REPAIRER_BACKOFF_MS,
  HEADS_INTERVAL_MS,
  MAX_ANSWER_BYTES,
  MAX_IN_FLIGHT,
  MAX_REQUEST_BYTES,
  MAX_REQUEST_FRAMES,
  MAX_REQUEST_RANGES,
  REPAIR_PROTOCOL,
  REQUEST_TIMEOUT_MS,
  TAIL_GRACE_MS,
  TICK_MS,
} from './constants.js'
import { DeliveryLedger, type Unrecoverable } from './ledger.js'
import type { SeqRange } from './ranges.js'
import { RetentionBuffer, type RetentionStats } from './retention.js'
import {
  decodeAnswer,
  decodeRequest,
  encodeError,
  encodeFrames,
  encodeHeads,
  encodeRequest,
  MAX_ANSWER_MESSAGE_BYTES,
  type RepairRequest,
} from './wire.js'

export interface RepairComponents {
  identity: NodeIdentity
  liveConfig: LiveConfig
  events: NodeEvents
  libp2p: Libp2pSurface
  delivery: DeliveryPort
  logger?: Logger
}

export interface RepairInit {
  now?: () => number
  random?: () => number
  /** Test hook: a gossiped frame for which it returns true is lost here (never seen). */
  dropGossip?: (envelope: Envelope) => boolean
  /** A missing frame is asked for this long after it was noticed (it may be on its way). */
  graceMs?: number
}

export interface RepairStats {
  retention: RetentionStats
  /** Frames delivered after a repair. */
  repaired: number
  /** Copies dropped: delivered before (gossip and repair both brought them). */
  duplicates: number
  /** Messages given up on: missing for longer than retentionMs (patternmesh_messages_unrecoverable_total). */
  unrecoverable: number
  /** Seqs missing now, all senders. */
  missing: number
  requests: number
  requestFailures: number
  /** Frame bytes received in repair answers. */
  repairBytes: number
  /** Frames of repair answers rejected (forged, tampered, unrequested). */
  rejected: number
  /** Requests this node refused (malformed, too large). */
  refused: number
  /** Test hook drops. */
  dropped: number
}

export interface RepairEvents {
  'delivery.unrecoverable': CustomEvent<Unrecoverable>
  'delivery.rejected': CustomEvent<{ from: string; result: VerifyResult }>
}

const EMPTY_STATS = {
  repaired: 0,
  requests: 0,
  requestFailures: 0,
  repairBytes: 0,
  rejected: 0,
  refused: 0,
  dropped: 0,
}

export class RepairService extends TypedEventEmitter<RepairEvents> implements Service {
  private readonly c: RepairComponents
  private readonly now: () => number
  private readonly random: () => number
  private readonly graceMs: number
  private readonly dropGossip: RepairInit['dropGossip']
  private readonly log: Logger | undefined
  readonly ledger = new DeliveryLedger()
  readonly retention: RetentionBuffer
  private controller: AbortController | undefined
  private counts = { ...EMPTY_STATS }
  private inFlight = 0
  private readonly busy = new Set<string>()
  private readonly peerBackoff = new Map<string, { until: number; ms: number }>()
  private readonly senderRound = new Map<string, { attempt: number; until: number; ms: number }>()
  private nextHeadsAt = 0
  /** True while a repaired frame is handed to the node (the tap then keeps it, never drops it). */
  private repairing = false

  constructor(components: RepairComponents, init: RepairInit = {}) {
    super()
    this.c = components
    this.now = init.now ?? Date.now
    this.random = init.random ?? Math.random
    this.graceMs = init.graceMs ?? 200
    this.dropGossip = init.dropGossip
    this.log = components.logger?.child({ component: 'repair' })
    const config = components.liveConfig.config
    this.retention = new RetentionBuffer({
      maxAgeMs: config.retentionMs,
      maxBytes: config.retentionBytes,
    })
  }

  get enabled(): boolean {
    return this.c.liveConfig.config.retentionMs > 0
  }

  async start(): Promise<void> {
    if (this.controller !== undefined || !this.enabled) return
    const controller = new AbortController()
    this.controller = controller
    const signal = controller.signal
    this.c.delivery.tapData(
      { accepted: (frame) => this.accepted(frame), sealed: (frames) => this.sealed(frames) },
      { signal },
    )
    await serveRequests(this.c.libp2p, REPAIR_PROTOCOL, (req, peer) => this.serve(req, peer), {
      timeoutMs: REQUEST_TIMEOUT_MS,
      maxRequestBytes: MAX_REQUEST_BYTES,
      maxInboundStreams: 8,
      onError: (err, peerId) => this.log?.debug({ err, peerId }, 'repair request failed'),
    })
    // A peer (re)connecting may be back from a partition or a restart: compare heads at once.
    this.c.events.addEventListener(
      'peer.connected',
      (event) => void this.exchangeHeads(event.detail.peerId),
      { signal },
    )
    this.c.events.addEventListener(
      'config.changed',
      () => {
        const config = this.c.liveConfig.config
        this.retention.setLimits(config.retentionMs, config.retentionBytes)
      },
      { signal },
    )
    const timer = setInterval(() => this.tick(), TICK_MS)
    signal.addEventListener('abort', () => clearInterval(timer))
  }

  async stop(): Promise<void> {
    const controller = this.controller
    if (controller === undefined) return
    this.controller = undefined
    controller.abort()
    await this.c.libp2p.unhandle(REPAIR_PROTOCOL).catch(() => undefined)
  }

  stats(): RepairStats {
    const missing = this.ledger.missing().reduce((n, m) => n + m.count, 0)
    return {
      ...this.counts,
      retention: this.retention.stats(),
      duplicates: this.ledger.duplicates,
      unrecoverable: this.ledger.unrecoverable,
      missing,
    }
  }

  /** Asks `peerId` what it retains, and notes what of it never reached us. */
  async exchangeHeads(peerId: string): Promise<number> {
    const answer = await this.request(peerId, { v: 1, op: 'heads' })
    if (answer?.kind !== 'heads') return 0
    let added = 0
    const now = this.now()
    for (const head of answer.heads) {
      if (head.sender === this.c.identity.peerId) continue
      added += this.ledger.noteRetained(head.sender, head.ranges, now)
    }
    return added
  }

  // The tap (synchronous, inside gossipsub's validator).

  private accepted(frame: AcceptedDataFrame): boolean {
    const { senderId, seq } = frame.envelope
    if (!this.repairing && this.dropGossip?.(frame.envelope) === true) {
      this.counts.dropped++
      return false
    }
    const now = this.now()
    this.retention.add(senderId, seq, frame.frame, now)
    const admitted = this.ledger.admit(senderId, seq, now)
    // A new run of the sender, or a long outage here: what lies between, only heads can tell.
    if (admitted.jump) void this.exchangeHeads(senderId)
    return admitted.fresh
  }

  private sealed(frames: ReadonlyArray<{ seq: number; frame: Uint8Array }>): void {
    const now = this.now()
    const self = this.c.identity.peerId
    for (const { seq, frame } of frames) this.retention.add(self, seq, frame, now)
  }

  // Serving.

  private serve(bytes: Uint8Array, peerId: string): Uint8Array {
    const request = decodeRequest(bytes)
    if (!request.ok) {
      this.counts.refused++
      this.log?.info(
        { peerId, error: request.error, detail: request.detail },
        'repair request refused',
      )
      return encodeError(request.error, request.detail)
    }
    this.retention.evict(this.now())
    const r = request.value
    if (r.op === 'heads') return encodeHeads(this.retention.heads(peerId))
    return encodeFrames(this.retention.collect(r.sender, r.ranges, MAX_ANSWER_BYTES))
  }

  // Asking.

  private tick(): void {
    if (this.controller === undefined) return
    const now = this.now()
    const config = this.c.liveConfig.config
    this.retention.evict(now)
    for (const lost of this.ledger.expire(now, config.retentionMs)) {
      this.log?.warn(lost, 'messages unrecoverable: missing longer than retentionMs')
      this.safeDispatchEvent('delivery.unrecoverable', { detail: lost })
    }
    if (now >= this.nextHeadsAt) {
      this.nextHeadsAt = now + HEADS_INTERVAL_MS
      const peers = this.connected()
      const peer = peers[Math.floor(this.random() * peers.length)]
      if (peer !== undefined) void this.exchangeHeads(peer)
    }
    for (const { sender } of this.ledger.missing()) {
      if (this.inFlight >= MAX_IN_FLIGHT) break
      if (this.busy.has(sender) || (this.senderRound.get(sender)?.until ?? 0) > now) continue
      const ranges = this.ledger.ripe(
        sender,
        now,
        this.graceMs,
        MAX_REQUEST_FRAMES,
        MAX_REQUEST_RANGES,
        TAIL_GRACE_MS,
      )
      if (ranges.length > 0) void this.repair(sender, ranges)
    }
  }

  private connected(): string[] {
    const now = this.now()
    const peers = new Set<string>()
    for (const conn of this.c.libp2p.getConnections()) {
      const id = conn.remotePeer.toString()
      if ((this.peerBackoff.get(id)?.until ?? 0) <= now) peers.add(id)
    }
    return [...peers]
  }

  /** One request for `ranges` of `sender`: to the sender first, then the others in turn. */
  private async repair(sender: string, ranges: SeqRange[]): Promise<void> {
    const now = this.now()
    const round = this.senderRound.get(sender) ?? { attempt: 0, until: 0, ms: BACKOFF_MIN_MS }
    this.senderRound.set(sender, round)
    const others = this.connected().filter((p) => p !== sender)
    const candidates = this.connected().includes(sender) ? [sender, ...others] : others
    if (candidates.length === 0) {
      round.until = now + round.ms
      return
    }
    if (round.attempt >= candidates.length) {
      // Everyone was asked and none had it all: wait, then start over with the sender.
      round.attempt = 0
      round.until = now + round.ms
      round.ms = Math.min(round.ms * 2, BACKOFF_MAX_MS)
      return
    }
    const target = candidates[round.attempt]!
    this.busy.add(sender)
    this.inFlight++
    try {
      const answer = await this.request(target, { v: 1, op: 'frames', sender, ranges })
      const delivered =
        answer?.kind === 'frames' ? this.take(target, sender, ranges, answer.frames) : 0
      if (delivered > 0) {
        round.ms = BACKOFF_MIN_MS
        if (this.ledger.missingCount(sender) === 0) round.attempt = 0
      } else {
        round.attempt++
      }
    } finally {
      this.inFlight--
      this.busy.delete(sender)
    }
  }

  /** Verifies and delivers an answer's frames; returns how many were new. */
  private take(
    from: string,
    sender: string,
    ranges: readonly SeqRange[],
    frames: Uint8Array[],
  ): number {
    const config = this.c.liveConfig.config
    // Retention bounds how old a repaired frame may be: older steps are refused (STEP_SKEW).
    const maxAgeSteps = Math.ceil(config.retentionMs / config.stepIntervalMs) + config.stepWindow
    let delivered = 0
    for (const frame of frames) {
      this.counts.repairBytes += frame.length
      let result = this.c.delivery.verifyRepaired(frame, maxAgeSteps)
      const env = result.envelope
      if (result.verdict === 'accept' && env !== undefined) {
        const asked =
          env.senderId === sender && ranges.some(([lo, hi]) => env.seq >= lo && env.seq <= hi)
        if (!asked) {
          // Not what we asked for: a replay of something delivered, or a frame pushed on us.
          result = this.ledger.has(env.senderId, env.seq)
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
      }
      if (result.verdict !== 'accept') {
        this.counts.rejected++
        // The answer came over a connection authenticated as `from`: it is what is blamed.
        this.peerBackoff.set(from, {
          until: this.now() + BAD_REPAIRER_BACKOFF_MS,
          ms: BACKOFF_MAX_MS,
        })
        this.log?.warn({ from, code: result.code, detail: result.detail }, 'repair answer rejected')
        this.safeDispatchEvent('delivery.rejected', { detail: { from, result } })
        this.c.delivery.deliverRepaired(result, frame, from, REPAIR_PROTOCOL)
        continue
      }
      const before = this.counts.repaired
      this.repairing = true
      try {
        const fresh = !this.ledger.has(env!.senderId, env!.seq)
        this.c.delivery.deliverRepaired(result, frame, from, REPAIR_PROTOCOL)
        if (fresh && this.ledger.has(env!.senderId, env!.seq)) this.counts.repaired++
      } finally {
        this.repairing = false
      }
      delivered += this.counts.repaired - before
    }
    return delivered
  }

  private async request(peerId: string, request: RepairRequest) {
    let peer: PeerId
    try {
      peer = peerIdFromString(peerId)
    } catch {
      return undefined
    }
    this.counts.requests++
    try {
      const bytes = await requestOnce(
        this.c.libp2p,
        peer,
        REPAIR_PROTOCOL,
        encodeRequest(request),
        {
          timeoutMs: REQUEST_TIMEOUT_MS,
          maxResponseBytes: MAX_ANSWER_MESSAGE_BYTES,
        },
      )
      const answer = decodeAnswer(bytes)
      if (!answer.ok || answer.value.kind === 'error') {
        const detail = answer.ok ? answer.value : answer
        this.log?.info({ peerId, ...detail }, 'repair answer unusable')
        this.failed(peerId)
        return undefined
      }
      this.peerBackoff.delete(peerId)
      return answer.value
    } catch (err) {
      if (this.controller !== undefined) this.log?.debug({ err, peerId }, 'repair request failed')
      this.failed(peerId)
      return undefined
    }
  }

  private failed(peerId: string): void {
    this.counts.requestFailures++
    const prev = this.peerBackoff.get(peerId)
    const ms = Math.min((prev?.ms ?? BACKOFF_MIN_MS / 2) * 2, BACKOFF_MAX_MS)
    this.peerBackoff.set(peerId, { until: this.now() + ms, ms })
  }
}

/** The factory, js-libp2p style. */
export function repairService(init?: RepairInit) {
  return (components: RepairComponents) => new RepairService(components, init)
}
