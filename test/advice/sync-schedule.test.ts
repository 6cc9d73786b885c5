/** The anti-entropy schedule's maths, pure: the period and its jitter. */
import { describe, expect, it } from 'vitest'
import { SYNC_EVERY_HEARTBEATS } from '../../src/advice/constants.js'
import { jittered, syncPeriodMs } from '../../src/advice/sync-schedule.js'

describe('syncPeriodMs', () => {
  it.each<[string, number | undefined, number, number]>([
    ['unset: every few heartbeats', undefined, 1_000, SYNC_EVERY_HEARTBEATS * 1_000],
    ['unset, a fast heartbeat', undefined, 250, SYNC_EVERY_HEARTBEATS * 250],
    ['configured: as configured, whatever the heartbeat', 7_000, 1_000, 7_000],
    ['configured shorter than a heartbeat', 100, 5_000, 100],
    // 0 (or less) stops the rounds: it must not fall back to the heartbeat period.
    ['configured 0: stays 0', 0, 1_000, 0],
    ['configured negative: stays negative', -1, 1_000, -1],
  ])('%s', (_, configured, heartbeat, period) => {
    expect(syncPeriodMs(configured, heartbeat)).toBe(period)
  })
})

describe('jittered', () => {
  it.each<[number, number, number]>([
    [0, 1_000, 750],
    [0.25, 1_000, 875],
    [0.5, 1_000, 1_000],
    [0.75, 1_000, 1_125],
    [0, 40, 30],
    [0.5, 0, 0],
  ])('random %f over %d ms → %d ms', (random, period, expected) => {
    expect(jittered(period, random)).toBeCloseTo(expected, 9)
  })

  it('stays within ±25 % of the period and grows with the draw', () => {
    const period = 2_000
    let previous = -Infinity
    for (let i = 0; i < 1_000; i++) {
      const random = i / 1_000
      const value = jittered(period, random)
      expect(value).toBeGreaterThanOrEqual(period * 0.75)
      expect(value).toBeLessThan(period * 1.25)
      expect(value).toBeGreaterThan(previous)
      previous = value
    }
    // The largest draw may round up to 125 % exactly; it never goes past it.
    expect(jittered(period, 1 - Number.EPSILON)).toBeLessThanOrEqual(period * 1.25)
  })

  it('draws its own randomness within the same bounds when given none', () => {
    const draws = Array.from({ length: 500 }, () => jittered(1_000))
    for (const value of draws) {
      expect(value).toBeGreaterThanOrEqual(750)
      expect(value).toBeLessThanOrEqual(1_250)
    }
    // Spread, not a constant: nodes started together must not sync in lockstep.
    expect(new Set(draws).size).toBeGreaterThan(1)
  })
})
