/** One direction of a connection, on a fake clock: delivery times, order, bounds, timers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Link } from '../../../src/sim/transport/link.js'
import {
  deliveryTime,
  mulberry32,
  sampleSegmentDelay,
  type NetworkConditions,
  type SimTransportStats,
} from '../../../src/sim/transport/index.js'
import { createStats } from '../../../src/sim/transport/stats.js'

interface Harness {
  link: Link<Uint8Array>
  stats: SimTransportStats
  /** [delivery time, first byte of the segment] per segment, in delivery order. */
  delivered: Array<[number, number]>
  /** Delivery batches (one per timer that delivered). */
  batches: number
  ended: number[]
  drains: number[]
  conditions: NetworkConditions
}

function harness(
  conditions: Partial<NetworkConditions>,
  options: { seed?: number; maxQueuedBytes?: number } = {},
): Harness {
  const h: Harness = {
    stats: createStats(),
    delivered: [],
    batches: 0,
    ended: [],
    drains: [],
    conditions: { latencyMs: 0, jitterMs: 0, loss: 0, ...conditions },
    link: undefined as unknown as Link<Uint8Array>,
  }
  h.link = new Link<Uint8Array>({
    rng: mulberry32(options.seed ?? 1),
    conditions: () => h.conditions,
    maxQueuedBytes: options.maxQueuedBytes ?? 1 << 20,
    stats: h.stats,
    onDrain: () => h.drains.push(Date.now()),
    now: () => Date.now(),
  })
  h.link.connect({
    deliver: (segments) => {
      h.batches++
      for (const segment of segments) h.delivered.push([Date.now(), segment[0] ?? -1])
    },
    deliverEnd: () => h.ended.push(Date.now()),
  })
  return h
}

