import { describe, expect, it } from 'vitest'
import { FlapTracker, isFlapping } from '../../src/membership/index.js'

const policy = { maxChanges: 3, windowMs: 1000 }

describe('isFlapping', () => {
  it.each<[number[], number, boolean, string]>([
    [[], 0, false, 'no changes'],
    [[100, 200, 300], 300, false, 'exactly maxChanges'],
    [[100, 200, 300, 400], 400, true, 'one more than maxChanges'],
    [[0, 200, 300, 400], 1000, false, 'the first one left the window'],
    [[1, 200, 300, 400], 1000, true, 'all four inside (now - window, now]'],
    [[100, 200, 300, 2000], 400, false, 'a change after now does not count'],
  ])('%j at %i → %s (%s)', (times, now, expected) => {
    expect(isFlapping(times, now, policy)).toBe(expected)
  })
})

describe('FlapTracker', () => {
  it('reports a flapping member once per window, and again if it keeps flapping after', () => {
    const tracker = new FlapTracker()
    const at = [0, 100, 200]
    for (const now of at) expect(tracker.record('a', now, policy)).toBeUndefined()
    expect(tracker.record('a', 300, policy)).toEqual({ peerId: 'a', changes: 4, windowMs: 1000 })
    expect(tracker.record('a', 400, policy)).toBeUndefined()
    expect(tracker.record('b', 400, policy)).toBeUndefined()
    // A window after the report, still flapping (400, 1100, 1200, 1300): reported again.
    for (const now of [1100, 1200]) expect(tracker.record('a', now, policy)).toBeUndefined()
    expect(tracker.record('a', 1300, policy)?.changes).toBe(4)
  })

  it('forgets a member', () => {
    const tracker = new FlapTracker()
    for (const now of [0, 1, 2]) tracker.record('a', now, policy)
    tracker.forget('a')
    expect(tracker.record('a', 3, policy)).toBeUndefined()
  })
})
