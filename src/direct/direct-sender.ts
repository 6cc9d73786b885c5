/**
 * The sending side of `/patternmesh/direct/1.0.0`. A directed message is a data-kind envelope
 * sealed like every frame, on its own sequence (the gossip data sequence stays gap-free for
 * repair). It is sent until its receiver acknowledges it: retried with backoff (same seq,
 * fresh step) until the deadline, a routed target resolved again before each retry; a refusal
 * that no retry can cure ends it at once. Receipt queries go out the same way, one each.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { NotStartedError, ObserverModeError, PayloadTooLargeError } from '../errors.js'
import { FIXED_HEADER_BYTES, sealEnvelope, TAG_BYTES } from '../protocol/index.js'
import { requestOnce } from '../rpc/request-response.js'
import { sleep } from '../util/abortable.js'
import {
  ATTEMPT_TIMEOUT_MS,
  DEFAULT_DIRECT_TIMEOUT_MS,
  DIRECT_PROTOCOL,
  MAX_PENDING_SENDS,
  RETRY_FIRST_MS,
  RETRY_MAX_MS,
} from './constants.js'
import {
  decodeAnswer,
  encodeRequest,
  encodeSeqs,
  REQUEST_MESSAGE,
  REQUEST_RECEIPTS,
  type DirectAnswer,
  type RequestType,
} from './direct-codec.js'
import type { DirectRouter } from './direct-router.js'
import {
  DeliveryRefusedError,
  DeliveryTimeoutError,
  DirectBusyError,
  NoTargetError,
} from './errors.js'
import { parseTarget } from './targets.js'
import type { DirectComponents, DirectStats, SendOptions, SendResult } from './types.js'

/** Refusals that a retry cannot cure: the frame itself is wrong for the receiver. */
const FINAL_REFUSALS = new Set([
  'OVERSIZE',
  'MALFORMED',
  'PATTERN_MISMATCH',
  'TAG_MISMATCH',
  'UNKNOWN_SENDER',
  'BAD_REQUEST',
])

/**
 * The wait after attempt `attempt` (from 1): RETRY_FIRST_MS doubling up to RETRY_MAX_MS, plus
 * up to half of it again at random.
 */
export function retryDelay(attempt: number, random: () => number): number {
  return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (attempt - 1)) * (1 + random() / 2)
}

export type SenderComponents = Pick<
  DirectComponents,
  'identity' | 'liveConfig' | 'libp2p' | 'generator'
>

export interface SenderInit {
  router: DirectRouter
  counters: DirectStats
  random: () => number
  /** Answers a request to this node itself: the same checks, no stream. */
  local: (request: Uint8Array, peerId: string) => DirectAnswer
}

export class DirectSender {
  private readonly c: SenderComponents
  private readonly init: SenderInit
  private nextSeq = 0
  private inFlight = 0

  constructor(components: SenderComponents, init: SenderInit) {
    this.c = components
    this.init = init
  }

  /** Its own sequence, above every earlier run's (PROTOCOL.md §3), apart from gossip data. */
  start(): void {
    this.nextSeq = Date.now() * 1000
  }

  /**
   * Sends `data` to `to` until acknowledged (see DirectMessaging.send); `signal` is the
   * service's, undefined when it is not started.
   */
  async send(
    to: string,
    data: Uint8Array | string,
    options: SendOptions,
    started: AbortSignal | undefined,
  ): Promise<SendResult> {
    const { router, counters } = this.init
    const target = parseTarget(to)
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
    const signal = this.checkSend(bytes, started)
    if (this.inFlight >= MAX_PENDING_SENDS)
      throw new DirectBusyError(`${MAX_PENDING_SENDS} directed messages are already in flight`)
    const timeoutMs = options.timeoutMs ?? DEFAULT_DIRECT_TIMEOUT_MS
    const deadline = Date.now() + timeoutMs
    const first = router.resolve(target)
    if ('none' in first) throw new NoTargetError(`no target for ${to}: ${first.none}`)
    if (target.kind === 'member') router.rotate()
    const seq = this.nextSeq++
    this.inFlight++
    counters.sent++
    try {
      let peerId = first.peerId
      let lastProblem = 'no answer'
      for (let attempt = 1; ; attempt++) {
        counters.attempts++
        const frame = this.seal(seq, bytes)
        const answer = await this.attempt(peerId, frame, deadline, signal)
        if (answer.ok && 'id' in answer) return { id: answer.id, to: peerId, attempts: attempt }
        if (!answer.ok) {
          lastProblem = `${answer.code}: ${answer.detail}`
          if (FINAL_REFUSALS.has(answer.code)) {
            counters.refused++
            throw new DeliveryRefusedError(
              answer.code,
              `${peerId} refused the message: ${lastProblem}`,
            )
          }
        }
        const wait = retryDelay(attempt, this.init.random)
        if (Date.now() + wait >= deadline || signal.aborted) {
          counters.timeouts++
          throw new DeliveryTimeoutError(
            `${to} did not acknowledge within ${timeoutMs} ms after ${attempt} attempt(s) (last: ${lastProblem})`,
            attempt,
          )
        }
        await sleep(wait, signal)
        // A routed target follows the mesh (a principal failover, a key's owner dying); a peer
        // id stays the peer.
        const next = target.kind === 'peer' ? first : router.resolve(target)
        if ('peerId' in next) peerId = next.peerId
      }
    } finally {
      this.inFlight--
    }
  }

  /** Asks `peerId` which of `seqs` (this node's gossip data seqs) it delivered. */
  async askReceipts(peerId: string, seqs: number[], signal: AbortSignal): Promise<number[]> {
    const frame = this.seal(this.nextSeq++, encodeSeqs(seqs))
    const answer = await this.request(peerId, REQUEST_RECEIPTS, frame, ATTEMPT_TIMEOUT_MS, signal)
    return answer.ok && 'seen' in answer ? answer.seen : []
  }

  private checkSend(bytes: Uint8Array, signal: AbortSignal | undefined): AbortSignal {
    if (signal === undefined) throw new NotStartedError()
    // An observer never publishes data (DESIGN §7), directed or not.
    if (this.c.liveConfig.config.observer) throw new ObserverModeError()
    const limit = this.c.liveConfig.config.maxFrameBytes - FIXED_HEADER_BYTES - TAG_BYTES - 128
    if (bytes.length > limit)
      throw new PayloadTooLargeError(
        `payload of ${bytes.length} bytes exceeds ${limit} (a direct message is one frame)`,
      )
    return signal
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
      return this.init.local(encodeRequest(REQUEST_MESSAGE, frame), peerId)
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
}
