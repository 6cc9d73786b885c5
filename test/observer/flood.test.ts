import { describe, expect, it } from 'vitest'
import { fullBucket, takeToken, type BucketState } from '../../src/observer/index.js'

const policy = { ratePerSecond: 10, burst: 3 }

/** Frames at the given times (ms); returns which ones started a flood episode. */
function run(times: number[]): boolean[] {
  let state: BucketState = fullBucket(policy, times[0] ?? 0)
  return times.map((at) => {
    const outcome = takeToken(state, at, policy)
    state = outcome.state
    return outcome.startedFlood
  })
}

describe('FLOOD token bucket', () => {
  it.each([
    ['a burst within the bucket is fine', [0, 0, 0], [false, false, false]],
    ['one frame past the burst starts a flood', [0, 0, 0, 0], [false, false, false, true]],
    [
      'a flood is reported once per episode',
      [0, 0, 0, 0, 0, 1],
      [false, false, false, true, false, false],
    ],
    [
      'the sustained rate never floods',
      [0, 100, 200, 300, 400, 500, 600, 700],
      Array(8).fill(false),
    ],
    [
      'after a full refill a new flood is a new episode',
      [0, 0, 0, 0, 1000, 1000, 1000, 1000],
      [false, false, false, true, false, false, false, true],
    ],
    [
      'a partial refill keeps the episode going',
      [0, 0, 0, 0, 150, 150, 150],
      [false, false, false, true, false, false, false],
    ],
  ])('%s', (_name, times, expected) => {
    expect(run(times)).toEqual(expected)
  })

  it('refills at the rate, never above the burst', () => {
    const state = takeToken({ tokens: 0, at: 0, flooding: false }, 10_000, policy).state
    expect(state.tokens).toBe(policy.burst - 1)
  })
})
