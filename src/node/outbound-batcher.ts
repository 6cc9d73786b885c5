import { SendQueueFullError } from '../errors.js'

export interface OutboundBatcherInit<R> {
  /**
   * Seals payloads into one batch (a gossip message's data), with a receipt each. Called just
   * before the batch is published, in queue order, so the step is fresh and sequence numbers
   * follow the wire order.
   */
  sealBatch: (payloads: readonly Uint8Array[]) => { batch: Uint8Array; receipts: R[] }
  /** Publishes one batch; resolves when gossipsub has signed and queued it. */
  publish: (batch: Uint8Array) => Promise<void>
  /** Waits until the network can take another batch (backpressure); false if it gave up. */
  gate?: () => Promise<boolean>
  /** Frames per batch: a full batch goes at once. */
  maxMessages: number
  /** Payload bytes per batch: a batch is cut before it passes this (one payload always fits). */
  maxBytes: number
  /** How long the first frame of a batch waits for company, ms. */
  lingerMs: number
  /** Frames waiting or being published; beyond it enqueue() waits for room. */
  queueLimit: number
  /** How long enqueue() waits for room before it fails, ms. */
  waitTimeoutMs: number
  onPublishError?: (err: unknown, frames: number) => void
}

export interface OutboundStats {
  queued: number
  batchesPublished: number
  framesPublished: number
  /** Frames refused because the queue stayed full (each a failed broadcast). */
  framesRefused: number
  /** Frames lost because gossipsub refused a batch (each a failed broadcast). */
  framesFailed: number
  /** Batches published although a peer's stream stayed congested past the wait. */
  congestedPublishes: number
}

interface Pending<R> {
  data: Uint8Array
  at: number
  resolve: (receipt: R) => void
  reject: (err: unknown) => void
}

/**
 * The outbound queue of data frames. Payloads wait here, not in network buffers: one pump
 * takes up to `maxMessages` of them (or fewer once the first has waited `lingerMs`), waits for
 * the backpressure gate, seals them and publishes them as one gossip message. The queue is
 * bounded: when it is full, callers wait in line for room, then fail with SendQueueFullError.
 * Nothing is dropped without being counted and reported to its caller.
 */
/** The stats of a node that has no batcher (not started). */
export const EMPTY_OUTBOUND: OutboundStats = Object.freeze({
  queued: 0,
  batchesPublished: 0,
  framesPublished: 0,
  framesRefused: 0,
  framesFailed: 0,
  congestedPublishes: 0,
})

export class OutboundBatcher<R> {
  private readonly queue: Array<Pending<R>> = []
  /** Payload bytes waiting in `queue`. */
  private queuedBytes = 0
  private inFlight = 0
  private pumping = false
  private stopped = false
  private waiters: Array<() => void> = []
  /** Ticket line for room in a full queue: FIFO, so payloads keep their order. */
  private roomWaiters = 0
  private nextTurn = 0
  private servingTurn = 0
  private readonly skippedTurns = new Set<number>()
  private readonly counters = {
    batchesPublished: 0,
    framesPublished: 0,
    framesRefused: 0,
    framesFailed: 0,
    congestedPublishes: 0,
  }
  private readonly init: OutboundBatcherInit<R>
  private maxMessages: number
  private lingerMs: number

  constructor(init: OutboundBatcherInit<R>) {
    this.init = init
    this.maxMessages = init.maxMessages
    this.lingerMs = init.lingerMs
  }

  /** Queues a payload; resolves with its receipt once its batch is published. */
  enqueue(data: Uint8Array): Promise<R> {
    if (this.stopped) return Promise.reject(new SendQueueFullError('the outbound queue is closed'))
    // The common case (room in the queue) allocates one promise and no async frames.
    if (this.queued() >= this.init.queueLimit || this.roomWaiters > 0) {
      return this.waitForRoom().then(() => this.push(data))
    }
    return this.push(data)
  }

