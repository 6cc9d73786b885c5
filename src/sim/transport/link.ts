/**
 * One direction of a simulated connection: an ordered queue of segments in flight, each with
 * its delivery time, and one timer, armed for the head of the queue. Delays are pipelined: a
 * segment waits for its own delay and for the segment ahead of it, never for the sum of the
 * delays ahead of it. The queue is bounded: past `maxQueuedBytes` the sender is told to wait,
 * and `onDrain` says when it may write again.
 */
import { performance } from 'node:perf_hooks'
import type { NetworkConditions } from './conditions.js'
import { DRAIN_FRACTION } from './constants.js'
import { deliveryTime, sampleSegmentDelay, type Rng } from './delay-model.js'
import type { SimTransportStats } from './stats.js'

/** Where a link delivers: the receiving end of the connection. */
export interface LinkSink<T> {
  /** Segments now due, oldest first. */
  deliver(segments: T[]): void
  /** The sender closed its end and everything it sent before was delivered. */
  deliverEnd(): void
}

export interface LinkInit {
  rng: Rng
  /** Read for every segment sent, so changes apply from the next segment on. */
  conditions: () => NetworkConditions
  maxQueuedBytes: number
  /** Shared counters, updated in place. */
  stats: SimTransportStats
  /** Called when a sender that was told to wait may write again. */
  onDrain: () => void
  /** Clock in ms (default `performance.now`). */
  now?: () => number
}

interface InFlight<T> {
  /** `undefined` marks the end of the stream. */
  segment: T | undefined
  bytes: number
  deliverAt: number
}

const COMPACT_AFTER = 1024

export class Link<T extends { byteLength: number }> {
  private sink?: LinkSink<T>
  private readonly queue: Array<InFlight<T> | undefined> = []
  private head = 0
  private bytes = 0
  private lastDeliveryAt = Number.NEGATIVE_INFINITY
  private timer?: ReturnType<typeof setTimeout>
  private paused = false
  private blocked = false
  private ending?: Promise<void>
  private endDelivered?: () => void
  private destroyed = false
  private readonly now: () => number

  constructor(private readonly init: LinkInit) {
    this.now = init.now ?? (() => performance.now())
    this.onTimer = this.onTimer.bind(this)
  }

  /** Sets the receiving end (once, before anything is sent). */
  connect(sink: LinkSink<T>): void {
    this.sink = sink
  }

  /** Bytes in flight. */
  get queuedBytes(): number {
    return this.bytes
  }

  get queuedSegments(): number {
    return this.queue.length - this.head
  }

  /** Bytes the sender may add before the limit. */
  get room(): number {
    return Math.max(0, this.init.maxQueuedBytes - this.bytes)
  }

  /** True while a timer is armed. */
  get timerArmed(): boolean {
    return this.timer != null
  }

  /**
   * Queues a segment. Returns false when the queue is full (the sender must then wait for
   * `onDrain`); the segment is queued either way. Segments sent after `end` or `destroy` are
   * discarded.
   */
  send(segment: T): boolean {
    const { stats } = this.init
    if (this.destroyed || this.ending != null) {
      stats.segmentsDiscarded++
      stats.bytesDiscarded += segment.byteLength
      return false
    }
    const now = this.now()
    const { delayMs, retransmissions } = sampleSegmentDelay(this.init.rng, this.init.conditions())
    this.enqueue(segment, segment.byteLength, deliveryTime(this.lastDeliveryAt, now, delayMs))
    stats.segmentsSent++
    stats.bytesSent += segment.byteLength
    if (retransmissions > 0) {
      stats.segmentsRetransmitted++
      stats.retransmissions += retransmissions
    }
    if (this.bytes < this.init.maxQueuedBytes) return true
    this.block()
    return false
  }

  /** Marks the sender as waiting for `onDrain` (it was refused, or the queue is full). */
  block(): void {
    if (this.blocked) return
    this.blocked = true
    this.init.stats.backpressureEvents++
  }

  /**
   * Queues the end of the stream, one latency after the last segment is sent and not before
   * it. Resolves once delivered, or once the link is destroyed.
   */
  end(): Promise<void> {
    if (this.ending != null) return this.ending
    if (this.destroyed) return Promise.resolve()
    this.ending = new Promise<void>((resolve) => {
      this.endDelivered = resolve
    })
    const latency = this.init.conditions().latencyMs
    this.enqueue(undefined, 0, deliveryTime(this.lastDeliveryAt, this.now(), latency))
    return this.ending
  }

  /** The receiver stopped reading: hold deliveries (the queue, then the sender, waits). */
  pause(): void {
    this.paused = true
    this.disarm()
  }

  resume(): void {
    if (!this.paused) return
    this.paused = false
    this.arm()
  }

  /** Discards everything in flight and clears the timer; later sends are discarded. */
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.disarm()
    const { stats } = this.init
    for (let i = this.head; i < this.queue.length; i++) {
      const item = this.queue[i]
      if (item?.segment == null) continue
      stats.segmentsDiscarded++
      stats.bytesDiscarded += item.bytes
      stats.queuedSegments--
      stats.queuedBytes -= item.bytes
    }
    this.queue.length = 0
    this.head = 0
    this.bytes = 0
    this.endDelivered?.()
  }

  private enqueue(segment: T | undefined, bytes: number, deliverAt: number): void {
    this.lastDeliveryAt = deliverAt
    this.queue.push({ segment, bytes, deliverAt })
    if (segment != null) {
      this.bytes += bytes
      this.init.stats.queuedSegments++
      this.init.stats.queuedBytes += bytes
    }
    this.arm()
  }

  private arm(): void {
    if (this.timer != null || this.paused || this.destroyed) return
    const next = this.queue[this.head]
    if (next == null) return
    // Timers may fire up to a millisecond early: onTimer re-arms for what is not yet due.
    const wait = Math.max(0, Math.ceil(next.deliverAt - this.now()))
    this.timer = setTimeout(this.onTimer, wait)
    this.init.stats.activeTimers++
  }

  private disarm(): void {
    if (this.timer == null) return
    clearTimeout(this.timer)
    this.timer = undefined
    this.init.stats.activeTimers--
  }

  private onTimer(): void {
    this.timer = undefined
    this.init.stats.activeTimers--
    if (this.destroyed || this.paused) return
    const { stats } = this.init
    const now = this.now()
    const due: T[] = []
    let ended = false
    while (this.head < this.queue.length) {
      const item = this.queue[this.head]
      if (item == null || item.deliverAt > now) break
      this.queue[this.head] = undefined
      this.head++
      if (item.segment == null) {
        ended = true
        break
      }
      due.push(item.segment)
      this.bytes -= item.bytes
      stats.queuedSegments--
      stats.queuedBytes -= item.bytes
      stats.segmentsDelivered++
      stats.bytesDelivered += item.bytes
    }
    this.compact()
    if (due.length > 0) this.sink?.deliver(due)
    if (this.destroyed) return
    if (ended) {
      this.endDelivered?.()
      this.sink?.deliverEnd()
      return
    }
    if (this.blocked && this.bytes <= this.init.maxQueuedBytes * DRAIN_FRACTION) {
      this.blocked = false
      stats.drainEvents++
      this.init.onDrain()
    }
    this.arm()
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue.length = 0
      this.head = 0
    } else if (this.head > COMPACT_AFTER && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head)
      this.head = 0
    }
  }
}
