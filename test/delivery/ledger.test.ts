import { describe, expect, it } from 'vitest'
import { DeliveryLedger, RetentionBuffer, SeqSet } from '../../src/delivery/index.js'
import { SLAB_FRAMES } from '../../src/delivery/frame-slab.js'
import { ENTRY_OVERHEAD_BYTES } from '../../src/delivery/retention.js'
import { Recorder } from '../../src/sim/recorder.js'

describe('SeqSet', () => {
  it.each([
    [
      'adds and merges neighbours',
      [
        [1, 3],
        [5, 5],
        [4, 4],
      ],
      [],
      [[1, 5]],
    ],
    [
      'keeps a hole',
      [
        [1, 2],
        [4, 6],
      ],
      [],
      [
        [1, 2],
        [4, 6],
      ],
    ],
    [
      'removes from the middle',
      [[1, 10]],
      [[4, 6]],
      [
        [1, 3],
        [7, 10],
      ],
    ],
    [
      'removes across ranges',
      [
        [1, 3],
        [5, 8],
      ],
      [[2, 6]],
      [
        [1, 1],
        [7, 8],
      ],
    ],
    [
      'removes single seqs: the lowest, the highest, a middle one, a lone one, an absent one',
      [
        [1, 5],
        [9, 9],
      ],
      [
        [1, 1],
        [5, 5],
        [3, 3],
        [9, 9],
        [7, 7],
      ],
      [
        [2, 2],
        [4, 4],
      ],
    ],
  ] as const)('%s', (_name, adds, removes, expected) => {
    const set = new SeqSet()
    for (const [lo, hi] of adds) set.add(lo, hi)
    for (const [lo, hi] of removes) set.remove(lo, hi)
    expect(set.ranges).toEqual(expected)
  })

  it('complement, intersect and take', () => {
    const set = new SeqSet()
    set.add(3, 5)
    set.add(8, 9)
    expect(set.complement(1, 10)).toEqual([
      [1, 2],
      [6, 7],
      [10, 10],
    ])
    expect(set.intersect(4, 8)).toEqual([
      [4, 5],
      [8, 8],
    ])
    expect(set.take(4, 10)).toEqual([
      [3, 5],
      [8, 8],
    ])
    expect(set.take(100, 1)).toEqual([[3, 5]])
  })
})

describe('DeliveryLedger', () => {
  it('delivers each (sender, seq) once, gossip or repair', () => {
    const ledger = new DeliveryLedger()
    expect(ledger.admit('a', 100, 0).fresh).toBe(true)
    expect(ledger.admit('a', 100, 1).fresh).toBe(false)
    expect(ledger.admit('b', 100, 1).fresh).toBe(true)
    expect(ledger.duplicates).toBe(1)
    expect(ledger.has('a', 100)).toBe(true)
    expect(ledger.has('a', 101)).toBe(false)
  })

  it('a jump within a run is a gap; filling it empties the missing set', () => {
    const ledger = new DeliveryLedger()
    ledger.admit('a', 100, 0)
    ledger.admit('a', 105, 0)
    expect(ledger.missing()).toEqual([{ sender: 'a', ranges: [[101, 104]], count: 4 }])
    expect(ledger.ripe('a', 100, 200, 10, 10)).toEqual([])
    expect(ledger.ripe('a', 300, 200, 10, 10)).toEqual([[101, 104]])
    for (const seq of [101, 102, 103, 104]) ledger.admit('a', seq, 1)
    expect(ledger.missing()).toEqual([])
  })

  it('a jump of a new run (restart) is not a gap of millions; heads tell what existed', () => {
    const ledger = new DeliveryLedger()
    ledger.admit('a', 1_000_000_000, 0)
    const second = ledger.admit('a', 2_000_000_000, 0)
    expect(second.jump).toBe(true)
    expect(ledger.missing()).toEqual([])
    ledger.noteRetained(
      'a',
      [
        [999_999_998, 1_000_000_002],
        [2_000_000_000, 2_000_000_001],
      ],
      0,
    )
    expect(ledger.missing()[0]!.ranges).toEqual([
      [999_999_998, 999_999_999],
      [1_000_000_001, 1_000_000_002],
      [2_000_000_001, 2_000_000_001],
    ])
  })

  it('an exaggerated heads range is clipped to its newest part', () => {
    const ledger = new DeliveryLedger({ maxMissingPerSender: 1000 })
    ledger.noteRetained('a', [[0, Number.MAX_SAFE_INTEGER]], 0)
    expect(ledger.missing()[0]!.count).toBe(1000)
  })

  it('what stays missing longer than retention is counted unrecoverable, once, and never asked again', () => {
    const ledger = new DeliveryLedger()
    ledger.admit('a', 10, 0)
    ledger.admit('a', 20, 0)
    expect(ledger.expire(59_999, 60_000)).toEqual([])
    expect(ledger.expire(60_000, 60_000)).toEqual([{ sender: 'a', lo: 11, hi: 19, count: 9 }])
    expect(ledger.unrecoverable).toBe(9)
    expect(ledger.missing()).toEqual([])
    ledger.noteRetained('a', [[11, 19]], 70_000)
    expect(ledger.missing()).toEqual([])
    expect(ledger.expire(200_000, 60_000)).toEqual([])
  })

  it('keeps its delivered ranges bounded: the oldest fold into a floor', () => {
    const ledger = new DeliveryLedger({ maxDeliveredRanges: 3, inRunGap: 0 })
    for (const seq of [1, 3, 5, 7, 9]) ledger.admit('a', seq, 0)
    expect(ledger.has('a', 2)).toBe(true) // below the floor: settled
    expect(ledger.admit('a', 2, 0).fresh).toBe(false)
    expect(ledger.admit('a', 8, 0).fresh).toBe(true)
  })
})

