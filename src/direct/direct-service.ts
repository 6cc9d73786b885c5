/**
 * Directed and routed messages, and receipts of acknowledged broadcasts (DESIGN §15), over
 * `/patternmesh/direct/1.0.0`: the service that holds the parts together. The sender
 * (`direct-sender.ts`) seals a message on its own sequence and retries with backoff until its
 * receiver acknowledges it; the receiver (`direct-receiver.ts`) checks each frame as gossip
 * would, delivers it once as a `message` event with `direct: true` and answers; the router
 * (`direct-router.ts`) resolves targets against the member table; the receipt tracker
 * (`receipts.ts`) polls members for the broadcasts that wait for acknowledgements.
 */
import type { Logger } from 'pino'
import { NotStartedError } from '../errors.js'
import type { Service } from '../node/ports.js'
import { DEFAULT_DIRECT_TIMEOUT_MS } from './constants.js'
import { DirectReceiver } from './direct-receiver.js'
import { DirectRouter } from './direct-router.js'
import { DirectSender } from './direct-sender.js'
import { InvalidAckError } from './errors.js'
import { ReceiptTracker } from './receipts.js'
import { parseTarget } from './targets.js'
import {
  emptyStats,
  type AckedBroadcast,
  type DirectComponents,
  type DirectInit,
  type DirectStats,
  type SendOptions,
  type SendResult,
} from './types.js'

export class DirectMessaging implements Service {
  private readonly c: DirectComponents
  private readonly log: Logger | undefined
  private controller: AbortController | undefined
  private readonly counters: DirectStats = emptyStats()
  private readonly router: DirectRouter
  private readonly receiver: DirectReceiver
  private readonly sender: DirectSender
  private readonly receipts: ReceiptTracker

  constructor(components: DirectComponents, init: DirectInit = {}) {
    this.c = components
    const random = init.random ?? Math.random
    this.log = components.logger?.child({ component: 'direct' })
    this.router = new DirectRouter(components, random)
    this.receiver = new DirectReceiver(components, this.counters, this.log)
    this.sender = new DirectSender(components, {
      router: this.router,
      counters: this.counters,
      random,
      local: (request, peerId) => this.receiver.answer(request, peerId),
    })
    this.receipts = new ReceiptTracker(
      async (peerId, seqs, signal) => await this.sender.askReceipts(peerId, seqs, signal),
    )
  }

  async start(): Promise<void> {
    if (this.controller !== undefined) return
    this.controller = new AbortController()
    const signal = this.controller.signal
    this.sender.start()
    this.receipts.start(signal)
    await this.receiver.start(signal)
  }

  async stop(): Promise<void> {
    if (this.controller === undefined) return
    this.controller.abort()
    this.controller = undefined
    await this.receiver.stop()
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
    return await this.sender.send(to, data, options, this.controller?.signal)
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
    return this.router.resolve(parseTarget(to))
  }
}

export function directMessaging(init?: DirectInit) {
  return (components: DirectComponents) => new DirectMessaging(components, init)
}
