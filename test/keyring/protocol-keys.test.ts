/** PROTOCOL.md §8's keyring vectors, checked against the code so the two cannot drift. */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  PatternGenerator,
  PatternKeySet,
  keyId,
  networkKeyFromSeed,
} from '../../src/pattern/index.js'
import { ReplayGuard, sealEnvelope, verifyFrame } from '../../src/protocol/index.js'

interface Vectors {
  keys: Array<{ seed: string; networkKey: string; id: string; values: Record<string, number> }>
}

const doc = readFileSync(new URL('../../PROTOCOL.md', import.meta.url), 'utf8')
const block = /<!-- keyring-vectors:begin -->\s*```json\n([\s\S]*?)```/.exec(doc)?.[1]
const vectors = JSON.parse(block ?? '{}') as Vectors

describe('PROTOCOL.md §8 keyring vectors', () => {
  it('has two keys', () => expect(vectors.keys).toHaveLength(2))

  for (const v of vectors.keys) {
    it(`key ${v.id}: bytes, id (SHA-256 prefix) and values`, () => {
      const key = networkKeyFromSeed(v.seed)
      expect(key.toString('hex')).toBe(v.networkKey)
      expect(keyId(key)).toBe(v.id)
      expect(createHash('sha256').update(key).digest('hex').slice(0, 8)).toBe(v.id)
      const g = new PatternGenerator({ key, phaseResetInterval: 100 })
      for (const [step, value] of Object.entries(v.values))
        expect(g.value(Number(step))).toBe(value)
    })
  }

  it('a receiver holding both keys finds the key of a frame by its pattern value', () => {
    const [first, second] = vectors.keys
    const keys = new PatternKeySet(
      { key: Buffer.from(first!.networkKey, 'hex') },
      { phaseResetInterval: 100 },
    )
    keys.install(Buffer.from(second!.networkKey, 'hex'))
    const sender = new PatternGenerator({
      key: Buffer.from(second!.networkKey, 'hex'),
      phaseResetInterval: 100,
    })
    expect(keys.matching(345, second!.values['345']!).map((e) => e.value)).toEqual([
      second!.values['345'],
    ])
    const frame = sealEnvelope(sender, {
      kind: 'data',
      senderId: '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN',
      globalStep: 345,
      seq: 1,
      timestamp: 0,
      data: Buffer.from('rotated'),
    })
    const ctx = { generator: keys, replayGuard: new ReplayGuard(), localStep: 345, stepWindow: 2 }
    expect(verifyFrame(frame, ctx).code).toBe('ACCEPTED')
  })
})
