import { describe, expect, it } from 'vitest'
import { agreementAfter, aliveAt, principalAt, stepSpreadAt } from '../../src/sim/timeline-state.js'

describe('timeline state', () => {
  const changes: Array<[number, number, string | null]> = [
    [0, 0, 'A'],
    [0, 1, 'A'],
    [0, 2, 'A'],
    [120, 1, null],
    [150, 1, 'B'],
    [170, 2, 'B'],
  ]

  it('says who was alive and whom each node named, at any time', () => {
    const life = [
      { at: 100, node: 0, alive: false },
      { at: 300, node: 0, alive: true },
    ]
    expect([50, 100, 200, 300].map((t) => aliveAt(life, 0, t))).toEqual([true, false, false, true])
    expect(aliveAt(life, 1, 200)).toBe(true)
    expect([0, 130, 160].map((t) => principalAt(changes, 1, t))).toEqual(['A', null, 'B'])
  })

  it('finds when the survivors of a principal kill agree on another principal', () => {
    expect(agreementAfter(changes, () => [1, 2], 100, 1000, 'A')).toEqual({
      at: 170,
      principal: 'B',
    })
    expect(agreementAfter(changes, () => [1, 2], 100, 160, 'A')).toBeUndefined()
  })

  it('measures the step spread of the given nodes at a time', () => {
    const samples: Array<[number, number, number]> = [
      [0, 0, 10],
      [0, 1, 10],
      [10, 1, 14],
      [20, 0, 13],
    ]
    expect(stepSpreadAt(samples, [0, 1], 15)).toBe(4)
    expect(stepSpreadAt(samples, [0, 1], 25)).toBe(1)
    expect(stepSpreadAt(samples, [0], 25)).toBe(0)
  })
})
