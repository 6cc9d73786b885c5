import { describe, expect, it } from 'vitest'
import { gossipDegree } from '../../src/net/gossip-degree.js'

describe('gossipDegree', () => {
  it('gives libp2p’s own defaults for D = 6', () => {
    expect(gossipDegree(6)).toEqual({ D: 6, Dlo: 4, Dhi: 12, Dscore: 4, Dout: 2, Dlazy: 6 })
  })

  it('keeps gossipsub’s constraints for every degree it accepts', () => {
    for (let d = 1; d <= 32; d++) {
      const { D, Dlo, Dhi, Dout, Dscore } = gossipDegree(d)
      expect(Dlo).toBeLessThanOrEqual(D)
      expect(D).toBeLessThanOrEqual(Dhi)
      expect(Dout).toBeLessThan(Dlo)
      expect(Dout).toBeLessThanOrEqual(D / 2)
      expect(Dscore).toBeLessThanOrEqual(Dhi)
      expect(Dlo).toBeGreaterThanOrEqual(1)
    }
  })

  it('refuses a degree below 1 or not an integer', () => {
    expect(() => gossipDegree(0)).toThrow(/integer ≥ 1, got 0/)
    expect(() => gossipDegree(2.5)).toThrow(/got 2.5/)
  })
})