function segment(id: number, bytes = 10): Uint8Array {
  return new Uint8Array(bytes).fill(id)
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('Link', () => {
  it('pipelines: 200 segments sent at once all arrive one latency later, in order, on one timer', () => {
    const h = harness({ latencyMs: 20 })
    for (let i = 0; i < 200; i++) expect(h.link.send(segment(i))).toBe(true)
    expect(h.stats.activeTimers).toBe(1)
    expect(h.stats.queuedSegments).toBe(200)

    vi.advanceTimersByTime(19)
    expect(h.delivered).toHaveLength(0)
    vi.advanceTimersByTime(1)
    expect(h.delivered.map(([, id]) => id)).toEqual(Array.from({ length: 200 }, (_, i) => i))
    expect(h.delivered.every(([at]) => at === 20)).toBe(true)
    expect(h.batches).toBe(1)
    expect(h.stats).toMatchObject({ queuedSegments: 0, queuedBytes: 0, activeTimers: 0 })
    expect(h.stats.segmentsDelivered).toBe(200)
  })

  it('delivers at the times the delay model gives, in order, with jitter and loss', () => {
    const conditions: NetworkConditions = { latencyMs: 30, jitterMs: 25, loss: 0.3 }
    const h = harness(conditions, { seed: 9 })
    const model = mulberry32(9)
    const expected: number[] = []
    const ownDue: number[] = []
    let previous = Number.NEGATIVE_INFINITY
    for (let i = 0; i < 100; i++) {
      h.link.send(segment(i))
      const { delayMs } = sampleSegmentDelay(model, conditions)
      previous = deliveryTime(previous, Date.now(), delayMs)
      expected.push(Math.ceil(previous))
      ownDue.push(Math.ceil(Date.now() + delayMs))
      vi.advanceTimersByTime(3)
    }
    vi.advanceTimersByTime(10_000)

    expect(h.delivered.map(([, id]) => id)).toEqual(Array.from({ length: 100 }, (_, i) => i))
    expect(h.delivered.map(([at]) => at)).toEqual(expected)
    expect(h.stats.segmentsRetransmitted).toBeGreaterThan(0)
    expect(h.stats.retransmissions).toBeGreaterThanOrEqual(h.stats.segmentsRetransmitted)
    // A retransmitted segment holds back the ones behind it (head-of-line blocking).
    const held = h.delivered.filter(([at], i) => at > (ownDue[i] ?? Infinity))
    expect(held.length).toBeGreaterThan(0)
  })

  it('gives the same delays for the same seed and other delays for another seed', () => {
    const run = (seed: number): number[] => {
      vi.setSystemTime(0)
      const h = harness({ latencyMs: 10, jitterMs: 40, loss: 0.2 }, { seed })
      for (let i = 0; i < 50; i++) {
        h.link.send(segment(i))
        vi.advanceTimersByTime(5)
      }
      vi.advanceTimersByTime(20_000)
      return h.delivered.map(([at]) => at)
    }
    const first = run(5)
    expect(first).toHaveLength(50)
    expect(run(5)).toEqual(first)
    expect(run(6)).not.toEqual(first)
  })

  it('applies changed conditions to segments sent after the change, keeping order', () => {
    const h = harness({ latencyMs: 100 })
    h.link.send(segment(1))
    h.conditions = { latencyMs: 10, jitterMs: 0, loss: 0 }
    vi.advanceTimersByTime(5)
    h.link.send(segment(2)) // due at 15, but behind segment 1
    vi.advanceTimersByTime(200)
    h.link.send(segment(3))
    vi.advanceTimersByTime(20)
    expect(h.delivered).toEqual([
      [100, 1],
      [100, 2],
      [215, 3],
    ])
  })

  it('bounds the queue: the sender is told to wait, and drained once half of it is delivered', () => {
    const h = harness({ latencyMs: 10 }, { maxQueuedBytes: 100 })
    expect(h.link.send(segment(1, 60))).toBe(true)
    expect(h.link.room).toBe(40)
    vi.advanceTimersByTime(5)
    expect(h.link.send(segment(2, 40))).toBe(false)
    expect(h.link.room).toBe(0)
    expect(h.stats).toMatchObject({ backpressureEvents: 1, queuedBytes: 100 })

    vi.advanceTimersByTime(5) // segment 1 delivered: 40 of 100 bytes left
    expect(h.drains).toEqual([10])
    vi.advanceTimersByTime(5)
    expect(h.drains).toEqual([10])
    expect(h.stats).toMatchObject({ drainEvents: 1, queuedBytes: 0, activeTimers: 0 })
  })

  it('delivers the end after everything sent before it; resolves end() then', async () => {
    const h = harness({ latencyMs: 50, jitterMs: 30 })
    h.link.send(segment(1))
    let endedAt: number | undefined
    void h.link.end().then(() => (endedAt = Date.now()))
    expect(h.link.send(segment(2))).toBe(false) // after the end: discarded
    await vi.advanceTimersByTimeAsync(200)
    expect(h.delivered.map(([, id]) => id)).toEqual([1])
    expect(h.ended).toHaveLength(1)
    expect(h.ended[0]).toBeGreaterThanOrEqual(h.delivered[0]?.[0] ?? Infinity)
    expect(endedAt).toBe(h.ended[0])
    expect(h.stats).toMatchObject({ segmentsDiscarded: 1, activeTimers: 0 })
  })

  it('holds deliveries while paused and delivers what is due on resume', () => {
    const h = harness({ latencyMs: 10 })
    h.link.send(segment(1))
    h.link.pause()
    expect(h.stats.activeTimers).toBe(0)
    vi.advanceTimersByTime(50)
    expect(h.delivered).toHaveLength(0)
    h.link.resume()
    vi.advanceTimersByTime(0)
    expect(h.delivered).toEqual([[50, 1]])
  })

  it('destroy discards what is in flight, clears its timer and resolves a pending end', async () => {
    const h = harness({ latencyMs: 1_000 })
    h.link.send(segment(1, 30))
    h.link.send(segment(2, 20))
    const ended = h.link.end()
    h.link.destroy()
    await ended
    expect(h.stats).toMatchObject({
      queuedSegments: 0,
      queuedBytes: 0,
      activeTimers: 0,
      segmentsDiscarded: 2,
      bytesDiscarded: 50,
    })
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(2_000)
    expect(h.delivered).toHaveLength(0)
    expect(h.ended).toHaveLength(0)
  })
})