describe('RetentionBuffer', () => {
  const frame = (n: number) => new Uint8Array(n).fill(1)

  it('keeps frames by sender and seq, evicts by age and counts it', () => {
    const buffer = new RetentionBuffer({ maxAgeMs: 1000, maxBytes: 1_000_000 })
    buffer.add('a', 1, frame(10), 0)
    buffer.add('a', 2, frame(10), 500)
    buffer.add('b', 7, frame(10), 500)
    expect(buffer.heads()).toEqual([
      { sender: 'a', ranges: [[1, 2]] },
      { sender: 'b', ranges: [[7, 7]] },
    ])
    expect(buffer.collect('a', [[0, 5]], 1_000)).toHaveLength(2)
    buffer.evict(1000)
    expect(buffer.get('a', 1)).toBeUndefined()
    expect(buffer.stats()).toMatchObject({ frames: 2, evicted: 1 })
  })

  it('evicts the oldest beyond maxBytes, and answers within a byte budget', () => {
    const buffer = new RetentionBuffer({
      maxAgeMs: 60_000,
      maxBytes: 3 * (100 + ENTRY_OVERHEAD_BYTES),
    })
    for (let seq = 1; seq <= 5; seq++) buffer.add('a', seq, frame(100), seq)
    expect(buffer.stats()).toMatchObject({ frames: 3, evicted: 2 })
    expect(buffer.heads()[0]!.ranges).toEqual([[3, 5]])
    expect(buffer.collect('a', [[1, 5]], 210)).toHaveLength(2)
  })

  it('copies what it keeps (a view into a gossip message is not held)', () => {
    const buffer = new RetentionBuffer({ maxAgeMs: 60_000, maxBytes: 1_000_000 })
    const big = new Uint8Array(1000).fill(7)
    buffer.add('a', 1, big.subarray(0, 10), 0)
    big.fill(0)
    expect(buffer.get('a', 1)).toEqual(new Uint8Array(10).fill(7))
    expect(buffer.get('a', 1)!.buffer).not.toBe(big.buffer)
  })

  it('keeps many frames across slabs, serves them in seq order, and evicts them all', () => {
    const buffer = new RetentionBuffer({ maxAgeMs: 1000, maxBytes: 1e9 })
    const n = 3 * SLAB_FRAMES + 5
    // Two senders interleaved, one of them out of order now and then.
    const swapped = (i: number) => (i < n - 1 && i % 7 === 3 ? i + 1 : i % 7 === 4 ? i - 1 : i)
    for (let i = 0; i < n; i++) {
      buffer.add('a', swapped(i), frame(3).fill(swapped(i) % 256), i / n)
      buffer.add('b', 10 * i, frame(5), i / n)
    }
    expect(buffer.add('a', 5, frame(3), 0.5)).toBe(false) // kept already
    expect(buffer.stats()).toMatchObject({ frames: 2 * n, evicted: 0 })
    expect(buffer.heads('b')).toEqual([{ sender: 'a', ranges: [[0, n - 1]] }])
    const some = buffer.collect(
      'a',
      [
        [100, 109],
        [n - 2, n + 100],
      ],
      Infinity,
    )
    expect(some.map((f) => f[0])).toEqual(
      [100, 101, 102, 103, 104, 105, 106, 107, 108, 109, n - 2, n - 1].map((i) => i % 256),
    )
    expect(buffer.get('b', 10 * SLAB_FRAMES)).toEqual(frame(5))
    expect(buffer.evict(2000)).toBe(2 * n)
    expect(buffer.heads()).toEqual([])
    expect(buffer.stats()).toMatchObject({ frames: 0, bytes: 0, evicted: 2 * n })
    expect(buffer.add('a', 1, frame(3), 2000)).toBe(true) // the buffer works on after it emptied
  })
})