  private push(data: Uint8Array): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ data, at: Date.now(), resolve, reject })
      this.queuedBytes += data.length
      if (this.queue.length === 1 || this.batchIsFull()) this.wake()
      if (!this.pumping) void this.pump()
    })
  }

  /** Publishes what is queued and waits (up to `timeoutMs`) for it; then refuses new payloads. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    this.lingerMs = 0
    this.wake()
    while (this.queued() > 0 && Date.now() < deadline) await this.nextWake(deadline - Date.now())
    this.stopped = true
    this.queuedBytes = 0
    for (const pending of this.queue.splice(0)) {
      this.counters.framesFailed++
      pending.reject(new SendQueueFullError('the node stopped before the message was sent'))
    }
    this.wake()
  }

  setBatching(maxMessages: number, lingerMs: number): void {
    this.maxMessages = maxMessages
    this.lingerMs = lingerMs
    this.wake()
  }

  stats(): OutboundStats {
    return { ...this.counters, queued: this.queued() }
  }

  private queued(): number {
    return this.queue.length + this.inFlight
  }

  private batchIsFull(): boolean {
    return this.queue.length >= this.maxMessages || this.queuedBytes >= this.init.maxBytes
  }

  /** Up to maxMessages payloads and maxBytes bytes (at least one payload). */
  private takeBatch(): Array<Pending<R>> {
    let count = 0
    let bytes = 0
    while (count < this.queue.length && count < this.maxMessages) {
      const next = this.queue[count]!.data.length
      if (count > 0 && bytes + next > this.init.maxBytes) break
      bytes += next
      count++
    }
    this.queuedBytes -= bytes
    return this.queue.splice(0, count)
  }

  private async pump(): Promise<void> {
    this.pumping = true
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const waitMs = this.batchIsFull() ? 0 : this.queue[0]!.at + this.lingerMs - Date.now()
        if (waitMs > 0) {
          await this.nextWake(waitMs)
          continue
        }
        const batch = this.takeBatch()
        this.inFlight = batch.length
        await this.publishBatch(batch)
        this.inFlight = 0
        this.wake()
      }
    } finally {
      this.pumping = false
    }
  }

  private async publishBatch(batch: Array<Pending<R>>): Promise<void> {
    if (this.init.gate !== undefined && !(await this.init.gate()))
      this.counters.congestedPublishes++
    let receipts: R[]
    try {
      const sealed = this.init.sealBatch(batch.map((pending) => pending.data))
      receipts = sealed.receipts
      await this.init.publish(sealed.batch)
    } catch (err) {
      this.counters.framesFailed += batch.length
      this.init.onPublishError?.(err, batch.length)
      for (const pending of batch) pending.reject(err)
      return
    }
    this.counters.batchesPublished++
    this.counters.framesPublished += batch.length
    batch.forEach((pending, i) => pending.resolve(receipts[i]!))
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const resolve of waiters) resolve()
  }

  private async nextWake(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve)
      timer = setTimeout(resolve, Math.max(0, timeoutMs))
    })
    clearTimeout(timer)
  }

  /** Waits in line for room: callers get it in the order they asked. */
  private async waitForRoom(): Promise<void> {
    const deadline = Date.now() + this.init.waitTimeoutMs
    const turn = this.nextTurn++
    this.roomWaiters++
    try {
      while (this.queued() >= this.init.queueLimit || turn !== this.servingTurn) {
        const left = deadline - Date.now()
        if (left <= 0 || this.stopped) {
          this.counters.framesRefused++
          throw new SendQueueFullError(
            this.stopped
              ? 'the outbound queue is closed'
              : `outbound queue full (${this.init.queueLimit} frames) for ${this.init.waitTimeoutMs} ms`,
          )
        }
        await this.nextWake(left)
      }
    } finally {
      this.roomWaiters--
      // Served or timed out, the turn is over; a timed-out turn ahead of its time is skipped.
      if (turn === this.servingTurn) this.servingTurn++
      else this.skippedTurns.add(turn)
      while (this.skippedTurns.delete(this.servingTurn)) this.servingTurn++
      this.wake()
    }
  }
}
