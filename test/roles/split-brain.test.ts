import { describe, expect, it } from 'vitest'
import { isSplitBrain, overlapMs, splitBrainKey } from '../../src/roles/index.js'

describe('split brain', () => {
  it.each([
    [{ start: 0, last: 1000 }, { start: 500, last: 2000 }, 500, 'overlapping'],
    [{ start: 0, last: 1000 }, { start: 1000, last: 2000 }, 0, 'back to back'],
    [{ start: 0, last: 1000 }, { start: 1500, last: 2000 }, -500, 'apart'],
    [{ start: 0, last: 5000 }, { start: 1000, last: 2000 }, 1000, 'one inside the other'],
  ])('%j and %j overlap %i ms (%s)', (a, b, expected) => {
    expect(overlapMs(a, b)).toBe(expected)
    expect(overlapMs(b, a)).toBe(expected)
  })

  it('a hand-over (overlap of one gossip delay) is no split brain; a long overlap is', () => {
    const grace = 300
    const handOver = [
      { start: 0, last: 10_020 },
      { start: 10_000, last: 20_000 },
    ] as const
    expect(isSplitBrain(handOver[0], handOver[1], grace)).toBe(false)
    expect(isSplitBrain({ start: 0, last: 20_000 }, { start: 10_000, last: 20_000 }, grace)).toBe(
      true,
    )
  })

  it('one key per pair of claims, in either order', () => {
    const a = { principal: 'p', term: 3 }
    const b = { principal: 'q', term: 4 }
    expect(splitBrainKey(a, b)).toBe(splitBrainKey(b, a))
    expect(splitBrainKey(a, b)).not.toBe(splitBrainKey(a, { principal: 'q', term: 5 }))
  })
})