describe('Recorder.eventualRatio', () => {
  it('counts receivers that were down at send time, by the deadline', () => {
    const recorder = new Recorder()
    recorder.messageSent('m1', [1], 1000, 0)
    recorder.messageReceived('m1', 1, 5, 1005)
    recorder.messageReceived('m1', 2, undefined, 9000) // down at send, repaired later
    const never = () => false
    expect(recorder.eventualRatio([1, 2], never, () => Infinity).ratio).toBe(1)
    expect(recorder.eventualRatio([1, 2], never, () => 5000)).toEqual({
      ratio: 0.5,
      expected: 2,
      received: 1,
    })
    expect(recorder.eventualRatio([0, 1, 2, 3], never, () => Infinity).ratio).toBe(2 / 3)
  })
})

describe('registerDeliveryMetrics', () => {
  it('mirrors the stats, unrecoverable included', async () => {
    const { Registry } = await import('prom-client')
    const { registerDeliveryMetrics } = await import('../../src/delivery/index.js')
    const registry = new Registry()
    registerDeliveryMetrics(registry, () => ({
      retention: { frames: 3, bytes: 900, evicted: 2 },
      repaired: 5,
      duplicates: 1,
      unrecoverable: 7,
      missing: 4,
      requests: 2,
      requestFailures: 0,
      repairBytes: 1500,
      rejected: 0,
      refused: 0,
      withheld: 3,
      dropped: 0,
    }))
    const text = await registry.metrics()
    expect(text).toMatch(/^patternmesh_messages_unrecoverable_total 7$/m)
    expect(text).toMatch(/^patternmesh_retention_evicted_total 2$/m)
    expect(text).toMatch(/^patternmesh_repair_withheld_total 3$/m)
    expect(text).toMatch(/^patternmesh_messages_missing 4$/m)
  })
})

describe('DeliveryLedger tails', () => {
  it('asks for what a heads answer shows above the newest seq only once the sender went quiet', () => {
    const ledger = new DeliveryLedger()
    ledger.admit('a', 100, 0)
    ledger.admit('a', 102, 1000) // a hole: 101
    ledger.noteRetained('a', [[100, 110]], 1000) // 103…110: a tail, maybe still on its way
    expect(ledger.ripe('a', 1500, 200, 100, 10, 1000)).toEqual([[101, 101]])
    expect(ledger.ripe('a', 2000, 200, 100, 10, 1000)).toEqual([
      [101, 101],
      [103, 110],
    ])
  })

  it('a steady sender: a tail stretch becomes ripe as soon as a newer frame passes it', () => {
    // A restarted receiver learns of 101…110 by heads while gossip brings 100 and then 111 onwards
    // (every 5 ms, never quiet): the stretch is below the newest seq then, and asked for.
    const ledger = new DeliveryLedger()
    ledger.admit('a', 100, 0)
    ledger.noteRetained('a', [[90, 110]], 0)
    expect(ledger.ripe('a', 300, 200, 100, 10, 1000)).toEqual([[90, 99]])
    for (let seq = 111; seq <= 170; seq++) ledger.admit('a', seq, (seq - 110) * 5)
    expect(ledger.ripe('a', 300, 200, 100, 10, 1000)).toEqual([
      [90, 99],
      [101, 110],
    ])
  })
})
