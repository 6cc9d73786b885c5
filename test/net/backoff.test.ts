import { describe, expect, it } from 'vitest'
import { backoffDelay, DEFAULT_BACKOFF } from '../../src/net/index.js'

describe('backoffDelay', () => {
  const plain = { baseMs: 1_000, factor: 2, maxMs: 30_000, jitter: 0 }

  it.each([
    [0, 1_000],
    [1, 2_000],
    [4, 16_000],
    [5, 30_000],
    [50, 30_000],
    [-3, 1_000],
    [1.7, 2_000],
  ])('attempt %d → %d ms', (attempt, expected) => {
    expect(backoffDelay(attempt, plain)).toBe(expected)
  })

  it.each([
    [0, 1_000],
    [0.5, 1_100],
    [0.999, 1_200],
  ])('jitter with random %d → %d ms', (random, expected) => {
    expect(backoffDelay(0, { ...plain, jitter: 0.2 }, () => random)).toBe(expected)
  })

  it('stays bounded by maxMs plus jitter with the defaults', () => {
    const ceiling = DEFAULT_BACKOFF.maxMs * (1 + DEFAULT_BACKOFF.jitter)
    expect(backoffDelay(1_000, DEFAULT_BACKOFF, () => 0.999_999)).toBeLessThanOrEqual(ceiling)
  })
})
