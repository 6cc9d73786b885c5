/**
 * The asking side of `/patternmesh/repair/1.0.0` (PROTOCOL.md §9): which peer is asked for a
 * sender's missing frames (the sender first, then the other connected peers in turn), the
 * backoff of a peer that failed or answered with bad frames and of a sender none could help
 * with, and the bound on requests in flight.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import type { Logger } from 'pino'
import type { Libp2pSurface } from '../node/ports.js'
import { requestOnce } from '../rpc/request-response.js'
import {
  BACKOFF_MAX_MS,
  BACKOFF_MIN_MS,
  BAD_REPAIRER_BACKOFF_MS,
  MAX_IN_FLIGHT,
  MAX_REQUEST_FRAMES,
  MAX_REQUEST_RANGES,
  REPAIR_PROTOCOL,
  REQUEST_TIMEOUT_MS,
  TAIL_GRACE_MS,
} from './constants.js'
import type { DeliveryLedger } from './ledger.js'
import type { SeqRange } from './ranges.js'
import {
  decodeAnswer,
  encodeRequest,
  MAX_ANSWER_MESSAGE_BYTES,
  type RepairAnswer,
  type RepairRequest,
} from './wire.js'

/** An answer that can be used: heads or frames, not an error. */
export type UsableAnswer = Exclude<RepairAnswer, { kind: 'error' }>

/** Verifies and delivers the frames `from` sent for `ranges` of `sender`; returns how many were new. */
export type TakeFrames = (
  from: string,
  sender: string,
  ranges: readonly SeqRange[],
  frames: Uint8Array[],
) => number

export interface RepairClientComponents {
  libp2p: Libp2pSurface
  ledger: DeliveryLedger
  /** The service's counters this side adds to. */
  counts: { requests: number; requestFailures: number }
  now: () => number
  /** False once the service stopped: a request failing then is not logged. */
  running: () => boolean
  take: TakeFrames
  log?: Logger
}

export interface RepairClientInit {
  /** A missing frame is asked for this long after it was noticed (it may be on its way). */
  graceMs: number
}

export class RepairClient {
  private readonly c: RepairClientComponents
  private readonly graceMs: number
  private inFlight = 0
  private readonly busy = new Set<string>()
  private readonly peerBackoff = new Map<string, { until: number; ms: number }>()
  private readonly senderRound = new Map<string, { attempt: number; until: number; ms: number }>()

  constructor(components: RepairClientComponents, init: RepairClientInit) {
    this.c = components
    this.graceMs = init.graceMs
  }

  /** Asks for the ripe missing seqs of every sender not busy or backed off, within MAX_IN_FLIGHT. */
  askMissing(now: number): void {
    for (const { sender } of this.c.ledger.missing()) {
      if (this.inFlight >= MAX_IN_FLIGHT) break
      if (this.busy.has(sender) || (this.senderRound.get(sender)?.until ?? 0) > now) continue
      const ranges = this.c.ledger.ripe(
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

  /** The connected peers not backed off. */
  connected(): string[] {
    const now = this.c.now()
    const peers = new Set<string>()
    for (const conn of this.c.libp2p.getConnections()) {
      const id = conn.remotePeer.toString()
      if ((this.peerBackoff.get(id)?.until ?? 0) <= now) peers.add(id)
    }
    return [...peers]
  }

  /** `from` answered with a bad frame: it is not asked again for BAD_REPAIRER_BACKOFF_MS. */
  blame(from: string): void {
    this.peerBackoff.set(from, {
      until: this.c.now() + BAD_REPAIRER_BACKOFF_MS,
      ms: BACKOFF_MAX_MS,
    })
  }

  /** One request to `peerId`; undefined if it failed or the answer is unusable (then backoff). */
  async request(peerId: string, request: RepairRequest): Promise<UsableAnswer | undefined> {
    let peer: PeerId
    try {
      peer = peerIdFromString(peerId)
    } catch {
      return undefined
    }
    this.c.counts.requests++
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
        this.c.log?.info({ peerId, ...detail }, 'repair answer unusable')
        this.failed(peerId)
        return undefined
      }
      this.peerBackoff.delete(peerId)
      return answer.value
    } catch (err) {
      if (this.c.running()) this.c.log?.debug({ err, peerId }, 'repair request failed')
      this.failed(peerId)
      return undefined
    }
  }

  /** One request for `ranges` of `sender`: to the sender first, then the others in turn. */
  private async repair(sender: string, ranges: SeqRange[]): Promise<void> {
    const now = this.c.now()
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
        answer?.kind === 'frames' ? this.c.take(target, sender, ranges, answer.frames) : 0
      if (delivered > 0) {
        round.ms = BACKOFF_MIN_MS
        if (this.c.ledger.missingCount(sender) === 0) round.attempt = 0
      } else {
        round.attempt++
      }
    } finally {
      this.inFlight--
      this.busy.delete(sender)
    }
  }

  private failed(peerId: string): void {
    this.c.counts.requestFailures++
    const prev = this.peerBackoff.get(peerId)
    const ms = Math.min((prev?.ms ?? BACKOFF_MIN_MS / 2) * 2, BACKOFF_MAX_MS)
    this.peerBackoff.set(peerId, { until: this.c.now() + ms, ms })
  }
}
