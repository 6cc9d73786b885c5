import { describe, expect, it } from 'vitest'
import { RejectTracker, isMisbehaving } from '../../src/roles/index.js'

const policy = { threshold: 3, windowMs: 1000 }

describe('misbehaviour', () => {
  it.each<[number[], number, boolean]>([
    [[], 0, false],
    [[1, 2], 2, false],
    [[1, 2, 3], 3, true],
    [[0, 500, 900], 1000, false],
    [[100, 500, 900], 1000, true],
  ])('rejects at %j, now %i → %s', (times, now, expected) => {
    expect(isMisbehaving(times, now, policy)).toBe(expected)
  })

  it('RejectTracker says when a peer crosses the threshold, and forgets it after the window', () => {
    const tracker = new RejectTracker(10)
    expect(tracker.record('p', 0, policy)).toBe(false)
    expect(tracker.record('p', 10, policy)).toBe(false)
    expect(tracker.record('p', 20, policy)).toBe(true)
    expect(tracker.record('p', 30, policy)).toBe(false) // already misbehaving
    expect(tracker.isMisbehaving('p', 500, policy)).toBe(true)
    expect(tracker.isMisbehaving('p', 1100, policy)).toBe(false)
  })

  it('tracks a bounded number of peers, forgetting the least recently rejected', () => {
    const tracker = new RejectTracker(2)
    for (const peer of ['a', 'b', 'c']) for (let i = 0; i < 3; i++) tracker.record(peer, i, policy)
    expect(tracker.isMisbehaving('a', 5, policy)).toBe(false)
    expect(tracker.isMisbehaving('b', 5, policy)).toBe(true)
    expect(tracker.isMisbehaving('c', 5, policy)).toBe(true)
  })
})
