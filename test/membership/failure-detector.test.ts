import { describe, expect, it } from 'vitest'
import {
  missedHeartbeats,
  statusDeadlines,
  statusFor,
  type MemberStatus,
} from '../../src/membership/index.js'

// interval 100 ms, suspect after 2 missed, dead after 4: a heartbeat is missed once it is
// half an interval overdue, so suspect from 250 ms of silence and dead from 450 ms.
describe('statusFor', () => {
  it.each<[number, MemberStatus, string]>([
    [0, 'alive', 'just heard'],
    [149, 'alive', 'next heartbeat not yet half an interval late'],
    [150, 'alive', 'one missed'],
    [249, 'alive', 'still one missed'],
    [250, 'suspect', 'two missed: suspectAfter'],
    [449, 'suspect', 'three missed'],
    [450, 'dead', 'four missed: deadAfter'],
    [10_000, 'dead', 'long gone'],
    [-500, 'alive', 'heard "in the future" (clock step): not a failure'],
  ])('silent for %i ms → %s (%s)', (silence, expected) => {
    expect(statusFor(1_000_000, 1_000_000 + silence, 100, 2, 4)).toBe(expected)
  })

  it.each<[number, number, number, MemberStatus]>([
    [1, 1, 149, 'alive'],
    [1, 1, 150, 'dead'],
    [3, 6, 350, 'suspect'],
    [3, 6, 650, 'dead'],
    // deadAfter below suspectAfter (refused by config validation) still never yields suspect
    // after dead: dead wins from the larger of the two.
    [4, 2, 250, 'alive'],
    [4, 2, 450, 'dead'],
  ])(
    'suspectAfter %i, deadAfter %i, silent %i ms → %s',
    (suspectAfter, deadAfter, silence, expected) => {
      expect(statusFor(0, silence, 100, suspectAfter, deadAfter)).toBe(expected)
    },
  )
})

describe('missedHeartbeats', () => {
  it.each([
    [0, 100, 0],
    [149, 100, 0],
    [150, 100, 1],
    [1050, 100, 10],
    [500, 0, 0],
  ])('%i ms of silence at interval %i → %i missed', (silence, interval, missed) => {
    expect(missedHeartbeats(0, silence, interval)).toBe(missed)
  })
})

describe('statusDeadlines', () => {
  it('gives the first instants at which statusFor turns suspect and dead', () => {
    const timing = { heartbeatIntervalMs: 100, suspectAfter: 2, deadAfter: 4 }
    const { suspectAt, deadAt } = statusDeadlines(5000, timing)
    expect([suspectAt, deadAt]).toEqual([5250, 5450])
    expect(statusFor(5000, suspectAt - 1, 100, 2, 4)).toBe('alive')
    expect(statusFor(5000, suspectAt, 100, 2, 4)).toBe('suspect')
    expect(statusFor(5000, deadAt - 1, 100, 2, 4)).toBe('suspect')
    expect(statusFor(5000, deadAt, 100, 2, 4)).toBe('dead')
  })
})
