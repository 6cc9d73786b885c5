import { describe, expect, it } from 'vitest'
import { adjustmentFor, reconcileSteps, stepNow } from '../../src/sync/reconcile.js'

describe('reconcileSteps', () => {
  it.each([
    [[], undefined],
    [[5], 5],
    [[5, 6], 5],
    [[5, 5, 1e9], 5],
    [[5, 5, 0], 5],
    [[100, 101, 102, 1e9, 0], 101],
    [[10, 10, 10, 1e9, 1e9], 10],
    [[7, 7, 7, 7, 0, 0, 1e9], 7],
    [[3, Number.NaN, -1, 1.5, 4], 3],
  ])('%j → %s', (steps, expected) => {
    expect(reconcileSteps(steps)).toBe(expected)
  })

  it('cannot be dragged by a minority of liars in either direction', () => {
    const honest = [1000, 1000, 1001, 1001, 1001, 1002]
    for (const lie of [0, 1, 999, 1e6, Number.MAX_SAFE_INTEGER]) {
      const result = reconcileSteps([...honest, lie, lie])!
      expect(result).toBeGreaterThanOrEqual(1000)
      expect(result).toBeLessThanOrEqual(1002)
    }
  })
})

describe('adjustmentFor', () => {
  it.each([
    [10, undefined, { action: 'none' }],
    [10, 10, { action: 'none' }],
    [10, 11, { action: 'advance', to: 11 }],
    [10, 500, { action: 'advance', to: 500 }],
    [10, 9, { action: 'none' }],
    [10, 8, { action: 'hold' }],
  ])('local %i, mesh %s → %j', (local, mesh, expected) => {
    expect(adjustmentFor(local, mesh)).toEqual(expected)
  })
})

describe('stepNow', () => {
  it.each([
    // step, announced at, now, interval → the peer's step now
    [100, 10_500, 10_900, 1000, 100],
    [100, 10_500, 11_000, 1000, 101],
    [100, 10_999, 11_001, 1000, 101],
    [100, 10_000, 30_500, 1000, 120],
    [100, 10_000, 30_500, 250, 182],
    [100, 10_500, 10_000, 1000, 100],
  ])('%s announced at %s, now %s, interval %s → %s', (step, at, now, interval, expected) => {
    expect(stepNow(step, at, now, interval)).toBe(expected)
  })
})
