import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { InvalidKeyError, InvalidStepError } from '../../src/errors.js'
import {
  PatternGenerator,
  networkKeyFromSeed,
  parseNetworkKey,
  u64be,
} from '../../src/pattern/index.js'

const KEY = Buffer.alloc(32, 7)

describe('PatternGenerator', () => {
  it('gives every node the same value for the same key and step', () => {
    const a = new PatternGenerator({ key: KEY, phaseResetInterval: 10 })
    const b = new PatternGenerator({ key: KEY, phaseResetInterval: 10 })
    for (const step of [0, 1, 9, 10, 11, 123_456, Number.MAX_SAFE_INTEGER]) {
      expect(a.value(step)).toBe(b.value(step))
      expect(a.value(step)).toBeGreaterThanOrEqual(0)
      expect(a.value(step)).toBeLessThanOrEqual(0x7fffffff)
    }
  })

  it('derives a new key per phase, so a step key says nothing about the next phase', () => {
    const generator = new PatternGenerator({ key: KEY, phaseResetInterval: 10 })
    expect(generator.phase(9)).toBe(0)
    expect(generator.phase(10)).toBe(1)
    // Within a phase the step keys come from one phase key, which is not the network key.
    const phase1 = createHmac('sha256', KEY)
      .update(Buffer.concat([Buffer.from('patternmesh:phase:v1'), u64be(1)]))
      .digest()
    expect(generator.stepKey(10)).toEqual(createHmac('sha256', phase1).update(u64be(10)).digest())
    const noReset = new PatternGenerator({ key: KEY, phaseResetInterval: 0 })
    expect(noReset.stepKey(10)).toEqual(createHmac('sha256', KEY).update(u64be(10)).digest())
    expect(noReset.value(10)).not.toBe(generator.value(10))
  })

  it('stretches a seed into a key and gives the same values as that key', () => {
    const seeded = new PatternGenerator({ seed: 42 })
    const keyed = new PatternGenerator({ key: networkKeyFromSeed('42') })
    expect(seeded.value(5)).toBe(keyed.value(5))
    expect(networkKeyFromSeed(42)).toHaveLength(32)
  })

  it('caches values and step keys in a bounded LRU with hit and miss counters', () => {
    const generator = new PatternGenerator({ key: KEY, cacheSize: 100 })
    for (let step = 0; step < 1000; step++) generator.value(step)
    generator.value(999)
    generator.stepKey(998)
    expect(generator.cacheStats()).toEqual({
      size: 100,
      max: 100,
      hits: 2,
      misses: 1000,
      evictions: 900,
    })
  })

  it('derives out-of-cache steps without evicting cached ones', () => {
    const generator = new PatternGenerator({ key: KEY, cacheSize: 2 })
    generator.value(1)
    generator.value(2)
    generator.entry(10_000, { cache: false })
    expect(generator.cacheStats()).toMatchObject({ size: 2, evictions: 0 })
  })

  it.each([
    [{ key: Buffer.alloc(8) }, /at least 16 bytes/],
    [{}, /key or a seed is required/],
    [{ key: KEY, seed: 1 }, /not both/],
    [{ key: KEY, algorithm: 'md5' as never }, /algorithm/],
    [{ key: KEY, phaseResetInterval: -1 }, /phaseResetInterval/],
    [{ key: KEY, cacheSize: 0 }, /cacheSize/],
    [{ seed: '' }, /seed/],
  ])('refuses a bad init %j with a clear error', (init, message) => {
    expect(() => new PatternGenerator(init)).toThrow(InvalidKeyError)
    expect(() => new PatternGenerator(init)).toThrow(message)
  })

  it.each([-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN])('refuses step %s', (step) => {
    expect(() => new PatternGenerator({ key: KEY }).value(step)).toThrow(InvalidStepError)
  })
})

describe('parseNetworkKey', () => {
  it('reads hex with surrounding whitespace', () => {
    expect(parseNetworkKey(`  ${'ab'.repeat(32)}\n`)).toEqual(Buffer.alloc(32, 0xab))
  })

  it.each(['xyz', 'abc', 'ab'.repeat(4)])('refuses %s', (text) => {
    expect(() => parseNetworkKey(text)).toThrow(InvalidKeyError)
  })
})
