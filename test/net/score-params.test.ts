import { validatePeerScoreParams } from '@libp2p/gossipsub/score'
import { describe, expect, it } from 'vitest'
import {
  decayFor,
  InvalidScoreParamsError,
  MESH_TOPIC_SCORE_DEFAULTS,
  meshScoreParams,
} from '../../src/net/index.js'

describe('decayFor', () => {
  it.each([
    [1_000, 1_000, 0.5],
    [2_000, 1_000, Math.SQRT1_2],
    [60_000, 1_000, Math.pow(0.5, 1 / 60)],
    [1_000, 2_000, 0.25],
  ])('half-life %d ms, interval %d ms → %f', (halfLife, interval, expected) => {
    expect(decayFor(halfLife, interval)).toBeCloseTo(expected, 12)
  })

  it('halves a counter over one half-life of intervals', () => {
    expect(Math.pow(decayFor(300_000), 300)).toBeCloseTo(0.5, 12)
  })

  it.each([0, -1, Number.NaN])('refuses half-life %d', (halfLife) => {
    expect(() => decayFor(halfLife)).toThrow(InvalidScoreParamsError)
  })
})

describe('meshScoreParams', () => {
  it('scores each given topic with the mesh defaults and passes gossipsub validation', () => {
    const params = meshScoreParams(['/patternmesh/m/data/1', '/patternmesh/m/control/1'])
    expect(Object.keys(params.topics)).toEqual([
      '/patternmesh/m/data/1',
      '/patternmesh/m/control/1',
    ])
    expect(params.topics['/patternmesh/m/data/1']).toEqual(MESH_TOPIC_SCORE_DEFAULTS)
    expect(() => validatePeerScoreParams(params)).not.toThrow()
  })

  it('penalises rejected messages and exempts loopback from IP colocation', () => {
    const params = meshScoreParams(['t'])
    expect(params.topics.t?.invalidMessageDeliveriesWeight).toBeLessThan(0)
    expect(params.IPColocationFactorWhitelist.has('127.0.0.1')).toBe(true)
  })

  it('applies overrides and gives each call its own whitelist set', () => {
    const a = meshScoreParams(['t'], { topic: { topicWeight: 2 }, peer: { topicScoreCap: 5 } })
    const b = meshScoreParams(['t'])
    a.IPColocationFactorWhitelist.add('10.0.0.1')
    expect(a.topics.t?.topicWeight).toBe(2)
    expect(a.topicScoreCap).toBe(5)
    expect(b.IPColocationFactorWhitelist.has('10.0.0.1')).toBe(false)
  })

  it('refuses parameters gossipsub would misapply, naming the parameter', () => {
    expect(() => meshScoreParams(['t'], { topic: { invalidMessageDeliveriesWeight: 1 } })).toThrow(
      InvalidScoreParamsError,
    )
    expect(() => meshScoreParams(['t'], { peer: { decayInterval: 10 } })).toThrow(/DecayInterval/)
  })
})
