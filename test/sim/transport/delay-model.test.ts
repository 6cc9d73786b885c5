import { describe, expect, it } from 'vitest'
import {
  deliveryTime,
  hashString,
  linkSeed,
  MAX_RETRANSMISSIONS,
  mulberry32,
  retransmitDelayMs,
  sampleSegmentDelay,
  type NetworkConditions,
  type Rng,
} from '../../../src/sim/transport/index.js'

/** An Rng returning `values` in turn (then 0.999…). */
function scripted(values: number[]): Rng {
  let next = 0
  return () => values[next++] ?? 0.999999
}

function conditions(latencyMs: number, jitterMs: number, loss: number): NetworkConditions {
  return { latencyMs, jitterMs, loss }
}

describe('mulberry32', () => {
  it('gives the same sequence for the same seed, another for another seed, all in [0, 1)', () => {
    const draw = (seed: number): number[] => {
      const rng = mulberry32(seed)
      return Array.from({ length: 1000 }, () => rng())
    }
    const a = draw(7)
    expect(draw(7)).toEqual(a)
    expect(draw(8)).not.toEqual(a)
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true)
    const mean = a.reduce((sum, x) => sum + x, 0) / a.length
    expect(mean).toBeGreaterThan(0.45)
    expect(mean).toBeLessThan(0.55)
  })
})

describe('hashString and linkSeed', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('FNV-1a(%j) = %i', (text, hash) => {
    expect(hashString(text)).toBe(hash)
  })

  it('depends on both the seed and the link key', () => {
    const seed = linkSeed(1, 'a=>b#0:dialer-to-listener')
    expect(linkSeed(1, 'a=>b#0:dialer-to-listener')).toBe(seed)
    expect(linkSeed(2, 'a=>b#0:dialer-to-listener')).not.toBe(seed)
    expect(linkSeed(1, 'a=>b#0:listener-to-dialer')).not.toBe(seed)
    expect(linkSeed(1, 'a=>b#1:dialer-to-listener')).not.toBe(seed)
  })
})

describe('retransmitDelayMs', () => {
  it.each([
    [conditions(0, 0, 0.1), 200, 'floor of 200 ms'],
    [conditions(50, 20, 0.1), 200, '2 × 70 is under the floor'],
    [conditions(100, 20, 0.1), 240, '2 × (latency + jitter)'],
  ])('%o → %i ms (%s)', (given, expected) => {
    expect(retransmitDelayMs(given)).toBe(expected)
  })
})

describe('sampleSegmentDelay', () => {
  it.each([
    ['latency only', conditions(20, 0, 0), [0.5], 20, 0],
    ['latency + jitter', conditions(20, 10, 0), [0.5], 25, 0],
    ['loss trial passes', conditions(20, 10, 0.2), [0.5, 0.3], 25, 0],
    ['lost once', conditions(20, 10, 0.2), [0.5, 0.1, 0.9], 25 + 200, 1],
    ['lost twice', conditions(150, 0, 0.5), [0, 0.1, 0.2, 0.7], 150 + 2 * 300, 2],
  ])('%s', (_name, given, draws, delayMs, retransmissions) => {
    expect(sampleSegmentDelay(scripted(draws), given)).toEqual({ delayMs, retransmissions })
  })

  it(`retransmits at most ${MAX_RETRANSMISSIONS} times`, () => {
    const always = (): number => 0
    const sample = sampleSegmentDelay(always, conditions(10, 0, 0.99))
    expect(sample.retransmissions).toBe(MAX_RETRANSMISSIONS)
    expect(sample.delayMs).toBe(10 + MAX_RETRANSMISSIONS * 200)
  })

  it('retransmits about `loss` of the segments', () => {
    const rng = mulberry32(3)
    const samples = Array.from({ length: 10_000 }, () =>
      sampleSegmentDelay(rng, conditions(10, 5, 0.2)),
    )
    const lost = samples.filter((s) => s.retransmissions > 0).length / samples.length
    expect(lost).toBeGreaterThan(0.17)
    expect(lost).toBeLessThan(0.23)
  })
})

describe('deliveryTime', () => {
  it.each([
    [0, 100, 20, 120, 'its own delay'],
    [130, 100, 20, 130, 'waits for the segment ahead'],
    [Number.NEGATIVE_INFINITY, 5, 0, 5, 'first segment, no delay'],
  ])('previous %d, sent %d, delay %d → %d (%s)', (previous, sentAt, delay, expected) => {
    expect(deliveryTime(previous, sentAt, delay)).toBe(expected)
  })
})
