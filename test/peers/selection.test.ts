import { describe, expect, it } from 'vitest'
import { planDials, planPrunes, sample, type DialRound } from '../../src/peers/index.js'

/** Always the first candidate left: picks follow the input order. */
const first = (): number => 0

function round(changes: Partial<DialRound> = {}): DialRound {
  return {
    self: 'self',
    connected: new Set(),
    dialing: new Set(),
    alive: [],
    notAlive: [],
    remembered: [],
    target: 3,
    max: 6,
    maxParallel: 4,
    probe: false,
    backingOff: () => false,
    ...changes,
  }
}

describe('planDials', () => {
  it.each([
    {
      name: 'fills up to the target with alive members',
      round: round({ alive: ['a', 'b', 'c', 'd'] }),
      dial: ['a', 'b', 'c'],
    },
    {
      name: 'counts open connections and dials under way',
      round: round({
        alive: ['a', 'b', 'c', 'd'],
        connected: new Set(['a']),
        dialing: new Set(['b']),
      }),
      dial: ['c'],
    },
    {
      name: 'nothing at the target',
      round: round({ alive: ['a', 'b', 'c', 'd'], connected: new Set(['a', 'b', 'c']) }),
      dial: [],
    },
    {
      name: 'never itself, never a peer in backoff',
      round: round({ alive: ['self', 'a', 'b'], backingOff: (p) => p === 'a' }),
      dial: ['b'],
    },
    {
      name: 'remembered peers next (not those a member table lists), then not-alive members',
      round: round({ alive: ['a'], notAlive: ['z'], remembered: ['z', 'r1', 'r2'], target: 4 }),
      dial: ['a', 'r1', 'r2', 'z'],
    },
    {
      name: 'a restarted node with no members dials the members it remembers',
      round: round({ remembered: ['r1', 'r2', 'r3', 'r4'] }),
      dial: ['r1', 'r2', 'r3'],
    },
    {
      name: 'no more dials in flight than maxParallel',
      round: round({
        alive: ['a', 'b', 'c', 'd'],
        dialing: new Set(['x', 'y']),
        target: 6,
        maxParallel: 3,
      }),
      dial: ['a'],
    },
    {
      name: 'target 0 dials nothing',
      round: round({ alive: ['a'], remembered: ['r'], target: 0 }),
      dial: [],
    },
    {
      name: 'a probe adds one not-alive member at the target',
      round: round({
        alive: ['a', 'b', 'c'],
        notAlive: ['z'],
        connected: new Set(['a', 'b', 'c']),
        probe: true,
      }),
      dial: ['z'],
      probed: 'z',
    },
    {
      name: 'no probe at the maximum',
      round: round({
        notAlive: ['z'],
        connected: new Set(['a', 'b']),
        max: 2,
        target: 2,
        probe: true,
      }),
      dial: [],
    },
  ])('$name', ({ round, dial, probed }) => {
    const plan = planDials(round, first)
    expect(plan.dial).toEqual(dial)
    expect(plan.probed).toBe(probed)
  })

  it('picks at random among alive members (the random source decides)', () => {
    const r = round({ alive: ['a', 'b', 'c', 'd', 'e'], target: 1 })
    expect(planDials(r, () => 0).dial).toEqual(['a'])
    expect(planDials(r, () => 0.99).dial).toEqual(['e'])
    expect(planDials(r, () => 0.5).dial).toEqual(['c'])
  })
})

describe('planPrunes', () => {
  const now = 100_000
  const peer = (peerId: string, alive: boolean, age = 60_000) => ({
    peerId,
    alive,
    openedAt: now - age,
  })

  it.each([
    {
      name: 'nothing at or below the maximum',
      peers: [peer('a', true), peer('b', true)],
      max: 2,
      pruned: [],
    },
    {
      name: 'the excess, alive members first',
      peers: [peer('x', false), peer('a', true), peer('b', true), peer('c', true)],
      max: 2,
      pruned: ['a', 'b'],
    },
    {
      name: 'other peers once no alive member is left to prune',
      peers: [peer('x', false), peer('y', false), peer('a', true)],
      max: 1,
      pruned: ['a', 'x'],
    },
    {
      name: 'never a connection younger than the grace period',
      peers: [peer('new', true, 1_000), peer('joining', false, 9_999), peer('a', true)],
      max: 1,
      pruned: ['a'],
    },
    {
      name: 'fewer than the excess when the rest is protected',
      peers: [peer('n1', true, 10), peer('n2', true, 10), peer('n3', false, 10)],
      max: 1,
      pruned: [],
    },
  ])('$name', ({ peers, max, pruned }) => {
    expect(planPrunes({ peers, max, graceMs: 10_000, now }, first)).toEqual(pruned)
  })
})

describe('sample', () => {
  it('returns distinct items, at most as many as there are', () => {
    const picked = sample(['a', 'b', 'c'], 5, Math.random)
    expect([...picked].sort()).toEqual(['a', 'b', 'c'])
    expect(sample(['a', 'b'], 0, Math.random)).toEqual([])
    expect(sample(['a', 'b'], -1, Math.random)).toEqual([])
  })
})
