import { describe, expect, it } from 'vitest'
import {
  ANY,
  ConditionsTable,
  InvalidConditionsError,
  normalizeConditions,
  validateConditions,
  type NetworkConditions,
  type SimEndpoint,
} from '../../../src/sim/transport/index.js'

describe('validateConditions', () => {
  it.each([
    [{ latencyMs: -1 }, /latencyMs must be a finite number ≥ 0/],
    [{ jitterMs: Number.NaN }, /jitterMs must be a finite number ≥ 0/],
    [{ latencyMs: Number.POSITIVE_INFINITY }, /latencyMs/],
    [{ loss: 1 }, /loss must be a number in 0 … 0.99/],
    [{ loss: -0.1 }, /loss/],
  ])('refuses %o', (conditions, message) => {
    expect(() => validateConditions(conditions)).toThrow(InvalidConditionsError)
    expect(() => validateConditions(conditions)).toThrow(message)
  })

  it('accepts partial conditions in range', () => {
    expect(() => validateConditions({ loss: 0.99 })).not.toThrow()
    expect(() => validateConditions({ latencyMs: 0, jitterMs: 12.5 })).not.toThrow()
  })
})

describe('normalizeConditions', () => {
  it('clamps what a conditions function returns', () => {
    expect(normalizeConditions({ latencyMs: -5, jitterMs: Number.NaN, loss: 2 })).toEqual({
      latencyMs: 0,
      jitterMs: 0,
      loss: 0.99,
    })
  })
})

describe('ConditionsTable', () => {
  const a: SimEndpoint = { peerId: 'peer-a', name: 'a' }
  const b: SimEndpoint = { peerId: 'peer-b', name: 'b' }
  const c: SimEndpoint = { peerId: 'peer-c' }
  const defaults: NetworkConditions = { latencyMs: 1, jitterMs: 2, loss: 0 }

  function table(): ConditionsTable {
    const t = new ConditionsTable(defaults)
    t.set('a', 'b', { latencyMs: 10 })
    t.set('peer-a', 'peer-b', { latencyMs: 11 })
    t.set('a', ANY, { latencyMs: 20 })
    t.set(ANY, 'peer-c', { latencyMs: 30, loss: 0.5 })
    return t
  }

  it.each([
    [a, b, 11, 'peer ids before names'],
    [b, a, 1, 'one direction only: defaults'],
    [a, c, 20, '(from, ANY) before (ANY, to)'],
    [b, c, 30, '(ANY, to)'],
    [c, b, 1, 'nothing matches'],
  ])('%o → %o: latency %i (%s)', (from, to, latencyMs) => {
    expect(table().lookup(from, to).latencyMs).toBe(latencyMs)
  })

  it('fills fields an entry does not set from the defaults, even after they change', () => {
    const t = table()
    expect(t.lookup(b, c)).toEqual({ latencyMs: 30, jitterMs: 2, loss: 0.5 })
    t.setDefaults({ jitterMs: 7 })
    expect(t.lookup(b, c)).toEqual({ latencyMs: 30, jitterMs: 7, loss: 0.5 })
    expect(t.defaults).toEqual({ latencyMs: 1, jitterMs: 7, loss: 0 })
  })

  it('sets both directions with setBetween, removes with delete and clear', () => {
    const t = new ConditionsTable()
    t.setBetween('a', 'b', { latencyMs: 40 })
    expect(t.get('a', 'b').latencyMs).toBe(40)
    expect(t.get('b', 'a').latencyMs).toBe(40)
    expect(t.delete('a', 'b')).toBe(true)
    expect(t.delete('a', 'b')).toBe(false)
    expect(t.get('a', 'b').latencyMs).toBe(0)
    t.clear()
    expect(t.get('b', 'a')).toEqual({ latencyMs: 0, jitterMs: 0, loss: 0 })
  })

  it('counts changes in version, so links re-read it only after one', () => {
    const t = new ConditionsTable()
    const v0 = t.version
    t.set('a', 'b', { loss: 0.1 })
    t.setDefaults({ latencyMs: 3 })
    t.delete('x', 'y') // nothing deleted: no change
    expect(t.version).toBe(v0 + 2)
  })

  it('refuses bad values and keeps what it had', () => {
    expect(() => new ConditionsTable({ loss: 1.5 })).toThrow(InvalidConditionsError)
    const t = new ConditionsTable()
    t.set('a', 'b', { latencyMs: 5 })
    const version = t.version
    expect(() => t.set('a', 'b', { latencyMs: -5 })).toThrow(InvalidConditionsError)
    expect(() => t.setBetween('a', 'b', { loss: 1 })).toThrow(InvalidConditionsError)
    expect(() => t.setDefaults({ jitterMs: -1 })).toThrow(InvalidConditionsError)
    expect(t.get('a', 'b').latencyMs).toBe(5)
    expect(t.get('b', 'a').loss).toBe(0)
    expect(t.version).toBe(version)
  })
})
