import { SendQueueFullError } from '../errors.js'
import { encodeBatch } from '../protocol/index.js'

export interface OutboundBatcherInit {
  /** Publishes one batch; resolves when gossipsub has signed and queued it. */
  publish: (batch: Uint8Array) => Promise<void>
  /** Frames per batch: a full batch is published at once. */
  maxMessages: number
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
  /** Frames lost because gossipsub refused a batch. */
  framesFailed: number
}

/**
 * Packs frames into batches (flush at `maxMessages` or `lingerMs` after the first) and keeps
 * the outbound queue bounded: when it is full, callers wait for room, then fail with
 * SendQueueFullError. Nothing is dropped without being counted.
 */
export class OutboundBatcher {
  private pending: Uint8Array[] = []
  private inFlight = 0
  private lingerTimer: NodeJS.Timeout | undefined
  private waiters: Array<() => void> = []
  private readonly stats_: OutboundStats = {
    queued: 0,
    batchesPublished: 0,
    framesPublished: 0,
    framesRefused: 0,
    framesFailed: 0,
  }
  private readonly init: OutboundBatcherInit
  private maxMessages: number
  private lingerMs: number

  constructor(init: OutboundBatcherInit) {
    this.init = init
    this.maxMessages = init.maxMessages
    this.lingerMs = init.lingerMs
  }

  /** Queues a frame; waits while the queue is full, and fails if it stays full. */
  async enqueue(frame: Uint8Array): Promise<void> {
    if (this.queued() >= this.init.queueLimit) await this.waitForRoom()
    this.pending.push(frame)
    if (this.pending.length >= this.maxMessages) this.flush()
    else if (this.lingerTimer === undefined)
      this.lingerTimer = setTimeout(() => this.flush(), this.lingerMs)
  }

  /** Publishes what is pending now. */
  flush(): void {
    clearTimeout(this.lingerTimer)
    this.lingerTimer = undefined
    while (this.pending.length > 0) {
      const frames = this.pending.splice(0, this.maxMessages)
      this.publish(frames)
    }
  }

  /** Flushes and waits until every batch handed to gossipsub has been published or failed. */
  async drain(timeoutMs: number): Promise<void> {
    this.flush()
    const deadline = Date.now() + timeoutMs
    while (this.inFlight > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  setBatching(maxMessages: number, lingerMs: number): void {
    this.maxMessages = maxMessages
    this.lingerMs = lingerMs
  }

  stats(): OutboundStats {
    return { ...this.stats_, queued: this.queued() }
  }

  private queued(): number {
    return this.pending.length + this.inFlight
  }

  private publish(frames: Uint8Array[]): void {
    this.inFlight += frames.length
    this.init
      .publish(encodeBatch(frames))
      .then(
        () => {
          this.stats_.batchesPublished++
          this.stats_.framesPublished += frames.length
        },
        (err: unknown) => {
          this.stats_.framesFailed += frames.length
          this.init.onPublishError?.(err, frames.length)
        },
      )
      .finally(() => {
        this.inFlight -= frames.length
        this.wakeWaiters()
      })
  }

  private wakeWaiters(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const wake of waiters) wake()
  }

  private async waitForRoom(): Promise<void> {
    const deadline = Date.now() + this.init.waitTimeoutMs
    while (this.queued() >= this.init.queueLimit) {
      const left = deadline - Date.now()
      if (left <= 0) {
        this.stats_.framesRefused++
        throw new SendQueueFullError(
          `outbound queue full (${this.init.queueLimit} frames) for ${this.init.waitTimeoutMs} ms`,
        )
      }
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve)
        timer = setTimeout(resolve, left)
      })
      clearTimeout(timer)
    }
  }
}
