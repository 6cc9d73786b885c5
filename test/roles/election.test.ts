import { describe, expect, it } from 'vitest'
import {
  betterClaim,
  compareClaims,
  expectedPrincipal,
  isBetterClaim,
  ranksAbove,
  type Candidate,
  type Claim,
} from '../../src/roles/index.js'

function c(id: string, weight: number, changes: Partial<Candidate> = {}): Candidate {
  return { id, weight, status: 'alive', eligible: true, observer: false, ...changes }
}

describe('expectedPrincipal', () => {
  const self = c('m', 20)
  it.each<[string, Candidate[], Candidate, number, string | undefined]>([
    ['the heaviest member', [c('a', 10), c('b', 30)], self, 100, 'b'],
    ['self when heaviest', [c('a', 10)], self, 100, 'm'],
    ['ties: the smallest id', [c('z', 20), c('b', 20)], self, 100, 'b'],
    ['ties with self: the smallest id', [c('n', 20)], self, 100, 'm'],
    ['not a suspect member', [c('a', 50, { status: 'suspect' })], self, 100, 'm'],
    ['not a dead member', [c('a', 50, { status: 'dead' })], self, 100, 'm'],
    ['not an ineligible member', [c('a', 50, { eligible: false })], self, 100, 'm'],
    ['not an observer', [c('a', 50, { observer: true })], self, 100, 'm'],
    ['not a weight above maxWeight', [c('a', 101)], self, 100, 'm'],
    ['a weight equal to maxWeight', [c('a', 100)], self, 100, 'a'],
    ['not an observer self', [c('a', 5)], c('m', 50, { observer: true }), 100, 'a'],
    [
      'none when nobody may be',
      [c('a', 5, { eligible: false })],
      c('m', 1, { eligible: false }),
      100,
      undefined,
    ],
    ['not a NaN weight', [c('a', Number.NaN)], self, 100, 'm'],
  ])('%s', (_what, members, me, maxWeight, expected) => {
    expect(expectedPrincipal(members, me, maxWeight)).toBe(expected)
  })

  it('gives every node the same answer, whatever order it holds its table in', () => {
    const all = [c('p', 40), c('q', 40), c('r', 10), c('s', 39)]
    for (const me of all) {
      const others = all.filter((x) => x !== me)
      expect(expectedPrincipal(others, me, 100)).toBe('p')
      expect(expectedPrincipal([...others].reverse(), me, 100)).toBe('p')
    }
  })
})

describe('claims', () => {
  const claim = (term: number, principal: string | null, weight: number): Claim => ({
    term,
    principal,
    weight,
  })
  it.each<[Claim, Claim, number, string]>([
    [claim(3, 'a', 1), claim(2, 'b', 99), 1, 'higher term wins, whatever the weight'],
    [claim(2, 'a', 10), claim(2, 'b', 20), -1, 'equal term: higher weight wins'],
    [claim(2, 'a', 20), claim(2, 'b', 20), 1, 'equal term and weight: smallest id wins'],
    [claim(2, 'a', 20), claim(2, 'a', 20), 0, 'the same claim'],
    [claim(2, 'a', 20), claim(2, 'a', 10), 1, 'same principal and term, restated heavier'],
    [claim(2, null, 0), claim(2, 'a', 1), -1, 'at one term any principal beats none'],
    [claim(2, null, 0), claim(1, 'a', 1), 1, 'no principal at a higher term still wins'],
    [claim(2, null, 0), claim(2, null, 0), 0, 'two empty claims'],
  ])('%j vs %j → %i (%s)', (a, b, expected) => {
    // `+ 0` turns -0 into 0.
    expect(Math.sign(compareClaims(a, b)) + 0).toBe(expected)
    expect(Math.sign(compareClaims(b, a)) + 0).toBe(-expected + 0)
    expect(isBetterClaim(a, b)).toBe(expected > 0)
    expect(betterClaim(a, b)).toBe(expected >= 0 ? a : b)
  })

  it('ranksAbove: weight, then the smaller id by code units (not locale)', () => {
    expect(ranksAbove({ id: 'b', weight: 2 }, { id: 'a', weight: 1 })).toBe(true)
    expect(ranksAbove({ id: 'B', weight: 1 }, { id: 'a', weight: 1 })).toBe(true)
    expect(ranksAbove({ id: 'a', weight: 1 }, { id: 'a', weight: 1 })).toBe(false)
  })
})
